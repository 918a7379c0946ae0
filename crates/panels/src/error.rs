//! What can go wrong talking to a panel, sorted by what it means for a write: whether it may have
//! been applied (so it must be read back before it is sent again or counted done) and whether
//! trying again later may help.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    /// The panel refused the user name or password (a 400 at login [DOC]). Final: retrying
    /// cannot fix it, and each try is logged on the panel as a failed login.
    #[error("the panel refused the user name or password ({0})")]
    WrongLogin(String),
    /// 401 again after logging in afresh, or 403 (a user without administrator rights).
    #[error("the panel refused Gatehouse's login for this call ({status}: {message})")]
    NotAuthorized { status: u16, message: String },
    /// Another 4xx: the request as it is was refused, nothing was processed [DOC: "no data
    /// processing was performed"].
    #[error("the panel refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    /// 5xx: the panel failed while handling it; a write may have been applied.
    #[error("the panel failed ({status}): {message}")]
    Server { status: u16, message: String },
    /// The panel could not be reached at all: nothing was sent.
    #[error("cannot reach the panel: {0}")]
    Unreachable(String),
    /// No answer within the timeout: a write may have been applied.
    #[error("no answer from the panel within {0:?}")]
    Timeout(Duration),
    /// The connection dropped after the request went out: a write may have been applied.
    #[error("the connection to the panel dropped: {0}")]
    Network(String),
    /// An answer that is not what a panel sends (not JSON, or results that do not match the
    /// items sent): a write may have been applied.
    #[error("the panel's answer cannot be read: {0}")]
    Decode(String),
    /// A redirect: a panel client follows none (the token would go with it).
    #[error("the panel answered {status} pointing to {location}; Gatehouse follows no redirects")]
    Redirected { status: u16, location: String },
    /// An answer larger than Gatehouse reads.
    #[error("the panel's answer is larger than the {limit_mib} MiB Gatehouse reads")]
    TooLarge { limit_mib: u64 },
    /// The panel breaks the API's own rules (no `api_version`, pages that never end).
    #[error("the panel broke the API's rules: {0}")]
    Protocol(String),
    /// Gatehouse's own check refused the call before anything was sent.
    #[error("{0}")]
    Invalid(String),
}

impl PanelError {
    /// Whether a write that met this error may have been applied on the panel: it must be read
    /// back before it is sent again or counted done.
    pub fn may_have_applied(&self) -> bool {
        matches!(
            self,
            PanelError::Server { .. }
                | PanelError::Timeout(_)
                | PanelError::Network(_)
                | PanelError::Decode(_)
        )
    }

    /// Whether trying again later may succeed (the panel down, busy or flaky).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            PanelError::Unreachable(_)
                | PanelError::Timeout(_)
                | PanelError::Network(_)
                | PanelError::Server { .. }
                | PanelError::Decode(_)
        )
    }
}
