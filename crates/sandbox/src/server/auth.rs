//! API keys: every request carries one of the device's keys, as `Authorization: Bearer <key>`
//! or `x-api-key: <key>`, or (when configured) bare in one named header.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_buzzin::inf;

use crate::error::ApiError;

/// The keys a device accepts, and how they are sent.
pub struct Keys {
    pub api_keys: Vec<String>,
    /// `None`: `Authorization: Bearer <key>` or `x-api-key: <key>`; `Some(h)`: only header `h`
    /// (lower case) carrying the bare key.
    pub header: Option<String>,
}

/// The middleware: a request without a known key is answered 401 and goes no further.
pub async fn require_key(
    State(keys): State<Arc<Keys>>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let key = match &keys.header {
        Some(name) => header(name),
        None => header(inf::AUTH_KEY_HEADER).or_else(|| {
            header(inf::AUTH_BEARER_HEADER).and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                    .map(str::trim)
            })
        }),
    };
    match key {
        None | Some("") => ApiError::unauthorized(
            "No API key: send it as `Authorization: Bearer <key>` or `x-api-key: <key>`",
        )
        .into_response(),
        Some(k) if !keys.api_keys.iter().any(|known| known == k) => {
            ApiError::unauthorized("Invalid API key").into_response()
        }
        Some(_) => next.run(req).await,
    }
}
