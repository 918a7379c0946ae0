//! The pass actions of `PATCH /passes/{id}`: submit, revoke, reissue.

use super::*;

impl World {
    pub fn pass_action(&mut self, id: &str, req: PassAction) -> ApiResult<()> {
        let current = self.permit(id)?.clone();
        let status = current
            .status_name()
            .unwrap_or(StatusName::Unknown(String::new()));
        let label = current.pass_number.clone().unwrap_or_else(|| id.to_owned());
        let now = self.now();
        match &req.action {
            PermitAction::Submit => {
                if status != StatusName::Draft {
                    return Err(ApiError::bad_request(format!(
                        "Only DRAFT permits can be submitted; {label} is {status}"
                    )));
                }
                let mut missing = Vec::new();
                for (field, present) in [
                    ("validFrom", current.valid_from.is_some()),
                    ("validTill", current.valid_till.is_some()),
                    ("timeIn", current.time_in.is_some()),
                    ("timeOut", current.time_out.is_some()),
                    (
                        "representativeName",
                        current
                            .representative_name
                            .as_deref()
                            .is_some_and(|s| !s.trim().is_empty()),
                    ),
                    (
                        "representativeContact",
                        current
                            .representative_contact
                            .as_deref()
                            .is_some_and(|s| !s.trim().is_empty()),
                    ),
                    (
                        "employees",
                        current.employees.as_ref().is_some_and(|e| !e.is_empty()),
                    ),
                ] {
                    if !present {
                        missing.push(field);
                    }
                }
                if !missing.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "Cannot submit {label}: missing {}",
                        missing.join(", ")
                    )));
                }
                self.set_status(id, StatusName::Pending);
                self.audit(id, PermitAction::Submit, None, now);
            }
            PermitAction::Revoke => {
                if inf::is_terminal(&status) {
                    return Err(ApiError::bad_request(format!(
                        "{label} is already {status} and cannot be revoked"
                    )));
                }
                let reason = req
                    .reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty());
                if reason.is_some_and(|r| r.chars().count() > REVOKE_REASON_MAX) {
                    return Err(ApiError::bad_request(
                        "reason must be at most 1000 characters",
                    ));
                }
                self.set_status(id, StatusName::Revoked);
                self.kill_code(id, DeadCode::Revoked);
                self.audit(id, PermitAction::Revoke, reason.map(str::to_owned), now);
                let mut data = self.permit_event_data(id, false);
                data.reason = reason.map(str::to_owned);
                self.emit(EventName::PermitUpdated, data);
            }
            PermitAction::ReissuePass => {
                if status != StatusName::Accepted {
                    return Err(ApiError::bad_request(format!(
                        "Only ACCEPTED permits can be reissued; {label} is {status}"
                    )));
                }
                self.kill_code(id, DeadCode::Reissued);
                self.issue_code(id);
                self.audit(id, PermitAction::ReissuePass, None, now);
                let data = self.permit_event_data(id, true);
                self.emit(EventName::PermitIssued, data);
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unknown action \"{other}\": expected \"revoke\", \"reissuePass\" or \"submit\""
                )));
            }
        }
        Ok(())
    }
}
