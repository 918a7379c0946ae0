//! The panel client: one panel over HTTP, as `shared/research/panels.md` says to talk to it.
//! `GET /api/info` first, whose `api_version` picks the API line (1.x under `/api/v0`, 2.x
//! under `/api/v1`); a login by MD5 whose 400 is final; one fresh login on a 401; the by-type
//! identifier calls in batches of at most [`inf::BATCH_CHUNK`], every item's result read (HTTP
//! 200 is not success); the representation read (or pinned) before every card or UKEY write or
//! delete, and every card number written in it; no redirect followed, answers read up to a
//! limit.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gatehouse_basip::{
    DeviceTime, Identifier, IdentifierType, Info, ItemResult, ListPage, Lock, LogItem, LogPage,
    Login, NewIdentifier, NumberItem, Owner, PanelErrorBody, Representation, ResultList, ValidRule,
    WiegandSetting, WireNumber, inf,
};
use md5::{Digest, Md5};
use reqwest::{Method, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::check::Checked;
use crate::error::PanelError;

/// Where a panel is and how to log in.
#[derive(Clone)]
pub struct PanelSettings {
    /// `http://192.168.1.40` (no path).
    pub url: String,
    pub username: String,
    pub password: String,
    /// Send `Authorization: Basic` with the plain password instead of logging in (the Android
    /// FB line [research, correction 3]).
    pub basic_auth: bool,
    pub timeout: Duration,
}

impl std::fmt::Debug for PanelSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelSettings")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &"***")
            .field("basic_auth", &self.basic_auth)
            .finish()
    }
}

impl PanelSettings {
    pub fn new(url: &str, username: &str, password: &str) -> PanelSettings {
        PanelSettings {
            url: url.trim_end_matches('/').to_owned(),
            username: username.to_owned(),
            password: password.to_owned(),
            basic_auth: false,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The largest answer read from a panel: a page of 50 identifiers is a few kilobytes.
const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// An identifier to put on a panel: the checked number, whose it is, which lock, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: Checked,
    pub owner: Owner,
    pub lock: Lock,
    pub valid: ValidRule,
}

/// One panel, probed and ready.
pub struct PanelClient {
    http: reqwest::Client,
    settings: PanelSettings,
    base: &'static str,
    info: Info,
    token: tokio::sync::Mutex<Option<String>>,
}

impl std::fmt::Debug for PanelClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelClient")
            .field("url", &self.settings.url)
            .field("base", &self.base)
            .finish()
    }
}

fn md5_hex(s: &str) -> String {
    let hex: String = Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if inf::MD5_UPPER_CASE {
        hex.to_uppercase()
    } else {
        hex
    }
}

