use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// The error body: `{ "name": "BadRequest", "message": "...", "code": 400 }` [DOC for 400; INF
/// that every status uses it, with FeathersJS names: see [`crate::inf::feathers_name`]].
/// Feathers sometimes adds `className`, `data` or `errors`; they are kept when present.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeathersError {
    pub name: String,
    pub message: String,
    pub code: u16,
    #[serde(default)]
    pub class_name: Option<String>,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    #[serde(default)]
    pub errors: Option<serde_json::Value>,
}

impl FeathersError {
    /// An error for this HTTP status with its Feathers name.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        Self {
            name: crate::inf::feathers_name(code).to_owned(),
            message: message.into(),
            code,
            class_name: None,
            data: None,
            errors: None,
        }
    }
}

impl std::fmt::Display for FeathersError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.name, self.code, self.message)
    }
}

impl std::error::Error for FeathersError {}
