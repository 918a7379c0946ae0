//! Injected faults, for testing clients: `POST /__sandbox/faults` arms one for a route and a
//! number of requests; `GET` lists what is armed; `DELETE` clears them. Control endpoints
//! (`/__sandbox/...`) are never faulted.
//!
//! Kinds: `latency` (wait, then answer normally), `status` (an error status in the Feathers
//! envelope, 500 by default, the request not applied), `rateLimit` (429 with `Retry-After`),
//! `drop` (the connection closes before any answer; not applied), `dropAfter` (applied, then the
//! connection closes: an ambiguous outcome), `malformed` (200 with a body that is not JSON; not
//! applied), `truncated` (applied, answered with the first half of the body).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    Latency,
    Status,
    RateLimit,
    Drop,
    DropAfter,
    Malformed,
    Truncated,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    pub kind: FaultKind,
    /// The path prefix it applies to, e.g. `/permits` or `/passes/`.
    pub path: String,
    /// Only this method (`GET`, `PATCH`, ...); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// How many matching requests it affects.
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// A fault of `kind` for the next request on a path starting with `path`; set `count`,
    /// `method`, `latency_ms`, `status` or `retry_after_secs` as needed.
    pub fn new(kind: FaultKind, path: &str) -> Fault {
        Fault {
            kind,
            path: path.to_owned(),
            method: None,
            count: 1,
            latency_ms: None,
            status: None,
            retry_after_secs: None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    pub fn arm(&self, fault: Fault) -> ApiResult<()> {
        if !fault.path.starts_with('/') || fault.path.starts_with("/__sandbox") {
            return Err(ApiError::bad_request(
                "path must be an API path such as /permits (control endpoints cannot be faulted)",
            ));
        }
        if fault.count == 0 {
            return Err(ApiError::bad_request("count must be at least 1"));
        }
        if let Some(s) = fault.status
            && !(400..=599).contains(&s)
        {
            return Err(ApiError::bad_request(
                "status must be an error status, 400 to 599",
            ));
        }
        if fault.latency_ms.is_some_and(|ms| ms > 120_000) {
            return Err(ApiError::bad_request("latencyMs must be at most 120000"));
        }
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(fault);
        Ok(())
    }

    pub fn list(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Takes one use of the first fault that matches the request.
    fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let i = all.iter().position(|f| {
            path.starts_with(&f.path)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let fault = all[i].clone();
        all[i].count -= 1;
        if all[i].count == 0 {
            all.remove(i);
        }
        Some(fault)
    }
}

/// A response whose body fails before its first byte: hyper closes the connection.
fn broken_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// The middleware: a request that an armed fault matches meets it (control endpoints never do).
pub async fn inject(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/__sandbox") {
        return next.run(req).await;
    }
    let Some(fault) = faults.take(req.method().as_str(), &path) else {
        return next.run(req).await;
    };
    match fault.kind {
        FaultKind::Latency => {
            tokio::time::sleep(Duration::from_millis(fault.latency_ms.unwrap_or(1000))).await;
            next.run(req).await
        }
        FaultKind::Status => {
            let status = fault.status.unwrap_or(500);
            ApiError::new(status, format!("Injected fault: {status}")).into_response()
        }
        FaultKind::RateLimit => {
            let mut resp = ApiError::new(429, "Too many requests (injected fault)").into_response();
            let secs = fault.retry_after_secs.unwrap_or(1).to_string();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_str(&secs).unwrap());
            resp
        }
        FaultKind::Drop => broken_connection(),
        FaultKind::DropAfter => {
            let _applied = next.run(req).await;
            broken_connection()
        }
        FaultKind::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"total\": 3, \"data\": [{\"_id\": oops}",
        )
            .into_response(),
        FaultKind::Truncated => {
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(half))
        }
    }
}
