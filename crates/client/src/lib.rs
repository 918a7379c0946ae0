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
//!
//! Endpoint paths come from `gatehouse_buzzin::inf`, where every [INF] assumption lives.

mod error;

use std::time::Duration;

use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    Contractor, ContractorAction, ContractorActionKind, FeedItem, Page, PassAction, Permit,
    PermitAction,
};
use rand::RngExt;
use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::ClientError;

/// How the API key travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `<header>: <key>`, e.g. `x-api-key`.
    Header(String),
}

/// Where and how to reach one community's API.
#[derive(Debug, Clone)]
pub struct Settings {
    pub base_url: String,
    pub api_key: String,
    pub auth: Auth,
    /// Per request, connect to last byte.
    pub timeout: Duration,
    pub retry: Retry,
}

impl Settings {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            auth: Auth::Bearer,
            timeout: Duration::from_secs(20),
            retry: Retry::default(),
        }
    }
}

/// Retries of reads: attempts in all, the first backoff, and the cap of one wait.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(30),
        }
    }
}

impl Retry {
    /// The wait before attempt `n + 1` (n ≥ 1): full jitter over an exponential ceiling, or the
    /// server's `Retry-After` when it gave one (capped).
    fn wait(&self, n: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(self.max_wait);
        }
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(n - 1))
            .min(self.max_wait);
        let ms = ceiling.as_millis() as u64;
        Duration::from_millis(rand::rng().random_range(ms / 2..=ms.max(1)))
    }
}

/// A query for a list endpoint, FeathersJS style ([INF]).
#[derive(Debug, Clone, Default)]
pub struct ListQuery(Vec<(String, String)>);

impl ListQuery {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn limit(mut self, n: u64) -> Self {
        self.0.push(("$limit".into(), n.to_string()));
        self
    }
    pub fn skip(mut self, n: u64) -> Self {
        self.0.push(("$skip".into(), n.to_string()));
        self
    }
    pub fn sort(mut self, field: &str, ascending: bool) -> Self {
        self.0.push((
            format!("$sort[{field}]"),
            if ascending { "1" } else { "-1" }.into(),
        ));
        self
    }
    pub fn eq(mut self, field: &str, value: impl ToString) -> Self {
        self.0.push((field.into(), value.to_string()));
        self
    }
    /// `field[$gt]=value` (also `$gte`, `$lt`, `$lte`, `$ne`).
    pub fn op(mut self, field: &str, op: &str, value: impl ToString) -> Self {
        self.0.push((format!("{field}[{op}]"), value.to_string()));
        self
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    settings: Settings,
}

impl Client {
    pub fn new(settings: Settings) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| ClientError::Network(format!("cannot set up HTTP: {e}")))?;
        Ok(Self { http, settings })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}{path}", self.settings.base_url));
        match &self.settings.auth {
            Auth::Bearer => req.bearer_auth(&self.settings.api_key),
            Auth::Header(name) => req.header(name.as_str(), &self.settings.api_key),
        }
    }

    /// One attempt: the answer decoded, or the error it amounts to.
    async fn once<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, ClientError> {
        let resp = req.send().await.map_err(network)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = resp.bytes().await.map_err(network)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_status(status, &body, retry_after));
        }
        serde_json::from_slice(&body).map_err(|e| ClientError::Decode(e.to_string()))
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
            let page = self
                .contractors(&after(out.last().map(|c| c.id.as_str())))
                .await?;
            let done = (page.data.len() as u64) < inf::LIST_MAX_LIMIT;
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
            let page = self
                .permits(&after(out.last().map(|p| p.id.as_str())))
                .await?;
            let done = (page.data.len() as u64) < inf::LIST_MAX_LIMIT;
            out.extend(page.data);
            if done {
                return Ok(out);
            }
        }
    }

    /// Contractors by id, in pages of `_id[$in]` (unknown ids are simply absent).
    pub async fn contractors_by_ids(&self, ids: &[String]) -> Result<Vec<Contractor>, ClientError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            out.extend(self.contractors(&by_ids(chunk)?).await?.data);
        }
        Ok(out)
    }

    /// Permits by id, in pages of `_id[$in]` (unknown ids are simply absent).
    pub async fn permits_by_ids(&self, ids: &[String]) -> Result<Vec<Permit>, ClientError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_REQUEST) {
            out.extend(self.permits(&by_ids(chunk)?).await?.data);
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

/// Ids per `_id[$in]` request: keeps the query string well under common URL limits.
const IDS_PER_REQUEST: usize = 100;

fn by_ids(ids: &[String]) -> Result<ListQuery, ClientError> {
    let mut q = ListQuery::new().limit(ids.len() as u64);
    for id in ids {
        q = q.op("_id", "$in", segment(id)?);
    }
    Ok(q)
}

/// An id as one path segment: ids are opaque, but one with a `/`, `?` or `#` would address
/// another resource, so it is refused rather than sent.
fn segment(id: &str) -> Result<&str, ClientError> {
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
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
