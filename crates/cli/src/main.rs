//! `gatehouse`: the command-line face of Gatehouse. Every command is a printer of what
//! `gatehouse-app` returns, the same operations the window calls, so the two cannot drift apart.
//!
//! Reads (lists, show, status, audit) come from the profile's local cache and work offline.
//! Actions are queued in the outbox with their effect shown at once, then sent; with the API
//! unreachable they wait for the next `gatehouse sync`.
//!
//! Exit codes scripts can trust:
//! - 0: done (an action reached the server and was applied);
//! - 1: an error, said in one sentence on stderr;
//! - 2: the command line is wrong (from clap), or a confirmation is needed (`--yes`);
//! - 3: offline: the API could not be reached; an action is queued and will be sent later;
//! - 4: refused: by the server, or because it cannot succeed as the cache knows it.

/// Prints a line to stdout, made inert (`output::inert`: no control or bidi characters from the
/// API); a closed stdout (`gatehouse ... | head -1`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stdout(), "{}", $crate::output::inert(&line));
    }};
}

/// Prints a line to stderr, made inert like [`say!`]'s.
macro_rules! tell {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        eprintln!("{}", $crate::output::inert(&line));
    }};
}

mod args;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;
use gatehouse_app::ErrorCode;

use crate::args::{Cli, Command};

/// How a command ended, as an exit code.
#[derive(Debug)]
pub enum Failure {
    /// A plain error (1).
    Error(String),
    /// A confirmation is needed (2).
    NeedsConfirmation(String),
    /// The API could not be reached (3).
    Offline(String),
    /// Refused (4).
    Refused(String),
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Error(_) => 1,
            Failure::NeedsConfirmation(_) => 2,
            Failure::Offline(_) => 3,
            Failure::Refused(_) => 4,
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::Error(m)
            | Failure::NeedsConfirmation(m)
            | Failure::Offline(m)
            | Failure::Refused(m) => m,
        }
    }
}

impl From<String> for Failure {
    fn from(m: String) -> Self {
        Failure::Error(m)
    }
}

/// The app's error codes, as exit codes.
impl From<gatehouse_app::Error> for Failure {
    fn from(e: gatehouse_app::Error) -> Self {
        // The engineer's text, when there is one, after the plain message (stderr lines are
        // made inert, so it stays on the same line).
        let m = match e.detail {
            Some(detail) => format!("{} Details: {detail}", e.message),
            None => e.message,
        };
        match e.code {
            ErrorCode::Unreachable => Failure::Offline(m),
            ErrorCode::Refused | ErrorCode::InvalidInput => Failure::Refused(m),
            ErrorCode::NotFound | ErrorCode::Storage | ErrorCode::Internal => Failure::Error(m),
        }
    }
}

/// Which community, and whether the API may be contacted.
pub struct Target {
    pub profile: Option<String>,
    pub offline: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            tell!("gatehouse: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let target = Target {
        profile: cli.profile,
        offline: cli.offline,
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Sandbox(args) => commands::sandbox::run(args).await.map_err(Failure::Error),
            Command::Profile(cmd) => commands::profile::run(cmd).await,
            Command::Status(a) => commands::status::run(target, a).await,
            Command::Sync(a) => commands::sync::run(target, a).await,
            Command::Contractors(cmd) => commands::contractors::run(target, cmd).await,
            Command::Permits(cmd) => commands::permits::run(target, cmd).await,
            Command::Outbox(cmd) => commands::outbox::run(target, cmd).await,
            Command::Audit(cmd) => commands::audit::run(target, cmd).await,
            Command::Print(a) => commands::print::run(target, a).await,
            Command::Check(a) => commands::check::run(target, a).await,
            Command::Alerts(cmd) => commands::alerts::run(target, cmd).await,
            Command::Places(cmd) => commands::places::run(target, cmd).await,
            Command::Panels(cmd) => commands::panels::run(target, cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            tell!("gatehouse: {}", f.message());
            ExitCode::from(f.code())
        }
    }
}
