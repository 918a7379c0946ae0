//! The simulator's control endpoints (not part of any BAS-IP API): what happens at the panel
//! itself rather than over its API. A card presented at a door (`/__sandbox/swipe`), an
//! identifier added on the panel's own web page as an installer would (`/__sandbox/plant`), its
//! capacity changed (`/__sandbox/capacity`), and every session token dropped as a restart would
//! (`/__sandbox/tokens`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::answer::{PanelError, R, Shared, St};
use super::device::{Panel, Stored};
use super::numbers::Key;
use crate::error::ApiError;

/// A control request about one number: its type and the number as written in the panel's mode.
trait AboutNumber: DeserializeOwned {
    /// What the body is, for the sentence a body that does not read gets.
    const SHAPE: &'static str;
    fn kind(&self) -> &str;
    fn number(&self) -> &str;
}

/// Reads the body as `T`, reads its number in the panel's mode, and answers with `f`'s value.
async fn on_number<T: AboutNumber>(
    s: &Shared,
    body: &Bytes,
    f: impl FnOnce(&mut Panel, &T, Key) -> Value,
) -> R<Json<Value>> {
    let req: T =
        serde_json::from_slice(body).map_err(|e| PanelError::bad(format!("{}: {e}", T::SHAPE)))?;
    s.panel
        .apply(|p| {
            let key = p
                .read_number(req.kind(), req.number())
                .ok_or_else(|| ApiError::bad_request("Wrong number format"))?;
            Ok(f(p, &req, key))
        })
        .await
        .map(Json)
        .map_err(Into::into)
}

fn card() -> String {
    "card".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Swipe {
    #[serde(rename = "type", default = "card")]
    kind: String,
    number: String,
    #[serde(default)]
    door: Option<String>,
}

impl AboutNumber for Swipe {
    const SHAPE: &'static str = r#"a swipe is {"type", "number", "door"}"#;
    fn kind(&self) -> &str {
        &self.kind
    }
    fn number(&self) -> &str {
        &self.number
    }
}

/// A card (or PIN, plate) presented at one of the panel's doors, read in the panel's mode.
pub(super) async fn swipe(State(s): St, body: Bytes) -> R<Json<Value>> {
    on_number(&s, &body, |p, req: &Swipe, key| {
        let door = req
            .door
            .clone()
            .unwrap_or_else(|| format!("{} door", p.config.name));
        let (granted, event) = p.present(&req.kind, &key, &door);
        json!({"granted": granted, "event": event})
    })
    .await
}

/// An identifier added at the panel itself (its own web page), as an installer would.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Plant {
    #[serde(rename = "type", default = "card")]
    kind: String,
    number: String,
    owner: String,
    #[serde(default = "first")]
    lock: String,
}

fn first() -> String {
    "first".into()
}

impl AboutNumber for Plant {
    const SHAPE: &'static str = r#"a plant is {"type", "number", "owner", "lock"}"#;
    fn kind(&self) -> &str {
        &self.kind
    }
    fn number(&self) -> &str {
        &self.number
    }
}

pub(super) async fn plant(State(s): St, body: Bytes) -> R<Json<Value>> {
    on_number(&s, &body, |p, req: &Plant, key| {
        let out = p.put(Stored {
            uid: 0,
            kind: req.kind.clone(),
            key,
            owner_name: req.owner.clone(),
            owner_type: "guest".into(),
            lock: req.lock.clone(),
            window: None,
            max_passes: None,
            passes_used: 0,
        });
        json!({"success": out.success, "info": out.info})
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Capacity {
    capacity: usize,
}

/// How many identifiers the panel holds before it is full, as its installer may change it.
pub(super) async fn set_capacity(State(s): St, body: Bytes) -> R<Json<Value>> {
    let req: Capacity = serde_json::from_slice(&body)
        .map_err(|e| PanelError::bad(format!(r#"a capacity is {{"capacity": n}}: {e}"#)))?;
    s.panel
        .apply(|p| {
            p.config.capacity = req.capacity;
            Ok(json!({ "capacity": req.capacity }))
        })
        .await
        .map(Json)
        .map_err(Into::into)
}

/// Every session token dropped, as a panel's restart would.
pub(super) async fn drop_tokens(State(s): St) -> R<StatusCode> {
    s.panel
        .apply(|p| {
            p.drop_tokens();
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
