//! The panel's event log [DOC: `get-logs-list`; CODE: `GET /api/v1/log/items`]. The item's
//! fields are not documented in what was found [GAP]: they are read under several names, and the
//! event's name is kept as sent (`access_granted_by_valid_identifier` and others).

use serde::{Deserialize, Serialize};

use crate::ListPage;

/// One logged event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogItem {
    /// [INF] field names.
    #[serde(default, alias = "uid", alias = "log_uid")]
    pub id: Option<i64>,
    #[serde(default, alias = "event_type", alias = "name")]
    pub event: Option<String>,
    #[serde(default, alias = "time", alias = "timestamp")]
    pub time_unix: Option<i64>,
    /// What the event concerns (the identifier, the lock), as the panel gives it.
    #[serde(default)]
    pub info: Option<serde_json::Value>,
}

pub type LogPage = ListPage<LogItem>;
