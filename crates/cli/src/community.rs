//! The commands over one community: profiles, status, sync, contractors, permits, outbox, audit.

use std::io::Read as _;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use gatehouse_app::{Paths, Profile, Profiles};
use gatehouse_buzzin::{PermitType, StatusName, Timestamp};
use gatehouse_cache::{
    ActionKind, Cache, CacheError, ContractorState, NewAction, OutboxEntry, OutboxState,
    PermitQuery, PermitSort,
};
use gatehouse_client::{Auth, Client, Settings};
use gatehouse_sync::{Engine, Phase, SyncError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Failure;
use crate::output::{self, local, local_str};

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
        /// Read the API key from standard input and store it in the OS keychain.
        #[arg(long)]
        key_stdin: bool,
    },
    /// List the profiles (the current one is marked).
    List(JsonFlag),
    /// Make a profile the current one.
    Use { name: String },
}

#[derive(Args)]
pub struct SyncArgs {
    /// Read everything again from the server (a full resync).
    #[arg(long)]
    full: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StateArg {
    Pending,
    Approved,
    Removed,
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
    /// Approve a pending contractor.
    Approve { id: String },
    /// Revoke a contractor: its active permits are archived. Lists them and asks for --yes.
    Revoke {
        id: String,
        /// Confirm: archive the permits listed.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SortArg {
    ValidTill,
    PassNumber,
    Updated,
    Status,
    Type,
    Unit,
    Contractor,
}

#[derive(Subcommand)]
pub enum PermitsCmd {
    /// List permits with the filters of the app.
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
    status: Vec<String>,
    /// buildUp or fitOut.
    #[arg(long = "type")]
    permit_type: Option<String>,
    /// A contractor's id.
    #[arg(long)]
    contractor: Option<String>,
    /// A property's id.
    #[arg(long)]
    property: Option<String>,
    /// A unit's (flat's) id.
    #[arg(long)]
    unit: Option<String>,
    /// Valid now and ending within this long: 2h, 24h, 72h, 90m, 3d. ACCEPTED only unless
    /// --status says otherwise.
    #[arg(long, value_parser = parse_duration)]
    expiring: Option<chrono::Duration>,
    /// Words in the pass number, unit, job, representative or contractor.
    #[arg(long)]
    search: Option<String>,
    #[arg(long, value_enum, default_value = "valid-till")]
    sort: SortArg,
    #[arg(long)]
    desc: bool,
    /// At most this many rows.
    #[arg(long, default_value_t = 50)]
    limit: u64,
    /// Every matching row.
    #[arg(long, conflicts_with = "limit")]
    all: bool,
    #[arg(long)]
    json: bool,
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

fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("\"{s}\" needs a unit: 90m, 24h or 3d"))?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("\"{s}\" must start with a whole number, like 24h"))?;
    let d = match unit {
        "m" | "min" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => return Err(format!("unknown unit in \"{s}\": use m, h or d")),
    };
    if n <= 0 || n > 100_000 {
        return Err(format!("\"{s}\" must be a positive length of time"));
    }
    Ok(d)
}

// ---- opening a community ---------------------------------------------------------------------

fn app(e: gatehouse_app::Error) -> Failure {
    match e.code {
        gatehouse_app::ErrorCode::InvalidInput => Failure::Refused(e.message),
        _ => Failure::Error(e.message),
    }
}

fn cache_failure(e: CacheError) -> Failure {
    match e {
        CacheError::Refused(m) => Failure::Refused(m),
        other => Failure::Error(other.to_string()),
    }
}

fn sync_failure(e: SyncError) -> Failure {
    match e {
        e if e.is_offline() => Failure::Offline(format!("the API cannot be reached: {e}")),
        SyncError::Cache(c) => cache_failure(c),
        other => Failure::Error(other.to_string()),
    }
}

/// Which community, and whether the API may be contacted.
pub struct Target {
    pub profile: Option<String>,
    pub offline: bool,
}

struct Community {
    profile: Profile,
    cache: Arc<Cache>,
    offline: bool,
}

