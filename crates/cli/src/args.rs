//! The command line: every command, flag and argument `gatehouse` takes (clap), and nothing
//! else. What each command does is in `commands/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use gatehouse_app::vocabulary::{ContractorState, PermitSort};

use crate::commands::sandbox::SandboxArgs;

#[derive(Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Contractor permits and gate passes for gated communities"
)]
pub struct Cli {
    /// The community profile to use (default: the current one).
    #[arg(long, global = true, env = "GATEHOUSE_PROFILE")]
    pub profile: Option<String>,
    /// Do not contact the API: actions are queued for the next sync (exit code 3).
    #[arg(long, global = true)]
    pub offline: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve a local Buzz-In Work Permit API (the sandbox) until interrupted.
    Sandbox(SandboxArgs),
    /// Community profiles: which API, with which key.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Online or offline, how fresh the data is, and what waits for the server.
    Status(JsonFlag),
    /// Send queued actions, then bring the cache up to date (the first time, fill it).
    Sync(SyncArgs),
    /// The contractor queue: list, show, approve, revoke.
    #[command(subcommand)]
    Contractors(ContractorsCmd),
    /// Permits and their passes: list, show, revoke, reissue.
    #[command(subcommand)]
    Permits(PermitsCmd),
    /// Actions waiting for the server, or refused by it.
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// The local audit log of actions taken here.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Print permit passes into one PDF, a pass a page (never for a dead code).
    Print(PrintArgs),
    /// The profile's names for towers and units (Buzz-In names none): import, export, show.
    #[command(subcommand)]
    Places(PlacesCmd),
    /// Check a scanned pass as the gate would, from the cache (online or offline). Exit 0 when
    /// the code opens the gate, 4 when it is refused.
    Check(CheckArgs),
    /// Expiry alerts: 72 h, 24 h and 2 h before a permit ends, and when it has.
    #[command(subcommand)]
    Alerts(AlertsCmd),
    /// The profile's BAS-IP gate panels: add, list, what they hold, provision and revoke a
    /// permit's crew, drain, sweep, copy their door logs, remove.
    #[command(subcommand)]
    Panels(PanelsCmd),
}

