//! The sandbox's clock, which tests move on, and what falls due when it moves (expiring,
//! expired).

use super::*;

impl World {
    pub fn now(&self) -> Timestamp {
        Timestamp(Utc::now() + self.clock_offset)
    }

    /// Moves the sandbox clock (never backwards), then fires what the new time causes.
    pub fn advance_clock(&mut self, by: Duration) -> ApiResult<Timestamp> {
        if by < Duration::zero() {
            return Err(ApiError::bad_request("the clock only moves forward"));
        }
        self.clock_offset += by;
        self.sweep();
        Ok(self.now())
    }

    /// Fires `expiring` for ACCEPTED permits within the lead time of `validTill`, and expires
    /// those past it (→ EXPIRED, code dead, `expired`).
    pub fn sweep(&mut self) {
        let now = self.now();
        let lead = Duration::seconds(inf::EXPIRING_LEAD_SECS);
        let mut expiring = Vec::new();
        let mut expired = Vec::new();
        for p in &self.permits {
            if p.status_name.as_ref() != Some(&StatusName::Accepted) {
                continue;
            }
            let Some(till) = p.valid_till else { continue };
            if till <= now {
                expired.push(p.id.clone());
            } else if Timestamp(till.0 - lead) <= now && !self.expiring_sent.contains(&p.id) {
                expiring.push(p.id.clone());
            }
        }
        for id in expiring {
            self.flag(FLAG_EXPIRING_SENT, &id, true);
            let data = self.permit_event_data(&id, false);
            self.emit(EventName::PermitExpiring, data);
        }
        for id in expired {
            self.set_status(&id, StatusName::Expired);
            self.kill_code(&id, DeadCode::Expired);
            let data = self.permit_event_data(&id, false);
            self.emit(EventName::PermitExpired, data);
        }
    }

    // ---- reads --------------------------------------------------------------------------------
}
