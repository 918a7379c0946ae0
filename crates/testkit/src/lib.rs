//! What Gatehouse's tests share, so that no test file writes it again: a sandbox fixture
//! ([`Sandbox`]), a typed client for its `/__sandbox` control endpoints ([`Control`]),
//! [`eventually`] in place of hand-written polling loops, and helpers on the API's documents
//! ([`reissues`], [`audit_count`]), raw JSON calls to the sandbox's API ([`api`]), and hostile
//! servers on loopback ([`hostile`]), PDFs read back by independent tools ([`pdf`]), and a real
//! CUPS printer ([`cups`]), and a private desktop with a notification daemon ([`desktop`]).
//!
//! A dev-dependency only: no crate's own code depends on it (`cargo xtask tidy` checks).

pub mod api;
mod control;
pub mod cups;
pub mod desktop;
mod documents;
pub mod hostile;
pub mod pdf;
mod sandbox;
mod wait;

pub use control::Control;
pub use documents::{audit_count, reissues};
pub use sandbox::{Sandbox, SandboxBuilder, client_at};
pub use wait::{eventually, eventually_blocking, eventually_true, within, within_blocking};

/// The wire types and `inf`, for tests that read the API's documents.
pub use gatehouse_buzzin as buzzin;
pub use gatehouse_client::{Client, ClientError, ListQuery};
pub use gatehouse_sandbox::{Config, Fault, FaultKind, PanelConfig, Seed};
