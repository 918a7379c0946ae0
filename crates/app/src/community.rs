//! The open community: its cache, the sync engine running in the background, and (with no
//! profile configured) the demo community, a sandbox started in this process on loopback.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use gatehouse_cache::{Cache, Change};
use gatehouse_client::{Auth, Client, Settings};
use gatehouse_sync::{Engine, Phase, Progress};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use ts_rs::TS;

use crate::{Error, Paths, Profile, Profiles};

/// How often the engine syncs while nothing else asks it to.
const SYNC_EVERY: Duration = Duration::from_secs(30);
/// How often it re-reads a slice of permits to repair drift.
const RECONCILE_EVERY: Duration = Duration::from_secs(300);

/// The community the app works on, with its engine running.
pub struct Community {
    name: String,
    demo: bool,
    cache: Arc<Cache>,
    /// Absent when the community cannot be reached at all (no API key): its cached data is
    /// still shown, with `problem` saying why nothing syncs.
    engine: Option<Arc<Engine>>,
    problem: Option<String>,
    idle: watch::Sender<Progress>,
    stop: watch::Sender<bool>,
    /// Who the audit log names for actions taken here.
    actor: String,
    /// Where each page of the permits table's current filter starts.
    pub(crate) anchors: tokio::sync::Mutex<Option<crate::permits::Anchors>>,
    /// Bumped on every change of the permits, so anchors are re-read.
    pub(crate) permits_generation: Arc<AtomicU64>,
    /// Keeps the demo's sandbox serving while the app runs.
    _sandbox: Option<gatehouse_sandbox::Running>,
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StatusView {
    /// The profile's name, or "Demo community".
    pub community: String,
    pub demo: bool,
    pub online: bool,
    /// When the API stopped answering (ISO-8601, UTC).
    pub offline_since: Option<String>,
    /// When the data was last brought up to date (ISO-8601, UTC): the data is as of then.
    pub last_sync_at: Option<String>,
    /// Actions waiting for the server.
    pub pending: u32,
    /// Actions the server refused, waiting for the admin.
    pub rejected: u32,
    pub permits: u32,
    pub contractors: u32,
    /// Work under way, if any.
    pub syncing: Option<SyncProgress>,
    /// Why this community cannot sync at all (e.g. its API key is missing), in one sentence.
    pub problem: Option<String>,
}

/// The payload of a `gatehouse://changed` event: which kinds of rows changed, for the open views
/// to read again what they show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Changed {
    pub contractors: bool,
    pub permits: bool,
    pub outbox: bool,
    /// The sync engine's phase or progress moved.
    pub sync: bool,
}

impl Changed {
    pub fn any(&self) -> bool {
        self.contractors || self.permits || self.outbox || self.sync
    }
}

/// Items done of a total in the current sync phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SyncProgress {
    /// `outbox`, `contractors`, `permits`, `indexing`, `events` or `reconcile`.
    pub phase: String,
    pub done: u32,
    pub total: u32,
}

fn storage(e: impl std::fmt::Display) -> Error {
    Error::storage(e.to_string())
}

fn count(n: u64) -> u32 {
    n.min(u32::MAX as u64) as u32
}

impl Community {
    /// Opens the current profile's community, or the demo one when there is no profile, and
    /// starts syncing it in the background. Must run inside a Tokio runtime.
    pub async fn open(paths: &Paths) -> Result<Community, Error> {
        let profiles = Profiles::load(paths)?;
        match profiles.pick(None) {
            Ok(profile) => Self::open_profile(paths, profile.clone()).await,
            Err(_) => Self::open_demo(paths).await,
        }
    }

    async fn open_profile(paths: &Paths, profile: Profile) -> Result<Community, Error> {
        let (cache, _rebuilt) = Cache::open_or_rebuild(&profile.cache_path(paths))
            .await
            .map_err(storage)?;
        let key = {
            let p = profile.clone();
            tokio::task::spawn_blocking(move || p.api_key())
                .await
                .map_err(|e| Error::internal(format!("the keychain lookup failed: {e}")))?
        };
        let key = match key {
            Ok(key) => key,
            // The cached data is still worth showing; the status bar says why nothing syncs.
            Err(e) => {
                let actor = profile.actor_name();
                return Ok(Self::unsynced(profile.name, cache, e.message, actor));
            }
        };
        Self::with_key(profile, cache, key)
    }

