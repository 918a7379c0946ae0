//! One simulated BAS-IP panel's state and rules: its identifiers (unique by type and number, as
//! the panel holds the number), its representation mode, its capacity, its tokens, its event log
//! and its clock. The HTTP side is `routes.rs`.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use gatehouse_buzzin::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::PanelConfig;
use super::numbers::{Key, Mode, read, render};
use crate::error::{ApiError, ApiResult};
use crate::server::Device;

/// An identifier as the panel stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub uid: u64,
    pub kind: String,
    pub key: Key,
    pub owner_name: String,
    pub owner_type: String,
    pub lock: String,
    /// `None`: permanent; else Unix seconds.
    pub window: Option<(i64, i64)>,
    /// `None`: unlimited.
    pub max_passes: Option<u32>,
    pub passes_used: u32,
}

/// A logged event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logged {
    pub id: u64,
    pub event: String,
    pub time_unix: i64,
    pub info: Value,
}

/// What a panel keeps across restarts (`--data`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Saved {
    pub mode: Mode,
    pub identifiers: Vec<Stored>,
    pub next_uid: u64,
    pub log: Vec<Logged>,
    pub next_log: u64,
    pub clock_offset_secs: i64,
}

pub struct Panel {
    pub config: PanelConfig,
    pub mode: Mode,
    ids: BTreeMap<(String, Key), Stored>,
    next_uid: u64,
    log: Vec<Logged>,
    next_log: u64,
    clock_offset: Duration,
    /// Tokens handed out, with when.
    tokens: Vec<(String, i64)>,
    dirty: bool,
}

/// One item's outcome, as the by-type endpoints report it.
pub struct Outcome {
    pub success: bool,
    pub info: &'static str,
}

impl Panel {
    pub fn new(config: PanelConfig, saved: Option<Saved>) -> Panel {
        let mode = Mode::parse(&config.representation).unwrap_or(Mode::Hex);
        let mut p = Panel {
            config,
            mode,
            ids: BTreeMap::new(),
            next_uid: 1,
            log: Vec::new(),
            next_log: 1,
            clock_offset: Duration::zero(),
            tokens: Vec::new(),
            dirty: false,
        };
        if let Some(s) = saved {
            p.mode = s.mode;
            p.next_uid = s.next_uid;
            p.next_log = s.next_log;
            p.log = s.log;
            p.clock_offset = Duration::seconds(s.clock_offset_secs);
            for i in s.identifiers {
                p.ids.insert((i.kind.clone(), i.key.clone()), i);
            }
        }
        p
    }

    pub fn saved(&self) -> Saved {
        Saved {
            mode: self.mode,
            identifiers: self.ids.values().cloned().collect(),
            next_uid: self.next_uid,
            log: self.log.clone(),
            next_log: self.next_log,
            clock_offset_secs: self.clock_offset.num_seconds(),
        }
    }

    /// The panel's own clock in Unix seconds: the sandbox's, plus the skew it was given.
    pub fn unix_now(&self) -> i64 {
        (Utc::now() + self.clock_offset).timestamp() + self.config.clock_skew_secs
    }

    pub fn log_event(&mut self, event: &str, info: Value) {
        let at = self.unix_now();
        self.log.push(Logged {
            id: self.next_log,
            event: event.to_owned(),
            time_unix: at,
            info,
        });
        self.next_log += 1;
        self.dirty = true;
    }

    pub fn set_mode(&mut self, mode: Mode) {
        if self.mode != mode {
            self.mode = mode;
            self.dirty = true;
        }
    }

    // ---- tokens ------------------------------------------------------------------------------

    pub fn issue_token(&mut self) -> String {
        let token = uuid::Uuid::new_v4().to_string();
        let now = self.unix_now();
        self.tokens.push((token.clone(), now));
        token
    }

    pub fn token_valid(&mut self, token: &str) -> bool {
        let now = self.unix_now();
        if let Some(ttl) = self.config.token_ttl_secs {
            self.tokens.retain(|(_, at)| now - at < ttl as i64);
        }
        self.tokens.iter().any(|(t, _)| t == token)
    }

    /// Forgets every token (a reboot, or a test of the re-login).
    pub fn drop_tokens(&mut self) {
        self.tokens.clear();
    }

    // ---- identifiers -------------------------------------------------------------------------

    pub fn read_number(&self, kind: &str, text: &str) -> Option<Key> {
        read(kind, text, self.mode)
    }

    pub fn render(&self, key: &Key) -> String {
        render(key, self.mode)
    }

    pub fn get(&self, kind: &str, key: &Key) -> Option<&Stored> {
        self.ids.get(&(kind.to_owned(), key.clone()))
    }

