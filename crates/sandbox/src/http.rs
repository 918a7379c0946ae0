//! The HTTP surface: the Work Permit endpoints of the reference, the [INF] list endpoints and
//! events feed, and the `/__sandbox` control endpoints. Every error is a Feathers envelope.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::Duration;
use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    Contractor, ContractorAction, ContractorActionKind, DocumentInput, FeedItem, NewContractor,
    NewPermit, PassAction, Permit, PermitPatch, Timestamp,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::query::Query as ListQuery;
use crate::world::{ScanRequest, World};

/// Largest body with base64 documents in it.
pub const MAX_BODY_WITH_FILES: usize = 15 * 1024 * 1024;
/// Largest body without.
pub const MAX_BODY: usize = 1024 * 1024;

pub struct Shared {
    pub world: Mutex<World>,
    /// Where each request's changes go to be saved, with `--data`.
    pub writer: Option<tokio::sync::mpsc::UnboundedSender<Batch>>,
    /// Set when a save failed: from then on every request says so.
    pub broken: Arc<std::sync::OnceLock<String>>,
    /// Where new events go for webhook delivery, when any URL is configured.
    pub webhooks: Option<tokio::sync::mpsc::UnboundedSender<FeedItem>>,
    pub deliveries: Arc<crate::webhooks::Deliveries>,
    pub faults: crate::faults::Faults,
    pub api_keys: Vec<String>,
    /// `None`: `Authorization: Bearer <key>` or `x-api-key: <key>`; `Some(h)`: only header `h`
    /// carrying the bare key.
    pub auth_header: Option<String>,
}

pub(crate) type AppState = Arc<Shared>;

/// One request's changes and events, saved in order by the writer task before the request is
/// answered; the events go to webhook delivery once saved.
pub struct Batch {
    pub changes: crate::world::Unsaved,
    pub events: Vec<FeedItem>,
    pub ack: tokio::sync::oneshot::Sender<Result<(), String>>,
}

impl Shared {
    /// Runs one request against the world: brings it up to the current time (expiring/expired),
    /// applies `f`, then (with `--data`) saves what changed before answering. The world is
    /// locked for `f` only; batches reach the writer in the order the lock was taken.
    pub async fn apply<T>(&self, f: impl FnOnce(&mut World) -> ApiResult<T>) -> ApiResult<T> {
        if let Some(e) = self.broken.get() {
            return Err(ApiError::new(
                500,
                format!("The sandbox could not save its state ({e}); restart it."),
            ));
        }
        let (result, saved) = {
            let mut w = self
                .world
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            w.sweep();
            let result = f(&mut w);
            let events = w.take_unpublished();
            let changes = w.take_unsaved();
            match &self.writer {
                Some(writer) if !changes.is_empty() => {
                    let (ack, saved) = tokio::sync::oneshot::channel();
                    let _ = writer.send(Batch {
                        changes,
                        events,
                        ack,
                    });
                    (result, Some(saved))
                }
                _ => {
                    self.publish(events);
                    (result, None)
                }
            }
        };
        if let Some(saved) = saved {
            match saved.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return Err(ApiError::new(
                        500,
                        format!("The sandbox could not save this change ({e})."),
                    ));
                }
                Err(_) => return Err(ApiError::new(500, "The sandbox's writer has stopped.")),
            }
        }
        result
    }

    /// Hands events to webhook delivery.
    pub fn publish(&self, events: Vec<FeedItem>) {
        if let Some(tx) = &self.webhooks {
            for item in events {
                let _ = tx.send(item);
            }
        }
    }

    /// Whether changes are saved to a folder.
    pub fn saves(&self) -> bool {
        self.writer.is_some()
    }
}

