//! NOC / fit-out permits and their passes: `POST /permits` [DOC], `GET /permits/{id}` [INF path],
//! `PATCH /permits/{id}` [DOC], `PATCH /passes/{id}` [DOC].

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::contractor::{DocumentInput, StoredDocument};
use crate::{Timestamp, open_enum};

open_enum! {
    /// A permit's status by name. Logic keys on this, never on the integer `status`, whose codes
    /// are documented only for ACCEPTED (1) and DRAFT (10): see [`crate::inf::STATUS_CODES`].
    pub enum StatusName {
        /// Created, not yet submitted [DOC].
        Draft = "DRAFT",
        /// Submitted, awaiting the admin's approval [INF name].
        Pending = "PENDING",
        /// Approved; the QR pass works [DOC].
        Accepted = "ACCEPTED",
        /// Refused by the admin [INF].
        Rejected = "REJECTED",
        /// Revoked through `PATCH /passes/{id}` [DOC].
        Revoked = "REVOKED",
        /// Archived because its contractor was revoked [DOC].
        Archived = "ARCHIVED",
        /// Past `validTill` [INF name].
        Expired = "EXPIRED",
    }
}

open_enum! {
    /// The kind of permit. Only `buildUp` is documented [DOC]; `fitOut` is [INF].
    pub enum PermitType {
        BuildUp = "buildUp",
        FitOut = "fitOut",
    }
}

/// One person working under the permit [INF shape: the docs only say "at least one employee"].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Employee {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub document_id: Option<String>,
}

/// A NOC sent to Buzz-In: a document plus its metadata [DOC].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NocInput {
    #[serde(flatten)]
    pub document: DocumentInput,
    #[serde(default)]
    pub noc_number: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub issue_date: Option<String>,
    #[serde(default)]
    pub expiry_date: Option<String>,
}

/// A NOC as stored under `integrations.damac.noc` [DOC example].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredNoc {
    #[serde(default)]
    pub document: Option<StoredDocument>,
    #[serde(default)]
    pub noc_number: Option<String>,
    #[serde(default)]
    pub issue_date: Option<String>,
    #[serde(default)]
    pub expiry_date: Option<String>,
    /// When this NOC was replaced; set on entries of `nocHistory` [INF].
    #[serde(default)]
    pub replaced_at: Option<Timestamp>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DamacPermit {
    /// The permit's Salesforce id (`salesforcePermitId` on create) [DOC].
    #[serde(default)]
    pub salesforce_id: Option<String>,
    #[serde(default)]
    pub noc: Option<StoredNoc>,
    /// Earlier NOCs, oldest first [DOC].
    #[serde(default)]
    pub noc_history: Option<Vec<StoredNoc>>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermitIntegrations {
    #[serde(default)]
    pub damac: Option<DamacPermit>,
}

/// One audit-trail entry: who did what, why and when [DOC for revoke: "actor, reason, and
/// timestamp"; INF field names].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub action: PermitAction,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    pub at: Timestamp,
}

/// A permit (a pass of type `permits`) as the API returns it: the create response [DOC] plus
/// what `GET /permits/{id}` returns [INF: every field of the `issued` payload, with history].
/// Everything but `_id` is optional, so a thinner real response still decodes.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permit {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub pass_number: Option<String>,
    /// Opaque integer; see [`StatusName`].
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub status_name: Option<StatusName>,
    /// The pass type, `"permits"` [DOC].
    #[serde(default, rename = "type")]
    pub pass_type: Option<String>,
    #[serde(default)]
    pub permit_type: Option<PermitType>,
    #[serde(default)]
    pub community_id: Option<String>,
    #[serde(default)]
    pub property_id: Option<String>,
    #[serde(default)]
    pub flat_id: Option<String>,
    /// DAMAC's ids of the tower and unit, as the permit was created with them: read where a
    /// permit carries them ([INF]: see `inf::PERMITS_CARRY_EXTERNAL_IDS`).
    #[serde(default)]
    pub property_external_id: Option<String>,
    #[serde(default)]
    pub flat_external_id: Option<String>,
    #[serde(default)]
    pub additional_flat_ids: Option<Vec<String>>,
    #[serde(default)]
    pub community_contractor_id: Option<String>,
    #[serde(default)]
    pub valid_from: Option<Timestamp>,
    #[serde(default)]
    pub valid_till: Option<Timestamp>,
    /// Daily window start, `HH:MM` in the community's time zone [INF].
    #[serde(default)]
    pub time_in: Option<String>,
    #[serde(default)]
    pub time_out: Option<String>,
    #[serde(default)]
    pub representative_name: Option<String>,
    #[serde(default)]
    pub representative_contact: Option<String>,
    #[serde(default)]
    pub employees: Option<Vec<Employee>>,
    #[serde(default)]
    pub jobs_summary: Option<String>,
    #[serde(default)]
    pub access_code: Option<String>,
    #[serde(default)]
    pub qr_token: Option<String>,
    #[serde(default)]
    pub qr_image_base64: Option<String>,
    #[serde(default)]
    pub qr_image_url: Option<String>,
    #[serde(default)]
    pub permit_documentation_url: Option<String>,
    #[serde(default)]
    pub integrations: Option<PermitIntegrations>,
    #[serde(default)]
    pub audit: Option<Vec<AuditEntry>>,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

