//! Expiry alerts of the open community: what is due now (or at a given time), grouped as a desk
//! is told of it, from `gatehouse-alerts` over the cache; telling it (kept in the ledger and the
//! alerts list, then shown by a [`crate::Notifier`]); and the alerts list the window shows. The
//! thresholds are the defaults (72 h, 24 h, 2 h and expired) until profiles can set their own.

use gatehouse_alerts::{Alert, Thresholds};
use gatehouse_buzzin::Timestamp;
use gatehouse_cache::StoredAlert;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::check::parse_at;
use crate::community::storage;
use crate::{Community, Error, Notifier};

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AlertKind {
    /// Permits that reach a threshold before their end.
    Expiring,
    /// Permits whose end has passed.
    Expired,
}

/// How an alert asks for attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AlertUrgency {
    Normal,
    /// Stays on screen until dismissed (2 h before the end, by default).
    Critical,
}

impl AlertKind {
    fn as_str(self) -> &'static str {
        match self {
            AlertKind::Expiring => "expiring",
            AlertKind::Expired => "expired",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [AlertKind::Expiring, AlertKind::Expired]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl AlertUrgency {
    fn of(u: gatehouse_alerts::Urgency) -> Self {
        match u {
            gatehouse_alerts::Urgency::Normal => AlertUrgency::Normal,
            gatehouse_alerts::Urgency::Critical => AlertUrgency::Critical,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(AlertUrgency::Normal),
            "critical" => Some(AlertUrgency::Critical),
            _ => None,
        }
    }
}

/// An alert that is due and not yet told.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DueAlert {
    pub kind: AlertKind,
    /// `72h`, `24h`, `2h`, `expired`.
    pub threshold: String,
    pub urgency: AlertUrgency,
    pub title: String,
    pub body: String,
    pub permit_ids: Vec<String>,
    pub pass_numbers: Vec<String>,
}

impl From<&Alert> for DueAlert {
    fn from(a: &Alert) -> Self {
        DueAlert {
            kind: AlertKind::parse(a.kind()).unwrap_or(AlertKind::Expiring),
            threshold: a.threshold.key(),
            urgency: AlertUrgency::of(a.urgency),
            title: a.title.clone(),
            body: a.body.clone(),
            permit_ids: a.permits.iter().map(|d| d.permit_id.clone()).collect(),
            pass_numbers: a.permits.iter().map(|d| d.pass_number.clone()).collect(),
        }
    }
}

/// An alert in the alerts list: told once, kept with its time and permits. The list is the
/// record when the OS drops a notification (Focus, Do-Not-Disturb).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AlertView {
    #[ts(type = "number")]
    pub id: i64,
    /// When it was told, ISO-8601 UTC.
    pub at: String,
    pub kind: AlertKind,
    pub urgency: AlertUrgency,
    pub title: String,
    pub body: String,
    pub permit_ids: Vec<String>,
    pub read: bool,
}

impl AlertView {
    fn of(a: StoredAlert) -> Result<AlertView, Error> {
        let odd =
            |what: &str, v: &str| storage(format!("alert {} has an unknown {what} {v}", a.id));
        Ok(AlertView {
            kind: AlertKind::parse(&a.kind).ok_or_else(|| odd("kind", &a.kind))?,
            urgency: AlertUrgency::parse(&a.urgency).ok_or_else(|| odd("urgency", &a.urgency))?,
            id: a.id,
            at: a.at,
            title: a.title,
            body: a.body,
            permit_ids: a.permit_ids,
            read: a.read,
        })
    }
}

/// The alerts list as the window shows it: the newest first, and how many are unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AlertList {
    pub alerts: Vec<AlertView>,
    pub unread: u32,
}

/// The most alerts the list returns.
pub const ALERTS_SHOWN: u32 = 200;

fn moment(at: Option<&str>) -> Result<Timestamp, Error> {
    match at {
        Some(at) => parse_at(at),
        None => Ok(Timestamp::now()),
    }
}

impl Community {
    /// The profile's alert thresholds.
    fn thresholds(&self) -> Thresholds {
        Thresholds::default()
    }

    /// The alerts due at `at` (ISO-8601; now when `None`) and not yet told, most urgent first.
    /// Nothing is told or recorded.
    pub async fn alerts_due(&self, at: Option<&str>) -> Result<Vec<DueAlert>, Error> {
        let now = moment(at)?;
        let due = gatehouse_alerts::due(self.cache(), &self.thresholds(), now)
            .await
            .map_err(storage)?;
        Ok(gatehouse_alerts::group(due)
            .iter()
            .map(DueAlert::from)
            .collect())
    }

    /// Tells the alerts due at `at` (now when `None`): keeps them in the ledger and the alerts
    /// list, then shows each through `notifier`. Returns what was told; an alert told already
    /// (by this process or another on the same cache) is not told again. A notification the
    /// desktop refuses leaves the alert in the list; the first refusal is returned beside it.
    pub async fn tell_due(
        &self,
        at: Option<&str>,
        notifier: &Notifier,
    ) -> Result<(Vec<AlertView>, Option<String>), Error> {
        let now = moment(at)?;
        let due = gatehouse_alerts::due(self.cache(), &self.thresholds(), now)
            .await
            .map_err(storage)?;
        if due.is_empty() {
            return Ok((Vec::new(), None));
        }
        let told = gatehouse_alerts::tell(self.cache(), gatehouse_alerts::group(due), now)
            .await
            .map_err(storage)?;
        let at = now.to_wire();
        let mut refused = None;
        let mut out = Vec::with_capacity(told.len());
        for (id, a) in told {
            let view = AlertView {
                id,
                at: at.clone(),
                kind: AlertKind::parse(a.kind()).unwrap_or(AlertKind::Expiring),
                urgency: AlertUrgency::of(a.urgency),
                title: a.title,
                body: a.body,
                permit_ids: a.permits.into_iter().map(|d| d.permit_id).collect(),
                read: false,
            };
            if let Err(e) = notifier.show(&view).await {
                tracing::warn!(alert = id, "{e}");
                refused.get_or_insert(e);
            }
            out.push(view);
        }
        Ok((out, refused))
    }

    /// The alerts list, newest first.
    pub async fn alerts(&self) -> Result<AlertList, Error> {
        let (stored, unread) = tokio::try_join!(
            self.cache().alerts(ALERTS_SHOWN),
            self.cache().unread_alerts()
        )
        .map_err(storage)?;
        Ok(AlertList {
            alerts: stored
                .into_iter()
                .map(AlertView::of)
                .collect::<Result<_, _>>()?,
            unread: unread.min(u32::MAX as u64) as u32,
        })
    }

    /// Marks alerts read (every unread one when `ids` is empty).
    pub async fn mark_alerts_read(&self, ids: &[i64]) -> Result<(), Error> {
        self.cache()
            .mark_alerts_read(ids, &Timestamp::now().to_wire())
            .await
            .map(drop)
            .map_err(storage)
    }
}