/// The routes; `control` adds the `/__sandbox` endpoints.
pub fn router(state: AppState, control: bool) -> Router {
    let api = Router::new()
        .route(
            inf::CONTRACTORS_PATH,
            get(list_contractors).post(create_contractor),
        )
        .route(
            "/communityContractors/{id}",
            get(get_contractor).patch(contractor_action),
        )
        .route(inf::PERMITS_PATH, get(list_permits).post(create_permit))
        .route("/permits/{id}", get(get_permit).patch(patch_permit))
        .route("/passes/{id}", patch(pass_action))
        .route(inf::EVENTS_FEED_PATH, get(list_events));
    let control_routes = Router::new()
        .route("/__sandbox", get(sandbox_info))
        .route("/__sandbox/properties", get(properties))
        .route(
            "/__sandbox/contractors/{id}/approve",
            post(approve_contractor),
        )
        .route("/__sandbox/permits/{id}/approve", post(approve_permit))
        .route("/__sandbox/permits/{id}/reject", post(reject_permit))
        .route("/__sandbox/clock", get(clock).post(move_clock))
        .route("/__sandbox/scan", post(scan))
        .route("/__sandbox/deliveries", get(deliveries))
        .route(
            "/__sandbox/faults",
            get(list_faults).post(arm_fault).delete(clear_faults),
        );
    let api = if control {
        api.merge(control_routes)
    } else {
        api
    }
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed);
    api.layer(middleware::from_fn_with_state(
        state.clone(),
        crate::faults::inject,
    ))
    .layer(middleware::from_fn_with_state(state.clone(), auth))
    .layer(DefaultBodyLimit::max(MAX_BODY_WITH_FILES))
    .with_state(state)
}

async fn auth(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let key = match &state.auth_header {
        Some(name) => header(name),
        None => header(inf::AUTH_KEY_HEADER).or_else(|| {
            header(inf::AUTH_BEARER_HEADER).and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                    .map(str::trim)
            })
        }),
    };
    match key {
        None | Some("") => ApiError::unauthorized(
            "No API key: send it as `Authorization: Bearer <key>` or `x-api-key: <key>`",
        )
        .into_response(),
        Some(k) if !state.api_keys.iter().any(|known| known == k) => {
            ApiError::unauthorized("Invalid API key").into_response()
        }
        Some(_) => next.run(req).await,
    }
}

