//! Every error the sandbox answers with is a Feathers envelope `{name, message, code}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_buzzin::FeathersError;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(pub Box<FeathersError>);

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        Self(Box::new(FeathersError::new(code, message)))
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(413, message)
    }
    pub fn code(&self) -> u16 {
        self.0.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(*self.0)).into_response()
    }
}
