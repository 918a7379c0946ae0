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

/// May `kind` be queued beside the open actions that concern its target? Each is `(kind, on the
/// target itself, seq)`; for a permit, a revoke of its contractor is one (`false`: on the
/// contractor). The same action twice is refused, and so is anything on a pass whose revoke or
/// whose contractor's revoke is queued: those end it, whatever follows.
pub fn may_queue_beside(
    kind: ActionKind,
    label: &str,
    open: &[(ActionKind, bool, i64)],
) -> Result<(), String> {
    for &(other, own, seq) in open {
        if own && other == kind {
            return Err(format!(
                "the same action on {label} is already queued (#{seq})"
            ));
        }
        match other {
            ActionKind::RevokePass if own => {
                return Err(format!(
                    "{label} has a revoke queued (#{seq}); it ends the pass when Buzz-In has it"
                ));
            }
            ActionKind::RevokeContractor if !own => {
                return Err(format!(
                    "the contractor of {label} has a revoke queued (#{seq}); it archives the pass when Buzz-In has it"
                ));
            }
            ActionKind::RevokeContractor if own && kind == ActionKind::ApproveContractor => {
                return Err(format!(
                    "{label} has a revoke queued (#{seq}); Buzz-In will not approve them again"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionKind::*;

    #[test]
    fn an_action_is_refused_beside_one_that_decides_its_target() {
        assert!(may_queue_beside(RevokePass, "WP-1", &[]).is_ok());
        let twice = may_queue_beside(ReissuePass, "WP-1", &[(ReissuePass, true, 3)]).unwrap_err();
        assert!(twice.contains("already queued (#3)"), "{twice}");
        assert!(may_queue_beside(RevokePass, "WP-1", &[(ReissuePass, true, 3)]).is_ok());
        let ended = may_queue_beside(ReissuePass, "WP-1", &[(RevokePass, true, 4)]).unwrap_err();
        assert!(ended.contains("revoke queued (#4)"), "{ended}");
        let archived =
            may_queue_beside(RevokePass, "WP-1", &[(RevokeContractor, false, 5)]).unwrap_err();
        assert!(archived.contains("contractor of WP-1"), "{archived}");
        let gone =
            may_queue_beside(ApproveContractor, "Ali", &[(RevokeContractor, true, 6)]).unwrap_err();
        assert!(gone.contains("will not approve"), "{gone}");
        assert!(may_queue_beside(RevokeContractor, "Ali", &[(ApproveContractor, true, 7)]).is_ok());
    }
}
