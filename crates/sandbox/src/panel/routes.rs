//! A simulated panel over HTTP, following the reference as the research corrects it: `/api/info`
//! without login; login by MD5 with its 400 strings; Bearer (or Basic) on everything else, a 401
//! `{"error":"Log In"}` without; the by-type identifier endpoints, single or batch, answering 200
//! with a result per item; the Wiegand representation; the device time; the event log. Errors
//! are `{"error": "<message>"}` (answer.rs). The control endpoints (`/__sandbox/swipe`,
//! `/__sandbox/plant`, `/__sandbox/capacity`, `/__sandbox/tokens`) are in control.rs; the clock and faults are shared.
//!
//! The simulator's own [INF]s, where the references say nothing: a PUT of a number the panel
//! does not hold creates it (`created`); a GET of one number the panel does not hold is a 404;
//! the type error reads "Wrong identifier type", the number error "Wrong number format".

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use base64::Engine as _;
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::{Value, json};

use super::answer::{PanelError, R, Shared, St};
use super::control;
use super::device::{Panel, Stored, number_text};
use super::numbers::{Mode, TYPES};
use crate::server;

/// The routes, under the base the panel's API version has (`/api/v1` or `/api/v0`).
pub fn router(shared: Arc<Shared>, base: &str) -> Router {
    let at = |p: &str| format!("{base}{p}");
    let api = Router::new()
        .route("/api/info", get(info))
        .route(&at("/login"), get(login))
        .route(
            &at("/access/identifiers"),
            get(get_ids).put(put_ids).delete(delete_ids),
        )
        .route(
            &at("/access/general/wiegand/type"),
            get(get_wiegand).post(set_wiegand),
        )
        .route(&at("/device/time"), get(device_time))
        .route(&at("/log/items"), get(log_items))
        .route("/__sandbox/swipe", post(control::swipe))
        .route("/__sandbox/plant", post(control::plant))
        .route("/__sandbox/capacity", post(control::set_capacity))
        .route(
            "/__sandbox/tokens",
            axum::routing::delete(control::drop_tokens),
        )
        .with_state(shared.clone());
    api.merge(server::control::router(
        shared.panel.clone(),
        shared.faults.clone(),
    ))
    .fallback(|| async { PanelError(StatusCode::NOT_FOUND, "Not found".into()) })
    .layer(middleware::from_fn_with_state(
        shared.faults.clone(),
        server::faults::inject,
    ))
}

/// Runs `f` on the panel once the request is authorised.
async fn authed<T>(s: &Shared, headers: &HeaderMap, f: impl FnOnce(&mut Panel) -> R<T>) -> R<T> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut out = None;
    s.panel
        .apply(|p| {
            let ok = if let Some(token) = auth.strip_prefix("Bearer ") {
                p.token_valid(token.trim())
            } else if let Some(basic) = auth.strip_prefix("Basic ") {
                p.config.basic_auth
                    && base64::engine::general_purpose::STANDARD
                        .decode(basic.trim())
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .is_some_and(|up| {
                            up == format!("{}:{}", p.config.username, p.config.password)
                        })
            } else {
                false
            };
            out = Some(if ok {
                f(p)
            } else {
                Err(PanelError(StatusCode::UNAUTHORIZED, "Log In".into()))
            });
            Ok(())
        })
        .await?;
    out.unwrap_or_else(|| {
        Err(PanelError(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no answer".into(),
        ))
    })
}

async fn info(State(s): St) -> R<Json<Value>> {
    let c = s.panel.apply(|p| Ok(p.config.clone())).await?;
    Ok(Json(json!({
        "api_version": c.api_version,
        "firmware_version": if c.api_version.starts_with('1') { "3.7.0" } else { "3.9.4" },
        "framework_version": "1.0.0",
        "frontend_version": "1.0.0",
        "device_name": c.name,
        "device_type": "multi-apartment panel",
        "device_model": "AA-14FB",
        "device_serial_number": format!("SIM-{}", c.name),
        "hybrid_enable": false,
        "commit": "sandbox",
    })))
}

