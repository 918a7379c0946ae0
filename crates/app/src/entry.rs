//! The verdict at the top of a permit's panel: may its crew enter now, and until when; or why
//! not, and when they may. It reads the gate's rules ([`crate::gate::verdict`], the same the
//! desk's pass check uses) and adds what a guard should know beside them: a contractor's expired
//! trade licence, data older than [`DATA_STALE_MINUTES`], an action queued here that Buzz-In does
//! not have yet. Pure: facts in, a verdict out.

use chrono::{Duration, NaiveDate, NaiveTime};
use gatehouse_buzzin::{Permit, Timestamp, community_clock, community_time, inf};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::gate::{self, GateFacts, GateRefusal};

/// Data older than this, in minutes, is flagged: Buzz-In may have changed the permit since.
pub const DATA_STALE_MINUTES: u32 = 15;

/// May the crew enter now?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct EntryVerdict {
    pub may_enter: bool,
    /// Why not, as the gate says it.
    pub refusal: Option<GateRefusal>,
    /// "May enter now", "Not yet valid", "Outside today's hours", "Expired", "Revoked", …
    pub headline: String,
    /// "Until 17:00 today · 3 h 20 min left", "Starts 5 Dec 2026 08:00 · in 2 d 1 h",
    /// "Opens tomorrow at 08:00 (hours 08:00–17:00)", or the gate's sentence.
    pub detail: String,
    /// The moment the detail names (the end of entry, the start, the next opening), ISO-8601 UTC.
    pub until: Option<String>,
    /// What the guard should know although the verdict stands.
    pub warnings: Vec<String>,
    /// The moment judged, ISO-8601 UTC.
    pub at: String,
}

/// What the verdict is made from.
pub struct EntryFacts<'a> {
    pub permit: &'a Permit,
    pub contractor_removed: bool,
    /// The contractor's trade licence expiry (`YYYY-MM-DD`), as the API gives it.
    pub licence_expiry: Option<&'a str>,
    /// When the cache was last brought up to date.
    pub data_as_of: Option<Timestamp>,
    /// An action queued here that ends the pass once Buzz-In has it: its title and when
    /// ("Revoke pass WP-000164, queued here at 3 Dec 2026 20:24").
    pub queued: Option<String>,
}

fn local(t: Timestamp) -> chrono::NaiveDateTime {
    t.0.naive_utc() + Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into())
}

fn at_local(day: NaiveDate, time: NaiveTime) -> Timestamp {
    let utc = day.and_time(time) - Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into());
    Timestamp(utc.and_utc())
}

/// "3 h 20 min", "2 d 1 h", "42 min", "less than a minute".
pub(crate) fn span(d: Duration) -> String {
    let mins = d.num_minutes();
    match mins {
        m if m < 1 => "less than a minute".into(),
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        },
        m => match (m / 60) % 24 {
            0 => format!("{} d", m / (24 * 60)),
            h => format!("{} d {h} h", m / (24 * 60)),
        },
    }
}

/// "17:00 today", "08:00 tomorrow", or "5 Dec 2026 08:00".
fn when(t: Timestamp, now: Timestamp) -> String {
    let (day, today) = (local(t).date(), local(now).date());
    if day == today {
        format!("{} today", community_clock(t))
    } else if Some(day) == today.succ_opt() {
        format!("{} tomorrow", community_clock(t))
    } else {
        community_time(t)
    }
}

fn hhmm(s: Option<&str>) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s?.trim(), "%H:%M").ok()
}

