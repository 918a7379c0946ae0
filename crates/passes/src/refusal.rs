//! When a pass may not be printed, in one place: a printed pass is a security object, and one for
//! a dead code would open nothing at best and mislead a guard at worst.

use gatehouse_buzzin::{StatusName, Timestamp};

/// What decides whether a permit's pass may be printed, as the caller knows it.
#[derive(Debug, Clone)]
pub struct Printability {
    pub pass: String,
    pub status: StatusName,
    pub valid_till: Option<Timestamp>,
    /// Its contractor is removed from the community.
    pub contractor_removed: bool,
    /// A reissue or revoke of it waits to be sent: its code is about to die.
    pub code_dying: bool,
    /// Its code (`qrToken`, else `accessCode`).
    pub code: Option<String>,
}

/// Why a pass is not printed: each says so in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{pass} is {status}, not ACCEPTED: only an accepted permit's code opens the gate.")]
    NotAccepted { pass: String, status: String },
    #[error("{pass} ran out at {till}: its code no longer opens the gate.")]
    Expired { pass: String, till: String },
    #[error("{pass} belongs to a removed contractor: its code no longer opens the gate.")]
    ContractorRemoved { pass: String },
    #[error(
        "{pass} has a reissue or revoke waiting to be sent: its code is about to die. Print once it has gone through."
    )]
    CodeDying { pass: String },
    #[error("{pass} has no access code to print.")]
    NoCode { pass: String },
}

impl Refusal {
    /// The pass refused.
    pub fn pass(&self) -> &str {
        match self {
            Refusal::NotAccepted { pass, .. }
            | Refusal::Expired { pass, .. }
            | Refusal::ContractorRemoved { pass }
            | Refusal::CodeDying { pass }
            | Refusal::NoCode { pass } => pass,
        }
    }
}

impl Printability {
    /// Whether the pass may be printed at `now`; the first reason it may not.
    pub fn check(&self, now: Timestamp) -> Result<(), Refusal> {
        let pass = self.pass.clone();
        if self.status != StatusName::Accepted {
            return Err(Refusal::NotAccepted {
                pass,
                status: self.status.as_str().to_owned(),
            });
        }
        if let Some(till) = self.valid_till
            && till <= now
        {
            return Err(Refusal::Expired {
                pass,
                till: crate::community_time(till),
            });
        }
        if self.contractor_removed {
            return Err(Refusal::ContractorRemoved { pass });
        }
        if self.code_dying {
            return Err(Refusal::CodeDying { pass });
        }
        if self.code.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(Refusal::NoCode { pass });
        }
        Ok(())
    }
}