#[derive(Subcommand)]
pub enum PanelsCmd {
    /// Register a panel once it answers and takes the login; the password is read from
    /// standard input into the OS keychain (or given by GATEHOUSE_PANEL_PASSWORD_<NAME>).
    Add {
        name: String,
        /// The panel's address, e.g. http://192.168.1.40.
        #[arg(long)]
        url: String,
        #[arg(long, default_value = "admin")]
        user: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// A tower it serves (its property id); repeat for more.
        #[arg(long = "tower", value_name = "PROPERTY_ID", required = true)]
        towers: Vec<String>,
        /// The lock its identifiers open: first, second or all.
        #[arg(long, default_value = "first")]
        lock: String,
        /// Authenticate every call with Basic auth (some Android FB models) instead of a login.
        #[arg(long)]
        basic_auth: bool,
    },
    /// Each panel: reachable or not and why, API version, representation, clock drift.
    List(JsonFlag),
    /// What one panel holds: each identifier with its owner, type, number (both ways), window.
    Identifiers {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Take a panel off the profile's list (what it holds stays on it).
    Remove { name: String },
    /// Put a permit's crew on every panel of its tower for exactly the permit's window. Each
    /// identifier is NUMBER or NUMBER=HOLDER: --card 028,15178=Ali --pin 4821=Ravi --plate "A 12345=Van";
    /// --pin auto=Ravi makes a fresh six-digit PIN (printed, and shown by `panels doors`).
    Provision {
        /// The permit's pass number or id (ACCEPTED, not ended).
        permit: String,
        #[arg(long = "card", value_name = "NUMBER[=HOLDER]")]
        cards: Vec<String>,
        #[arg(long = "ukey", value_name = "NUMBER[=HOLDER]")]
        ukeys: Vec<String>,
        #[arg(long = "pin", value_name = "DIGITS|auto[=HOLDER]")]
        pins: Vec<String>,
        #[arg(long = "plate", value_name = "PLATE[=HOLDER]")]
        plates: Vec<String>,
        #[arg(long = "qr", value_name = "UUID[=HOLDER]")]
        qrs: Vec<String>,
        /// Each identifier opens at most N times.
        #[arg(long, value_name = "N")]
        max_passes: Option<std::num::NonZeroU32>,
        #[arg(long)]
        json: bool,
    },
    /// Take a permit's crew off every panel (done when each panel no longer finds them).
    Revoke {
        permit: String,
        #[arg(long)]
        json: bool,
    },
    /// Where a permit's identifiers stand on each panel.
    Doors {
        permit: String,
        #[arg(long)]
        json: bool,
    },
    /// Send every panel what waits for it (after a panel was away).
    Drain(JsonFlag),
    /// List every panel and show the identifiers tagged as Gatehouse's that nothing here
    /// explains (orphans); exit 3 while orphans are left or a panel could not be listed.
    Sweep {
        /// Take the orphans off (each read back gone).
        #[arg(long)]
        remove: bool,
        #[arg(long)]
        json: bool,
    },
    /// Copy what each panel's doors logged since the last copy; each access event goes to the
    /// timeline of the permit whose identifier it names.
    Log(JsonFlag),
}

#[derive(Subcommand)]
pub enum AlertsCmd {
    /// What would be told now (or at --at), not yet told: each alert's kind, threshold, title,
    /// body and permits. Tells and records nothing.
    Due(AlertsDueArgs),
    /// Send the due alerts as desktop notifications, each told once (the window and this share
    /// the cache's ledger). Without --once it keeps running: it syncs and tells what is due
    /// every minute, and a click on a notification opens the app on its permits.
    Notify(AlertsNotifyArgs),
    /// Put off permits' alerts until each one's next threshold (what it has reached is not
    /// told), and say when that is.
    Snooze(AlertsSnoozeArgs),
}

#[derive(Args)]
pub struct AlertsSnoozeArgs {
    /// Pass numbers (WP-002391) or permit ids.
    #[arg(required = true, value_name = "PASS")]
    pub permits: Vec<String>,
    /// For this moment (ISO-8601) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AlertsNotifyArgs {
    /// Send what is due now, from the cache as it is, and return.
    #[arg(long)]
    pub once: bool,
    /// With --once: for this moment (ISO-8601) instead of now.
    #[arg(long, value_name = "TIME", requires = "once")]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AlertsDueArgs {
    /// For this moment (ISO-8601, e.g. 2026-12-01T09:30:00+04:00) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum PlacesCmd {
    /// Replace the directory with a CSV file (header: tower_id, tower_external_id, tower_name,
    /// unit_id, unit_external_id, unit_name). A file with a bad row changes nothing.
    Import { file: std::path::PathBuf },
    /// Write the directory as CSV, to a file or standard output.
    Export {
        #[arg(short = 'o', long = "output", value_name = "FILE.csv")]
        output: Option<std::path::PathBuf>,
    },
    /// How many towers and units it names.
    Show(JsonFlag),
}

#[derive(Args)]
pub struct CheckArgs {
    /// The access code, or the QR's payload as a scanner types it.
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Check it for this moment (ISO-8601, e.g. 2026-12-01T09:30:00+04:00) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PrintArgs {
    /// Pass numbers (WP-002391) or permit ids.
    #[arg(required = true, value_name = "PASS")]
    pub passes: Vec<String>,
    /// Where to write the PDF; the profile's passes folder by default.
    #[arg(short = 'o', long = "output", value_name = "FILE.pdf")]
    pub output: Option<std::path::PathBuf>,
    /// The media: `label` (62 x 100 mm), `4x6` or `a4`.
    #[arg(long, default_value = "label", value_parser = parse_layout)]
    pub layout: gatehouse_app::vocabulary::Layout,
    /// The printer's resolution, so that QR modules are whole dots: 300 (Brother QL, DYMO), 203
    /// (Zebra-class).
    #[arg(long, default_value_t = 300)]
    pub dpi: u32,
    /// Also send the PDF to this CUPS printer, at 100 % on the pass's media (Linux, macOS;
    /// `lpstat -e` lists them).
    #[arg(long, value_name = "NAME")]
    pub printer: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn parse_layout(s: &str) -> Result<gatehouse_app::vocabulary::Layout, String> {
    use gatehouse_app::vocabulary::Layout;
    Layout::parse(&s.to_ascii_lowercase()).ok_or_else(|| {
        let known: Vec<&str> = Layout::ALL.iter().map(|l| l.as_str()).collect();
        format!("--layout takes {}", known.join(", "))
    })
}

#[derive(Args)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum ProfileCmd {
    /// Add (or replace) a profile. The API key is read from standard input (`--key-stdin`) and
    /// filed in the OS keychain; scripts may instead set GATEHOUSE_API_KEY.
    Add {
        name: String,
        /// The API's base URL, e.g. https://api.buzz-in.example/v1.
        #[arg(long)]
        url: String,
        /// Send the key in this header instead of `Authorization: Bearer`.
        #[arg(long)]
        auth_header: Option<String>,
        /// Your name in the audit log (default: the system user name).
        #[arg(long)]
        actor: Option<String>,
        /// Seconds the community's gates still let a code in after its permit ends, if they
        /// give such a grace (none by default; at most 86400).
        #[arg(long, value_name = "SECS")]
        gate_grace: Option<u32>,
        /// Refuse to approve a contractor whose trade licence has expired (by default an
        /// approval then asks for a reason).
        #[arg(long)]
        refuse_expired_licence: bool,
        /// When permits' expiry alerts are told, before they end: one to six times, a minute
        /// to 30 days each (default 72h,24h,2h; the end itself is always told).
        #[arg(long, value_name = "TIMES", value_delimiter = ',', value_parser = parse_minutes)]
        alerts: Option<Vec<u32>>,
        /// Read the API key from standard input and store it in the OS keychain.
        #[arg(long)]
        key_stdin: bool,
    },
    /// List the profiles (the current one is marked).
    List(JsonFlag),
    /// Make a profile the current one.
    Use { name: String },
    /// Set a profile's cache aside (kept as it is) and start a fresh one, refilled from Buzz-In
    /// at the next sync: the answer to a cache its key does not open. Actions queued in the old
    /// one and not yet sent are not sent.
    ResetCache { name: String },
}

#[derive(Args)]
pub struct SyncArgs {
    /// Read everything again from the server (a full resync).
    #[arg(long)]
    pub full: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long)]
    pub json: bool,
}

