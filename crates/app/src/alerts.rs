//! Expiry alerts of the open community: what is due now (or at a given time), grouped as a desk
//! is told of it, from `gatehouse-alerts` over the cache; telling it (kept in the ledger and the
//! alerts list, then shown by a [`crate::Notifier`]); and the alerts list the window shows. The
//! thresholds are the profile's (72 h, 24 h, 2 h and expired by default).

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
    /// Approved contractors' trade licences about to expire (30 and 7 days before).
    Licence,
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
            AlertKind::Licence => "licence",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [AlertKind::Expiring, AlertKind::Expired, AlertKind::Licence]
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
    /// `72h`, `24h`, `2h`, `expired`, `licence-30d`, `licence-7d`.
    pub threshold: String,
    pub urgency: AlertUrgency,
    pub title: String,
    pub body: String,
    /// The permits a click opens (a licence's: the contractor's ACCEPTED permits).
    pub permit_ids: Vec<String>,
    /// The permits' pass numbers (a licence's: the contractors' names).
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
            permit_ids: a.permit_ids().into_iter().map(str::to_owned).collect(),
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
    fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// What is due at `now` and not yet told: permits, then trade licences.
    async fn due_at(&self, now: Timestamp) -> Result<Vec<gatehouse_alerts::Due>, Error> {
        let (mut due, licences) = tokio::try_join!(
            gatehouse_alerts::due(self.cache(), self.thresholds(), now),
            gatehouse_alerts::licences::due(self.cache(), now)
        )
        .map_err(storage)?;
        due.extend(licences);
        Ok(due)
    }

    /// The alerts due at `at` (ISO-8601; now when `None`) and not yet told, most urgent first.
    /// Nothing is told or recorded.
    pub async fn alerts_due(&self, at: Option<&str>) -> Result<Vec<DueAlert>, Error> {
        let now = moment(at)?;
        let due = self.due_at(now).await?;
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
        let due = self.due_at(now).await?;
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
                permit_ids: a.permit_ids().into_iter().map(str::to_owned).collect(),
                title: a.title,
                body: a.body,
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

/// How often the window tells what is due, at most: a wall-clock tick, so a laptop that slept
/// catches up within this of waking (one long sleep would stall across the suspend).
pub const ALERT_TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// How long after a change to the permits the alerts are looked at (a sync writes in batches).
const SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

impl crate::Session {
    /// Tells the open community's due alerts through `notifier`, for as long as the session
    /// lives: at once, every [`ALERT_TICK`], and shortly after each change to the permits (a
    /// sync brought new ends, or a permit was extended), on whichever community is open.
    /// `paused` holds alerts back until the moment it names (the tray's "Pause alerts").
    pub async fn tell_alerts(
        &self,
        notifier: Notifier,
        paused: tokio::sync::watch::Receiver<Option<std::time::Instant>>,
    ) {
        let mut switched = self.switched();
        loop {
            let community = self.community().await;
            let mut writes = community.writes();
            loop {
                let held = paused
                    .borrow()
                    .is_some_and(|until| std::time::Instant::now() < until);
                if !held && let Err(e) = community.tell_due(None, &notifier).await {
                    tracing::warn!("alerts: {}", e.message);
                }
                let woke = tokio::select! {
                    _ = tokio::time::sleep(ALERT_TICK) => Wake::Tick,
                    w = permits_changed(&mut writes) => w,
                    s = switched.changed() => if s.is_ok() { Wake::Switched } else { return },
                };
                match woke {
                    Wake::Tick => {}
                    Wake::Changed => tokio::time::sleep(SETTLE).await,
                    Wake::Switched | Wake::Closed => break,
                }
            }
            switched.borrow_and_update();
        }
    }
}

enum Wake {
    Tick,
    Changed,
    Switched,
    Closed,
}

/// The next write to the permits (a missed one counts).
async fn permits_changed(
    writes: &mut tokio::sync::broadcast::Receiver<gatehouse_cache::Committed>,
) -> Wake {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match writes.recv().await {
            Ok(gatehouse_cache::Committed::Permits(_)) | Err(RecvError::Lagged(_)) => {
                return Wake::Changed;
            }
            Ok(_) => {}
            Err(RecvError::Closed) => return Wake::Closed,
        }
    }
}

/// What the tray says: the permits that end within a day, and its menu's words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayView {
    /// The ACCEPTED permits ending within 24 h (at most [`crate::PERMIT_IDS_MAX`]), soonest first.
    pub expiring: Vec<String>,
    /// How many in all.
    pub total: u64,
}

/// The tray's window: permits ending within this are counted.
pub const TRAY_WITHIN_MINUTES: u32 = 24 * 60;

impl TrayView {
    /// The menu line that opens them: "3 permits expire within 24 h".
    pub fn expiring_line(&self) -> String {
        match self.total {
            0 => "No permit expires within 24 h".into(),
            1 => "1 permit expires within 24 h".into(),
            n => format!("{n} permits expire within 24 h"),
        }
    }

    /// The tooltip (Windows shows at most 64 characters) and the title (macOS's menu bar).
    pub fn tooltip(&self, paused: bool) -> String {
        let mut t = format!("Gatehouse: {}", self.expiring_line().to_lowercase());
        if paused {
            t.push_str(" (alerts paused)");
        }
        t.chars().take(64).collect()
    }
}

impl Community {
    /// What the tray shows now.
    pub async fn tray(&self) -> Result<TrayView, Error> {
        let filter = crate::PermitFilter {
            statuses: vec![gatehouse_buzzin::StatusName::Accepted],
            expiring_within_minutes: Some(TRAY_WITHIN_MINUTES),
            ..crate::PermitFilter::default()
        };
        // Ids only: the tray needs no rows (no contractor read for each permit, every minute).
        let (documents, total) = self
            .permit_documents(&filter, Some(crate::PERMIT_IDS_MAX as u64))
            .await?;
        Ok(TrayView {
            expiring: documents.into_iter().map(|p| p.id).collect(),
            total,
        })
    }
}
