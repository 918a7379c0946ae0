//! Expiry alerts: which permits have reached which threshold before their end, grouped into what
//! a desk is told, and kept in the cache's ledger so that nothing is told twice. No Tauri and no
//! OS here: the notifications (notify-rust) and the tray belong to the shell and the CLI. Every
//! function is given `now`: the clock is the caller's (a wall-clock tick in the app, a time
//! given on the command line, a test's).
//!
//! - [`Thresholds`]: 72 h, 24 h and 2 h before `validTill` by default, and an alert once it has
//!   passed ([`Threshold::Expired`]).
//! - [`due`]: the ACCEPTED permits that have reached a threshold and were not told of it: each
//!   at its most urgent threshold only, so an app that was off while several passed tells one.
//! - [`licences::due`]: approved contractors' trade licences 30 and 7 days before they expire.
//! - [`group`]: more than three at one threshold become one digest.
//! - [`tell`]: keeps the alerts in the ledger and the alerts list; an alert already kept (by
//!   another process, a moment before) is not told again.

use gatehouse_buzzin::{StatusName, Timestamp, community_time};
use gatehouse_cache::{Band, Cache, CacheError, LedgerKey, NewAlert};

pub mod licences;

/// How long after its end a permit still gets its "expired" alert: an app that was off for the
/// night still tells it in the morning; an older end is history, not news.
pub const EXPIRED_REACH_SECS: u64 = 24 * 3600;

/// Thresholds this close to the end are told as critical (they stay on screen).
pub const CRITICAL_WITHIN_SECS: u64 = 2 * 3600;

/// More alerts than this at one threshold become one digest.
pub const DIGEST_OVER: usize = 3;

/// When permits' alerts are told: times before `validTill`, and whether its passing is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// Seconds before the end, longest first.
    before: Vec<u64>,
    expired: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            before: vec![72 * 3600, 24 * 3600, 2 * 3600],
            expired: true,
        }
    }
}

/// The thresholds a profile may set: one to six, each a minute to thirty days before the end.
pub const THRESHOLDS_MAX: usize = 6;
const BEFORE_RANGE: std::ops::RangeInclusive<u64> = 60..=30 * 86_400;

impl Thresholds {
    /// `before` in seconds (any order, no repeats), and whether an expired permit is told.
    pub fn new(before: impl IntoIterator<Item = u64>, expired: bool) -> Result<Self, String> {
        let mut before: Vec<u64> = before.into_iter().collect();
        if before.is_empty() || before.len() > THRESHOLDS_MAX {
            return Err(format!(
                "Give one to {THRESHOLDS_MAX} alert times before a permit ends, not {}.",
                before.len()
            ));
        }
        if let Some(odd) = before.iter().find(|s| !BEFORE_RANGE.contains(s)) {
            return Err(format!(
                "An alert time is a minute to 30 days before a permit ends, not {}.",
                human(*odd)
            ));
        }
        before.sort_unstable_by(|a, b| b.cmp(a));
        if let Some(w) = before.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("{} is given twice as an alert time.", human(w[0])));
        }
        Ok(Self { before, expired })
    }

    /// Seconds before the end, longest first.
    pub fn before(&self) -> &[u64] {
        &self.before
    }

    pub fn tells_expired(&self) -> bool {
        self.expired
    }

    /// The earliest end still in reach at `now`: a day back when the end itself is told
    /// ([`EXPIRED_REACH_SECS`]), else just after `now`.
    fn reach_from(&self, now: Timestamp) -> Timestamp {
        if self.expired {
            Timestamp(now.0 - chrono::Duration::seconds(EXPIRED_REACH_SECS as i64))
        } else {
            Timestamp(now.0 + chrono::Duration::milliseconds(1))
        }
    }

    /// At `now`, each threshold with the latest end it holds, most urgent first: an end at or
    /// before `now` has expired; one at or before `now` + 2 h is in the 2 h threshold; and so on.
    /// An end belongs to the first that holds it.
    pub fn bands(&self, now: Timestamp) -> Vec<(Timestamp, Threshold)> {
        let mut out = Vec::with_capacity(self.before.len() + 1);
        if self.expired {
            out.push((now, Threshold::Expired));
        }
        for &t in self.before.iter().rev() {
            let till = Timestamp(now.0 + chrono::Duration::seconds(t as i64));
            out.push((till, Threshold::Before(t)));
        }
        out
    }

    /// The most urgent threshold a permit ending at `valid_till` has reached at `now`, if any.
    pub fn reached(&self, valid_till: Timestamp, now: Timestamp) -> Option<Threshold> {
        if valid_till < self.reach_from(now) {
            return None;
        }
        self.bands(now)
            .into_iter()
            .find(|(till, _)| valid_till <= *till)
            .map(|(_, t)| t)
    }
}

