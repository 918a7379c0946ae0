//! What a desk is told: the due permits grouped by threshold, each on its own or, past
//! [`DIGEST_OVER`] at one threshold, as one digest, with their titles and bodies.

use gatehouse_buzzin::community_time;
use gatehouse_cache::NewAlert;

use crate::thresholds::human;
use crate::{Due, Threshold, Urgency, licences};

/// More alerts than this at one threshold become one digest.
pub const DIGEST_OVER: usize = 3;

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

    pub(crate) fn to_new(&self) -> NewAlert {
        NewAlert {
            kind: self.kind().into(),
            urgency: self.urgency.as_str().into(),
            title: self.title.clone(),
            body: self.body.clone(),
            permit_ids: self.permit_ids().into_iter().map(str::to_owned).collect(),
            keys: self.permits.iter().map(|d| (d.key(), d.told)).collect(),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_buzzin::Timestamp;

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
            told: gatehouse_cache::Told::Notified,
        }
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
}