#[derive(Deserialize)]
struct LoginQuery {
    username: Option<String>,
    password: Option<String>,
}

async fn login(State(s): St, Query(q): Query<LoginQuery>) -> R<Json<Value>> {
    let (Some(user), Some(md5)) = (q.username, q.password) else {
        return Err(PanelError::bad("Required parameters missed"));
    };
    let mut out = None;
    s.panel
        .apply(|p| {
            let want = hex::encode(Md5::digest(p.config.password.as_bytes()));
            if user == p.config.username && md5.eq_ignore_ascii_case(&want) {
                p.log_event("successful_login_api_call", json!({"username": user}));
                out = Some(Ok(
                    json!({"token": p.issue_token(), "account_type": "admin"}),
                ));
            } else {
                p.log_event("incorrect_login_api_call", json!({"username": user}));
                out = Some(Err(PanelError::bad("Wrong login or password")));
            }
            Ok(())
        })
        .await?;
    out.unwrap_or_else(|| Err(PanelError::bad("no answer")))
        .map(Json)
}

#[derive(Deserialize)]
struct ByType {
    #[serde(rename = "type")]
    kind: Option<String>,
    number: Option<String>,
    limit: Option<String>,
    page_number: Option<String>,
    sort_type: Option<String>,
}

fn kind_of(q: &ByType) -> R<String> {
    match q.kind.as_deref() {
        Some(k) if TYPES.contains(&k) => Ok(k.to_owned()),
        _ => Err(PanelError::bad("Wrong identifier type")),
    }
}

fn paging(q: &ByType) -> R<(usize, usize, bool)> {
    let limit = match q.limit.as_deref() {
        None => 10,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| [10, 20, 30, 50].contains(l))
            .ok_or_else(|| PanelError::bad("Wrong limit: 10, 20, 30 or 50"))?,
    };
    let page = match q.page_number.as_deref() {
        None => 1,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| PanelError::bad("Wrong page_number"))?,
    };
    let desc = match q.sort_type.as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(PanelError::bad("Wrong sort_type: asc or desc")),
    };
    Ok((limit, page, desc))
}

fn page_of(items: Vec<Value>, total: usize, limit: usize, page: usize) -> Value {
    json!({
        "list_option": {"pagination": {
            "total_items": total,
            "items_limit": limit,
            "total_pages": total.div_ceil(limit),
            "current_page": page,
        }},
        "list_items": items,
    })
}

async fn get_ids(State(s): St, headers: HeaderMap, Query(q): Query<ByType>) -> R<Json<Value>> {
    let kind = kind_of(&q)?;
    let paged = paging(&q)?;
    authed(&s, &headers, |p| {
        if let Some(n) = &q.number {
            let key = p
                .read_number(&kind, n)
                .ok_or_else(|| PanelError::bad("Wrong number format"))?;
            return p
                .get(&kind, &key)
                .map(|st| p.shown(st))
                .ok_or_else(|| PanelError(StatusCode::NOT_FOUND, "Identifier not found".into()));
        }
        let (limit, page, desc) = paged;
        let all = p.list(&kind, desc);
        let items = all
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(|st| p.shown(st))
            .collect();
        Ok(page_of(items, all.len(), limit, page))
    })
    .await
    .map(Json)
}

/// The whole-request JSON errors of the reference.
fn wrong_json() -> PanelError {
    PanelError::bad("Wrong JSON body")
}

fn no_value(param: &str) -> PanelError {
    PanelError::bad(format!("Wrong JSON body: no value for `{param}`"))
}

fn wrong_type(param: &str) -> PanelError {
    PanelError::bad(format!(
        "Wrong JSON body: value `{param}` was of the wrong type"
    ))
}