/// One threshold. Ordered most urgent first: expired, then the shortest time before the end,
/// then a contractor's trade licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Threshold {
    Expired,
    /// Seconds before the end.
    Before(u64),
    /// Days before an approved contractor's trade licence expires ([`licences`]).
    Licence(u32),
}

impl Threshold {
    /// Its name in the ledger: `72h`, `90m`, `expired`.
    pub fn key(self) -> String {
        match self {
            Threshold::Expired => "expired".into(),
            Threshold::Before(s) if s.is_multiple_of(3600) => format!("{}h", s / 3600),
            Threshold::Before(s) => format!("{}m", s.div_ceil(60)),
            Threshold::Licence(d) => format!("licence-{d}d"),
        }
    }

    pub fn urgency(self) -> Urgency {
        match self {
            Threshold::Before(s) if s <= CRITICAL_WITHIN_SECS => Urgency::Critical,
            _ => Urgency::Normal,
        }
    }
}

/// How an alert asks for attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal,
    /// Stays on screen until dismissed.
    Critical,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Critical => "critical",
        }
    }
}

/// A permit (or a contractor's trade licence) that has reached a threshold and was not told of
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The permit's id (`licence:<contractor id>` for a licence: the ledger's subject).
    pub permit_id: String,
    /// The pass number (the contractor's name for a licence).
    pub pass_number: String,
    /// The end (a licence's expiry, at the start of its day in the community's time).
    pub valid_till: Timestamp,
    pub threshold: Threshold,
    /// The `validTill` as the cache holds it (the licence's expiry date): the ledger's key.
    valid_till_wire: String,
    /// The permits a click on the alert opens: the permit itself, or the contractor's ACCEPTED
    /// permits.
    pub opens: Vec<String>,
}

impl Due {
    fn key(&self) -> LedgerKey {
        LedgerKey {
            permit_id: self.permit_id.clone(),
            threshold: self.threshold.key(),
            valid_till: self.valid_till_wire.clone(),
        }
    }
}

/// What a desk is told: one permit, or a digest of more than [`DIGEST_OVER`] at one threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub threshold: Threshold,
    pub urgency: Urgency,
    pub title: String,
    pub body: String,
    /// Soonest end first.
    pub permits: Vec<Due>,
}

impl Alert {
    /// The permits a click opens.
    pub fn permit_ids(&self) -> Vec<&str> {
        self.permits
            .iter()
            .flat_map(|d| d.opens.iter().map(String::as_str))
            .collect()
    }

    /// `expiring`, `expired` or `licence`.
    pub fn kind(&self) -> &'static str {
        match self.threshold {
            Threshold::Expired => "expired",
            Threshold::Before(_) => "expiring",
            Threshold::Licence(_) => "licence",
        }
    }

    fn to_new(&self) -> NewAlert {
        NewAlert {
            kind: self.kind().into(),
            urgency: self.urgency.as_str().into(),
            title: self.title.clone(),
            body: self.body.clone(),
            permit_ids: self.permit_ids().into_iter().map(str::to_owned).collect(),
            keys: self.permits.iter().map(Due::key).collect(),
        }
    }
}

