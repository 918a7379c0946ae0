//! API keys: every request carries one of the device's keys, as `Authorization: Bearer <key>`
//! or `x-api-key: <key>`, or (when configured) bare in one named header. Keys are compared in
//! constant time. A device bound to loopback also answers only requests addressed to a loopback
//! name (`Host`), so that a web page cannot reach it through DNS rebinding.

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
    /// Refuse requests whose `Host` is not a loopback name (set when bound to loopback).
    pub loopback_host: bool,
}

/// Whether a `Host` value (`name[:port]`, `[v6]:port`) names this computer's loopback.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// One of the known keys, compared in constant time (only a key's length can be told apart).
fn known(keys: &[String], key: &str) -> bool {
    use subtle::ConstantTimeEq;
    keys.iter()
        .fold(subtle::Choice::from(0), |found, k| {
            found | k.as_bytes().ct_eq(key.as_bytes())
        })
        .into()
}

/// The middleware: a request without a known key is answered 401 and goes no further.
pub async fn require_key(
    State(keys): State<Arc<Keys>>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    if keys.loopback_host {
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(|a| a.to_string()));
        if let Some(host) = host.filter(|h| !is_loopback_host(h)) {
            return ApiError::new(
                403,
                format!(
                    "This sandbox serves this computer only; the request was addressed to \"{}\"",
                    host.chars().take(80).collect::<String>()
                ),
            )
            .into_response();
        }
    }
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
        Some(k) if !known(&keys.api_keys, k) => {
            ApiError::unauthorized("Invalid API key").into_response()
        }
        Some(_) => next.run(req).await,
    }
}
