//! The Buzz-In Work Permit API client.
//!
//! - Base URL and API key from a profile; the auth header is configurable ([GAP] in the docs:
//!   `Authorization: Bearer` by default, or a named header carrying the bare key).
//! - Timeouts on every request.
//! - Reads are retried on network errors, 5xx, 429 (honouring `Retry-After`) and unreadable
//!   answers, with exponential backoff and full jitter; 401 stops at once ("API key refused").
//! - Mutations (approve, revoke, reissue) are sent exactly once: whether to retry a failed one is
//!   the outbox's decision, because a mutation whose answer was lost may have been applied
//!   ([`ClientError::may_have_been_applied`]).
//! - Feathers error envelopes become typed [`ClientError`]s.
//! - It holds against a hostile or odd server: no redirect is followed (the key would go with
//!   it; a 3xx is an error naming where it pointed), an https base URL makes the client
//!   https-only, answers are read in chunks under a limit ([`Limits`]) and an over-long
//!   `Content-Length` is refused before reading, and the key's header is marked sensitive.
//!
//! Endpoint paths come from `gatehouse_buzzin::inf`, where every [INF] assumption lives.

mod error;
mod settings;

use std::time::Duration;

use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    Contractor, ContractorAction, ContractorActionKind, FeedItem, Page, PassAction, Permit,
    PermitAction,
};
use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::ClientError;
pub use settings::{ApiKey, Auth, Limits, ListQuery, Retry, Settings};

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    settings: Settings,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(settings: Settings) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            // A redirect would carry the key to wherever it points (reqwest strips only
            // `Authorization` and cookies on a change of host): an API client follows none.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(settings.base_url.starts_with("https://"))
            .build()
            .map_err(|e| ClientError::Network(format!("cannot set up HTTP: {e}")))?;
        Ok(Self { http, settings })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the API's host accepts a connection within `within`: a TCP connect, no request
    /// (nothing counted against a rate limit, no key sent). The sync engine's heartbeat between
    /// syncs, so a lost network or host is noticed in seconds.
    pub async fn reachable(&self, within: Duration) -> bool {
        let Ok(url) = reqwest::Url::parse(&self.settings.base_url) else {
            return false;
        };
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return false;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        matches!(
            tokio::time::timeout(within, tokio::net::TcpStream::connect((host, port))).await,
            Ok(Ok(_))
        )
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}{path}", self.settings.base_url));
        let key = self.settings.api_key.expose();
        match &self.settings.auth {
            // Marked sensitive by reqwest.
            Auth::Bearer => req.bearer_auth(key),
            Auth::Header(name) => match reqwest::header::HeaderValue::from_str(key) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    req.header(name.as_str(), value)
                }
                // Not a valid header value: the request fails as it is built, naming no key.
                Err(_) => req.header(name.as_str(), key),
            },
        }
    }

    /// One attempt: the answer decoded, or the error it amounts to.
    async fn once<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, ClientError> {
        let resp = req.send().await.map_err(network)?;
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .map(|v| {
                    String::from_utf8_lossy(v.as_bytes())
                        .chars()
                        .take(200)
                        .collect()
                })
                .unwrap_or_else(|| "nowhere (no Location)".into());
            return Err(ClientError::Redirected { status, location });
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let limits = self.settings.limits;
        if !(200..300).contains(&status) {
            let (body, _whole) = read_up_to(resp, limits.error_body).await?;
            return Err(ClientError::from_status(status, &body, retry_after));
        }
        let too_large = ClientError::TooLarge {
            limit_mib: limits.body.div_ceil(1024 * 1024),
        };
        if resp.content_length().is_some_and(|n| n > limits.body) {
            return Err(too_large);
        }
        match read_up_to(resp, limits.body).await? {
            (body, true) => {
                serde_json::from_slice(&body).map_err(|e| ClientError::Decode(e.to_string()))
            }
            (_, false) => Err(too_large),
        }
    }

    /// A read, retried while the failure is transient.
    async fn read<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<T, ClientError> {
        let mut attempt = 1;
        loop {
            let req = self.request(Method::GET, path).query(query);
            match self.once(req).await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_transient() && attempt < self.settings.retry.attempts => {
                    let retry_after = match &e {
                        ClientError::RateLimited { retry_after } => *retry_after,
                        _ => None,
                    };
                    let wait = self.settings.retry.wait(attempt, retry_after);
                    tracing::debug!(%path, attempt, ?wait, error = %e, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A mutation: sent once.
    async fn mutate<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.once(self.request(Method::PATCH, path).json(body))
            .await
    }

    // ---- reads ------------------------------------------------------------------------------

    pub async fn contractors(&self, q: &ListQuery) -> Result<Page<Contractor>, ClientError> {
        self.read(inf::CONTRACTORS_PATH, &q.0).await
    }

    pub async fn permits(&self, q: &ListQuery) -> Result<Page<Permit>, ClientError> {
        self.read(inf::PERMITS_PATH, &q.0).await
    }

    pub async fn permit(&self, id: &str) -> Result<Permit, ClientError> {
        self.read(&format!("{}/{}", inf::PERMITS_PATH, segment(id)?), &[])
            .await
    }

    /// Events after `cursor`, oldest first.
    pub async fn events_after(
        &self,
        cursor: u64,
        limit: u64,
    ) -> Result<Page<FeedItem>, ClientError> {
        let q = ListQuery::new()
            .op("cursor", "$gt", cursor)
            .sort("cursor", true)
            .limit(limit);
        self.read(inf::EVENTS_FEED_PATH, &q.0).await
    }

    /// The newest cursor of the events feed (0 when it is empty): a first sync starts the
    /// incremental feed from here.
    pub async fn events_head(&self) -> Result<u64, ClientError> {
        let q = ListQuery::new().sort("cursor", false).limit(1);
        let page: Page<FeedItem> = self.read(inf::EVENTS_FEED_PATH, &q.0).await?;
        Ok(page.data.first().map(|e| e.cursor).unwrap_or(0))
    }

    /// One contractor, through the list endpoint (there is no documented single read).
    pub async fn contractor(&self, id: &str) -> Result<Contractor, ClientError> {
        let q = ListQuery::new().eq("_id", segment(id)?).limit(1);
        let page = self.contractors(&q).await?;
        page.data
            .into_iter()
            .next()
            .ok_or_else(|| ClientError::NotFound(format!("no contractor {id}")))
    }

    /// Every contractor, in `_id` order (keyset pages of the largest size).
    pub async fn all_contractors(&self) -> Result<Vec<Contractor>, ClientError> {
        let mut out: Vec<Contractor> = Vec::new();
        loop {
            let from = out.last().map(|c| c.id.clone());
            let page = self.contractors(&after(from.as_deref())).await?;
            let done = (page.data.len() as u64) < inf::LIST_MAX_LIMIT;
            if let Some(last) = page.data.last() {
                check_advanced(from.as_deref(), &last.id)?;
            }
            out.extend(page.data);
            if done {
                return Ok(out);
            }
        }
    }

    /// Every permit, in `_id` order (keyset pages of the largest size).
    pub async fn all_permits(&self) -> Result<Vec<Permit>, ClientError> {
        let mut out: Vec<Permit> = Vec::new();
        loop {
            let from = out.last().map(|p| p.id.clone());
            let page = self.permits(&after(from.as_deref())).await?;
            let done = (page.data.len() as u64) < inf::LIST_MAX_LIMIT;
            if let Some(last) = page.data.last() {
                check_advanced(from.as_deref(), &last.id)?;
            }
            out.extend(page.data);
            if done {
                return Ok(out);
            }
        }
    }

    /// Contractors by id, in pages of `_id[$in]` (unknown ids, and ids outside the id rule, are
    /// simply absent).
    pub async fn contractors_by_ids(&self, ids: &[String]) -> Result<Vec<Contractor>, ClientError> {
        let mut out = Vec::with_capacity(ids.len());
        for q in ids.chunks(IDS_PER_REQUEST).filter_map(by_ids) {
            out.extend(self.contractors(&q).await?.data);
        }
        Ok(out)
    }

    /// Permits by id, in pages of `_id[$in]` (unknown ids, and ids outside the id rule, are
    /// simply absent).
    pub async fn permits_by_ids(&self, ids: &[String]) -> Result<Vec<Permit>, ClientError> {
        let mut out = Vec::with_capacity(ids.len());
        for q in ids.chunks(IDS_PER_REQUEST).filter_map(by_ids) {
            out.extend(self.permits(&q).await?.data);
        }
        Ok(out)
    }

    // ---- mutations ----------------------------------------------------------------------------

    pub async fn approve_contractor(&self, id: &str) -> Result<Contractor, ClientError> {
        let body = ContractorAction {
            action: ContractorActionKind::Approve,
        };
        self.mutate(
            &format!("{}/{}", inf::CONTRACTORS_PATH, segment(id)?),
            &body,
        )
        .await
    }

    pub async fn revoke_contractor(&self, id: &str) -> Result<Contractor, ClientError> {
        let body = ContractorAction {
            action: ContractorActionKind::Revoke,
        };
        self.mutate(
            &format!("{}/{}", inf::CONTRACTORS_PATH, segment(id)?),
            &body,
        )
        .await
    }

    pub async fn revoke_pass(&self, id: &str, reason: Option<&str>) -> Result<(), ClientError> {
        let body = PassAction {
            action: PermitAction::Revoke,
            reason: reason.map(str::to_owned),
        };
        let _: serde_json::Value = self
            .mutate(&format!("{}/{}", inf::PASSES_PATH, segment(id)?), &body)
            .await?;
        Ok(())
    }

    pub async fn reissue_pass(&self, id: &str) -> Result<(), ClientError> {
        let body = PassAction {
            action: PermitAction::ReissuePass,
            reason: None,
        };
        let _: serde_json::Value = self
            .mutate(&format!("{}/{}", inf::PASSES_PATH, segment(id)?), &body)
            .await?;
        Ok(())
    }
}

/// The first `limit` bytes of an answer's body, read chunk by chunk (never more than `limit` plus
/// one chunk in memory), and whether that was all of it.
async fn read_up_to(
    mut resp: reqwest::Response,
    limit: u64,
) -> Result<(Vec<u8>, bool), ClientError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut body = Vec::with_capacity(
        resp.content_length()
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
            .min(limit),
    );
    while let Some(chunk) = resp.chunk().await.map_err(network)? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

/// The page of the largest size after `last` in `_id` order.
fn after(last: Option<&str>) -> ListQuery {
    let q = ListQuery::new()
        .sort("_id", true)
        .limit(inf::LIST_MAX_LIMIT);
    match last {
        Some(id) => q.op("_id", "$gt", id),
        None => q,
    }
}

/// The keyset walk's rule: a page read after `from` must end after it. A server that ignores
/// `_id[$gt]` would otherwise be walked forever.
pub fn check_advanced(from: Option<&str>, last: &str) -> Result<(), ClientError> {
    match from {
        Some(from) if last <= from => Err(ClientError::Protocol(format!(
            "a page asked for after _id {from} ended at {last}: the server ignores _id[$gt]"
        ))),
        _ => Ok(()),
    }
}

/// Ids per `_id[$in]` request: keeps the query string well under common URL limits.
const IDS_PER_REQUEST: usize = 100;

/// `_id[$in]` of the ids that pass the id rule; the others are left out (and so absent from
/// the answer), never sent. `None` when none is left.
fn by_ids(ids: &[String]) -> Option<ListQuery> {
    let ok: Vec<&String> = ids.iter().filter(|id| inf::is_id(id)).collect();
    if ok.len() < ids.len() {
        tracing::warn!(
            left_out = ids.len() - ok.len(),
            "ids outside the id rule not asked for"
        );
    }
    if ok.is_empty() {
        return None;
    }
    let mut q = ListQuery::new().limit(ok.len() as u64);
    for id in ok {
        q = q.op("_id", "$in", id);
    }
    Some(q)
}

/// An id as one path segment: ids are opaque, but one with a `/`, `?` or `#` would address
/// another resource, so it is refused rather than sent.
fn segment(id: &str) -> Result<&str, ClientError> {
    if !inf::is_id(id) {
        return Err(ClientError::Refused {
            status: 0,
            message: format!("\"{id}\" is not a valid id"),
        });
    }
    Ok(id)
}

fn network(e: reqwest::Error) -> ClientError {
    if e.is_decode() {
        ClientError::Decode(e.to_string())
    } else if e.is_connect() {
        ClientError::Unreachable(cause(&e))
    } else if e.is_timeout() {
        ClientError::Timeout(cause(&e))
    } else {
        ClientError::Network(cause(&e))
    }
}

/// reqwest's own message ("error sending request for url …") hides the reason; the innermost
/// source says it ("Connection refused", "connection closed before message completed").
fn cause(e: &reqwest::Error) -> String {
    let url = e.url().map(|u| match u.port() {
        Some(port) => format!("{}:{port}", u.host_str().unwrap_or("?")),
        None => u.host_str().unwrap_or("?").to_owned(),
    });
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    match url {
        Some(at) => format!("{inner} ({at})"),
        None => inner.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_jitter_under_the_cap_and_honours_retry_after() {
        let r = Retry {
            attempts: 10,
            base: Duration::from_millis(100),
            max_wait: Duration::from_secs(1),
        };
        for n in 1..=8 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(n - 1)).min(Duration::from_secs(1));
            for _ in 0..50 {
                let w = r.wait(n, None);
                assert!(
                    w <= ceiling && w >= ceiling / 2,
                    "attempt {n}: {w:?} outside {:?}..={ceiling:?}",
                    ceiling / 2
                );
            }
        }
        assert_eq!(
            r.wait(1, Some(Duration::from_millis(700))),
            Duration::from_millis(700)
        );
        assert_eq!(
            r.wait(1, Some(Duration::from_secs(90))),
            Duration::from_secs(1),
            "capped"
        );
    }
}
