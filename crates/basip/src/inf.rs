//! Every assumption Gatehouse makes about the BAS-IP panel API where the vendor's documents are
//! silent or contradict each other ([INF] and [GAP] in `shared/api/panel-identifiers-api.md` and
//! `shared/research/panels.md`), in one place: when BAS-IP or a real panel confirms or corrects
//! one, this file changes and nothing else should have to.

// ---- Paths -----------------------------------------------------------------------------------

/// The device info, served without login [CODE]: its `api_version` picks the adapter.
pub const INFO_PATH: &str = "/api/info";
/// The API base of firmware with API 2.x [DOC: `/v1` from firmware 3.9.0].
pub const BASE_V1: &str = "/api/v1";
/// The API base of firmware with API 1.x [DOC: `/v0` up to firmware 3.7.0].
pub const BASE_V0: &str = "/api/v0";
/// Login, under the base: `GET …/login?username=&password=<MD5>` [DOC].
pub const LOGIN_PATH: &str = "/login";
/// The by-type identifier endpoints, under the base [INF: the path is read from the page slugs
/// `get-/put-/delete-access-identifiers`; unconfirmed on a device].
pub const IDENTIFIERS_PATH: &str = "/access/identifiers";
/// The card reader's Wiegand type and representation, under the base [CODE: POST; GET is a
/// GAP, assumed to return the same fields].
pub const WIEGAND_TYPE_PATH: &str = "/access/general/wiegand/type";
/// The panel's clock, under the base [CODE: `{time_unix, timezone}`].
pub const DEVICE_TIME_PATH: &str = "/device/time";
/// The event log, under the base [CODE: `?limit&page_number&locale&sort_type&from`].
pub const LOG_PATH: &str = "/log/items";

// ---- Literals --------------------------------------------------------------------------------

/// The hex representation's literal [CODE: `"hex"`].
pub const REPRESENTATION_HEX: &str = "hex";
/// The decimal representation's literal [GAP: no source shows it; `"dec"` assumed, `"decimal"`
/// also read].
pub const REPRESENTATION_DEC: &str = "dec";
/// Other spellings of decimal read from a panel.
pub const REPRESENTATION_DEC_ALIASES: &[&str] = &["decimal", "Decimal", "DEC"];
/// The Wiegand type sent with the representation [CODE: `wiegand_58` beside `hex`; the web UI
/// offers 26, 34 and 58]. Wiegand-58 carries the widest numbers.
pub const WIEGAND_TYPE: &str = "wiegand_58";
/// The MD5 of the password is sent in upper case, as the docs' example [DOC example; INF: the
/// panel compares case-insensitively, lower case works in production clients].
pub const MD5_UPPER_CASE: bool = true;
/// Hex bytes are written lower case, joined by `-`, as the docs' example `1c-3b-4a` [DOC
/// example; INF: either case is read].
pub const HEX_SEPARATOR: char = '-';

// ---- Limits ----------------------------------------------------------------------------------

/// Items per batch write or delete [research §1.3: send in chunks of ≤ 50, checkpoint each].
pub const BATCH_CHUNK: usize = 50;
/// Items per listing page: the largest documented `limit` [DOC: 10, 20, 30, 50].
pub const LIST_LIMIT: u32 = 50;
/// The documented listing page sizes.
pub const LIST_LIMITS: &[u32] = &[10, 20, 30, 50];
/// Minutes `from` is set before a permit's start, so a panel whose clock runs a little fast
/// does not refuse a crew at the gate [research §4: "valid 5–10 min into the past"].
pub const FROM_EARLY_MINUTES: i64 = 5;
/// A panel clock further than this from ours is shown as drifting [INF].
pub const DRIFT_WARNING_SECS: i64 = 60;
/// The most decimal digits a card or UKEY number may have [DOC: `[0-9]{1,10}`].
pub const DECIMAL_DIGITS_MAX: usize = 10;
/// Hex card numbers are 2 to 8 bytes [DOC: `([0-9A-Fa-f]{2}[:-]){1,7}[0-9A-Fa-f]{2}`].
pub const HEX_BYTES: std::ops::RangeInclusive<usize> = 2..=8;
/// A card typed in decimal is held as at least this many bytes: the 24 bits of Wiegand-26, the
/// commonest card [INF].
pub const DECIMAL_MIN_BYTES: u8 = 3;
/// PIN (`inputCode`) length Gatehouse accepts and generates [INF: the docs say "decimal digits"
/// only; the master code is up to 8 characters, peers take 2–8 digits].
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;
/// How many digits a PIN Gatehouse makes has: a million to guess from, and still short enough
/// to key in at a door [INF].
pub const PIN_GENERATED_DIGITS: usize = 6;
/// Licence plate length [DOC: 1..100 characters].
pub const PLATE_CHARS: std::ops::RangeInclusive<usize> = 1..=100;
/// Owner names Gatehouse writes begin with this, so its identifiers are found again on a panel
/// that others manage too [research §1 point 8: "a fixed owner-name prefix"].
pub const OWNER_PREFIX: &str = "GH ";

// ---- Answers -----------------------------------------------------------------------------------

/// The login refusal that is final: the credentials are wrong, do not retry [DOC, 400].
pub const WRONG_LOGIN: &str = "Wrong login or password";
/// The answer to a call without a valid token: log in again, once [DOC, 401].
pub const LOG_IN: &str = "Log In";
/// `extended_info` of an item the panel does not hold [DOC, link API: `not_found`,
/// `entity_not_found`].
pub const NOT_FOUND_INFOS: &[&str] = &["not_found", "entity_not_found"];
/// The status of a GET of one number the panel does not hold [GAP: undocumented; a 404
/// assumed, as the simulator answers].
pub const NOT_HELD_STATUS: u16 = 404;
// A PUT of a number the panel does not hold creates it [GAP: research §5 asks whether it
// creates or answers `not_found`; assumed to create, `extended_info: "created"`, and the client's
// `put` relies on it]. If a real panel answers `not_found`, the client must create through
// `POST …/access/identifier` first.
/// The representation a panel is set to when it cannot say which it has: hex, since every card
/// fits in hex while decimal stops at 10 digits [INF].
pub const FALLBACK_REPRESENTATION: &str = REPRESENTATION_HEX;
/// `extended_info` of a write refused because the panel is full [DOC, link API].
pub const FULL_INFO: &str = "number_of_identifiers_exceeded";

// ---- The event log ---------------------------------------------------------------------------

/// The keys of a log item's `info` that name what the event concerns [GAP: the item's fields
/// are not documented in what was found; these are read in order, the first found wins].
pub const LOG_INFO_TYPE: &[&str] = &["identifier_type", "type"];
pub const LOG_INFO_NUMBER: &[&str] = &["identifier_number", "number", "card_number"];
pub const LOG_INFO_OWNER: &[&str] = &["identifier_owner", "owner", "owner_name"];
pub const LOG_INFO_DOOR: &[&str] = &["door", "lock_name", "lock"];
/// Events whose names begin so let someone in [DOC: `access_granted_by_valid_identifier`,
/// `access_granted_by_api_call`, …].
pub const GRANTED_EVENT_PREFIX: &str = "access_granted";
/// Events whose names begin so concern an identifier presented at a door (granted or denied)
/// [DOC: the events listed on `get-logs-list`]; the others (calls, logins, tamper) are not a
/// crew's.
pub const ACCESS_EVENT_PREFIX: &str = "access_";
