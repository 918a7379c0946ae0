//! The control endpoints every simulated device has: its clock (`GET`/`POST /__sandbox/clock`)
//! and its injected faults (`GET`/`POST`/`DELETE /__sandbox/faults`). A device adds its own
//! control endpoints beside these.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::Duration;
use gatehouse_buzzin::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::Device;
use super::body::{RawBody, body, no_files};
use super::faults::{Fault, Faults};
use super::transactor::Transactor;
use crate::error::{ApiError, ApiResult};

struct Control<D: Device> {
    device: Arc<Transactor<D>>,
    faults: Arc<Faults>,
}

impl<D: Device> Clone for Control<D> {
    fn clone(&self) -> Self {
        Control {
            device: self.device.clone(),
            faults: self.faults.clone(),
        }
    }
}

/// The clock and fault routes of `device`.
pub fn router<D: Device>(device: Arc<Transactor<D>>, faults: Arc<Faults>) -> Router {
    Router::new()
        .route("/__sandbox/clock", get(clock::<D>).post(move_clock::<D>))
        .route(
            "/__sandbox/faults",
            get(list_faults::<D>)
                .post(arm_fault::<D>)
                .delete(clear_faults::<D>),
        )
        .with_state(Control { device, faults })
}

async fn clock<D: Device>(State(c): State<Control<D>>) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        c.device.apply(|d| Ok(json!({ "now": d.now() }))).await?,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockMove {
    #[serde(default)]
    advance_seconds: Option<i64>,
    #[serde(default)]
    set: Option<String>,
}

async fn move_clock<D: Device>(
    State(c): State<Control<D>>,
    raw: RawBody,
) -> ApiResult<Json<serde_json::Value>> {
    let req: ClockMove = body(raw, false, no_files)?;
    let now = c
        .device
        .apply(|d| {
            let by = match (req.advance_seconds, req.set) {
                (Some(secs), None) => Duration::seconds(secs),
                (None, Some(at)) => {
                    let at = Timestamp::parse(&at).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "set must be an ISO-8601 date-time, got \"{at}\""
                        ))
                    })?;
                    at.0 - d.now().0
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "send exactly one of advanceSeconds or set",
                    ));
                }
            };
            d.advance_clock(by)
        })
        .await?;
    Ok(Json(json!({ "now": now })))
}

async fn list_faults<D: Device>(State(c): State<Control<D>>) -> Json<serde_json::Value> {
    Json(json!({ "data": c.faults.list() }))
}

async fn arm_fault<D: Device>(
    State(c): State<Control<D>>,
    raw: RawBody,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let fault: Fault = body(raw, false, no_files)?;
    c.faults.arm(fault)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "data": c.faults.list() })),
    ))
}

async fn clear_faults<D: Device>(State(c): State<Control<D>>) -> Json<serde_json::Value> {
    c.faults.clear();
    Json(json!({ "data": [] }))
}
