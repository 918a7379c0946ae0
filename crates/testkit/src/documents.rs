//! Questions tests ask of the API's documents.

use gatehouse_buzzin::{Permit, PermitAction};

/// How many times the permit's audit says `action` was done to it.
pub fn audit_count(p: &Permit, action: PermitAction) -> usize {
    p.audit
        .iter()
        .flatten()
        .filter(|a| a.action == action)
        .count()
}

/// How many times the permit's pass was reissued.
pub fn reissues(p: &Permit) -> usize {
    audit_count(p, PermitAction::ReissuePass)
}
