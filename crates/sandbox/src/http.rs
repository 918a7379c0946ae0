//! The sandbox's Buzz-In over HTTP: the Work Permit endpoints of the reference, the [INF] list
//! endpoints and events feed, and its own `/__sandbox` control endpoints, served with what every
//! simulated device shares (`crate::server`: keys, bodies, faults, a transaction per request,
//! the clock and fault controls). Every error is a Feathers envelope.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    Contractor, ContractorAction, ContractorActionKind, DocumentInput, FeedItem, NewContractor,
    NewPermit, PassAction, Permit, PermitPatch,
};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::query::Query as ListQuery;
use crate::server;
use crate::server::auth::Keys;
use crate::server::body::{MAX_BODY_WITH_FILES, body, method_not_allowed, no_files, not_found};
use crate::server::faults::Faults;
use crate::server::transactor::Transactor;
use crate::world::{ScanRequest, World};

/// The sandbox's Buzz-In, as its routes see it.
pub struct Shared {
    pub world: Arc<Transactor<World>>,
    pub keys: Arc<Keys>,
    pub faults: Arc<Faults>,
    pub deliveries: Arc<crate::webhooks::Deliveries>,
    /// The simulated panels beside this Buzz-In, with their addresses and credentials.
    pub panels: Vec<crate::PanelListing>,
}

pub(crate) type AppState = Arc<Shared>;

impl Shared {
    /// Runs one request against the world, in its own transaction (see [`Transactor::apply`]).
    pub async fn apply<T>(&self, f: impl FnOnce(&mut World) -> ApiResult<T>) -> ApiResult<T> {
        self.world.apply(f).await
    }

    /// Whether changes are saved to a folder.
    pub fn saves(&self) -> bool {
        self.world.saves()
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
        .route("/__sandbox/scan", post(scan))
        .route("/__sandbox/deliveries", get(deliveries))
        .route("/__sandbox/panels", get(panels));
    let routes = if control {
        api.merge(control_routes)
            .with_state(state.clone())
            .merge(server::control::router(
                state.world.clone(),
                state.faults.clone(),
            ))
    } else {
        api.with_state(state.clone())
    };
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.faults.clone(),
            server::faults::inject,
        ))
        .layer(middleware::from_fn_with_state(
            state.keys.clone(),
            server::auth::require_key,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_WITH_FILES))
}

/// The simulated panels: `[{name, url, username, password, representation, apiVersion}]`.
async fn panels(State(s): State<AppState>) -> Json<Vec<crate::PanelListing>> {
    Json(s.panels.clone())
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
