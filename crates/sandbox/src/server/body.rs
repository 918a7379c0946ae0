//! Request bodies: the size rules (1 MB, or 15 MB for bodies carrying base64 documents) and
//! JSON decoding with the decoder's own message; the answers for unknown paths and methods.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};

/// Largest body with base64 documents in it.
pub const MAX_BODY_WITH_FILES: usize = 15 * 1024 * 1024;
/// Largest body without.
pub const MAX_BODY: usize = 1024 * 1024;

/// A body as the handler receives it.
pub type RawBody = Result<Bytes, BytesRejection>;

/// Reads a JSON body: size rules, then decoding with the decoder's own message. `has_files`
/// says whether a decoded body carries documents (and so may be over 1 MB).
pub fn body<T: DeserializeOwned>(
    raw: RawBody,
    may_carry_files: bool,
    has_files: impl Fn(&T) -> bool,
) -> ApiResult<T> {
    let bytes = raw.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(format!(
                "The request body is over {} MB",
                MAX_BODY_WITH_FILES / (1024 * 1024)
            ))
        } else {
            ApiError::bad_request(format!("Could not read the request body: {r}"))
        }
    })?;
    if bytes.len() > MAX_BODY && !may_carry_files {
        return Err(ApiError::too_large("The request body is over 1 MB"));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("A JSON body is required"));
    }
    let value: T = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
    if bytes.len() > MAX_BODY && !has_files(&value) {
        return Err(ApiError::too_large(
            "The request body is over 1 MB; only bodies with base64 documents may be larger (up to 15 MB)",
        ));
    }
    Ok(value)
}

/// For [`body`]: this kind of body never carries documents.
pub fn no_files<T>(_: &T) -> bool {
    false
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("Page not found")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(405, "Method not allowed on this path")
}