/// A contractor tab, as the command line spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum StateArg {
    Pending,
    Approved,
    Removed,
}

impl From<StateArg> for ContractorState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Pending => ContractorState::Pending,
            StateArg::Approved => ContractorState::Approved,
            StateArg::Removed => ContractorState::Removed,
        }
    }
}

#[derive(Subcommand)]
pub enum ContractorsCmd {
    /// List contractors, by tab and search.
    List {
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Words in the name, company, phone, email or Salesforce id.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// One contractor, with its permits.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending contractor (one whose trade licence has expired only with --reason).
    Approve {
        id: String,
        /// Why (kept in the audit log); required when the trade licence has expired.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Revoke a contractor (decline a pending one): its active permits are archived and Buzz-In
    /// will not approve them again. Lists the permits and asks for --yes.
    Revoke {
        id: String,
        /// Why (required; kept in the audit log).
        #[arg(long)]
        reason: String,
        /// Confirm: archive the permits listed.
        #[arg(long)]
        yes: bool,
    },
}

/// A view of today, as the command line spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum DayArg {
    /// ACCEPTED and within its validity now.
    ActiveNow,
    /// ACCEPTED, ending between now and 23:59.
    ExpiringToday,
    /// Starting today.
    StartingToday,
    /// Ended today, before now.
    EndedToday,
}

impl From<DayArg> for gatehouse_app::DayView {
    fn from(d: DayArg) -> Self {
        match d {
            DayArg::ActiveNow => gatehouse_app::DayView::ActiveNow,
            DayArg::ExpiringToday => gatehouse_app::DayView::ExpiringToday,
            DayArg::StartingToday => gatehouse_app::DayView::StartingToday,
            DayArg::EndedToday => gatehouse_app::DayView::EndedToday,
        }
    }
}

/// A permits sort, as the command line spells it.
#[derive(Clone, Copy, ValueEnum)]
pub enum SortArg {
    ValidTill,
    ValidFrom,
    PassNumber,
    Updated,
    Status,
    Type,
    Unit,
    Contractor,
}

impl From<SortArg> for PermitSort {
    fn from(s: SortArg) -> Self {
        match s {
            SortArg::ValidTill => PermitSort::ValidTill,
            SortArg::ValidFrom => PermitSort::ValidFrom,
            SortArg::PassNumber => PermitSort::PassNumber,
            SortArg::Updated => PermitSort::UpdatedAt,
            SortArg::Status => PermitSort::Status,
            SortArg::Type => PermitSort::PermitType,
            SortArg::Unit => PermitSort::Unit,
            SortArg::Contractor => PermitSort::Contractor,
        }
    }
}

#[derive(Subcommand)]
pub enum PermitsCmd {
    /// List permits with the filters of the app's permits table.
    List(Box<PermitFilters>),
    /// One permit (by id or pass number, e.g. WP-002391), with its timeline.
    Show {
        permit: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a permit's pass, with a reason.
    Revoke {
        permit: String,
        #[arg(long)]
        reason: String,
    },
    /// Reissue an ACCEPTED permit's pass: the old code stops working at once.
    Reissue { permit: String },
}

#[derive(Args)]
pub struct PermitFilters {
    /// Only these statuses (repeat, or separate with commas).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// buildUp or fitOut.
    #[arg(long = "type")]
    pub permit_type: Option<String>,
    /// A contractor's id.
    #[arg(long)]
    pub contractor: Option<String>,
    /// A property's id.
    #[arg(long)]
    pub property: Option<String>,
    /// A unit's (flat's) id.
    #[arg(long)]
    pub unit: Option<String>,
    /// ACCEPTED permits (only those run out) valid now and ending within this long: 2h, 24h,
    /// 72h, 90m, 3d.
    #[arg(long, value_parser = parse_minutes)]
    pub expiring: Option<u32>,
    /// Only these permits, by id (repeat, or separate with commas): an alert's `permitIds`.
    #[arg(long = "id", value_delimiter = ',', value_name = "ID")]
    pub ids: Vec<String>,
    /// One of the desk's views of today (00:00 to 23:59 GST).
    #[arg(long, value_enum)]
    pub today: Option<DayArg>,
    /// Words in the pass number, unit, job, representative or contractor.
    #[arg(long)]
    pub search: Option<String>,
    #[arg(long, value_enum, default_value = "valid-till")]
    pub sort: SortArg,
    #[arg(long)]
    pub desc: bool,
    /// At most this many rows.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Every matching row.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum OutboxCmd {
    /// Actions waiting for the server and those it refused (--all: done and discarded too).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Queue a refused action again, and send it.
    Retry { id: String },
    /// Drop an action that has not been sent (or was refused), undoing its local effect.
    Discard { id: String },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Every action taken here and its outcome: who, what, why, when.
    Export {
        /// CSV (the default).
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        #[arg(long)]
        json: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}

/// `90m`, `24h`, `3d` as minutes (the window's Settings read the same).
fn parse_minutes(s: &str) -> Result<u32, String> {
    gatehouse_app::alert_times::parse_one(s)
}