    /// Identifiers of `kind`, in uid order (`desc`: newest first).
    pub fn list(&self, kind: &str, desc: bool) -> Vec<&Stored> {
        let mut all: Vec<&Stored> = self.ids.values().filter(|s| s.kind == kind).collect();
        all.sort_by_key(|s| s.uid);
        if desc {
            all.reverse();
        }
        all
    }

    /// Creates or updates one identifier from a checked item.
    pub fn put(&mut self, item: Stored) -> Outcome {
        let at = (item.kind.clone(), item.key.clone());
        if let Some(old) = self.ids.get_mut(&at) {
            let uid = old.uid;
            *old = Stored { uid, ..item };
            self.dirty = true;
            return Outcome {
                success: true,
                info: "updated",
            };
        }
        if self.ids.len() >= self.config.capacity {
            return Outcome {
                success: false,
                info: "number_of_identifiers_exceeded",
            };
        }
        let uid = self.next_uid;
        self.next_uid += 1;
        self.ids.insert(at, Stored { uid, ..item });
        self.dirty = true;
        Outcome {
            success: true,
            info: "created",
        }
    }

    pub fn delete(&mut self, kind: &str, key: &Key) -> Outcome {
        match self.ids.remove(&(kind.to_owned(), key.clone())) {
            Some(_) => {
                self.dirty = true;
                Outcome {
                    success: true,
                    info: "deleted",
                }
            }
            None => Outcome {
                success: false,
                info: "not_found",
            },
        }
    }

    /// An identifier as GET shows it, with `valid` at its documented place.
    pub fn shown(&self, s: &Stored) -> Value {
        let time = match s.window {
            None => json!({"is_permanent": true}),
            Some((from, to)) => json!({"is_permanent": false, "from": from, "to": to}),
        };
        let passes = match s.max_passes {
            None => json!({"is_permanent": true}),
            Some(n) => json!({"is_permanent": false, "max_passes": n}),
        };
        json!({
            "identifier_uid": s.uid,
            "identifier_owner": {"name": s.owner_name, "type": s.owner_type},
            "identifier_type": s.kind,
            "identifier_number": self.render(&s.key),
            "lock": s.lock,
            "valid": {"time": time, "passes": passes},
            "additional": {"passes_left": s.max_passes.map_or(-1, |n| i64::from(n.saturating_sub(s.passes_used)))},
            "link_id": null,
        })
    }

    /// A card (or PIN, plate…) presented at a door: granted if held, in its window and with
    /// passes left; logged either way.
    pub fn present(&mut self, kind: &str, key: &Key, door: &str) -> (bool, &'static str) {
        let now = self.unix_now();
        let number = self.render(key);
        let (granted, event) = match self.ids.get_mut(&(kind.to_owned(), key.clone())) {
            None => (false, "access_denied_by_unknown_card"),
            Some(s) => {
                let in_window = s.window.is_none_or(|(from, to)| from <= now && now < to);
                let passes_left = s.max_passes.is_none_or(|n| s.passes_used < n);
                if in_window && passes_left {
                    s.passes_used += 1;
                    (true, "access_granted_by_valid_identifier")
                } else {
                    (false, "access_denied_by_not_valid_identifier")
                }
            }
        };
        let owner = self
            .get(kind, key)
            .map(|s| s.owner_name.clone())
            .unwrap_or_default();
        self.log_event(
            event,
            json!({"identifier_type": kind, "identifier_number": number, "identifier_owner": owner, "door": door}),
        );
        (granted, event)
    }

    /// Log entries at or after `from` (Unix seconds), oldest first unless `desc`.
    pub fn log_from(&self, from: i64, desc: bool) -> Vec<&Logged> {
        let mut l: Vec<&Logged> = self.log.iter().filter(|e| e.time_unix >= from).collect();
        if desc {
            l.reverse();
        }
        l
    }
}

impl Device for Panel {
    type Unsaved = Saved;
    type Published = ();

    fn catch_up(&mut self) {}

    fn take_unsaved(&mut self) -> Option<Saved> {
        std::mem::take(&mut self.dirty).then(|| self.saved())
    }

    fn take_published(&mut self) -> Vec<()> {
        Vec::new()
    }

    fn now(&self) -> Timestamp {
        Timestamp(Utc::now() + self.clock_offset)
    }

    fn advance_clock(&mut self, by: Duration) -> ApiResult<Timestamp> {
        if by < Duration::zero() {
            return Err(ApiError::bad_request("the clock only moves forward"));
        }
        self.clock_offset += by;
        self.dirty = true;
        Ok(self.now())
    }
}

/// Reads an identifier number as sent: a string or an integer.
pub fn number_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}