async fn open(target: Target) -> Result<Community, Failure> {
    let paths = Paths::from_env().map_err(app)?;
    let profiles = Profiles::load(&paths).map_err(app)?;
    let profile = profiles
        .pick(target.profile.as_deref())
        .map_err(app)?
        .clone();
    let (cache, rebuilt) = Cache::open_or_rebuild(&profile.cache_path(&paths))
        .await
        .map_err(cache_failure)?;
    if let Some(reason) = rebuilt {
        eprintln!("gatehouse: {reason}");
    }
    Ok(Community {
        profile,
        cache: Arc::new(cache),
        offline: target.offline,
    })
}

impl Community {
    async fn engine(&self) -> Result<Engine, Failure> {
        if self.offline {
            return Err(Failure::Offline(
                "--offline: the API is not contacted".into(),
            ));
        }
        let profile = self.profile.clone();
        let key = tokio::task::spawn_blocking(move || profile.api_key())
            .await
            .map_err(|e| Failure::Error(format!("the keychain lookup failed: {e}")))?
            .map_err(app)?;
        let mut settings = Settings::new(&self.profile.base_url, key);
        if let Some(h) = &self.profile.auth_header {
            settings.auth = Auth::Header(h.clone());
        }
        let client = Client::new(settings).map_err(|e| Failure::Error(e.to_string()))?;
        Ok(Engine::new(client, self.cache.clone()))
    }

    /// Queues an action, then sends the queue. Exit: applied (0), refused (4), queued (3).
    async fn act(
        &self,
        kind: ActionKind,
        target_id: String,
        reason: Option<String>,
    ) -> Result<(), Failure> {
        let entry = self
            .cache
            .enqueue(NewAction {
                kind,
                target_id,
                reason,
                actor: self.profile.actor_name(),
            })
            .await
            .map_err(cache_failure)?;
        self.send(entry).await
    }

    async fn send(&self, entry: OutboxEntry) -> Result<(), Failure> {
        let what = format!("#{} {} {}", entry.seq, describe(entry.kind), entry.label);
        let engine = match self.engine().await {
            Ok(e) => e,
            Err(f) => {
                return Err(Failure::Offline(format!(
                    "queued {what}, not sent: {}",
                    f.message_text()
                )));
            }
        };
        let drained = engine.send_queued().await;
        let now = self
            .cache
            .outbox_entry(&entry.id)
            .await
            .map_err(cache_failure)?
            .ok_or_else(|| Failure::Error(format!("{what} vanished from the outbox")))?;
        match now.state {
            OutboxState::Done => {
                say!("Done: {what}.");
                Ok(())
            }
            OutboxState::Rejected => Err(Failure::Refused(format!(
                "the server refused {what}: {}",
                now.last_error.unwrap_or_default()
            ))),
            _ => Err(Failure::Offline(format!(
                "queued {what}; it will be sent by the next `gatehouse sync` ({})",
                drained
                    .err()
                    .map(|e| e.to_string())
                    .or(now.last_error)
                    .unwrap_or_else(|| "an earlier action is still waiting".into())
            ))),
        }
    }
}

impl Failure {
    fn message_text(&self) -> String {
        match self {
            Failure::Error(m)
            | Failure::NeedsConfirmation(m)
            | Failure::Offline(m)
            | Failure::Refused(m) => m.clone(),
        }
    }
}

fn describe(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::ApproveContractor => "approve contractor",
        ActionKind::RevokeContractor => "revoke contractor",
        ActionKind::RevokePass => "revoke pass",
        ActionKind::ReissuePass => "reissue pass",
    }
}

// ---- profile ---------------------------------------------------------------------------------

