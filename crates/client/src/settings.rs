//! What a client is made with: the API's address and key and how the key travels, the limits
//! on what it reads, how reads are retried, and the list queries it sends.

use std::time::Duration;

use rand::RngExt;

/// How the API key travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `<header>: <key>`, e.g. `x-api-key`.
    Header(String),
}

/// An API key: printed as `***` by `Debug`, so that no log line or panic message carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Where and how to reach one community's API.
#[derive(Debug, Clone)]
pub struct Settings {
    pub base_url: String,
    pub api_key: ApiKey,
    pub auth: Auth,
    /// Per request, connect to last byte.
    pub timeout: Duration,
    pub retry: Retry,
    pub limits: Limits,
}

impl Settings {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: ApiKey::new(api_key),
            auth: Auth::Bearer,
            timeout: Duration::from_secs(20),
            retry: Retry::default(),
            limits: Limits::default(),
        }
    }
}

/// The most of an answer the client reads, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A successful answer (a list page of the largest size is a few hundred KiB): larger is
    /// refused as [`ClientError::TooLarge`].
    pub body: u64,
    /// An error answer: only its message is wanted, so the rest is not read.
    pub error_body: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body: 32 * 1024 * 1024,
            error_body: 64 * 1024,
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
    pub(crate) fn wait(&self, n: u32, retry_after: Option<Duration>) -> Duration {
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
pub struct ListQuery(pub(crate) Vec<(String, String)>);

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