fn parse_body(body: &Bytes) -> R<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(wrong_json());
    }
    serde_json::from_slice(body).map_err(|_| wrong_json())
}

/// One item of a write, read (whole-request errors) into what the panel would store, or the
/// rule it breaks (an item error).
fn item(p: &Panel, kind: &str, number: &str, v: &Value) -> R<Result<Stored, &'static str>> {
    let o = v.as_object().ok_or_else(wrong_json)?;
    let owner = o
        .get("identifier_owner")
        .ok_or_else(|| no_value("identifier_owner"))?;
    let name = owner
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| wrong_type("identifier_owner"))?;
    let owner_type = owner
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| ["owner", "guest"].contains(t))
        .ok_or_else(|| wrong_type("identifier_owner"))?;
    let lock = o
        .get("lock")
        .ok_or_else(|| no_value("lock"))?
        .as_str()
        .filter(|l| ["first", "second", "all"].contains(l))
        .ok_or_else(|| wrong_type("lock"))?;
    let valid = o.get("valid").ok_or_else(|| no_value("valid"))?;
    if !valid.is_object() {
        return Err(wrong_type("valid"));
    }
    let key = p
        .read_number(kind, number)
        .ok_or_else(|| PanelError::bad("Wrong number format"))?;
    if kind == "face_id" {
        return Ok(Err("face_id_not_supported"));
    }
    // A `time` where the documents do not put it (inside `passes`, say) is not read: permanent.
    let window = match valid.get("time") {
        None | Some(Value::Null) => None,
        Some(t) => match t.get("is_permanent").and_then(Value::as_bool) {
            Some(true) => None,
            Some(false) => match (
                t.get("from").and_then(Value::as_i64),
                t.get("to").and_then(Value::as_i64),
            ) {
                (Some(from), Some(to)) if to > from => Some((from, to)),
                _ => return Ok(Err("invalid_time_rules_settings")),
            },
            None => return Err(wrong_type("is_permanent")),
        },
    };
    let max_passes = match valid.get("passes") {
        None | Some(Value::Null) => None,
        Some(ps) => match ps.get("is_permanent").and_then(Value::as_bool) {
            Some(true) => None,
            Some(false) => match ps.get("max_passes").and_then(Value::as_u64) {
                Some(n) if n >= 1 => Some(u32::try_from(n).unwrap_or(u32::MAX)),
                _ => return Ok(Err("invalid_time_rules_settings")),
            },
            None => return Err(wrong_type("is_permanent")),
        },
    };
    Ok(Ok(Stored {
        uid: 0,
        kind: kind.to_owned(),
        key,
        owner_name: name.to_owned(),
        owner_type: owner_type.to_owned(),
        lock: lock.to_owned(),
        window,
        max_passes,
        passes_used: 0,
    }))
}

fn result(kind: &str, number: &str, success: bool, info: &str) -> Value {
    json!({"identifier_type": kind, "success": success, "identifier_number": number, "extended_info": info})
}

/// The items of a batch body, each with its number as sent.
fn batch(body: &Value) -> R<Vec<(String, &Value)>> {
    let items = body
        .get("list_items")
        .ok_or_else(|| no_value("list_items"))?
        .as_array()
        .ok_or_else(|| wrong_type("list_items"))?;
    if items.is_empty() {
        return Err(no_value("list_items"));
    }
    items
        .iter()
        .map(|i| {
            let n = i
                .get("identifier_number")
                .ok_or_else(|| no_value("identifier_number"))?;
            Ok((
                number_text(n).ok_or_else(|| wrong_type("identifier_number"))?,
                i,
            ))
        })
        .collect()
}

