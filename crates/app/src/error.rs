//! The one error type that crosses IPC.
//!
//! Domain crates keep their own precise error enums; at the boundary each is mapped to an
//! [`ErrorCode`] the UI can branch on and a message a person can read. The webview receives it
//! serialised as `{"code": "...", "message": "..."}`, with a `detail` beside them when there is
//! an engineer's text (the HTTP or SQLite error) that the message keeps out of the way: the window
//! shows it behind a "Details" disclosure, the CLI on a second line.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of failure this is, for the UI to decide what to show or offer (retry, re-enter a
/// key, fix the input). Serialised in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The arguments of the call are wrong: a malformed id, an unknown value, a string too long.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The action cannot be done as things stand (a pass that is not ACCEPTED cannot be
    /// reissued, a removed contractor cannot be approved): the message says why.
    Refused,
    /// The server could not be reached (no network, wrong address, server down).
    Unreachable,
    /// The local store (disk, database, data directory) failed.
    Storage,
    /// A bug or an unexpected state: the message says what happened.
    Internal,
}

/// An error as the webview and the CLI see it: a code to branch on and one plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, TS)]
#[error("{message}")]
#[ts(rename = "IpcError")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The engineer's text behind the plain message (what reqwest or SQLite said), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    /// The same error with the engineer's text kept behind its plain message.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Storage, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Refused, message)
    }
}

/// The cache speaks in clauses ("no permit x", "WP-1 is REVOKED; only ACCEPTED passes can be
/// reissued"); the UI shows sentences.
fn sentence(s: &str) -> String {
    let mut out: String = s.chars().take(1).flat_map(char::to_uppercase).collect();
    out.extend(s.chars().skip(1));
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl From<gatehouse_cache::CacheError> for Error {
    fn from(e: gatehouse_cache::CacheError) -> Self {
        use gatehouse_cache::CacheError;
        match e {
            CacheError::NotFound(m) => Error::not_found(sentence(&m)),
            CacheError::Refused(m) => Error::refused(sentence(&m)),
            other => Error::storage(
                "Gatehouse could not read or write its local data (the cache on this computer).",
            )
            .with_detail(sentence(&other.to_string())),
        }
    }
}

impl From<gatehouse_client::ClientError> for Error {
    fn from(e: gatehouse_client::ClientError) -> Self {
        use gatehouse_client::ClientError;
        match e {
            ClientError::Unauthorized(_) => Error::refused(
                "Buzz-In refused this API key. Check it, or ask Buzz-In for a new one.",
            ),
            ClientError::NotFound(m) => Error::not_found(sentence(&m)),
            ClientError::Conflict(m) | ClientError::Refused { message: m, .. } => {
                Error::refused(sentence(&m))
            }
            // The API answered, in a way that cannot be used.
            e @ (ClientError::Redirected { .. }
            | ClientError::TooLarge { .. }
            | ClientError::Protocol(_)) => {
                Error::refused("Buzz-In answered in a way Gatehouse cannot use.")
                    .with_detail(sentence(&e.to_string()))
            }
            e if e.is_transient() => {
                Error::new(ErrorCode::Unreachable, "Buzz-In cannot be reached.")
                    .with_detail(sentence(&e.to_string()))
            }
            e => Error::internal("Gatehouse could not talk to Buzz-In.")
                .with_detail(sentence(&e.to_string())),
        }
    }
}

impl From<gatehouse_sync::SyncError> for Error {
    fn from(e: gatehouse_sync::SyncError) -> Self {
        match e {
            gatehouse_sync::SyncError::Api(e) => e.into(),
            gatehouse_sync::SyncError::Cache(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message_only() {
        let err = Error::not_found("No permit with pass number WP-000001.");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "No permit with pass number WP-000001."})
        );
    }

    #[test]
    fn the_engineers_text_travels_beside_the_plain_message() {
        let err = Error::from(gatehouse_cache::CacheError::Refused("x".into()));
        assert_eq!(err.detail, None, "a refusal is its own plain sentence");
        let err =
            Error::storage("Gatehouse could not read its data.").with_detail("disk I/O error");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["detail"], "disk I/O error");
        assert_eq!(serde_json::from_value::<Error>(json).unwrap(), err);
    }

    #[test]
    fn every_code_has_its_snake_case_name() {
        let names: Vec<String> = [
            ErrorCode::InvalidInput,
            ErrorCode::NotFound,
            ErrorCode::Refused,
            ErrorCode::Unreachable,
            ErrorCode::Storage,
            ErrorCode::Internal,
        ]
        .iter()
        .map(|c| {
            serde_json::to_value(c)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
        assert_eq!(
            names,
            [
                "invalid_input",
                "not_found",
                "refused",
                "unreachable",
                "storage",
                "internal"
            ]
        );
    }

    #[test]
    fn round_trips_and_displays_its_message() {
        let err = Error::storage("The data directory /x is read-only.");
        let back: Error = serde_json::from_str(&serde_json::to_string(&err).unwrap()).unwrap();
        assert_eq!(back, err);
        assert_eq!(err.to_string(), "The data directory /x is read-only.");
    }

    #[test]
    fn an_unknown_code_is_a_decode_error_not_a_silent_default() {
        let r: std::result::Result<Error, _> =
            serde_json::from_str(r#"{"code":"teapot","message":"x"}"#);
        assert!(r.is_err());
    }
}
