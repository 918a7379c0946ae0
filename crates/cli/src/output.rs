//! How things are printed: community-local times, table rows, JSON, CSV.
//!
//! Text from the API is inert wherever it is printed: every line outside `--json` goes through
//! [`inert`] (the `say!` and `tell!` macros call it), so a hostile value cannot move the cursor,
//! rewrite a line or the window title, or flip the text's direction. CSV cells that a spreadsheet
//! would run as a formula are neutralised (`gatehouse_app::export::csv_cell`).

use std::borrow::Cow;

use chrono::FixedOffset;
use gatehouse_app::labels::phase_label;
use gatehouse_app::vocabulary::{COMMUNITY_UTC_OFFSET_SECS, Phase, Timestamp};
use gatehouse_app::{ContractorRow, PermitRow};
use serde::Serialize;

/// The community's zone, shown beside every time (Asia/Dubai: Gulf Standard Time, UTC+4).
pub const ZONE_LABEL: &str = "GST";

/// `2026-11-22 14:05 GST`.
pub fn local(t: Timestamp) -> String {
    let zone = FixedOffset::east_opt(COMMUNITY_UTC_OFFSET_SECS).expect("a valid offset");
    format!(
        "{} {ZONE_LABEL}",
        t.0.with_timezone(&zone).format("%Y-%m-%d %H:%M")
    )
}

/// A wire time (`2026-…Z`) in community time; other text as it is.
pub fn local_str(wire: &str) -> String {
    Timestamp::parse(wire)
        .map(local)
        .unwrap_or_else(|| wire.to_owned())
}

/// An optional wire time in community time, or "-".
pub fn local_opt(wire: Option<&str>) -> String {
    wire.map(local_str).unwrap_or_else(|| "-".into())
}

/// JSON, as it is: serde_json escapes control characters itself, and a script wants the values
/// exactly.
/// One JSON value on one line: a running command's stream of records.
pub fn json_line<T: Serialize + ?Sized>(value: &T) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string(value).expect("values serialise")
    );
    let _ = out.flush();
}

pub fn json<T: Serialize + ?Sized>(value: &T) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string_pretty(value).expect("values serialise")
    );
}

/// The one sanitizer (`gatehouse_buzzin::inert`, through the app).
pub fn inert(text: &str) -> Cow<'_, str> {
    gatehouse_app::vocabulary::inert(text)
}

pub use gatehouse_app::export::write_csv;

/// The progress bar's words for what the engine is doing.
pub fn phase(p: Phase) -> &'static str {
    phase_label(p)
}

/// Cuts text to `n` characters (by character, so Arabic and emoji stay whole), on one line.
pub fn cut(text: &str, n: usize) -> String {
    let one_line = inert(text);
    if one_line.chars().count() <= n {
        one_line.into_owned()
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

/// "-" for an empty text.
pub fn or_dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
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

pub fn contractor_row(c: &ContractorRow) -> String {
    format!(
        "{}  {}  {}  {}  {}",
        pad(&c.id, 24),
        pad(&c.name, 28),
        pad(&c.company, 30),
        pad(c.state.as_str(), 8),
        c.phone
    )
}

pub fn permit_header() -> String {
    format!(
        "{}  {}  {}  {}  {}  JOB",
        pad("PASS", 10),
        pad("STATUS", 9),
        pad("TYPE", 8),
        pad("VALID TILL", 20),
        pad("PLACE", 24)
    )
}

pub fn permit_row(p: &PermitRow) -> String {
    let pass = if p.pass_number.is_empty() {
        &p.id
    } else {
        &p.pass_number
    };
    format!(
        "{}  {}  {}  {}  {}  {}",
        pad(pass, 10),
        pad(p.status.as_str(), 9),
        pad(p.permit_type.as_ref().map_or("", |t| t.as_str()), 8),
        pad(
            &p.valid_till.as_deref().map(local_str).unwrap_or_default(),
            20
        ),
        pad(&p.place.text, 24),
        cut(&p.job, 50)
    )
}
