//! Whether an action may be done, as the cache knows its target: the one answer both the outbox
//! (which refuses to queue what cannot succeed) and the app's buttons (`can_approve`,
//! `can_reissue`, …) use. `Err` is the reason, as a clause.

use gatehouse_buzzin::{Contractor, Permit, StatusName, inf};

use super::ActionKind;

/// May `kind` be done to this permit? (ReissuePass: only ACCEPTED; RevokePass: not once ended.)
pub fn may_act_on_permit(kind: ActionKind, p: &Permit) -> Result<(), String> {
    let pass = p.pass_number.as_deref().unwrap_or(&p.id);
    let status = p
        .status_name()
        .unwrap_or(StatusName::Unknown(String::new()));
    match kind {
        ActionKind::ReissuePass if status != StatusName::Accepted => Err(format!(
            "{pass} is {status}; only ACCEPTED passes can be reissued"
        )),
        ActionKind::RevokePass if inf::is_terminal(&status) => {
            Err(format!("{pass} is already {status}"))
        }
        _ => Ok(()),
    }
}

/// May `kind` be done to this contractor? (Approve: only a pending one; Revoke: not once removed.)
pub fn may_act_on_contractor(kind: ActionKind, c: &Contractor) -> Result<(), String> {
    let name = c.name.as_deref().unwrap_or(&c.id);
    let removed = c.is_removed();
    match kind {
        ActionKind::ApproveContractor if removed => Err(format!(
            "{name} was removed from the community and cannot be approved"
        )),
        ActionKind::ApproveContractor if c.approved => Err(format!("{name} is already approved")),
        ActionKind::RevokeContractor if removed => Err(format!("{name} is already removed")),
        _ => Ok(()),
    }
}
