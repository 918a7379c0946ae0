//! Community contractors: `POST /communityContractors` [DOC], `PATCH /communityContractors/{id}`
//! [DOC], and the contractor as the API returns it.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::Timestamp;

/// A document sent to Buzz-In: a hosted URL [DOC] or a base64 file [DOC that it is accepted;
/// INF for the field names `data`, `fileName`, `mimeType`].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum DocumentInput {
    Url {
        url: String,
    },
    #[serde(rename_all = "camelCase")]
    Base64 {
        data: String,
        #[serde(default)]
        file_name: Option<String>,
        #[serde(default)]
        mime_type: Option<String>,
    },
}

/// A document as Buzz-In returns it: stored encrypted, exposed through a public URL [DOC].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDocument {
    pub public_url: String,
}

/// The company block of a create request.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInput {
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub trade_license: Option<DocumentInput>,
    /// `YYYY-MM-DD` [DOC].
    #[serde(default)]
    pub trade_license_expiry_date: Option<String>,
    /// [GAP] field name; [INF] `insurance`, same url-or-base64 form.
    #[serde(default)]
    pub insurance: Option<DocumentInput>,
    /// [GAP] field name; [INF] `safetyCertifications`.
    #[serde(default)]
    pub safety_certifications: Option<Vec<DocumentInput>>,
}

/// `POST /communityContractors` body [DOC example].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContractor {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub company: Option<CompanyInput>,
    #[serde(default)]
    pub integrations: Option<ContractorIntegrations>,
}

/// The company as returned.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub trade_license: Option<StoredDocument>,
    #[serde(default)]
    pub trade_license_expiry_date: Option<String>,
    #[serde(default)]
    pub insurance: Option<StoredDocument>,
    #[serde(default)]
    pub safety_certifications: Option<Vec<StoredDocument>>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractorIntegrations {
    #[serde(default)]
    pub damac: Option<DamacContractor>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DamacContractor {
    /// 18-character Salesforce id, unique per community [DOC].
    #[serde(default)]
    pub salesforce_id: Option<String>,
}

/// A community contractor as the API returns it [DOC: the 201 example].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contractor {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Pending until a community admin approves [DOC].
    #[serde(default)]
    pub approved: bool,
    /// The communities the contractor belongs to; revoking removes the key's community [INF].
    #[serde(default)]
    pub communities_ids: Vec<String>,
    #[serde(default)]
    pub company: Option<Company>,
    #[serde(default)]
    pub integrations: Option<ContractorIntegrations>,
    /// [INF] Feathers services keep `createdAt`/`updatedAt`; absent in the documented example.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

impl Contractor {
    /// The company's name as the contractor gave it, if it gave one.
    pub fn company_name(&self) -> Option<&str> {
        self.company
            .as_ref()?
            .company_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
    }

    pub fn salesforce_id(&self) -> Option<&str> {
        self.integrations
            .as_ref()?
            .damac
            .as_ref()?
            .salesforce_id
            .as_deref()
    }

    /// Whether the contractor still belongs to `community_id` (revoke detaches it [DOC]).
    pub fn is_member_of(&self, community_id: &str) -> bool {
        self.communities_ids.iter().any(|c| c == community_id)
    }

    /// Removed from the community (revoked), as a client reads it: [`crate::inf::contractor_removed`].
    pub fn is_removed(&self) -> bool {
        crate::inf::contractor_removed(&self.communities_ids)
    }
}
