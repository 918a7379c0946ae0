//! Work Permit webhooks: the envelope [DOC] and each event's data (documented for `issued`,
//! inferred as a superset for the others [INF]).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::{PermitType, StatusName, Timestamp, open_enum};

open_enum! {
    /// The nine Work Permit events [DOC names, from the site navigation].
    pub enum EventName {
        PermitIssued = "passes.permits.issued",
        PermitUpdated = "passes.permits.updated",
        PermitExpiring = "passes.permits.expiring",
        PermitExpired = "passes.permits.expired",
        PermitScanned = "passes.permits.scanned",
        PermitFirstScanned = "passes.permits.firstScanned",
        PermitLastScanned = "passes.permits.lastScanned",
        ContractorApproved = "communityContractors.approved",
        ContractorRemoved = "communityContractors.removed",
    }
}

impl EventName {
    pub fn is_permit_event(&self) -> bool {
        self.as_str().starts_with("passes.permits.")
    }
}

/// `{ id, event, communityId, createdAt, data }` [DOC].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<D = serde_json::Value> {
    pub id: String,
    pub event: EventName,
    pub community_id: String,
    pub created_at: Timestamp,
    pub data: D,
}

/// One entry of the ordered events feed: a webhook envelope with its position [INF: see
/// [`crate::inf::EVENTS_FEED_PATH`]].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedItem {
    /// Strictly increasing across the feed.
    pub cursor: u64,
    #[serde(flatten)]
    pub envelope: Envelope,
}

/// Where and how a pass was scanned [INF].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanInfo {
    /// `entry` or `exit`.
    pub direction: String,
    #[serde(default)]
    pub gate: Option<String>,
    pub scanned_at: Timestamp,
}

/// `data` of the `passes.permits.*` events: the documented `issued` payload [DOC], used as a
/// superset for the undocumented ones [INF], plus `scan` for the scan events [INF].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermitEventData {
    #[serde(default)]
    pub permit_id: Option<String>,
    #[serde(default)]
    pub pass_number: Option<String>,
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub status_name: Option<StatusName>,
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
    #[serde(default)]
    pub community_contractor_id: Option<String>,
    /// The permit's Salesforce id [DOC].
    #[serde(default)]
    pub salesforce_id: Option<String>,
    #[serde(default)]
    pub valid_from: Option<Timestamp>,
    #[serde(default)]
    pub valid_till: Option<Timestamp>,
    #[serde(default)]
    pub access_code: Option<String>,
    #[serde(default)]
    pub permit_documentation_url: Option<String>,
    #[serde(default)]
    pub qr_token: Option<String>,
    #[serde(default)]
    pub qr_image_base64: Option<String>,
    #[serde(default)]
    pub qr_image_url: Option<String>,
    #[serde(default)]
    pub scan: Option<ScanInfo>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl PermitEventData {
    /// The code the event carries for the gate (an issued event's new code [DOC]).
    pub fn gate_code(&self) -> Option<&str> {
        crate::permit::gate_code(self.access_code.as_deref(), self.qr_token.as_deref())
    }
}

/// `data` of the `communityContractors.*` events [INF].
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractorEventData {
    #[serde(default)]
    pub community_contractor_id: Option<String>,
    #[serde(default)]
    pub approved: Option<bool>,
    #[serde(default)]
    pub salesforce_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub archived_permit_ids: Option<Vec<String>>,
}
