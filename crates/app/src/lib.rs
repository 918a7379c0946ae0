//! Gatehouse's operations as plain Rust.
//!
//! Every Tauri command in `src-tauri` is an adapter of a few lines over a function here, and the
//! `gatehouse` CLI calls the same functions. Nothing in this crate depends on Tauri, so it builds
//! and tests without WebKitGTK.
//!
//! What crosses the IPC boundary is defined here once: the [`Error`] the webview receives as
//! `{code, message}`, and the data types, whose TypeScript bindings are generated from these Rust
//! definitions (see [`bindings`]) and checked for staleness by a test.

pub mod bindings;
mod community;
mod contractors;
mod error;
mod info;
mod paths;
pub mod profiles;

pub use community::{Community, StatusView, SyncProgress};
pub use contractors::{ContractorList, ContractorRow};
pub use error::{Error, ErrorCode, Result};
pub use info::{AppInfo, app_info};
pub use paths::{APP_IDENTIFIER, DATA_DIR_ENV, Paths};
pub use profiles::{API_KEY_ENV, Profile, Profiles};
