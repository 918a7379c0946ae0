//! The gate's rules, as the reference states them (§4.3: status, validity window, daily window,
//! grace), read here on their own: the sandbox's gate is another reading, and a test compares the
//! two. Pure: facts in, a verdict out.

use chrono::{NaiveTime, Timelike};
use gatehouse_buzzin::{Permit, StatusName, Timestamp, inf};
pub(crate) use gatehouse_passes::community_time;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a gate turns a code away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum GateRefusal {
    /// No permit this cache knows has this code.
    UnknownCode,
    /// A reissue replaced it with a new code.
    Superseded,
    Revoked,
    /// Archived (its contractor was revoked, or it was used up).
    Archived,
    /// Past `validTill` (or EXPIRED).
    Expired,
    /// Before `validFrom`.
    NotYetValid,
    /// Not ACCEPTED: pending, rejected, a draft.
    NotActive,
    /// Outside the daily `timeIn`–`timeOut` window.
    OutsideDailyWindow,
    /// Its contractor was removed from the community.
    ContractorRemoved,
}

/// What the gate needs to know about a code.
pub struct GateFacts<'a> {
    /// The permit that has (or had) the code; `None` for a code never seen.
    pub permit: Option<&'a Permit>,
    /// When a reissue superseded the code (`None` while it is the permit's code).
    pub superseded_at: Option<Timestamp>,
    pub contractor_removed: bool,
}

/// A refusal with the sentence the desk reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub why: GateRefusal,
    pub sentence: String,
}

/// The gate's verdict at `at`, with `grace_secs` of grace after `validTill` [GAP]: `Ok` when
/// the code opens it.
pub fn verdict(facts: &GateFacts<'_>, at: Timestamp, grace_secs: i64) -> Result<(), Refused> {
    let refuse = |why, sentence: String| Err(Refused { why, sentence });
    let Some(p) = facts.permit else {
        return refuse(
            GateRefusal::UnknownCode,
            "No permit here has this code.".into(),
        );
    };
    if let Some(when) = facts.superseded_at {
        return refuse(
            GateRefusal::Superseded,
            format!(
                "This code was replaced by a reissue on {}; only the new pass opens the gate.",
                community_time(when)
            ),
        );
    }
    match p.status_name() {
        Some(StatusName::Accepted) => {}
        Some(StatusName::Revoked) => {
            return refuse(GateRefusal::Revoked, "The permit was revoked.".into());
        }
        Some(StatusName::Archived) => {
            return refuse(GateRefusal::Archived, "The permit was archived.".into());
        }
        Some(StatusName::Expired) => {
            return refuse(GateRefusal::Expired, "The permit has expired.".into());
        }
        other => {
            let word = other.map(|s| s.to_string()).unwrap_or_default();
            let word = if word.is_empty() { "unknown" } else { &word };
            return refuse(
                GateRefusal::NotActive,
                format!("The permit is not active (its status is {word})."),
            );
        }
    }
    if facts.contractor_removed {
        return refuse(
            GateRefusal::ContractorRemoved,
            "The permit's contractor was removed from the community.".into(),
        );
    }
    if let Some(from) = p.valid_from.filter(|from| at.0 < from.0) {
        return refuse(
            GateRefusal::NotYetValid,
            format!("The permit is valid from {}.", community_time(from)),
        );
    }
    if let Some(till) = p.valid_till {
        let end = till.0 + chrono::Duration::seconds(grace_secs);
        if at.0 >= end {
            return refuse(
                GateRefusal::Expired,
                format!("The permit expired on {}.", community_time(till)),
            );
        }
    }
    if let (Some(tin), Some(tout)) = (p.time_in.as_deref(), p.time_out.as_deref()) {
        let hhmm = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
        let inside = match (hhmm(tin), hhmm(tout)) {
            (Some(a), Some(b)) => within_daily(a, b, local_time(at)),
            _ => false,
        };
        if !inside {
            return refuse(
                GateRefusal::OutsideDailyWindow,
                format!("The permit lets its crew in from {tin} to {tout} only."),
            );
        }
    }
    Ok(())
}

/// The time of day at the community.
fn local_time(at: Timestamp) -> NaiveTime {
    (at.0 + chrono::Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into())).time()
}

/// Whether `t` falls in the daily window `a`–`b` (past midnight when `b` is before `a`).
fn within_daily(a: NaiveTime, b: NaiveTime, t: NaiveTime) -> bool {
    let end_holds = |t: NaiveTime| {
        if inf::DAILY_WINDOW_HOLDS_LAST_MINUTE {
            (t.hour(), t.minute()) <= (b.hour(), b.minute())
        } else {
            t < b
        }
    };
    if a <= b {
        t >= a && end_holds(t)
    } else {
        t >= a || end_holds(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32, s: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, s).unwrap()
    }

    #[test]
    fn a_grace_lets_a_code_in_that_long_after_valid_till_and_no_longer() {
        let till = Timestamp::parse("2026-12-01T14:00:00.000Z").unwrap();
        let permit: Permit = serde_json::from_value(serde_json::json!({
            "_id": "670000000000000000000001",
            "statusName": "ACCEPTED",
            "validFrom": "2026-11-01T04:00:00.000Z",
            "validTill": till.to_wire(),
        }))
        .unwrap();
        let facts = GateFacts {
            permit: Some(&permit),
            superseded_at: None,
            contractor_removed: false,
        };
        let after = |s: i64| Timestamp(till.0 + chrono::Duration::seconds(s));
        let why = |at, grace| verdict(&facts, at, grace).err().map(|r| r.why);
        assert_eq!(why(after(-1), 0), None);
        assert_eq!(why(after(0), 0), Some(GateRefusal::Expired));
        assert_eq!(why(after(0), 600), None);
        assert_eq!(why(after(599), 600), None);
        assert_eq!(why(after(600), 600), Some(GateRefusal::Expired));
    }

    #[test]
    fn a_daily_window_holds_its_minutes_and_may_run_past_midnight() {
        let (a, b) = (t(8, 0, 0), t(17, 0, 0));
        assert!(!within_daily(a, b, t(7, 59, 59)));
        assert!(within_daily(a, b, t(8, 0, 0)));
        assert!(within_daily(a, b, t(17, 0, 59)));
        assert!(!within_daily(a, b, t(17, 1, 0)));
        let (a, b) = (t(22, 0, 0), t(6, 0, 0));
        assert!(within_daily(a, b, t(23, 30, 0)));
        assert!(within_daily(a, b, t(3, 0, 0)));
        assert!(!within_daily(a, b, t(12, 0, 0)));
    }
}