pub async fn profile(cmd: ProfileCmd) -> Result<(), Failure> {
    let paths = Paths::from_env().map_err(app)?;
    let mut profiles = Profiles::load(&paths).map_err(app)?;
    match cmd {
        ProfileCmd::Add {
            name,
            url,
            auth_header,
            actor,
            key_stdin,
        } => {
            let profile = Profile {
                name: name.clone(),
                base_url: url.trim_end_matches('/').to_owned(),
                auth_header,
                actor,
            };
            profiles.add(profile.clone()).map_err(app)?;
            if key_stdin {
                let mut key = String::new();
                std::io::stdin().read_to_string(&mut key).map_err(|e| {
                    Failure::Error(format!("cannot read the key from standard input: {e}"))
                })?;
                tokio::task::spawn_blocking(move || profile.store_api_key(&key))
                    .await
                    .map_err(|e| Failure::Error(format!("the keychain failed: {e}")))?
                    .map_err(app)?;
            } else if std::env::var(gatehouse_app::API_KEY_ENV).is_err() {
                return Err(Failure::Refused(format!(
                    "give the API key on standard input with --key-stdin (it goes to the OS keychain), or set {} for scripts",
                    gatehouse_app::API_KEY_ENV
                )));
            }
            profiles.save(&paths).map_err(app)?;
            say!(
                "Profile \"{name}\" saved{}.",
                if key_stdin {
                    ", its key in the OS keychain"
                } else {
                    ""
                }
            );
            Ok(())
        }
        ProfileCmd::List(f) => {
            if f.json {
                output::json(&profiles);
                return Ok(());
            }
            if profiles.profiles.is_empty() {
                say!(
                    "No profiles. Add one with `gatehouse profile add NAME --url URL --key-stdin`."
                );
            }
            for p in profiles.profiles.values() {
                let mark = if profiles.current.as_deref() == Some(p.name.as_str()) {
                    "*"
                } else {
                    " "
                };
                say!("{mark} {}  {}", output::pad(&p.name, 20), p.base_url);
            }
            Ok(())
        }
        ProfileCmd::Use { name } => {
            profiles.use_profile(&name).map_err(app)?;
            profiles.save(&paths).map_err(app)?;
            say!("Using \"{name}\".");
            Ok(())
        }
    }
}

// ---- status and sync -------------------------------------------------------------------------

pub async fn status(profile: Target, f: JsonFlag) -> Result<(), Failure> {
    let c = open(profile).await?;
    let s = gatehouse_sync::status(&c.cache)
        .await
        .map_err(sync_failure)?;
    if f.json {
        output::json(&s);
        return Ok(());
    }
    let asof = s
        .last_sync_at
        .as_deref()
        .map(local_str)
        .unwrap_or_else(|| "never synced".into());
    match &s.offline_since {
        Some(t) => say!("Offline since {}.", local_str(t)),
        None => say!("Online."),
    }
    say!(
        "Data as of {asof}: {} permits, {} contractors.",
        s.permits,
        s.contractors
    );
    say!("{} action(s) pending, {} refused.", s.pending, s.rejected);
    if let Some(e) = &s.last_error {
        say!("Last error: {e}");
    }
    Ok(())
}

pub async fn sync(profile: Target, a: SyncArgs) -> Result<(), Failure> {
    let c = open(profile).await?;
    let engine = c.engine().await?;
    let bar = if a.quiet || a.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:12} [{bar:32}] {pos}/{len} {per_sec}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let mut progress = engine.progress();
    let watcher = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while progress.changed().await.is_ok() {
                let p = *progress.borrow_and_update();
                let msg = match p.phase {
                    Phase::Idle => continue,
                    Phase::Outbox => "outbox",
                    Phase::Contractors => "contractors",
                    Phase::Permits => "permits",
                    Phase::Indexing => "indexing",
                    Phase::Events => "events",
                    Phase::Reconcile => "checking",
                };
                bar.set_message(msg);
                bar.set_length(p.total);
                bar.set_position(p.done);
            }
        })
    };
    let result = engine.sync(a.full).await;
    watcher.abort();
    bar.finish_and_clear();
    let report = result.map_err(sync_failure)?;
    if a.json {
        output::json(&report);
    } else if !a.quiet {
        let mut parts = Vec::new();
        if report.first_sync_documents > 0 {
            parts.push(format!("{} documents loaded", report.first_sync_documents));
        }
        parts.push(format!("{} events", report.events));
        parts.push(format!(
            "{} permits and {} contractors updated",
            report.updated_permits, report.updated_contractors
        ));
        if report.drained.applied > 0 {
            parts.push(format!(
                "{} queued action(s) applied",
                report.drained.applied
            ));
        }
        say!("Synced: {}.", parts.join(", "));
        for r in &report.drained.rejections {
            eprintln!("gatehouse: refused by the server: {r}");
        }
    }
    Ok(())
}

