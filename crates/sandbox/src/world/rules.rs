//! The sandbox's own reading of the reference's limits and formats. The client reads the same
//! reference in `gatehouse_buzzin::inf`; the two are kept apart so that tests compare them.

use super::*;

/// The longest revoke reason the sandbox takes, in characters: its own reading of the reference
/// [INF], kept apart from the client's (`gatehouse_buzzin::inf::REVOKE_REASON_MAX`) so that a
/// test compares two readings.
pub(super) const REVOKE_REASON_MAX: usize = 1000;

pub(super) fn required<'a>(value: &'a Option<String>, field: &str) -> ApiResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::bad_request(format!("{field} is required"))),
    }
}

pub(super) fn parse_time(value: &str, field: &str) -> ApiResult<Timestamp> {
    Timestamp::parse(value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{field} must be a valid ISO-8601 date-time, got \"{value}\""
        ))
    })
}

/// `HH:MM`, 00:00–23:59.
pub(super) fn parse_hhmm(value: &str, field: &str) -> ApiResult<u32> {
    let bad = || {
        ApiError::bad_request(format!(
            "{field} must be a time of day as HH:MM, got \"{value}\""
        ))
    };
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || value.len() != 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub(super) fn plain_date_ok(value: &str) -> bool {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
}

pub(super) fn is_e164(phone: &str) -> bool {
    let digits = phone.strip_prefix('+').unwrap_or("");
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}
