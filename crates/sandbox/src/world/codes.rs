//! Access codes: a permit's live code, and the dead ones with why they died.

use super::*;

/// Why an access code no longer opens the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadCode {
    Revoked,
    Archived,
    Reissued,
    Expired,
}

impl DeadCode {
    /// How the store writes it down (`--data`). The gate says something else: [`dead_reason`].
    pub fn as_str(self) -> &'static str {
        match self {
            DeadCode::Revoked => "revoked",
            DeadCode::Archived => "archived",
            DeadCode::Reissued => "reissued",
            DeadCode::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "revoked" => DeadCode::Revoked,
            "archived" => DeadCode::Archived,
            "reissued" => DeadCode::Reissued,
            "expired" => DeadCode::Expired,
            _ => return None,
        })
    }
}

/// What the gate answers for a dead code: the reference's rejection reasons ("expired/inactive"
/// [DOC], and revoked or archived), so a reissued pass's old code is "inactive" there, though it is
/// stored as reissued.
pub(super) fn dead_reason(d: DeadCode) -> &'static str {
    match d {
        DeadCode::Revoked => "revoked",
        DeadCode::Archived => "archived",
        DeadCode::Reissued => "inactive",
        DeadCode::Expired => "expired",
    }
}

impl World {
    /// A seeded permit that is no longer ACCEPTED has a dead code, for the reason its status says.
    pub(crate) fn seeded_code_state(&mut self, id: &str) {
        let why = match self.permit(id).ok().and_then(Permit::status_name) {
            Some(StatusName::Revoked) => DeadCode::Revoked,
            Some(StatusName::Archived) => DeadCode::Archived,
            Some(StatusName::Expired) => DeadCode::Expired,
            _ => return,
        };
        self.kill_code(id, why);
    }

    pub(crate) fn new_access_code(&mut self) -> String {
        loop {
            let code: String = (0..inf::ACCESS_CODE_LEN)
                .map(|_| {
                    let i = self.rng.random_range(0..inf::ACCESS_CODE_ALPHABET.len());
                    inf::ACCESS_CODE_ALPHABET[i] as char
                })
                .collect();
            if !self.live_codes.contains_key(&code) && !self.dead_codes.contains_key(&code) {
                return code;
            }
        }
    }

    /// Mints a fresh access code for the permit, with its QR fields.
    pub(super) fn issue_code(&mut self, id: &str) {
        let code = self.new_access_code();
        self.live_codes.insert(code.clone(), id.to_owned());
        let now = self.now();
        let p = self.permit_mut(id);
        let pass = p.pass_number.clone().unwrap_or_default();
        p.access_code = Some(code.clone());
        p.qr_token = Some(code);
        p.qr_image_url = Some(format!(
            "https://cdn.buzz-in.co/public/permits/permit-{pass}-qr.png"
        ));
        p.permit_documentation_url = Some(format!(
            "https://cdn.buzz-in.co/public/permits/permit-{pass}-{}.pdf",
            now.millis()
        ));
        p.updated_at = Some(now);
    }

    pub(super) fn kill_code(&mut self, id: &str, why: DeadCode) {
        let code = self.permit(id).ok().and_then(|p| p.access_code.clone());
        if let Some(code) = code {
            self.live_codes.remove(&code);
            if self.track {
                self.dirty_codes.push(code.clone());
            }
            self.dead_codes.insert(code, (id.to_owned(), why));
        }
    }
}