/// The verdict on `facts` at `at`, with the gates' grace after `validTill`.
pub fn entry_verdict(facts: &EntryFacts<'_>, at: Timestamp, grace_secs: i64) -> EntryVerdict {
    let p = facts.permit;
    let gate = gate::verdict(
        &GateFacts {
            permit: Some(p),
            superseded_at: None,
            contractor_removed: facts.contractor_removed,
        },
        at,
        grace_secs,
    );
    let daily = hhmm(p.time_in.as_deref()).zip(hhmm(p.time_out.as_deref()));
    let now = local(at);
    let (headline, detail, until) = match &gate {
        Ok(()) => {
            // Today's hours end (tomorrow's, for hours past midnight begun today), or the permit.
            let window_end = daily.map(|(a, b)| {
                let day = if a > b && now.time() >= a {
                    now.date().succ_opt().unwrap_or(now.date())
                } else {
                    now.date()
                };
                at_local(day, b)
            });
            let end = match (window_end, p.valid_till) {
                (Some(w), Some(t)) => Some(if w.0 < t.0 { w } else { t }),
                (w, t) => w.or(t),
            };
            match end {
                Some(end) => (
                    "May enter now".to_owned(),
                    format!("Until {} · {} left", when(end, at), span(end.0 - at.0)),
                    Some(end.to_wire()),
                ),
                None => (
                    "May enter now".to_owned(),
                    "No end is set.".to_owned(),
                    None,
                ),
            }
        }
        Err(r) => match r.why {
            GateRefusal::NotYetValid => {
                let from = p.valid_from.unwrap_or(at);
                (
                    "Not yet valid".to_owned(),
                    format!("Starts {} · in {}", when(from, at), span(from.0 - at.0)),
                    Some(from.to_wire()),
                )
            }
            GateRefusal::OutsideDailyWindow => match daily {
                Some((a, b)) => {
                    let day = if now.time() < a {
                        now.date()
                    } else {
                        now.date().succ_opt().unwrap_or(now.date())
                    };
                    let opens = at_local(day, a);
                    let hours = format!("hours {}–{}", a.format("%H:%M"), b.format("%H:%M"));
                    match p.valid_till.filter(|t| t.0 <= opens.0) {
                        Some(till) => (
                            "Outside today's hours".to_owned(),
                            format!(
                                "No more openings: the permit ends {} ({hours})",
                                when(till, at)
                            ),
                            None,
                        ),
                        None => (
                            "Outside today's hours".to_owned(),
                            format!(
                                "Opens {} · in {} ({hours})",
                                when(opens, at),
                                span(opens.0 - at.0)
                            ),
                            Some(opens.to_wire()),
                        ),
                    }
                }
                None => ("Outside today's hours".to_owned(), r.sentence.clone(), None),
            },
            why => {
                let headline = match why {
                    GateRefusal::Expired => "Expired",
                    GateRefusal::Revoked => "Revoked",
                    GateRefusal::Archived => "Archived",
                    GateRefusal::ContractorRemoved => "Contractor removed",
                    GateRefusal::NotActive => "Not active",
                    _ => "May not enter",
                };
                (headline.to_owned(), r.sentence.clone(), None)
            }
        },
    };
    let mut warnings = Vec::new();
    if let Some(q) = &facts.queued {
        warnings.push(if gate.is_ok() {
            format!(
                "{q}, has not reached Buzz-In: until it does, the gates let this crew in. Stop them in person if they must not enter."
            )
        } else {
            format!("{q}, has not reached Buzz-In yet.")
        });
    }
    let today = now.date();
    if let Some(expiry) = facts.licence_expiry
        && let Ok(day) = NaiveDate::parse_from_str(expiry.trim(), "%Y-%m-%d")
        && day < today
    {
        warnings.push(format!(
            "The contractor's trade licence expired on {}.",
            day.format("%-d %b %Y")
        ));
    }
    if let Some(as_of) = facts.data_as_of {
        let age = (at.0 - as_of.0).num_minutes();
        if age > i64::from(DATA_STALE_MINUTES) {
            warnings.push(format!(
                "The data is {} old: Buzz-In may have changed this permit since.",
                span(at.0 - as_of.0)
            ));
        }
    }
    EntryVerdict {
        may_enter: gate.is_ok(),
        refusal: gate.err().map(|r| r.why),
        headline,
        detail,
        until,
        warnings,
        at: at.to_wire(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 10:00 in the community (06:00 UTC).
    fn ten_am() -> Timestamp {
        Timestamp::parse("2026-12-03T06:00:00.000Z").unwrap()
    }

    fn permit(from: &str, till: &str, tin: &str, tout: &str) -> Permit {
        serde_json::from_value(serde_json::json!({
            "_id": "670000000000000000000001",
            "statusName": "ACCEPTED",
            "validFrom": from, "validTill": till, "timeIn": tin, "timeOut": tout,
        }))
        .unwrap()
    }

    fn facts(p: &Permit) -> EntryFacts<'_> {
        EntryFacts {
            permit: p,
            contractor_removed: false,
            licence_expiry: None,
            data_as_of: None,
            queued: None,
        }
    }

    #[test]
    fn a_valid_permit_may_enter_until_its_hours_end_today() {
        let p = permit(
            "2026-12-01T04:00:00.000Z",
            "2026-12-10T13:00:00.000Z",
            "08:00",
            "17:00",
        );
        let v = entry_verdict(&facts(&p), ten_am(), 0);
        assert!(v.may_enter);
        assert_eq!(v.headline, "May enter now");
        assert_eq!(v.detail, "Until 17:00 today · 7 h left");
        assert_eq!(v.until.as_deref(), Some("2026-12-03T13:00:00.000Z"));
        // The permit ending first is the limit.
        let p = permit(
            "2026-12-01T04:00:00.000Z",
            "2026-12-03T07:30:00.000Z",
            "08:00",
            "17:00",
        );
        let v = entry_verdict(&facts(&p), ten_am(), 0);
        assert_eq!(v.detail, "Until 11:30 today · 1 h 30 min left");
    }

    #[test]
    fn before_its_start_or_outside_its_hours_it_says_when_entry_opens() {
        let p = permit(
            "2026-12-05T04:00:00.000Z",
            "2026-12-10T13:00:00.000Z",
            "08:00",
            "17:00",
        );
        let v = entry_verdict(&facts(&p), ten_am(), 0);
        assert!(!v.may_enter);
        assert_eq!(v.refusal, Some(GateRefusal::NotYetValid));
        assert_eq!(v.headline, "Not yet valid");
        assert_eq!(v.detail, "Starts 5 Dec 2026 08:00 · in 1 d 22 h");

        let p = permit(
            "2026-12-01T04:00:00.000Z",
            "2026-12-10T13:00:00.000Z",
            "13:00",
            "18:00",
        );
        let v = entry_verdict(&facts(&p), ten_am(), 0);
        assert_eq!(v.refusal, Some(GateRefusal::OutsideDailyWindow));
        assert_eq!(v.headline, "Outside today's hours");
        assert_eq!(v.detail, "Opens 13:00 today · in 3 h (hours 13:00–18:00)");

        let p = permit(
            "2026-12-01T04:00:00.000Z",
            "2026-12-10T13:00:00.000Z",
            "06:00",
            "09:00",
        );
        let v = entry_verdict(&facts(&p), ten_am(), 0);
        assert_eq!(
            v.detail,
            "Opens 06:00 tomorrow · in 20 h (hours 06:00–09:00)"
        );

        let p = permit(
            "2026-12-01T04:00:00.000Z",
            "2026-12-03T12:00:00.000Z",
            "06:00",
            "09:00",
        );
        let v = entry_verdict(&facts(&p), ten_am(), 0);
        assert!(v.detail.starts_with("No more openings"), "{}", v.detail);
    }

    #[test]
    fn an_ended_permit_says_so_and_warnings_stand_beside_any_verdict() {
        let p = permit(
            "2026-11-01T04:00:00.000Z",
            "2026-12-02T13:00:00.000Z",
            "08:00",
            "17:00",
        );
        let mut f = facts(&p);
        f.licence_expiry = Some("2026-12-02");
        f.data_as_of = Some(Timestamp::parse("2026-12-03T05:18:00.000Z").unwrap());
        f.queued = Some("Revoke pass WP-1, queued here at 3 Dec 2026 09:00".into());
        let v = entry_verdict(&f, ten_am(), 0);
        assert_eq!((v.may_enter, v.headline.as_str()), (false, "Expired"));
        assert_eq!(
            v.warnings,
            [
                "Revoke pass WP-1, queued here at 3 Dec 2026 09:00, has not reached Buzz-In yet.",
                "The contractor's trade licence expired on 2 Dec 2026.",
                "The data is 42 min old: Buzz-In may have changed this permit since.",
            ]
        );
        // A licence expiring today and data younger than the threshold say nothing.
        f.licence_expiry = Some("2026-12-03");
        f.data_as_of = Some(Timestamp::parse("2026-12-03T05:50:00.000Z").unwrap());
        f.queued = None;
        assert!(entry_verdict(&f, ten_am(), 0).warnings.is_empty());
        // While the gates still let them in, the warning says to stop them in person.
        let open = permit(
            "2026-12-01T04:00:00.000Z",
            "2026-12-10T13:00:00.000Z",
            "08:00",
            "17:00",
        );
        let mut f = facts(&open);
        f.queued = Some("Revoke pass WP-1, queued here at 3 Dec 2026 09:00".into());
        let v = entry_verdict(&f, ten_am(), 0);
        assert!(
            v.may_enter && v.warnings[0].contains("Stop them in person"),
            "{v:?}"
        );
    }

    #[test]
    fn spans_read_as_a_desk_says_them() {
        assert_eq!(span(Duration::seconds(20)), "less than a minute");
        assert_eq!(span(Duration::minutes(42)), "42 min");
        assert_eq!(span(Duration::minutes(120)), "2 h");
        assert_eq!(span(Duration::minutes(24 * 60 + 5)), "1 d");
        assert_eq!(span(Duration::minutes(50 * 60)), "2 d 2 h");
    }
}
