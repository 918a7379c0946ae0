//! The panel's event log [DOC: `get-logs-list`; CODE: `GET /api/v1/log/items`]. The item's
//! fields are not documented in what was found [GAP]: they are read under several names, and the
//! event's name is kept as sent (`access_granted_by_valid_identifier` and others).

use serde::{Deserialize, Serialize};

use crate::{ListPage, inf};

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

impl LogItem {
    /// The first of `keys` found in `info` as text (a number is given as its digits).
    fn info_text(&self, keys: &[&str]) -> Option<String> {
        let info = self.info.as_ref()?.as_object()?;
        keys.iter().find_map(|k| match info.get(*k)? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }

    /// The identifier's type the event names (`card`, `inputCode`, …).
    pub fn identifier_type(&self) -> Option<String> {
        self.info_text(inf::LOG_INFO_TYPE)
    }

    /// The identifier's number as the panel wrote it (in its representation for a card).
    pub fn identifier_number(&self) -> Option<String> {
        self.info_text(inf::LOG_INFO_NUMBER)
    }

    pub fn owner(&self) -> Option<String> {
        self.info_text(inf::LOG_INFO_OWNER)
    }

    pub fn door(&self) -> Option<String> {
        self.info_text(inf::LOG_INFO_DOOR)
    }

    /// Someone was let in.
    pub fn granted(&self) -> bool {
        self.event
            .as_deref()
            .is_some_and(|e| e.starts_with(inf::GRANTED_EVENT_PREFIX))
    }

    /// An identifier was presented at a door.
    pub fn is_access(&self) -> bool {
        self.event
            .as_deref()
            .is_some_and(|e| e.starts_with(inf::ACCESS_EVENT_PREFIX))
    }
}
