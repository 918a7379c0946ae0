//! Expiry alerts of the open community: what is due now (or at a given time), grouped as a desk
//! is told of it, from `gatehouse-alerts` over the cache; telling it (kept in the ledger and the
//! alerts list, then shown by a [`crate::Notifier`]); and the alerts list the window shows. The
//! thresholds are the profile's (72 h, 24 h, 2 h and expired by default). The window's
//! telling loop is in `watch.rs`, the tray's view in `tray.rs`.

use gatehouse_alerts::{Alert, Thresholds};
use gatehouse_buzzin::Timestamp;
use gatehouse_cache::StoredAlert;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::check::parse_at;
use crate::community::storage;
use crate::{Community, Error, Notifier};

mod tray;
mod watch;

pub use tray::{TRAY_WITHIN_MINUTES, TrayView};
pub use watch::ALERT_TICK;

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

/// A permit whose alerts were put off until its next threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SnoozedView {
    pub permit_id: String,
    pub pass_number: String,
    /// Its next alert's threshold (`24h`, `2h`, `expired`), if one is left.
    pub next_alert: Option<String>,
    /// When that is due, ISO-8601 UTC.
    pub next_alert_at: Option<String>,
    /// What a desk is told: "WP-000164: quiet until 24 h before its end (3 Dec 14:00 GST)".
    pub said: String,
}

impl SnoozedView {
    fn of(s: gatehouse_alerts::snooze::Snoozed) -> SnoozedView {
        use gatehouse_alerts::Threshold;
        let said = match s.next {
            Some((Threshold::Expired, at)) => format!(
                "{}: quiet until its end ({} GST)",
                s.pass_number,
                gatehouse_buzzin::community_time(at)
            ),
            Some((t, at)) => format!(
                "{}: quiet until {} before its end ({} GST)",
                s.pass_number,
                t.lead(),
                gatehouse_buzzin::community_time(at)
            ),
            None => format!("{}: quiet; nothing is left to tell", s.pass_number),
        };
        SnoozedView {
            next_alert: s.next.map(|(t, _)| t.key()),
            next_alert_at: s.next.map(|(_, at)| at.to_wire()),
            permit_id: s.permit_id,
            pass_number: s.pass_number,
            said,
        }
    }
}

/// The most permits one snooze puts off.
pub const SNOOZE_MAX: usize = crate::PERMIT_IDS_MAX;

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
        self.thresholds.read().expect("not poisoned").clone()
    }

    /// Tells from now on at `thresholds`.
    pub(crate) fn set_thresholds(&self, thresholds: Thresholds) {
        *self.thresholds.write().expect("not poisoned") = thresholds;
    }

    /// What is due at `now` and not yet told: permits, then trade licences.
    async fn due_at(&self, now: Timestamp) -> Result<Vec<gatehouse_alerts::Due>, Error> {
        let thresholds = self.thresholds();
        let (mut due, licences) = tokio::try_join!(
            gatehouse_alerts::due(self.cache(), &thresholds, now),
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

    /// Puts off the alerts of `permits` (ids or pass numbers; ACCEPTED ones: others have none
    /// before their end) at `at` (now when `None`) until each one's next threshold; says when
    /// that is.
    pub async fn snooze_alerts(
        &self,
        permits: &[String],
        at: Option<&str>,
    ) -> Result<Vec<SnoozedView>, Error> {
        if permits.is_empty() || permits.len() > SNOOZE_MAX {
            return Err(Error::invalid_input(format!(
                "Snooze one to {SNOOZE_MAX} permits at a time, not {}.",
                permits.len()
            )));
        }
        let now = moment(at)?;
        let mut ids = Vec::with_capacity(permits.len());
        for key in permits {
            match self
                .cache()
                .permit_by_id_or_pass(key)
                .await
                .map_err(storage)?
            {
                Some(p) => ids.push(p.id),
                None => {
                    return Err(Error::not_found(format!(
                        "No permit {key} in the cache: nothing was snoozed."
                    )));
                }
            }
        }
        let ids = &ids;
        let snoozed = gatehouse_alerts::snooze::snooze(self.cache(), &self.thresholds(), ids, now)
            .await
            .map_err(storage)?;
        if snoozed.is_empty() {
            return Err(Error::invalid_input(
                "None of these permits is ACCEPTED in the cache: there are no alerts to put off.",
            ));
        }
        Ok(snoozed.into_iter().map(SnoozedView::of).collect())
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