// ---- contractors -----------------------------------------------------------------------------

pub async fn contractors(profile: Target, cmd: ContractorsCmd) -> Result<(), Failure> {
    let c = open(profile).await?;
    match cmd {
        ContractorsCmd::List {
            state,
            search,
            json,
        } => {
            let state = state.map(|s| match s {
                StateArg::Pending => ContractorState::Pending,
                StateArg::Approved => ContractorState::Approved,
                StateArg::Removed => ContractorState::Removed,
            });
            let rows = c
                .cache
                .contractors(state, search.as_deref())
                .await
                .map_err(cache_failure)?;
            if json {
                output::json(&rows);
            } else {
                say!("{}", output::contractor_header());
                for r in &rows {
                    say!("{}", output::contractor_row(r));
                }
                say!("{} contractor(s).", rows.len());
            }
            Ok(())
        }
        ContractorsCmd::Show { id, json } => {
            let contractor = c
                .cache
                .contractor(&id)
                .await
                .map_err(cache_failure)?
                .ok_or_else(|| {
                    Failure::Error(format!("no contractor {id} here (try `gatehouse sync`)"))
                })?;
            let permits = c
                .cache
                .permits(&PermitQuery {
                    contractor_id: Some(id.clone()),
                    limit: 500,
                    ..PermitQuery::default()
                })
                .await
                .map_err(cache_failure)?;
            if json {
                output::json(
                    &serde_json::json!({"contractor": contractor, "permits": permits.rows}),
                );
                return Ok(());
            }
            let company = contractor.company.as_ref();
            say!(
                "{}  ({})",
                contractor.name.as_deref().unwrap_or(&contractor.id),
                output::contractor_state(&contractor)
            );
            say!(
                "Company:        {}",
                company
                    .and_then(|c| c.company_name.as_deref())
                    .unwrap_or("-")
            );
            say!(
                "Trade licence expires: {}",
                company
                    .and_then(|c| c.trade_license_expiry_date.as_deref())
                    .unwrap_or("-")
            );
            say!(
                "Email:          {}",
                contractor.email.as_deref().unwrap_or("-")
            );
            say!(
                "Phone:          {}",
                contractor.phone.as_deref().unwrap_or("-")
            );
            say!(
                "Salesforce id:  {}",
                contractor.salesforce_id().unwrap_or("-")
            );
            say!("Permits ({}):", permits.total.unwrap_or_default());
            for p in &permits.rows {
                say!("  {}", output::permit_row(p));
            }
            Ok(())
        }
        ContractorsCmd::Approve { id } => c.act(ActionKind::ApproveContractor, id, None).await,
        ContractorsCmd::Revoke { id, yes } => {
            let active = c
                .cache
                .active_permits_of(&id)
                .await
                .map_err(cache_failure)?;
            if !yes {
                say!("Revoking {id} archives {} active permit(s):", active.len());
                for p in &active {
                    say!("  {}", output::permit_row(p));
                }
                return Err(Failure::NeedsConfirmation(
                    "nothing done: run again with --yes to revoke and archive these permits".into(),
                ));
            }
            c.act(ActionKind::RevokeContractor, id, None).await
        }
    }
}

// ---- permits ---------------------------------------------------------------------------------

async fn find_permit(c: &Community, key: &str) -> Result<gatehouse_buzzin::Permit, Failure> {
    c.cache
        .permit_by_id_or_pass(key.trim())
        .await
        .map_err(cache_failure)?
        .ok_or_else(|| Failure::Error(format!("no permit \"{key}\" here (an id or a pass number like WP-002391; try `gatehouse sync`)")))
}

