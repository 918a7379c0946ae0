//! Every assumption Gatehouse makes about the undocumented parts of the Buzz-In Work Permit API
//! ([INF] in `shared/api/buzzin-api.md`), in one place: when Buzz-In confirms or corrects one,
//! this file changes and nothing else should have to.

use crate::StatusName;

// ---- Status codes ----------------------------------------------------------------------------

/// Integer `status` codes by name. Only ACCEPTED = 1 and DRAFT = 10 are documented; the rest are
/// placeholders invented for the sandbox. Clients key logic on `statusName` and use this table
/// only when a response carries the integer alone (the create response [DOC]).
pub const STATUS_CODES: &[(StatusName, i64)] = &[
    (StatusName::Pending, 0),
    (StatusName::Accepted, 1), // [DOC]
    (StatusName::Rejected, 2),
    (StatusName::Revoked, 3),
    (StatusName::Archived, 4),
    (StatusName::Expired, 5),
    (StatusName::Draft, 10), // [DOC]
];

pub fn status_code(name: &StatusName) -> Option<i64> {
    STATUS_CODES
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| *c)
}

pub fn status_name_of(code: i64) -> Option<StatusName> {
    STATUS_CODES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(n, _)| n.clone())
}

/// Statuses that count as "active": the permits a contractor's revocation archives [GAP in the
/// docs; INF: not yet finished or ended].
pub const ACTIVE_STATUSES: &[StatusName] =
    &[StatusName::Draft, StatusName::Pending, StatusName::Accepted];

/// Statuses a permit never leaves [INF].
pub const TERMINAL_STATUSES: &[StatusName] = &[
    StatusName::Rejected,
    StatusName::Revoked,
    StatusName::Archived,
    StatusName::Expired,
];

pub fn is_active(status: &StatusName) -> bool {
    ACTIVE_STATUSES.contains(status)
}

pub fn is_terminal(status: &StatusName) -> bool {
    TERMINAL_STATUSES.contains(status)
}

/// Whether a permit in this status can run out: only an ACCEPTED permit turns EXPIRED when its
/// `validTill` passes [INF, buzzin-api.md §6: "validTill passed → EXPIRED" from ACCEPTED]; a
/// revoked or archived one has ended already. "Expiring within" lists only these.
pub fn can_expire(status: &StatusName) -> bool {
    *status == StatusName::Accepted
}

// ---- Contractors -----------------------------------------------------------------------------

/// Whether a contractor, as this community's API returns it, has been removed (revoked): a
/// revoke detaches it from the community, and the community's id leaves `communitiesIds`
/// [INF, buzzin-api.md §4.3]. A client sees only its own community, so none left means removed.
pub fn contractor_removed(communities_ids: &[String]) -> bool {
    communities_ids.is_empty()
}

// ---- Pass actions ----------------------------------------------------------------------------

/// The longest revoke reason, in characters [INF: the docs give no limit; 1,000 is assumed].
pub const REVOKE_REASON_MAX: usize = 1000;

// ---- Errors ----------------------------------------------------------------------------------

/// The FeathersJS error name for an HTTP status [INF: only `BadRequest` 400 is documented].
pub fn feathers_name(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "NotAuthenticated",
        402 => "PaymentError",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "Timeout",
        409 => "Conflict",
        411 => "LengthRequired",
        413 => "PayloadTooLarge",
        422 => "Unprocessable",
        429 => "TooManyRequests",
        501 => "NotImplemented",
        503 => "Unavailable",
        _ => "GeneralError",
    }
}

// ---- Authentication ([GAP]: the header is on an unavailable page) -----------------------------

/// Default ways a key may be sent: `Authorization: Bearer <key>` and `x-api-key: <key>`.
pub const AUTH_BEARER_HEADER: &str = "authorization";
pub const AUTH_KEY_HEADER: &str = "x-api-key";

// ---- List endpoints and the events feed ([GAP]; FeathersJS conventions assumed) -------------

pub const CONTRACTORS_PATH: &str = "/communityContractors";
pub const PERMITS_PATH: &str = "/permits";
pub const PASSES_PATH: &str = "/passes";
/// An ordered feed of the webhook envelopes, for clients that cannot receive webhooks:
/// `GET /workPermitEvents?cursor[$gt]=N&$limit=M`, a page of [`crate::FeedItem`] in cursor order.
pub const EVENTS_FEED_PATH: &str = "/workPermitEvents";
/// The longest id accepted (see [`is_id`]).
pub const ID_MAX: usize = 64;

