//! Gatehouse's operations as plain Rust.
//!
//! Every Tauri command in `src-tauri` is an adapter of a few lines over a function here, and the
//! `gatehouse` CLI calls the same functions. Nothing in this crate depends on Tauri, so it builds
//! and tests without WebKitGTK.
//!
//! What crosses the IPC boundary is defined here once: the [`Error`] the webview receives as
//! `{code, message}`, and the data types, whose TypeScript bindings are generated from these Rust
//! definitions (see [`bindings`]) and checked for staleness by a test.

mod actions;
mod activity;
pub mod alert_times;
mod alerts;
pub mod bindings;
mod cache_key;
mod check;
mod community;
mod contractors;
mod desktop_prefs;
mod entry;
mod error;
pub mod export;
mod gate;
mod info;
mod json_file;
pub mod labels;
mod marks;
mod notifier;
mod on_demand;
pub mod panels;
mod passes;
mod paths;
mod permit_detail;
mod permits;
pub mod places;
mod printer;
pub mod profiles;
mod rhythm;
mod rows;
mod session;
mod validate;

pub use actions::{ActionView, OutboxView, SHIFT_HOURS};
pub use activity::{
    ACTIVITY_MAX, ACTIVITY_PAGE, ActivityExport, ActivityKind, ActivityPage, ActivityQuery,
    ActivityRow,
};
pub use alerts::{
    ALERT_TICK, ALERTS_SHOWN, AlertKind, AlertList, AlertUrgency, AlertView, DueAlert, SNOOZE_MAX,
    SnoozedView, TRAY_WITHIN_MINUTES, TrayView,
};
pub use check::{CheckRequest, CheckVerdict, SCAN_MAX};
pub use community::{
    CHANGED_EVENT, ChangeFeed, Changed, Community, SYNC_EVERY_ENV, StatusView, SyncProgress,
};
pub use contractors::{
    ContractorDetail, ContractorList, ContractorListing, DuplicateHint, LICENCE_WARNING_DAYS,
    OnSite,
};
pub use desktop_prefs::DesktopPrefs;
pub use entry::{DATA_STALE_MINUTES, EntryVerdict};
pub use error::{Error, ErrorCode, Result};
pub use gate::GateRefusal;
pub use gatehouse_cache::CacheKey;
/// Private folders and files (`0700`/`0600` on Unix), for what a caller writes beside the cache
/// (the CLI's exports).
pub use gatehouse_cache::files;
pub use info::{AppInfo, app_info};
pub use marks::QueuedMark;
pub use notifier::{
    APP_NAME, Notifier, OPEN_PERMITS_ARG, OPEN_PERMITS_EVENT, WAITING_MAX, permits_to_open,
};
pub use on_demand::{Delivery, SyncReport};
pub use passes::{
    PRINT_MAX, PRINTER_DPIS, PrintCandidate, PrintOutcome, PrintRequest, RefusedPass,
};
pub use paths::{APP_IDENTIFIER, DATA_DIR_ENV, Paths};
pub use permit_detail::{CrewMember, NocView, PermitDetail, TimelineItem};
pub use permits::{
    DayView, PAGE_SIZE, PERMIT_IDS_MAX, PermitFilter, PermitListing, PermitPageView,
};
pub use printer::{cups_media, printers};
pub use rows::{ContractorRow, PermitRow};
pub use validate::SEARCH_MAX;

/// The domain's words, as the operations take and return them: a caller of this crate (the CLI,
/// the desktop shell) names them from here and depends on nothing below it.
pub mod vocabulary {
    pub use gatehouse_basip::IdentifierType;
    pub use gatehouse_buzzin::inert::inert;
    pub use gatehouse_buzzin::inf::{COMMUNITY_UTC_OFFSET_SECS, REVOKE_REASON_MAX};
    pub use gatehouse_buzzin::{
        Contractor, Permit, PermitAction, PermitType, StatusName, Timestamp,
    };
    pub use gatehouse_cache::{ActionKind, AuditRow, ContractorState, OutboxState, PermitSort};
    pub use gatehouse_passes::Layout;
    pub use gatehouse_sync::Phase;
}
pub use profiles::{API_KEY_ENV, CACHE_KEY_ENV, Profile, Profiles};
pub use session::{ConnectRequest, Session};