    /// Opens a profile's community with this API key (which is used, not stored).
    pub async fn open_profile_with_key(
        paths: &Paths,
        profile: Profile,
        key: String,
    ) -> Result<Community, Error> {
        let (cache, _rebuilt) = Cache::open_or_rebuild(&profile.cache_path(paths))
            .await
            .map_err(storage)?;
        Self::with_key(profile, cache, key)
    }

    fn with_key(profile: Profile, cache: Cache, key: String) -> Result<Community, Error> {
        let mut settings = Settings::new(&profile.base_url, key);
        if let Some(h) = &profile.auth_header {
            settings.auth = Auth::Header(h.clone());
        }
        let actor = profile.actor_name();
        Self::start(profile.name, false, cache, settings, None, actor)
    }

    /// The demo: a sandbox seeded with the demo community on a free loopback port, and a fresh
    /// cache for it (the sandbox starts anew each time, so does its cache).
    async fn open_demo(paths: &Paths) -> Result<Community, Error> {
        let sandbox = gatehouse_sandbox::start(
            gatehouse_sandbox::Config::default(),
            "127.0.0.1:0".parse().expect("a loopback address"),
        )
        .await
        .map_err(|e| Error::internal(format!("the demo community could not start: {e}")))?;
        let dir = paths.data_dir().join("demo");
        let _ = std::fs::remove_dir_all(&dir);
        let cache = Cache::open(&dir.join("cache.sqlite3"))
            .await
            .map_err(storage)?;
        let settings = Settings::new(sandbox.base_url(), &sandbox.api_key);
        Self::start(
            "Demo community".into(),
            true,
            cache,
            settings,
            Some(sandbox),
            crate::profiles::os_user().unwrap_or_else(|| "demo".into()),
        )
    }

    fn start(
        name: String,
        demo: bool,
        cache: Cache,
        settings: Settings,
        sandbox: Option<gatehouse_sandbox::Running>,
        actor: String,
    ) -> Result<Community, Error> {
        let client = Client::new(settings).map_err(|e| Error::internal(e.to_string()))?;
        let mut community = Self::assemble(name, cache, actor);
        let engine = Arc::new(Engine::new(client, community.cache.clone()));
        let runner = engine.clone();
        let stop_rx = community.stop.subscribe();
        tokio::spawn(async move { runner.run(SYNC_EVERY, RECONCILE_EVERY, stop_rx).await });
        community.demo = demo;
        community.engine = Some(engine);
        community._sandbox = sandbox;
        Ok(community)
    }

    fn unsynced(name: String, cache: Cache, problem: String, actor: String) -> Community {
        let mut community = Self::assemble(name, cache, actor);
        community.problem = Some(problem);
        community
    }

    fn assemble(name: String, cache: Cache, actor: String) -> Community {
        let community = Community {
            name,
            demo: false,
            cache: Arc::new(cache),
            engine: None,
            problem: None,
            idle: watch::Sender::new(Progress::IDLE),
            stop: watch::Sender::new(false),
            actor,
            anchors: tokio::sync::Mutex::new(None),
            permits_generation: Arc::new(AtomicU64::new(0)),
            _sandbox: None,
        };
        community.watch_permits();
        community
    }

    /// Who the audit log names for actions taken in this window.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// Cache changes, as they are committed.
    pub fn changes(&self) -> broadcast::Receiver<Change> {
        self.cache.subscribe()
    }

    /// The engine's progress.
    pub fn progress(&self) -> watch::Receiver<Progress> {
        match &self.engine {
            Some(engine) => engine.progress(),
            None => self.idle.subscribe(),
        }
    }

    pub async fn status(&self) -> Result<StatusView, Error> {
        let s = gatehouse_sync::status(&self.cache).await.map_err(storage)?;
        let p = *self.progress().borrow();
        let syncing = (p.phase != Phase::Idle).then(|| SyncProgress {
            phase: serde_json::to_value(p.phase)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            done: count(p.done),
            total: count(p.total),
        });
        Ok(StatusView {
            community: self.name.clone(),
            demo: self.demo,
            online: s.online,
            offline_since: s.offline_since,
            last_sync_at: s.last_sync_at,
            pending: count(s.pending),
            rejected: count(s.rejected),
            permits: count(s.permits),
            contractors: count(s.contractors),
            syncing,
            problem: self.problem.clone(),
        })
    }

    /// Stops the background sync (the cache stays as it is).
    pub fn close(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Community {
    fn drop(&mut self) {
        self.close();
    }
}