async fn not_found() -> ApiError {
    ApiError::not_found("Page not found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(405, "Method not allowed on this path")
}

/// Reads a JSON body: size rules, then decoding with the decoder's own message.
fn body<T: DeserializeOwned>(
    raw: Result<Bytes, BytesRejection>,
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

fn no_files<T>(_: &T) -> bool {
    false
}

fn is_base64(d: &DocumentInput) -> bool {
    matches!(d, DocumentInput::Base64 { .. })
}

fn list_query<T: crate::query::Listable>(
    raw: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<ListQuery> {
    let Query(pairs) =
        raw.map_err(|e| ApiError::bad_request(format!("Malformed query string: {e}")))?;
    ListQuery::parse::<T>(&pairs)
}

type RawQuery = Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>;

// ---- contractors -------------------------------------------------------------------------------

async fn list_contractors(
    State(s): State<AppState>,
    q: RawQuery,
) -> ApiResult<Json<gatehouse_buzzin::Page<Contractor>>> {
    let q = list_query::<Contractor>(q)?;
    Ok(Json(s.apply(|w| Ok(q.run(w.contractors()))).await?))
}

async fn get_contractor(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Contractor>> {
    Ok(Json(s.apply(|w| w.contractor(&id).cloned()).await?))
}

async fn create_contractor(
    State(s): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Contractor>)> {
    let req: NewContractor = body(raw, true, |c: &NewContractor| {
        c.company.as_ref().is_some_and(|co| {
            co.trade_license.as_ref().is_some_and(is_base64)
                || co.insurance.as_ref().is_some_and(is_base64)
                || co.safety_certifications.iter().flatten().any(is_base64)
        })
    })?;
    let created = s.apply(|w| w.create_contractor(req)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn contractor_action(
    State(s): State<AppState>,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Contractor>> {
    let req: ContractorAction = body(raw, false, no_files)?;
    Ok(Json(
        s.apply(|w| w.contractor_action(&id, &req.action)).await?,
    ))
}

// ---- permits -----------------------------------------------------------------------------------

async fn list_permits(
    State(s): State<AppState>,
    q: RawQuery,
) -> ApiResult<Json<gatehouse_buzzin::Page<Permit>>> {
    let q = list_query::<Permit>(q)?;
    Ok(Json(s.apply(|w| Ok(q.run(w.permits()))).await?))
}

async fn get_permit(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Permit>> {
    Ok(Json(s.apply(|w| w.permit(&id).cloned()).await?))
}

async fn create_permit(
    State(s): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Permit>)> {
    let req: NewPermit = body(raw, true, |p: &NewPermit| {
        p.noc.as_ref().is_some_and(|n| is_base64(&n.document))
    })?;
    let created = s.apply(|w| w.create_permit(req)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn patch_permit(
    State(s): State<AppState>,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Permit>> {
    let req: PermitPatch = body(raw, true, |p: &PermitPatch| {
        p.noc.as_ref().is_some_and(|n| is_base64(&n.document))
    })?;
    Ok(Json(s.apply(|w| w.patch_permit(&id, req)).await?))
}

async fn pass_action(
    State(s): State<AppState>,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: PassAction = body(raw, false, no_files)?;
    s.apply(|w| w.pass_action(&id, req)).await?;
    // "Pass updated." with an empty object [DOC].
    Ok(Json(json!({})))
}

async fn list_events(
    State(s): State<AppState>,
    q: RawQuery,
) -> ApiResult<Json<gatehouse_buzzin::Page<FeedItem>>> {
    let q = list_query::<FeedItem>(q)?;
    Ok(Json(s.apply(|w| Ok(q.run(w.events()))).await?))
}

// ---- control -----------------------------------------------------------------------------------

async fn sandbox_info(State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let info = s
        .apply(|w| {
            Ok(json!({
                "communityId": w.community_id,
                "now": w.now(),
                "contractors": w.contractors().len(),
                "permits": w.permits().len(),
                "events": w.events().len(),
                "properties": w.properties.len(),
                "saved": s.saves(),
            }))
        })
        .await?;
    Ok(Json(info))
}

async fn properties(State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(
        s.apply(|w| Ok(json!({ "data": w.properties }))).await?,
    ))
}

async fn approve_contractor(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Contractor>> {
    Ok(Json(
        s.apply(|w| w.contractor_action(&id, &ContractorActionKind::Approve))
            .await?,
    ))
}

async fn approve_permit(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Permit>> {
    Ok(Json(s.apply(|w| w.approve_permit(&id)).await?))
}

#[derive(Deserialize, Default)]
struct RejectBody {
    #[serde(default)]
    reason: Option<String>,
}

async fn reject_permit(
    State(s): State<AppState>,
    Path(id): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Permit>> {
    let reason = match raw {
        Ok(b) if b.iter().all(u8::is_ascii_whitespace) => None,
        other => body::<RejectBody>(other, false, no_files)?.reason,
    };
    Ok(Json(s.apply(|w| w.reject_permit(&id, reason)).await?))
}

async fn clock(State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(s.apply(|w| Ok(json!({ "now": w.now() }))).await?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockMove {
    #[serde(default)]
    advance_seconds: Option<i64>,
    #[serde(default)]
    set: Option<String>,
}

async fn move_clock(
    State(s): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let req: ClockMove = body(raw, false, no_files)?;
    let now = s
        .apply(|w| {
            let by = match (req.advance_seconds, req.set) {
                (Some(secs), None) => Duration::seconds(secs),
                (None, Some(at)) => {
                    let at = Timestamp::parse(&at).ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "set must be an ISO-8601 date-time, got \"{at}\""
                        ))
                    })?;
                    at.0 - w.now().0
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "send exactly one of advanceSeconds or set",
                    ));
                }
            };
            w.advance_clock(by)
        })
        .await?;
    Ok(Json(json!({ "now": now })))
}

async fn scan(
    State(s): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<crate::world::ScanResult>> {
    let req: ScanRequest = body(raw, false, no_files)?;
    Ok(Json(s.apply(|w| w.scan(req)).await?))
}

async fn deliveries(State(s): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "data": s.deliveries.snapshot() }))
}

async fn list_faults(State(s): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "data": s.faults.list() }))
}

async fn arm_fault(
    State(s): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let fault: crate::faults::Fault = body(raw, false, no_files)?;
    s.faults.arm(fault)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "data": s.faults.list() })),
    ))
}

async fn clear_faults(State(s): State<AppState>) -> Json<serde_json::Value> {
    s.faults.clear();
    Json(json!({ "data": [] }))
}
