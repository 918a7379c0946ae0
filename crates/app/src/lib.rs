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
pub mod bindings;
mod community;
mod contractors;
mod error;
mod info;
mod paths;
mod permits;
pub mod profiles;
mod session;
mod validate;

pub use actions::{ActionView, OutboxView};
pub use community::{Changed, Community, StatusView, SyncProgress};
pub use contractors::{ContractorDetail, ContractorList, ContractorRow, LICENCE_WARNING_DAYS};
pub use error::{Error, ErrorCode, Result};
pub use info::{AppInfo, app_info};
pub use paths::{APP_IDENTIFIER, DATA_DIR_ENV, Paths};
pub use permits::{
    NocView, PAGE_SIZE, PermitDetail, PermitFilter, PermitPageView, PermitRow, TimelineItem,
};
pub use profiles::{API_KEY_ENV, Profile, Profiles};
pub use session::{ConnectRequest, Session};
