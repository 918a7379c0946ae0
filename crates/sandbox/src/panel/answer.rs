//! What every simulated panel endpoint shares: the panel behind it and its faults, and the
//! error a panel answers with (a status and `{"error": message}`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::device::Panel;
use crate::error::ApiError;
use crate::server::faults::Faults;
use crate::server::transactor::Transactor;

pub struct Shared {
    pub panel: Arc<Transactor<Panel>>,
    pub faults: Arc<Faults>,
}

pub(super) type St = State<Arc<Shared>>;

/// A panel's error: a status and `{"error": message}`.
#[derive(Debug)]
pub struct PanelError(pub(super) StatusCode, pub(super) String);

impl PanelError {
    pub(super) fn bad(m: impl Into<String>) -> Self {
        PanelError(StatusCode::BAD_REQUEST, m.into())
    }
}

impl IntoResponse for PanelError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<ApiError> for PanelError {
    fn from(e: ApiError) -> Self {
        PanelError(
            StatusCode::from_u16(e.code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            e.0.message.clone(),
        )
    }
}

pub(super) type R<T> = Result<T, PanelError>;