/// The permits due an alert at `now` and not yet told, soonest end first: each ACCEPTED permit
/// at the most urgent threshold it has reached, and each that ended within
/// [`EXPIRED_REACH_SECS`] (ACCEPTED still, or EXPIRED) once. A revoked or archived permit is
/// told nothing.
pub async fn due(
    cache: &Cache,
    thresholds: &Thresholds,
    now: Timestamp,
) -> Result<Vec<Due>, CacheError> {
    let bands = thresholds.bands(now);
    // Only a live permit is still to end; one the server calls EXPIRED has ended.
    let statuses = |t: Threshold| match t {
        Threshold::Expired => vec![
            StatusName::Accepted.as_str().to_owned(),
            StatusName::Expired.as_str().to_owned(),
        ],
        Threshold::Before(_) | Threshold::Licence(_) => {
            vec![StatusName::Accepted.as_str().to_owned()]
        }
    };
    let spans: Vec<Band> = bands
        .iter()
        .map(|&(till, t)| Band {
            till: till.to_wire(),
            label: t.key(),
            statuses: statuses(t),
        })
        .collect();
    let untold = cache
        .untold_in_bands(&thresholds.reach_from(now).to_wire(), &spans)
        .await?;
    Ok(untold
        .into_iter()
        .filter_map(|(e, band)| {
            Some(Due {
                valid_till: Timestamp::parse(&e.valid_till)?,
                threshold: bands.get(band)?.1,
                opens: vec![e.id.clone()],
                permit_id: e.id,
                pass_number: e.pass_number,
                valid_till_wire: e.valid_till,
            })
        })
        .collect())
}

/// The due permits as a desk is told of them, most urgent threshold first: each permit on its
/// own, or one digest for a threshold that more than [`DIGEST_OVER`] reached.
pub fn group(due: Vec<Due>) -> Vec<Alert> {
    let mut by: std::collections::BTreeMap<Threshold, Vec<Due>> = Default::default();
    for d in due {
        by.entry(d.threshold).or_default().push(d);
    }
    let mut out = Vec::new();
    for (threshold, mut permits) in by {
        permits.sort_by(|a, b| (a.valid_till, &a.pass_number).cmp(&(b.valid_till, &b.pass_number)));
        let urgency = threshold.urgency();
        if permits.len() > DIGEST_OVER {
            let (title, body) = digest(threshold, &permits);
            out.push(Alert {
                threshold,
                urgency,
                title,
                body,
                permits,
            });
            continue;
        }
        for d in permits {
            let (title, body) = one(&d);
            out.push(Alert {
                threshold,
                urgency,
                title,
                body,
                permits: vec![d],
            });
        }
    }
    out
}

fn one(d: &Due) -> (String, String) {
    let end = community_time(d.valid_till);
    match d.threshold {
        Threshold::Expired => (
            format!("{} has expired", d.pass_number),
            format!("It ended at {end} GST: its code no longer opens the gate."),
        ),
        Threshold::Before(s) => (
            format!("{} expires within {}", d.pass_number, human(s)),
            format!("Valid until {end} GST; after that its code no longer opens the gate."),
        ),
        Threshold::Licence(days) => licences::one(d, days),
    }
}

fn digest(threshold: Threshold, permits: &[Due]) -> (String, String) {
    let n = permits.len();
    let title = match threshold {
        Threshold::Expired => format!("{n} permits have expired"),
        Threshold::Before(s) => format!("{n} permits expire within {}", human(s)),
        Threshold::Licence(d) => format!("{n} trade licences expire within {d} days"),
    };
    let named: Vec<&str> = permits
        .iter()
        .take(DIGEST_OVER)
        .map(|d| d.pass_number.as_str())
        .collect();
    let body = format!("{} and {} more", named.join(", "), n - named.len());
    (title, body)
}

/// `72 h`, `90 min`.
fn human(secs: u64) -> String {
    if secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else {
        format!("{} min", secs.div_ceil(60))
    }
}

