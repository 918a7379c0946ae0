//! How things are printed: community-local times, table rows, JSON.

use chrono::FixedOffset;
use gatehouse_buzzin::{Contractor, Permit, Timestamp, inf};
use serde::Serialize;

/// The community's zone, shown beside every time (Asia/Dubai: Gulf Standard Time, UTC+4).
pub const ZONE_LABEL: &str = "GST";

/// `2026-11-22 14:05 GST`.
pub fn local(t: Timestamp) -> String {
    let zone = FixedOffset::east_opt(inf::COMMUNITY_UTC_OFFSET_SECS).expect("a valid offset");
    format!(
        "{} {ZONE_LABEL}",
        t.0.with_timezone(&zone).format("%Y-%m-%d %H:%M")
    )
}

/// A stored wire time (`2026-…Z`) in community time; other text as it is.
pub fn local_str(wire: &str) -> String {
    Timestamp::parse(wire)
        .map(local)
        .unwrap_or_else(|| wire.to_owned())
}

pub fn json<T: Serialize + ?Sized>(value: &T) {
    say!(
        "{}",
        serde_json::to_string_pretty(value).expect("values serialise")
    );
}

/// Cuts text to `n` characters (by character, so Arabic and emoji stay whole), on one line.
pub fn cut(text: &str, n: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= n {
        one_line
    } else {
        let mut s: String = one_line.chars().take(n.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

pub fn pad(text: &str, n: usize) -> String {
    let t = cut(text, n);
    let len = t.chars().count();
    format!("{t}{}", " ".repeat(n.saturating_sub(len)))
}

pub fn contractor_state(c: &Contractor) -> &'static str {
    if c.communities_ids.is_empty() {
        "removed"
    } else if c.approved {
        "approved"
    } else {
        "pending"
    }
}

pub fn contractor_row(c: &Contractor) -> String {
    let company = c
        .company
        .as_ref()
        .and_then(|co| co.company_name.as_deref())
        .unwrap_or("");
    format!(
        "{}  {}  {}  {}  {}",
        pad(&c.id, 24),
        pad(c.name.as_deref().unwrap_or(""), 28),
        pad(company, 30),
        pad(contractor_state(c), 8),
        c.phone.as_deref().unwrap_or("")
    )
}

pub fn contractor_header() -> String {
    format!(
        "{}  {}  {}  {}  PHONE",
        pad("ID", 24),
        pad("NAME", 28),
        pad("COMPANY", 30),
        pad("STATE", 8)
    )
}

pub fn permit_header() -> String {
    format!(
        "{}  {}  {}  {}  JOB",
        pad("PASS", 10),
        pad("STATUS", 9),
        pad("TYPE", 8),
        pad("VALID TILL", 20)
    )
}

pub fn permit_row(p: &Permit) -> String {
    format!(
        "{}  {}  {}  {}  {}",
        pad(p.pass_number.as_deref().unwrap_or(&p.id), 10),
        pad(
            &p.status_name().map(|s| s.to_string()).unwrap_or_default(),
            9
        ),
        pad(
            &p.permit_type
                .as_ref()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            8
        ),
        pad(&p.valid_till.map(local).unwrap_or_default(), 20),
        cut(p.jobs_summary.as_deref().unwrap_or(""), 50)
    )
}