/// The one id rule of the whole tree: 1 to [`ID_MAX`] ASCII letters, digits, `-` or `_`. Ids
/// are 24-hex ObjectIds and pass numbers look like `WP-002391` [DOC]; the rule is wider, to take
/// other opaque ids, and narrow enough that an id is always one plain path segment and one query
/// value (no `.`, which makes `..`, nor `/`, `?`, `#` or `%`). An id outside it is never sent.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= ID_MAX
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `$limit` when the query gives none, and the largest one honoured.
pub const LIST_DEFAULT_LIMIT: u64 = 10;
pub const LIST_MAX_LIMIT: u64 = 1000;

// ---- Codes and numbers -----------------------------------------------------------------------

/// Access codes are 24 characters of `[0-9A-Z]`, as in the documented example.
pub const ACCESS_CODE_LEN: usize = 24;
pub const ACCESS_CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// `WP-002391` [DOC example]: six zero-padded digits.
pub fn pass_number(n: u64) -> String {
    format!("WP-{n:06}")
}

/// Permits are created with DAMAC's `propertyExternalId` and `flatExternalId` [DOC]; whether a
/// permit read back carries them is not documented. Assumed: it may, under the same names, and a
/// client reads them when present (places are then named by them when the profile's directory
/// does not name them). Nothing depends on their presence.
pub const PERMITS_CARRY_EXTERNAL_IDS: bool = true;

/// The QR payload: `{ visitType: "communityPass", accessCode }` [DOC].
pub fn qr_payload(access_code: &str) -> String {
    serde_json::json!({ "visitType": "communityPass", "accessCode": access_code }).to_string()
}

/// The access code in what a desk scanner typed: the QR's JSON payload (see [`qr_payload`]), or
/// the bare code keyed in by hand. `None` for a JSON payload of another visit type or without a
/// code, and for an empty line.
pub fn code_in_scan(scanned: &str) -> Option<String> {
    let text = scanned.trim();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        if v.get("visitType").and_then(|t| t.as_str()) != Some("communityPass") {
            return None;
        }
        let code = v.get("accessCode")?.as_str()?.trim();
        return (!code.is_empty()).then(|| code.to_owned());
    }
    (!text.is_empty()).then(|| text.to_owned())
}

// ---- The gate ---------------------------------------------------------------------------------

/// The daily `timeIn`/`timeOut` window holds both of its minutes: `08:00`-`17:00` lets a code in
/// from 08:00:00 to 17:00:59 community time, and a window whose end is before its start runs
/// past midnight (`22:00`-`06:00`). The reference says only that the gate checks the window.
pub const DAILY_WINDOW_HOLDS_LAST_MINUTE: bool = true;

/// The gate's grace period after `validTill` [GAP: the reference names "an optional grace
/// period" but not its field or length]. None is assumed.
pub const GATE_GRACE_SECS: i64 = 0;

// ---- Time ------------------------------------------------------------------------------------

/// How long before `validTill` `passes.permits.expiring` fires [GAP: timing]. 24 hours.
pub const EXPIRING_LEAD_SECS: i64 = 24 * 3600;

/// The community's offset from UTC, for the daily `timeIn`/`timeOut` window. Asia/Dubai has no
/// daylight saving: UTC+4.
pub const COMMUNITY_UTC_OFFSET_SECS: i32 = 4 * 3600;

// ---- Scans -----------------------------------------------------------------------------------

/// `passes.permits.lastScanned` is not described anywhere. Assumed: it fires on every accepted
/// *exit* scan (the holder has left; the latest scan so far), beside `scanned`.
pub const LAST_SCANNED_ON_EXIT: bool = true;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_gives_its_code_whether_payload_or_typed() {
        let code = "8SRUVI9ZQVUPMTS0M6OC5WHC";
        assert_eq!(code_in_scan(&qr_payload(code)).as_deref(), Some(code));
        assert_eq!(code_in_scan(&format!("  {code}\n")).as_deref(), Some(code));
        assert_eq!(
            code_in_scan(r#"{"visitType":"guest","accessCode":"X"}"#),
            None
        );
        assert_eq!(code_in_scan(r#"{"visitType":"communityPass"}"#), None);
        assert_eq!(code_in_scan(r#"{"visitType":"#), None);
        assert_eq!(code_in_scan("   "), None);
    }

    #[test]
    fn the_documented_codes_hold() {
        assert_eq!(status_code(&StatusName::Accepted), Some(1));
        assert_eq!(status_code(&StatusName::Draft), Some(10));
        assert_eq!(status_name_of(10), Some(StatusName::Draft));
    }

    #[test]
    fn every_known_status_has_one_distinct_code() {
        let mut codes: Vec<i64> = StatusName::KNOWN
            .iter()
            .map(|s| status_code(s).expect("a code for every known status"))
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), StatusName::KNOWN.len());
    }

    #[test]
    fn pass_numbers_look_like_the_example() {
        assert_eq!(pass_number(2391), "WP-002391");
    }
}