/// Keeps `alerts` in the ledger and the alerts list at `now` and returns the ones to tell, each
/// with its id in the list. An alert whose permits were all told already (by another process a
/// moment before: the window and the headless runner share the cache) is left out.
pub async fn tell(
    cache: &Cache,
    alerts: Vec<Alert>,
    now: Timestamp,
) -> Result<Vec<(i64, Alert)>, CacheError> {
    let new: Vec<NewAlert> = alerts.iter().map(Alert::to_new).collect();
    let ids = cache.record_alerts(&new, &now.to_wire()).await?;
    Ok(ids
        .into_iter()
        .zip(alerts)
        .filter_map(|(id, a)| id.map(|id| (id, a)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn due_at(n: usize, threshold: Threshold) -> Due {
        let till = format!("2026-12-0{}T1{n}:00:00.000Z", 2 + n / 10);
        Due {
            permit_id: format!("p{n}"),
            pass_number: format!("WP-0001{n:02}"),
            valid_till: at(&till),
            threshold,
            valid_till_wire: till,
            opens: vec![format!("p{n}")],
        }
    }

    #[test]
    fn each_permit_reaches_its_most_urgent_threshold_only() {
        let t = Thresholds::default();
        let end = at("2026-12-05T14:00:00.000Z");
        let before = |h: i64, m: i64| {
            Timestamp(end.0 - chrono::Duration::hours(h) - chrono::Duration::minutes(m))
        };
        assert_eq!(t.reached(end, before(72, 1)), None);
        assert_eq!(
            t.reached(end, before(72, 0)),
            Some(Threshold::Before(72 * 3600))
        );
        assert_eq!(
            t.reached(end, before(30, 0)),
            Some(Threshold::Before(72 * 3600))
        );
        assert_eq!(
            t.reached(end, before(23, 59)),
            Some(Threshold::Before(24 * 3600))
        );
        // Off from 50 h before to 1 h before: the 2 h threshold, not the 24 h one.
        assert_eq!(
            t.reached(end, before(1, 0)),
            Some(Threshold::Before(2 * 3600))
        );
        assert_eq!(t.reached(end, end), Some(Threshold::Expired));
        assert_eq!(t.reached(end, before(-24, 0)), Some(Threshold::Expired));
        assert_eq!(
            t.reached(end, before(-24, -1)),
            None,
            "a day after, it is history"
        );
        let quiet = Thresholds::new([3600], false).unwrap();
        assert_eq!(quiet.reached(end, end), None);
    }

    #[test]
    fn more_than_three_at_one_threshold_are_one_digest() {
        let day = Threshold::Before(24 * 3600);
        let two = Threshold::Before(2 * 3600);
        let mut due: Vec<Due> = (0..5).map(|n| due_at(n, day)).collect();
        due.extend((5..8).map(|n| due_at(n, two)));
        due.reverse();
        let alerts = group(due);
        assert_eq!(alerts.len(), 4, "three 2 h alerts, one 24 h digest");
        for a in &alerts[..3] {
            assert_eq!(
                (a.threshold, a.urgency, a.permits.len()),
                (two, Urgency::Critical, 1)
            );
            assert!(a.title.ends_with("expires within 2 h"), "{}", a.title);
        }
        assert_eq!(alerts[0].title, "WP-000105 expires within 2 h");
        let digest = &alerts[3];
        assert_eq!(digest.urgency, Urgency::Normal);
        assert_eq!(digest.title, "5 permits expire within 24 h");
        assert_eq!(digest.body, "WP-000100, WP-000101, WP-000102 and 2 more");
        assert_eq!(digest.permit_ids(), ["p0", "p1", "p2", "p3", "p4"]);
    }

    #[test]
    fn thresholds_a_profile_may_set() {
        let t = Thresholds::new([3600, 7 * 86_400, 90 * 60], true).unwrap();
        assert_eq!(t.before(), [7 * 86_400, 5400, 3600]);
        assert_eq!(Threshold::Before(5400).key(), "90m");
        for (bad, says) in [
            (vec![], "one to 6"),
            (vec![30], "a minute to 30 days"),
            (vec![3600, 3600], "1 h is given twice"),
        ] {
            let err = Thresholds::new(bad, true).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }
}
