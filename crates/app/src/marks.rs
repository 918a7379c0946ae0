//! What a row shows beside the server's state while an action on it waits for Buzz-In: the
//! queued action in words, and what the gates do meanwhile. The cache holds only what the server
//! said, so a row's status is always the state the gates obey; the mark says what is coming.

use std::collections::HashMap;

use gatehouse_buzzin::StatusName;
use gatehouse_cache::{ActionKind, OutboxEntry};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An action queued on a row (or, for a permit, on its contractor), as the row shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QueuedMark {
    pub kind: ActionKind,
    /// Short, for the row: "revoke queued" (a contractor's revoke too: `meaning` says whose).
    pub label: String,
    /// What holds until Buzz-In has it: "still opens the gates until Buzz-In has the revoke".
    pub meaning: String,
    /// The pass opens the gates meanwhile (its server state is ACCEPTED).
    pub still_opens: bool,
}

/// The open actions, by target, oldest first: read once per page or panel.
#[derive(Debug, Clone, Default)]
pub struct Queue(HashMap<String, Vec<ActionKind>>);

impl Queue {
    pub fn of(open: &[OutboxEntry]) -> Queue {
        let mut by: HashMap<String, Vec<ActionKind>> = HashMap::new();
        for e in open.iter().filter(|e| e.state.is_open()) {
            by.entry(e.target_id.clone()).or_default().push(e.kind);
        }
        Queue(by)
    }

    fn on(&self, id: &str) -> &[ActionKind] {
        self.0.get(id).map_or(&[], Vec::as_slice)
    }

    /// The mark of a permit in `status` whose contractor is `contractor_id`: its own revoke or
    /// reissue first, then its contractor's revoke (which archives it).
    pub fn permit_mark(
        &self,
        permit_id: &str,
        contractor_id: &str,
        status: &StatusName,
    ) -> Option<QueuedMark> {
        let opens = *status == StatusName::Accepted;
        let own = self.on(permit_id);
        let kind = [ActionKind::RevokePass, ActionKind::ReissuePass]
            .into_iter()
            .find(|k| own.contains(k))
            .or_else(|| {
                (!contractor_id.is_empty()
                    && self
                        .on(contractor_id)
                        .contains(&ActionKind::RevokeContractor))
                .then_some(ActionKind::RevokeContractor)
            })?;
        let (label, meaning) = match kind {
            ActionKind::RevokePass => (
                "revoke queued",
                if opens {
                    "still opens the gates until Buzz-In has the revoke"
                } else {
                    "ends the pass when Buzz-In has it"
                },
            ),
            ActionKind::ReissuePass => (
                "reissue queued",
                "the current code opens the gates until Buzz-In issues the new one",
            ),
            _ => (
                "revoke queued",
                if opens {
                    "still opens the gates until Buzz-In has the contractor's revoke"
                } else {
                    "archived when Buzz-In has the contractor's revoke"
                },
            ),
        };
        Some(QueuedMark {
            kind,
            label: label.into(),
            meaning: meaning.into(),
            still_opens: opens,
        })
    }

    /// The mark of a contractor: a queued revoke, else a queued approval.
    pub fn contractor_mark(&self, id: &str) -> Option<QueuedMark> {
        let own = self.on(id);
        let (kind, label, meaning) = if own.contains(&ActionKind::RevokeContractor) {
            (
                ActionKind::RevokeContractor,
                "revoke queued",
                "their passes open the gates until Buzz-In has the revoke",
            )
        } else if own.contains(&ActionKind::ApproveContractor) {
            (
                ActionKind::ApproveContractor,
                "approval queued",
                "not approved until Buzz-In has it",
            )
        } else {
            return None;
        };
        Some(QueuedMark {
            kind,
            label: label.into(),
            meaning: meaning.into(),
            still_opens: kind == ActionKind::RevokeContractor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(items: &[(ActionKind, &str)]) -> Queue {
        let mut q = Queue::default();
        for (k, t) in items {
            q.0.entry(t.to_string()).or_default().push(*k);
        }
        q
    }

    #[test]
    fn a_permit_shows_its_own_action_before_its_contractors() {
        let q = queue(&[
            (ActionKind::RevokeContractor, "c1"),
            (ActionKind::ReissuePass, "p1"),
        ]);
        let m = q.permit_mark("p1", "c1", &StatusName::Accepted).unwrap();
        assert_eq!(m.kind, ActionKind::ReissuePass);
        let m = q.permit_mark("p2", "c1", &StatusName::Accepted).unwrap();
        assert_eq!(m.kind, ActionKind::RevokeContractor);
        assert!(m.meaning.contains("contractor's revoke"), "{}", m.meaning);
        assert!(m.still_opens && m.meaning.contains("still opens the gates"));
        let m = q.permit_mark("p2", "c1", &StatusName::Draft).unwrap();
        assert!(!m.still_opens && m.meaning.starts_with("archived"));
        assert_eq!(q.permit_mark("p3", "c2", &StatusName::Accepted), None);
        assert_eq!(q.permit_mark("p3", "", &StatusName::Accepted), None);
    }

    #[test]
    fn a_contractor_shows_a_revoke_before_an_approval() {
        let q = queue(&[
            (ActionKind::ApproveContractor, "c1"),
            (ActionKind::RevokeContractor, "c1"),
            (ActionKind::ApproveContractor, "c2"),
        ]);
        assert_eq!(
            q.contractor_mark("c1").unwrap().kind,
            ActionKind::RevokeContractor
        );
        assert_eq!(q.contractor_mark("c2").unwrap().label, "approval queued");
        assert_eq!(q.contractor_mark("c3"), None);
    }
}