pub async fn permits(profile: Target, cmd: PermitsCmd) -> Result<(), Failure> {
    let c = open(profile).await?;
    match cmd {
        PermitsCmd::List(f) => list_permits(&c, *f).await,
        PermitsCmd::Show { permit, json } => {
            let p = find_permit(&c, &permit).await?;
            let events = c.cache.events_of(&p.id).await.map_err(cache_failure)?;
            let pending: Vec<OutboxEntry> = c
                .cache
                .outbox(true)
                .await
                .map_err(cache_failure)?
                .into_iter()
                .filter(|e| {
                    e.target_id == p.id || Some(&e.target_id) == p.community_contractor_id.as_ref()
                })
                .collect();
            if json {
                output::json(
                    &serde_json::json!({"permit": p, "events": events, "pendingActions": pending}),
                );
                return Ok(());
            }
            let status = p.status_name().map(|s| s.to_string()).unwrap_or_default();
            say!(
                "{}  {}{}",
                p.pass_number.as_deref().unwrap_or(&p.id),
                status,
                if pending.is_empty() {
                    ""
                } else {
                    " (pending sync)"
                }
            );
            say!(
                "Type:        {}",
                p.permit_type
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            );
            say!(
                "Valid:       {} to {}",
                p.valid_from.map(local).unwrap_or_default(),
                p.valid_till.map(local).unwrap_or_default()
            );
            say!(
                "Daily:       {} to {} {}",
                p.time_in.as_deref().unwrap_or("-"),
                p.time_out.as_deref().unwrap_or("-"),
                output::ZONE_LABEL
            );
            say!(
                "Contractor:  {}",
                p.community_contractor_id.as_deref().unwrap_or("-")
            );
            say!(
                "Unit:        {} / {}",
                p.property_id.as_deref().unwrap_or("-"),
                p.flat_id.as_deref().unwrap_or("-")
            );
            say!("Job:         {}", p.jobs_summary.as_deref().unwrap_or("-"));
            say!("Access code: {}", p.access_code.as_deref().unwrap_or("-"));
            say!("Timeline:");
            for e in &events {
                say!("  {}  {}", local(e.envelope.created_at), e.envelope.event);
            }
            for e in p.audit.iter().flatten() {
                say!(
                    "  {}  {} by {}{}",
                    local(e.at),
                    e.action,
                    e.actor.as_deref().unwrap_or("?"),
                    e.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        PermitsCmd::Revoke { permit, reason } => {
            let p = find_permit(&c, &permit).await?;
            c.act(ActionKind::RevokePass, p.id, Some(reason)).await
        }
        PermitsCmd::Reissue { permit } => {
            let p = find_permit(&c, &permit).await?;
            c.act(ActionKind::ReissuePass, p.id, None).await
        }
    }
}

async fn list_permits(c: &Community, f: PermitFilters) -> Result<(), Failure> {
    let mut statuses = Vec::new();
    for s in f.status.iter().filter(|s| !s.trim().is_empty()) {
        let status = StatusName::parse(&s.trim().to_uppercase());
        if !status.is_known() {
            let known: Vec<&str> = StatusName::KNOWN.iter().map(StatusName::as_str).collect();
            return Err(Failure::Refused(format!(
                "unknown status \"{s}\": one of {}",
                known.join(", ")
            )));
        }
        statuses.push(status);
    }
    let permit_type = match f.permit_type.as_deref() {
        None => None,
        Some(t) => {
            let t = PermitType::parse(t.trim());
            if !t.is_known() {
                return Err(Failure::Refused(format!(
                    "unknown permit type \"{t}\": buildUp or fitOut"
                )));
            }
            Some(t)
        }
    };
    let (mut from, mut before) = (None, None);
    if let Some(d) = f.expiring {
        let now = Timestamp::now();
        from = Some(now);
        before = Some(Timestamp(now.0 + d));
        if statuses.is_empty() {
            statuses.push(StatusName::Accepted);
        }
    }
    let mut q = PermitQuery {
        statuses,
        permit_type,
        contractor_id: f.contractor,
        property_id: f.property,
        flat_id: f.unit,
        valid_till_from: from,
        valid_till_before: before,
        search: f.search,
        sort: match f.sort {
            SortArg::ValidTill => PermitSort::ValidTill,
            SortArg::PassNumber => PermitSort::PassNumber,
            SortArg::Updated => PermitSort::UpdatedAt,
            SortArg::Status => PermitSort::Status,
            SortArg::Type => PermitSort::PermitType,
            SortArg::Unit => PermitSort::Unit,
            SortArg::Contractor => PermitSort::Contractor,
        },
        descending: f.desc,
        after: None,
        limit: 500,
        skip_total: false,
    };
    let want = if f.all { u64::MAX } else { f.limit };
    let mut rows = Vec::new();
    let mut total = 0;
    while (rows.len() as u64) < want {
        q.limit = (want - rows.len() as u64).min(500) as u32;
        let page = c.cache.permits(&q).await.map_err(cache_failure)?;
        if let Some(t) = page.total {
            total = t;
        }
        q.skip_total = true;
        rows.extend(page.rows);
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    if f.json {
        output::json(&rows);
        return Ok(());
    }
    say!("{}", output::permit_header());
    for p in &rows {
        say!("{}", output::permit_row(p));
    }
    say!("{} of {total} permit(s).", rows.len());
    Ok(())
}

// ---- outbox and audit ------------------------------------------------------------------------

/// An outbox action by its id or `#seq`.
async fn find_entry(c: &Community, key: &str) -> Result<OutboxEntry, Failure> {
    c.cache
        .outbox_entry(key)
        .await
        .map_err(cache_failure)?
        .ok_or_else(|| Failure::Error(format!("no outbox action {key}")))
}

pub async fn outbox(profile: Target, cmd: OutboxCmd) -> Result<(), Failure> {
    let c = open(profile).await?;
    match cmd {
        OutboxCmd::List { all, json } => {
            let rows: Vec<OutboxEntry> = c
                .cache
                .outbox(false)
                .await
                .map_err(cache_failure)?
                .into_iter()
                .filter(|e| all || e.state.is_open() || e.state == OutboxState::Rejected)
                .collect();
            if json {
                output::json(&rows);
                return Ok(());
            }
            for e in &rows {
                say!(
                    "#{:<5} {}  {}  {}  {}{}",
                    e.seq,
                    output::pad(e.state.as_str(), 9),
                    output::pad(describe(e.kind), 18),
                    output::pad(&e.label, 24),
                    local_str(&e.created_at),
                    e.last_error
                        .as_deref()
                        .map(|m| format!("  {m}"))
                        .unwrap_or_default()
                );
            }
            say!("{} action(s).", rows.len());
            Ok(())
        }
        OutboxCmd::Retry { id } => {
            let entry = find_entry(&c, &id).await?;
            let entry = c.cache.retry(&entry.id).await.map_err(cache_failure)?;
            c.send(entry).await
        }
        OutboxCmd::Discard { id } => {
            let entry = find_entry(&c, &id).await?;
            let e = c.cache.discard(&entry.id).await.map_err(cache_failure)?;
            say!("Discarded #{} {} {}.", e.seq, describe(e.kind), e.label);
            Ok(())
        }
    }
}

pub async fn audit(profile: Target, cmd: AuditCmd) -> Result<(), Failure> {
    let c = open(profile).await?;
    let AuditCmd::Export {
        csv: _,
        json,
        output,
    } = cmd;
    let rows = c.cache.audit_log().await.map_err(cache_failure)?;
    let mut out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Failure::Error(format!("cannot write {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &rows)
            .map_err(|e| e.to_string())
            .and_then(|()| writeln!(out).map_err(|e| e.to_string()))
    } else {
        let mut w = csv::Writer::from_writer(out);
        rows.iter()
            .try_for_each(|r| w.serialize(r))
            .and_then(|()| w.flush().map_err(Into::into))
            .map_err(|e| e.to_string())
    };
    match written {
        Ok(()) => Ok(()),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.contains("Broken pipe") => Ok(()),
        Err(e) => Err(Failure::Error(format!("cannot write the audit log: {e}"))),
    }
}