/// The code the gate checks, of a permit or an issued event: `accessCode`, which the QR carries
/// [DOC], else `qrToken`.
pub(crate) fn gate_code<'a>(
    access_code: Option<&'a str>,
    qr_token: Option<&'a str>,
) -> Option<&'a str> {
    access_code.or(qr_token).filter(|c| !c.is_empty())
}

impl Permit {
    /// The code the gate checks: `accessCode`, which the QR carries [DOC], else `qrToken`.
    pub fn gate_code(&self) -> Option<&str> {
        gate_code(self.access_code.as_deref(), self.qr_token.as_deref())
    }

    /// The status by name: `statusName` when present, else looked up from the integer code in
    /// the [INF] table (the create response carries only `status: 10` [DOC]).
    pub fn status_name(&self) -> Option<StatusName> {
        self.status_name
            .clone()
            .or_else(|| self.status.and_then(crate::inf::status_name_of))
    }

    pub fn salesforce_id(&self) -> Option<&str> {
        self.integrations
            .as_ref()?
            .damac
            .as_ref()?
            .salesforce_id
            .as_deref()
    }
}

/// `POST /permits` body [DOC example and reference table]. Fields are kept as sent (dates as
/// strings) so the server can say precisely what is wrong with them.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPermit {
    #[serde(default)]
    pub salesforce_permit_id: Option<String>,
    #[serde(default)]
    pub contractor_salesforce_id: Option<String>,
    #[serde(default)]
    pub community_contractor_id: Option<String>,
    #[serde(default)]
    pub property_external_id: Option<String>,
    #[serde(default)]
    pub property_id: Option<String>,
    #[serde(default)]
    pub flat_external_id: Option<String>,
    #[serde(default)]
    pub flat_id: Option<String>,
    #[serde(default)]
    pub additional_flat_external_ids: Option<Vec<String>>,
    #[serde(default)]
    pub additional_flat_ids: Option<Vec<String>>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_till: Option<String>,
    #[serde(default)]
    pub jobs_summary: Option<String>,
    #[serde(default)]
    pub noc: Option<NocInput>,
    #[serde(default)]
    pub permit_type: Option<PermitType>,
    #[serde(default)]
    pub time_in: Option<String>,
    #[serde(default)]
    pub time_out: Option<String>,
    #[serde(default)]
    pub representative_name: Option<String>,
    #[serde(default)]
    pub representative_contact: Option<String>,
    #[serde(default)]
    pub employees: Option<Vec<Employee>>,
}

/// `PATCH /permits/{id}` body: new dates [DOC], `{"action":"replaceNoc","noc":{…}}` [DOC], and
/// the submit-time fields [INF: the docs do not say where they are set].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermitPatch {
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_till: Option<String>,
    #[serde(default)]
    pub noc: Option<NocInput>,
    #[serde(default)]
    pub time_in: Option<String>,
    #[serde(default)]
    pub time_out: Option<String>,
    #[serde(default)]
    pub representative_name: Option<String>,
    #[serde(default)]
    pub representative_contact: Option<String>,
    #[serde(default)]
    pub employees: Option<Vec<Employee>>,
    #[serde(default)]
    pub jobs_summary: Option<String>,
    #[serde(default)]
    pub permit_type: Option<PermitType>,
}

open_enum! {
    /// What was done to a permit: the `action` of `PATCH /passes/{id}` [DOC: `revoke`,
    /// `reissuePass`, `submit`], and of the permit's audit entries, which also record the
    /// admin's decision on a submitted permit [INF: `approve`, `reject`].
    pub enum PermitAction {
        Submit = "submit",
        Revoke = "revoke",
        ReissuePass = "reissuePass",
        Approve = "approve",
        Reject = "reject",
    }
}

/// `PATCH /passes/{id}` body: `revoke` (with an optional reason), `reissuePass`, `submit` [DOC].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassAction {
    pub action: PermitAction,
    #[serde(default)]
    pub reason: Option<String>,
}
