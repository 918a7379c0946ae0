//! When permits' alerts are told: the thresholds before `validTill` (72 h, 24 h and 2 h by
//! default, or a profile's own), the "expired" alert, and which a permit has reached at a
//! given moment.

use gatehouse_buzzin::Timestamp;

/// How long after its end a permit still gets its "expired" alert: an app that was off for the
/// night still tells it in the morning; an older end is history, not news.
pub const EXPIRED_REACH_SECS: u64 = 24 * 3600;

/// Thresholds this close to the end are told as critical (they stay on screen).
pub const CRITICAL_WITHIN_SECS: u64 = 2 * 3600;

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
    pub(crate) fn reach_from(&self, now: Timestamp) -> Timestamp {
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

    /// How far before the end, in words: `24 h`, `90 min`, `30 days`; `0` for the end.
    pub fn lead(self) -> String {
        match self {
            Threshold::Expired => "0".into(),
            Threshold::Before(s) => human(s),
            Threshold::Licence(d) => format!("{d} days"),
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

/// `72 h`, `90 min`.
pub(crate) fn human(secs: u64) -> String {
    if secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else {
        format!("{} min", secs.div_ceil(60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
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
