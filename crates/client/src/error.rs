//! What can go wrong talking to Buzz-In, in terms a caller can act on.

use std::time::Duration;

use gatehouse_buzzin::FeathersError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// 401: the key is wrong or revoked. Never retried: retrying cannot fix it.
    #[error("API key refused: {0}")]
    Unauthorized(String),
    /// 404.
    #[error("not found: {0}")]
    NotFound(String),
    /// 409: a uniqueness rule.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Any other 4xx: the server refused this request as it is (e.g. reissuing a permit that is
    /// no longer ACCEPTED). Retrying the same request gives the same answer.
    #[error("refused ({status}): {message}")]
    Refused { status: u16, message: String },
    /// 429: come back later.
    #[error("rate limited; retry after {retry_after:?}")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx.
    #[error("server error {status}: {message}")]
    Server { status: u16, message: String },
    /// The server could not be reached at all (refused, no route, DNS): nothing was sent.
    #[error("cannot reach the API: {0}")]
    Unreachable(String),
    /// The request went out and no answer came within the timeout: it may still be running on
    /// the server.
    #[error("no answer within the timeout: {0}")]
    Timeout(String),
    /// No answer: the connection dropped after the request went out.
    #[error("network: {0}")]
    Network(String),
    /// An answer that is not what the API sends: malformed or truncated JSON.
    #[error("unreadable response: {0}")]
    Decode(String),
    /// The API answered with a redirect. An API client follows none (the key would go with
    /// it): the profile's address is wrong, or something between is rewriting answers.
    #[error(
        "the API answered {status} pointing to {location}; Gatehouse follows no redirects, so check the profile's address"
    )]
    Redirected { status: u16, location: String },
    /// The answer was larger than Gatehouse reads (said by its `Content-Length`, or found while
    /// reading it). Asking again would bring the same answer.
    #[error("the API's answer is larger than the {limit_mib} MiB Gatehouse reads")]
    TooLarge { limit_mib: u64 },
    /// The answers break the API's own rules (pages that do not advance, say). Asking again
    /// would go the same way.
    #[error("the API broke its own rules: {0}")]
    Protocol(String),
}

impl ClientError {
    /// Whether trying again later may succeed (network, 5xx, 429, unreadable answers).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::RateLimited { .. }
                | ClientError::Unreachable(_)
                | ClientError::Timeout(_)
                | ClientError::Server { .. }
                | ClientError::Network(_)
                | ClientError::Decode(_)
        )
    }

    /// Whether a mutation that failed this way may still have been applied by the server: the
    /// request went out and no clear answer came back. Such an outcome must be resolved by
    /// reading the resource before any retry.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self,
            ClientError::Network(_)
                | ClientError::Timeout(_)
                | ClientError::Decode(_)
                | ClientError::Server { .. }
                | ClientError::TooLarge { .. }
        )
    }

    pub(crate) fn from_status(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let message = serde_json::from_slice::<FeathersError>(body)
            .map(|e| e.message)
            .unwrap_or_else(|_| {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                if text.is_empty() {
                    format!("HTTP {status}")
                } else {
                    text.chars().take(300).collect()
                }
            });
        match status {
            401 => ClientError::Unauthorized(message),
            404 => ClientError::NotFound(message),
            409 => ClientError::Conflict(message),
            429 => ClientError::RateLimited { retry_after },
            500..=599 => ClientError::Server { status, message },
            _ => ClientError::Refused { status, message },
        }
    }
}