async fn put_ids(
    State(s): St,
    headers: HeaderMap,
    Query(q): Query<ByType>,
    body: Bytes,
) -> R<Json<Value>> {
    let kind = kind_of(&q)?;
    let body = parse_body(&body)?;
    authed(&s, &headers, |p| {
        let items: Vec<(String, &Value)> = match &q.number {
            Some(n) => vec![(n.clone(), &body)],
            None => batch(&body)?,
        };
        // Every whole-request error before any item is applied: "no data processing".
        let read: Vec<(String, Result<Stored, &'static str>)> = items
            .iter()
            .map(|(n, v)| Ok((n.clone(), item(p, &kind, n, v)?)))
            .collect::<R<_>>()?;
        let out: Vec<Value> = read
            .into_iter()
            .map(|(n, r)| match r {
                Ok(st) => {
                    let o = p.put(st);
                    result(&kind, &n, o.success, o.info)
                }
                Err(info) => result(&kind, &n, false, info),
            })
            .collect();
        Ok(json!({ "result": out }))
    })
    .await
    .map(Json)
}

async fn delete_ids(
    State(s): St,
    headers: HeaderMap,
    Query(q): Query<ByType>,
    body: Bytes,
) -> R<Json<Value>> {
    let kind = kind_of(&q)?;
    let body = match &q.number {
        Some(_) => Value::Null,
        None => parse_body(&body)?,
    };
    authed(&s, &headers, |p| {
        let numbers: Vec<String> = match &q.number {
            Some(n) => vec![n.clone()],
            None => batch(&body)?.into_iter().map(|(n, _)| n).collect(),
        };
        let keys = numbers
            .iter()
            .map(|n| {
                p.read_number(&kind, n)
                    .ok_or_else(|| PanelError::bad("Wrong number format"))
            })
            .collect::<R<Vec<_>>>()?;
        let out: Vec<Value> = numbers
            .iter()
            .zip(keys)
            .map(|(n, key)| {
                let o = p.delete(&kind, &key);
                result(&kind, n, o.success, o.info)
            })
            .collect();
        Ok(json!({ "result": out }))
    })
    .await
    .map(Json)
}

async fn get_wiegand(State(s): St, headers: HeaderMap) -> R<Json<Value>> {
    authed(&s, &headers, |p| {
        Ok(json!({"identifier_representation": p.mode.as_str(), "type": "wiegand_58"}))
    })
    .await
    .map(Json)
}

async fn set_wiegand(State(s): St, headers: HeaderMap, body: Bytes) -> R<Json<Value>> {
    let body = parse_body(&body)?;
    let mode = body
        .get("identifier_representation")
        .ok_or_else(|| no_value("identifier_representation"))?
        .as_str()
        .and_then(Mode::parse)
        .ok_or_else(|| wrong_type("identifier_representation"))?;
    authed(&s, &headers, |p| {
        p.set_mode(mode);
        Ok(json!({"identifier_representation": p.mode.as_str(), "type": "wiegand_58"}))
    })
    .await
    .map(Json)
}

async fn device_time(State(s): St, headers: HeaderMap) -> R<Json<Value>> {
    authed(&s, &headers, |p| {
        Ok(json!({"time_unix": p.unix_now(), "timezone": "UTC+04:00"}))
    })
    .await
    .map(Json)
}

#[derive(Deserialize)]
struct LogQuery {
    from: Option<i64>,
    limit: Option<String>,
    page_number: Option<String>,
    sort_type: Option<String>,
}

async fn log_items(State(s): St, headers: HeaderMap, Query(q): Query<LogQuery>) -> R<Json<Value>> {
    let (limit, page, desc) = paging(&ByType {
        kind: None,
        number: None,
        limit: q.limit,
        page_number: q.page_number,
        sort_type: q.sort_type,
    })?;
    authed(&s, &headers, |p| {
        let all = p.log_from(q.from.unwrap_or(0), desc);
        let items = all
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(
                |e| json!({"id": e.id, "event": e.event, "time_unix": e.time_unix, "info": e.info}),
            )
            .collect();
        Ok(page_of(items, all.len(), limit, page))
    })
    .await
    .map(Json)
}
