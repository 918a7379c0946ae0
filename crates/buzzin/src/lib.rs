//! Wire types of the Buzz-In Work Permit API (DAMAC integration), shared by the sandbox (which
//! serves them) and the client (which reads them).
//!
//! Reference: `shared/api/buzzin-api.md`. Rules these types follow:
//! - unknown fields are ignored and optional fields may be missing;
//! - `status` integers are opaque, `statusName` drives logic ([`StatusName`]);
//! - an unknown `statusName`, `permitType` or event name decodes to an explicit `Unknown` variant
//!   instead of failing;
//! - every `[INF]` assumption about the undocumented parts lives in [`inf`], so a confirmed
//!   contract changes one file.

mod contractor;
mod error;
mod event;
pub mod inert;
pub mod inf;
mod open_enum;
mod permit;
mod time;
pub mod webhook;

pub use contractor::{
    Company, CompanyInput, Contractor, ContractorIntegrations, DamacContractor, DocumentInput,
    NewContractor, StoredDocument,
};
pub use error::FeathersError;
pub use event::{ContractorEventData, Envelope, EventName, FeedItem, PermitEventData, ScanInfo};
pub use permit::{
    AuditEntry, DamacPermit, Employee, NewPermit, NocInput, PassAction, Permit, PermitAction,
    PermitIntegrations, PermitPatch, PermitType, StatusName, StoredNoc,
};
pub use time::{Timestamp, community_clock, community_time};

use serde::{Deserialize, Serialize};

/// A page of a list endpoint, FeathersJS style ([INF], see [`inf::LIST_DEFAULT_LIMIT`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub total: u64,
    pub limit: u64,
    pub skip: u64,
    pub data: Vec<T>,
}

open_enum! {
    /// The `action` of `PATCH /communityContractors/{id}` [DOC].
    pub enum ContractorActionKind {
        Approve = "approve",
        Revoke = "revoke",
    }
}

/// `{ "action": "approve" | "revoke" }` for `PATCH /communityContractors/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorAction {
    pub action: ContractorActionKind,
}