impl PanelClient {
    /// Probes the panel (`GET /api/info`, no login) and picks its API line.
    pub async fn connect(settings: PanelSettings) -> Result<PanelClient, PanelError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PanelError::Invalid(format!("the HTTP client could not start: {e}")))?;
        if !(settings.url.starts_with("http://") || settings.url.starts_with("https://")) {
            return Err(PanelError::Invalid(format!(
                "a panel address starts with http:// or https://, not \"{}\"",
                settings.url
            )));
        }
        let resp = http
            .get(format!("{}{}", settings.url, inf::INFO_PATH))
            .send()
            .await
            .map_err(|e| network(e, settings.timeout))?;
        let info: Info = decode(answer(resp, settings.timeout).await?)?;
        let base = match info.api_major() {
            Some(1) => inf::BASE_V0,
            Some(n) if n >= 2 => inf::BASE_V1,
            _ => {
                return Err(PanelError::Protocol(format!(
                    "the panel's /api/info gives no API version Gatehouse knows ({:?})",
                    info.api_version
                )));
            }
        };
        Ok(PanelClient {
            http,
            settings,
            base,
            info,
            token: tokio::sync::Mutex::new(None),
        })
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    /// The API base this panel is spoken to under (`/api/v1` or `/api/v0`).
    pub fn base(&self) -> &'static str {
        self.base
    }

    async fn login(&self) -> Result<String, PanelError> {
        let resp = self
            .http
            .get(format!(
                "{}{}{}",
                self.settings.url,
                self.base,
                inf::LOGIN_PATH
            ))
            .query(&[
                ("username", self.settings.username.as_str()),
                ("password", md5_hex(&self.settings.password).as_str()),
            ])
            .send()
            .await
            .map_err(|e| network(e, self.settings.timeout))?;
        match answer(resp, self.settings.timeout).await {
            Ok(body) => Ok(decode::<Login>(body)?.token),
            Err(PanelError::Refused {
                status: 400,
                message,
            }) => Err(PanelError::WrongLogin(message)),
            Err(e) => Err(e),
        }
    }

    /// One call with the panel's authorisation; a 401 logs in afresh and tries once more.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, PanelError> {
        for attempt in 0..2 {
            let mut req = self
                .http
                .request(
                    method.clone(),
                    format!("{}{}{path}", self.settings.url, self.base),
                )
                .query(query);
            if self.settings.basic_auth {
                req = req.basic_auth(&self.settings.username, Some(&self.settings.password));
            } else {
                let mut token = self.token.lock().await;
                if token.is_none() || attempt > 0 {
                    *token = Some(self.login().await?);
                }
                req = req.bearer_auth(token.as_deref().unwrap_or_default());
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| network(e, self.settings.timeout))?;
            match answer(resp, self.settings.timeout).await {
                Err(PanelError::NotAuthorized { status: 401, .. })
                    if attempt == 0 && !self.settings.basic_auth =>
                {
                    continue;
                }
                other => return other,
            }
        }
        Err(PanelError::NotAuthorized {
            status: 401,
            message: inf::LOG_IN.to_owned(),
        })
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, PanelError> {
        decode(self.call(Method::GET, path, query, None).await?)
    }

    /// The panel's clock and how far it is from ours (seconds; positive: the panel is ahead).
    pub async fn clock(&self) -> Result<(DeviceTime, i64), PanelError> {
        let t: DeviceTime = self.get(inf::DEVICE_TIME_PATH, &[]).await?;
        let ours = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let drift = t.time_unix.map_or(0, |p| p - ours);
        Ok((t, drift))
    }

    /// How the panel reads card numbers now [GAP: whether GET exists; an answer without a
    /// known representation reads as Unknown].
    pub async fn representation(&self) -> Result<Representation, PanelError> {
        let w: WiegandSetting = self.get(inf::WIEGAND_TYPE_PATH, &[]).await?;
        Ok(w.identifier_representation
            .unwrap_or_else(|| Representation::Unknown(String::new())))
    }

    /// Sets how the panel reads card numbers, and returns what it says it now is.
    pub async fn set_representation(
        &self,
        r: Representation,
    ) -> Result<Representation, PanelError> {
        let body = serde_json::to_value(WiegandSetting::pinned(r.clone()))
            .map_err(|e| PanelError::Invalid(e.to_string()))?;
        let answer = self
            .call(Method::POST, inf::WIEGAND_TYPE_PATH, &[], Some(&body))
            .await?;
        Ok(serde_json::from_slice::<WiegandSetting>(&answer)
            .ok()
            .and_then(|w| w.identifier_representation)
            .unwrap_or(r))
    }

    /// The representation to write card numbers in, read just before the write; a panel that
    /// cannot say is set to [`inf::FALLBACK_REPRESENTATION`].
    async fn pinned(&self) -> Result<Representation, PanelError> {
        match self.representation().await {
            Ok(r @ (Representation::Hex | Representation::Decimal)) => Ok(r),
            Ok(Representation::Unknown(_)) | Err(PanelError::Refused { .. }) => {
                self.set_representation(Representation::parse(inf::FALLBACK_REPRESENTATION))
                    .await
            }
            Err(e) => Err(e),
        }
    }

    /// The numbers of these identifiers as this panel must be sent them now, with their type.
    async fn on_wire(&self, ids: &[&Checked]) -> Result<(IdentifierType, Vec<String>), PanelError> {
        let Some(first) = ids.first() else {
            return Err(PanelError::Invalid("nothing to send".into()));
        };
        let kind = first.kind();
        if ids.iter().any(|c| c.kind() != kind) {
            return Err(PanelError::Invalid(
                "one batch holds one identifier type".into(),
            ));
        }
        if ids.len() > inf::BATCH_CHUNK {
            return Err(PanelError::Invalid(format!(
                "a batch is at most {} identifiers, not {}",
                inf::BATCH_CHUNK,
                ids.len()
            )));
        }
        let r = if first.needs_representation() {
            self.pinned().await?
        } else {
            Representation::Hex // not read for PINs, QR codes and plates
        };
        let numbers = ids
            .iter()
            .map(|c| {
                c.on_wire(&r)
                    .map_err(|e| PanelError::Invalid(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok((kind, numbers))
    }

    /// Puts one batch of identifiers of one type (created or updated), returning each item's
    /// result in the order sent.
    pub async fn put(&self, grants: &[Grant]) -> Result<Vec<ItemResult>, PanelError> {
        let (kind, numbers) = self
            .on_wire(&grants.iter().map(|g| &g.id).collect::<Vec<_>>())
            .await?;
        let items: Vec<NewIdentifier> = grants
            .iter()
            .zip(&numbers)
            .map(|(g, n)| NewIdentifier {
                identifier_number: n.clone(),
                identifier_owner: g.owner.clone(),
                lock: g.lock.clone(),
                valid: g.valid,
            })
            .collect();
        self.batch(Method::PUT, &kind, items).await
    }

    /// Deletes one batch of identifiers of one type, returning each item's result in order.
    pub async fn delete(&self, ids: &[Checked]) -> Result<Vec<ItemResult>, PanelError> {
        let (kind, numbers) = self.on_wire(&ids.iter().collect::<Vec<_>>()).await?;
        let items: Vec<NumberItem> = numbers
            .iter()
            .map(|n| NumberItem {
                identifier_number: WireNumber(n.clone()),
            })
            .collect();
        self.batch(Method::DELETE, &kind, items).await
    }

    /// Sends one batch of `kind` in batch mode (`{"list_items": [...]}`) and reads each item's
    /// result, one per item sent, in order.
    async fn batch<T: serde::Serialize>(
        &self,
        method: Method,
        kind: &IdentifierType,
        items: Vec<T>,
    ) -> Result<Vec<ItemResult>, PanelError> {
        let sent = items.len();
        let body = serde_json::to_value(ListPage::of(items))
            .map_err(|e| PanelError::Invalid(e.to_string()))?;
        let answer = self
            .call(
                method,
                inf::IDENTIFIERS_PATH,
                &[("type", kind.as_str().to_owned())],
                Some(&body),
            )
            .await?;
        results(answer, sent)
    }

    /// The panel's identifier with this number, read back, or `None` when it holds none.
    pub async fn find(&self, id: &Checked) -> Result<Option<Identifier>, PanelError> {
        let (kind, numbers) = self.on_wire(&[id]).await?;
        let q = [
            ("type", kind.as_str().to_owned()),
            ("number", numbers[0].clone()),
        ];
        match self.get(inf::IDENTIFIERS_PATH, &q).await {
            Ok(i) => Ok(Some(i)),
            Err(PanelError::Refused { status, .. }) if status == inf::NOT_HELD_STATUS => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every identifier of `kind` on the panel, page by page, with the representation its card
    /// numbers are written in.
    pub async fn all(
        &self,
        kind: &IdentifierType,
    ) -> Result<(Vec<Identifier>, Representation), PanelError> {
        let r = if matches!(kind, IdentifierType::Card | IdentifierType::Ukey) {
            self.pinned().await?
        } else {
            Representation::Hex
        };
        let mut out = Vec::new();
        for page in 1u32.. {
            let q = [
                ("type", kind.as_str().to_owned()),
                ("limit", inf::LIST_LIMIT.to_string()),
                ("page_number", page.to_string()),
            ];
            let p: ListPage<Identifier> = self.get(inf::IDENTIFIERS_PATH, &q).await?;
            let total = p
                .list_option
                .as_ref()
                .and_then(|o| o.pagination.as_ref())
                .and_then(|p| p.total_items);
            let n = p.list_items.len();
            out.extend(p.list_items);
            if n == 0 || total.is_some_and(|t| out.len() as u64 >= t) {
                break;
            }
            if total.is_some_and(|t| out.len() as u64 > t) || page > 100_000 {
                return Err(PanelError::Protocol("the listing does not end".into()));
            }
        }
        Ok((out, r))
    }

    /// The panel's log from `from` (Unix seconds) on, oldest first.
    pub async fn log_since(&self, from: i64) -> Result<Vec<LogItem>, PanelError> {
        let mut out = Vec::new();
        for page in 1u32..=10_000 {
            let q = [
                ("from", from.to_string()),
                ("limit", inf::LIST_LIMIT.to_string()),
                ("page_number", page.to_string()),
                ("sort_type", "asc".to_owned()),
            ];
            let p: LogPage = self.get(inf::LOG_PATH, &q).await?;
            let n = p.list_items.len();
            out.extend(p.list_items);
            if n < inf::LIST_LIMIT as usize {
                break;
            }
        }
        Ok(out)
    }
}

/// Each item's result, checked to match the items sent one for one.
fn results(answer: Vec<u8>, sent: usize) -> Result<Vec<ItemResult>, PanelError> {
    let r: ResultList = decode(answer)?;
    if r.result.len() != sent {
        return Err(PanelError::Decode(format!(
            "{} results for {sent} items sent",
            r.result.len()
        )));
    }
    Ok(r.result)
}

fn decode<T: DeserializeOwned>(body: Vec<u8>) -> Result<T, PanelError> {
    serde_json::from_slice(&body).map_err(|e| PanelError::Decode(e.to_string()))
}

/// A response's body when it is a success, or the error its status and body say.
async fn answer(resp: reqwest::Response, timeout: Duration) -> Result<Vec<u8>, PanelError> {
    let status = resp.status();
    if status.is_redirection() {
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_owned();
        return Err(PanelError::Redirected {
            status: status.as_u16(),
            location,
        });
    }
    if resp.content_length().is_some_and(|n| n > MAX_ANSWER as u64) {
        return Err(PanelError::TooLarge {
            limit_mib: (MAX_ANSWER / (1024 * 1024)) as u64,
        });
    }
    let mut resp = resp;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| network(e, timeout))? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(PanelError::TooLarge {
                limit_mib: (MAX_ANSWER / (1024 * 1024)) as u64,
            });
        }
        body.extend_from_slice(&chunk);
    }
    if status.is_success() {
        return Ok(body);
    }
    let message = serde_json::from_slice::<PanelErrorBody>(&body)
        .map(|b| b.message())
        .unwrap_or_default();
    let message = if message.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("no reason given")
            .to_owned()
    } else {
        message
    };
    let code = status.as_u16();
    Err(match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => PanelError::NotAuthorized {
            status: code,
            message,
        },
        s if s.is_client_error() => PanelError::Refused {
            status: code,
            message,
        },
        _ => PanelError::Server {
            status: code,
            message,
        },
    })
}

fn network(e: reqwest::Error, timeout: Duration) -> PanelError {
    let mut inner: &dyn std::error::Error = &e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    if e.is_connect() {
        PanelError::Unreachable(inner.to_string())
    } else if e.is_timeout() {
        PanelError::Timeout(timeout)
    } else if e.is_decode() {
        PanelError::Decode(inner.to_string())
    } else {
        PanelError::Network(inner.to_string())
    }
}
