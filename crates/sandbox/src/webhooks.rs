//! Webhook delivery: every event goes, in order, to each configured URL that wants it, with the
//! Work Permit headers and the HMAC signature when a secret is set. Non-2xx answers and network
//! errors are retried with exponential backoff; every attempt is logged for tests
//! (`GET /__sandbox/deliveries`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gatehouse_buzzin::webhook::{
    DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, TOKEN_HEADER, sign,
};
use gatehouse_buzzin::{EventName, FeedItem, Timestamp};
use serde::Serialize;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// One receiver: a URL and the events it wants (all nine when `events` is `None`) [DOC: URLs are
/// configured per event].
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub url: String,
    pub events: Option<Vec<EventName>>,
}

#[derive(Clone)]
pub struct WebhookConfig {
    pub targets: Vec<WebhookTarget>,
    /// Sent as `X-Buzzin-Token` and used for `buzzin-signature`.
    pub secret: Option<String>,
    /// Attempts per delivery, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubles for each further one.
    pub backoff: Duration,
    pub timeout: Duration,
}

/// The secret prints as `***`.
impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("targets", &self.targets)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            targets: Vec::new(),
            secret: None,
            max_attempts: 6,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub delivery_id: String,
    pub event_id: String,
    pub event: EventName,
    pub cursor: u64,
    pub url: String,
    pub attempts: Vec<Attempt>,
    pub delivered: bool,
    pub gave_up: bool,
}

/// The log of every delivery, shared with the control endpoint.
#[derive(Debug, Default)]
pub struct Deliveries(Mutex<Vec<Delivery>>);

impl Deliveries {
    pub fn snapshot(&self) -> Vec<Delivery> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, index: usize, f: impl FnOnce(&mut Delivery)) {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut all[index]);
    }

    fn push(&self, d: Delivery) -> usize {
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        all.push(d);
        all.len() - 1
    }
}

/// Starts one delivery queue per target; returns where to send new events.
pub fn spawn(config: WebhookConfig, log: Arc<Deliveries>) -> Option<UnboundedSender<FeedItem>> {
    if config.targets.is_empty() {
        return None;
    }
    let http = reqwest::Client::builder()
        .timeout(config.timeout)
        .build()
        .expect("an HTTP client");
    let config = Arc::new(config);
    let mut queues = Vec::new();
    for (index, target) in config.targets.iter().enumerate() {
        let (tx, rx) = unbounded_channel::<FeedItem>();
        tokio::spawn(deliver_in_order(
            rx,
            index,
            target.clone(),
            config.clone(),
            http.clone(),
            log.clone(),
        ));
        queues.push((target.events.clone(), tx));
    }
    let (tx, mut rx) = unbounded_channel::<FeedItem>();
    tokio::spawn(async move {
        while let Some(item) = rx.recv().await {
            for (wanted, queue) in &queues {
                if wanted
                    .as_ref()
                    .is_none_or(|w| w.contains(&item.envelope.event))
                {
                    let _ = queue.send(item.clone());
                }
            }
        }
    });
    Some(tx)
}

async fn deliver_in_order(
    mut rx: UnboundedReceiver<FeedItem>,
    target_index: usize,
    target: WebhookTarget,
    config: Arc<WebhookConfig>,
    http: reqwest::Client,
    log: Arc<Deliveries>,
) {
    while let Some(item) = rx.recv().await {
        let body = serde_json::to_vec(&item.envelope).expect("an envelope serialises");
        let delivery_id = format!("{}-{target_index}", item.envelope.id);
        let index = log.push(Delivery {
            delivery_id: delivery_id.clone(),
            event_id: item.envelope.id.clone(),
            event: item.envelope.event.clone(),
            cursor: item.cursor,
            url: target.url.clone(),
            attempts: Vec::new(),
            delivered: false,
            gave_up: false,
        });
        let mut wait = config.backoff;
        for attempt in 1..=config.max_attempts {
            let ts = Timestamp::now().millis();
            let mut req = http
                .post(&target.url)
                .header("content-type", "application/json")
                .header(EVENT_HEADER, item.envelope.event.as_str())
                .header(DELIVERY_HEADER, &delivery_id);
            if let Some(secret) = &config.secret {
                req = req
                    .header(TOKEN_HEADER, secret)
                    .header(SIGNATURE_TIMESTAMP_HEADER, ts.to_string())
                    .header(SIGNATURE_HEADER, sign(secret.as_bytes(), ts, &body));
            }
            let outcome = req.body(body.clone()).send().await;
            let (status, error) = match &outcome {
                Ok(resp) => (Some(resp.status().as_u16()), None),
                Err(e) => (None, Some(e.to_string())),
            };
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            log.update(index, |d| {
                d.attempts.push(Attempt {
                    at: Timestamp::now(),
                    status,
                    error,
                });
                d.delivered = ok;
                d.gave_up = !ok && attempt == config.max_attempts;
            });
            if ok {
                break;
            }
            if attempt < config.max_attempts {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    }
}
