//! A panel's error body: `{"error": …}` where `error` is a string on Android panels, but `true`
//! in one doc example and an object (`{code, message, data}`) on the lift and door controllers
//! [DOC]. Never assume which.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelErrorBody {
    #[serde(default)]
    pub error: serde_json::Value,
}

impl PanelErrorBody {
    /// The panel's words: the string, the object's `message` (or `code`), or "" when it gave
    /// none.
    pub fn message(&self) -> String {
        match &self.error {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Object(o) => o
                .get("message")
                .or_else(|| o.get("code"))
                .and_then(|m| m.as_str())
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_error_shape_reads() {
        let m = |v| {
            serde_json::from_value::<PanelErrorBody>(v)
                .unwrap()
                .message()
        };
        assert_eq!(
            m(json!({"error": "Wrong login or password"})),
            "Wrong login or password"
        );
        assert_eq!(m(json!({"error": true})), "");
        assert_eq!(
            m(json!({"error": {"code": "not_valid", "message": "Data validation error"}})),
            "Data validation error"
        );
        assert_eq!(m(json!({})), "");
    }
}
