//! `gatehouse`: the command-line face of Gatehouse, over the same core as the app.
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

/// Prints a line to stdout; a closed stdout (`gatehouse ... | head -1`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod community;
mod output;
mod sandbox;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Contractor permits and gate passes for gated communities"
)]
struct Cli {
    /// The community profile to use (default: the current one).
    #[arg(long, global = true, env = "GATEHOUSE_PROFILE")]
    profile: Option<String>,
    /// Do not contact the API: actions are queued for the next sync (exit code 3).
    #[arg(long, global = true)]
    offline: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a local Buzz-In Work Permit API (the sandbox) until interrupted.
    Sandbox(sandbox::SandboxArgs),
    /// Community profiles: which API, with which key.
    #[command(subcommand)]
    Profile(community::ProfileCmd),
    /// Online or offline, how fresh the data is, and what waits for the server.
    Status(community::JsonFlag),
    /// Send queued actions, then bring the cache up to date (the first time, fill it).
    Sync(community::SyncArgs),
    /// The contractor queue: list, show, approve, revoke.
    #[command(subcommand)]
    Contractors(community::ContractorsCmd),
    /// Permits and their passes: list, show, revoke, reissue.
    #[command(subcommand)]
    Permits(community::PermitsCmd),
    /// Actions waiting for the server, or refused by it.
    #[command(subcommand)]
    Outbox(community::OutboxCmd),
    /// The local audit log of actions taken here.
    #[command(subcommand)]
    Audit(community::AuditCmd),
}

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gatehouse: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let profile = community::Target {
        profile: cli.profile,
        offline: cli.offline,
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Sandbox(args) => sandbox::sandbox(args).await.map_err(Failure::Error),
            Command::Profile(cmd) => community::profile(cmd).await,
            Command::Status(a) => community::status(profile, a).await,
            Command::Sync(a) => community::sync(profile, a).await,
            Command::Contractors(cmd) => community::contractors(profile, cmd).await,
            Command::Permits(cmd) => community::permits(profile, cmd).await,
            Command::Outbox(cmd) => community::outbox(profile, cmd).await,
            Command::Audit(cmd) => community::audit(profile, cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("gatehouse: {}", f.message());
            ExitCode::from(f.code())
        }
    }
}
