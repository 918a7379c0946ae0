//! The outbox's words and records: what an action is, where a row is in its life, what is
//! queued, what a row holds, and how a send can end.

use gatehouse_buzzin::{Contractor, Permit};
use serde::{Deserialize, Serialize};

gatehouse_buzzin::closed_enum! {
    /// An admin action on the API.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum ActionKind {
        ApproveContractor = "approveContractor",
        RevokeContractor = "revokeContractor",
        RevokePass = "revokePass",
        ReissuePass = "reissuePass",
    }
}

impl ActionKind {
    /// Whether the target is a permit (else a contractor).
    pub fn on_permit(self) -> bool {
        matches!(self, ActionKind::RevokePass | ActionKind::ReissuePass)
    }
}

gatehouse_buzzin::closed_enum! {
    /// Where an outbox row is in its life.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum OutboxState {
        Pending = "pending",
        Sending = "sending",
        Ambiguous = "ambiguous",
        Done = "done",
        Refused = "refused",
        Discarded = "discarded",
    }
}

impl OutboxState {
    /// Still to reach the server: the views mark it beside the server's state.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OutboxState::Pending | OutboxState::Sending | OutboxState::Ambiguous
        )
    }
}

/// The states [`OutboxState::is_open`] holds, as an SQL list (a test keeps the two equal).
pub(super) const OPEN_STATES: &str = "('pending', 'sending', 'ambiguous')";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_list_of_open_states_is_the_open_states() {
        let open: Vec<String> = OutboxState::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{s}'"))
            .collect();
        assert_eq!(OPEN_STATES, format!("({})", open.join(", ")));
    }
}

/// An action to queue.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub kind: ActionKind,
    /// The contractor's or permit's id.
    pub target_id: String,
    /// Required for revoking a pass.
    pub reason: Option<String>,
    /// Who asked (shown in the audit log).
    pub actor: String,
}

/// The server's documents as they were when the action was queued (the drain reads the same
/// targets back after an ambiguous send).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Before {
    pub contractors: Vec<Contractor>,
    pub permits: Vec<Permit>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Payload {
    #[serde(default)]
    pub(super) reason: Option<String>,
    pub(super) actor: String,
    pub(super) label: String,
    /// For a reissue: the access code read from the server just before sending.
    #[serde(default)]
    pub(super) sent_code: Option<String>,
    #[serde(default)]
    pub(super) before: Before,
}

/// One queued action.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub seq: i64,
    /// Generated on this machine when the action was queued.
    pub id: String,
    pub kind: ActionKind,
    pub target_id: String,
    /// The pass number or the contractor's name.
    pub label: String,
    pub reason: Option<String>,
    pub actor: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// For a reissue: the access code the server had just before the request went out.
    pub sent_code: Option<String>,
    #[serde(skip)]
    pub before: Before,
}

/// How a send (or a read-back) ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The server applied it; its documents as they are now.
    Applied {
        contractors: Vec<Contractor>,
        permits: Vec<Permit>,
        detail: Option<String>,
    },
    /// The server refused it. `fresh` holds the targets re-read from the server when that
    /// worked (they are written); otherwise the cache's copies stand.
    Refused {
        message: String,
        fresh: Option<Before>,
    },
    /// Nothing reached the server (or it was not applied): send again later.
    Retry { error: String },
    /// It may have been applied: read the target before any retry.
    Ambiguous { error: String },
}

impl Outcome {
    /// [`Outcome::Retry`] with this error's text.
    pub fn retry(error: impl ToString) -> Self {
        Outcome::Retry {
            error: error.to_string(),
        }
    }

    /// [`Outcome::Ambiguous`] with this error's text.
    pub fn ambiguous(error: impl ToString) -> Self {
        Outcome::Ambiguous {
            error: error.to_string(),
        }
    }
}
