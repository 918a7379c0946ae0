//! The open community: its cache, how it reaches the API (the sync engine running in the
//! background for the window, or on demand for one CLI command), and (with no profile
//! configured) the demo community, a sandbox started in this process on loopback.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_cache::{Cache, CacheKey, Committed};
use gatehouse_client::{Client, Settings};
use gatehouse_sync::{Engine, Phase, Progress};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use ts_rs::TS;

use crate::permits::PermitPager;
use crate::places::Places;
use crate::rows::count;
use crate::{Error, Paths, Profile, Profiles};

/// How often the engine syncs while nothing else asks it to.
const SYNC_EVERY: Duration = Duration::from_secs(30);
/// Sets that period in seconds (1 to 3600), for a desk that wants it shorter and for tests that
/// wait on the background round.
pub const SYNC_EVERY_ENV: &str = "GATEHOUSE_SYNC_EVERY_SECS";

/// The background sync's period: [`SYNC_EVERY`], or what [`SYNC_EVERY_ENV`] says.
fn sync_every() -> Duration {
    let Ok(raw) = std::env::var(SYNC_EVERY_ENV) else {
        return SYNC_EVERY;
    };
    match raw.trim().parse::<u64>() {
        Ok(secs @ 1..=3600) => Duration::from_secs(secs),
        _ => {
            tracing::warn!(
                value = %raw,
                "{SYNC_EVERY_ENV} takes whole seconds from 1 to 3600; syncing every 30 s"
            );
            SYNC_EVERY
        }
    }
}
/// How often it re-reads a slice of permits to repair drift.
const RECONCILE_EVERY: Duration = Duration::from_secs(300);

/// The community the app works on: its cache, and how it reaches the API.
pub struct Community {
    name: String,
    demo: bool,
    cache: Arc<Cache>,
    link: Link,
    idle: watch::Sender<Progress>,
    stop: watch::Sender<bool>,
    /// Who the audit log names for actions taken here.
    actor: String,
    /// The gates' grace after `validTill`, in seconds (the profile's setting) [GAP].
    gate_grace: i64,
    /// The profile refuses approvals of contractors whose trade licence has expired.
    refuse_expired_licence: bool,
    /// When expiry alerts are told; Settings may change them while the community is open.
    pub(crate) thresholds: std::sync::RwLock<gatehouse_alerts::Thresholds>,
    /// The permits table's memory of where its pages start.
    pager: PermitPager,
    /// The profile's names for towers and units, and why it could not be read if it could not.
    places: std::sync::RwLock<(Arc<Places>, Option<String>)>,
    /// One logged-in client per gate panel, kept between uses.
    panel_clients: crate::panels::ClientPool,
    /// Keeps the demo's sandbox serving while the app runs.
    _sandbox: Option<gatehouse_sandbox::Running>,
}

/// How a community reaches its API.
pub(crate) enum Link {
    /// Syncing in the background, as the window keeps it.
    Running(Arc<Engine>),
    /// Contacted only when a command asks (the CLI): the engine, and the keychain lookup for
    /// its key, come on first use; `offline` forbids contacting the API at all.
    OnDemand {
        profile: Box<Profile>,
        offline: bool,
        engine: tokio::sync::OnceCell<Arc<Engine>>,
    },
    /// It cannot sync at all (e.g. its API key is missing): why, in one sentence. Its cached
    /// data is still shown.
    Unlinked(String),
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
    /// A first sync has completed: the cache holds the community.
    pub filled: bool,
    /// When the API stopped answering (ISO-8601, UTC).
    pub offline_since: Option<String>,
    /// When the data was last brought up to date (ISO-8601, UTC): the data is as of then.
    pub last_sync_at: Option<String>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<String>,
    /// Actions waiting for the server.
    pub pending: u32,
    /// Actions the server refused, waiting for the admin.
    pub refused: u32,
    pub permits: u32,
    pub contractors: u32,
    /// Work under way, if any.
    pub syncing: Option<SyncProgress>,
    /// Why this community cannot sync (its API key is missing, or syncs keep failing although
    /// the API answers), in one sentence. Shown instead of "Online".
    pub problem: Option<String>,
    /// Ids in the events feed that fail the id rule, skipped so that sync goes on.
    pub skipped_ids: u32,
    /// The last such id (at most 80 characters).
    pub last_skipped_id: Option<String>,
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
    /// The audit log has new lines besides the outbox's (a print, a pass check).
    pub audit: bool,
    /// The alerts list: an alert told, or marked read.
    pub alerts: bool,
    /// What is wanted on the gate panels, or where it stands there, or what their doors logged.
    pub panels: bool,
}

/// The name of the event whose payload is [`Changed`].
pub const CHANGED_EVENT: &str = "gatehouse://changed";

impl Changed {
    /// Everything: the views read all they show again.
    pub const ALL: Changed = Changed {
        contractors: true,
        permits: true,
        outbox: true,
        sync: true,
        audit: true,
        alerts: true,
        panels: true,
    };

    pub fn any(&self) -> bool {
        self.contractors
            || self.permits
            || self.outbox
            || self.sync
            || self.audit
            || self.alerts
            || self.panels
    }

    /// Adds `other` to what changed.
    pub fn merge(&mut self, other: Changed) {
        self.contractors |= other.contractors;
        self.permits |= other.permits;
        self.outbox |= other.outbox;
        self.sync |= other.sync;
        self.audit |= other.audit;
        self.alerts |= other.alerts;
        self.panels |= other.panels;
    }

    fn of(write: &Committed) -> Changed {
        match write {
            Committed::Contractors(_) => Changed {
                contractors: true,
                ..Changed::default()
            },
            Committed::Permits(_) => Changed {
                permits: true,
                ..Changed::default()
            },
            Committed::Outbox => Changed {
                outbox: true,
                ..Changed::default()
            },
            Committed::Audit => Changed {
                audit: true,
                ..Changed::default()
            },
            // The `Outbox` write announced just before it said so already.
            Committed::Queued | Committed::SyncAsked => Changed::default(),
            Committed::Alerts => Changed {
                alerts: true,
                ..Changed::default()
            },
            Committed::Grants | Committed::DoorEvents => Changed {
                panels: true,
                ..Changed::default()
            },
        }
    }
}

/// What changes in the open community as it happens: each committed cache write and each step
/// of the sync engine, as a [`Changed`].
pub struct ChangeFeed {
    writes: broadcast::Receiver<Committed>,
    progress: watch::Receiver<Progress>,
}

impl ChangeFeed {
    /// The next change; `None` once the community is closed.
    pub async fn next(&mut self) -> Option<Changed> {
        tokio::select! {
            write = self.writes.recv() => match write {
                Ok(w) => Some(Changed::of(&w)),
                // Missed some: everything may have changed.
                Err(broadcast::error::RecvError::Lagged(_)) => Some(Changed::ALL),
                Err(broadcast::error::RecvError::Closed) => None,
            },
            moved = self.progress.changed() => moved.ok().map(|()| Changed {
                sync: true,
                ..Changed::default()
            }),
        }
    }
}

/// Items done of a total in the current sync phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Never `idle`: an idle engine has no progress.
    pub phase: Phase,
    pub done: u32,
    pub total: u32,
}

impl SyncProgress {
    /// The engine's progress as the status bar shows it; `None` while idle.
    pub(crate) fn of(p: Progress) -> Option<SyncProgress> {
        (p.phase != Phase::Idle).then(|| SyncProgress {
            phase: p.phase,
            done: count(p.done),
            total: count(p.total),
        })
    }
}

/// The file that marks the demo's folder as Gatehouse's own, to be deleted at each start.
const DEMO_MARKER: &str = ".gatehouse-demo";

/// Deletes the demo's folder from the last run, only if it is Gatehouse's: it holds the marker,
/// or (left by a Gatehouse from before the marker) nothing but the cache's files. A folder named
/// `demo` that is someone else's (the data folder may be a shared or home folder) is left alone.
fn clear_demo_folder(dir: &std::path::Path) -> Result<(), Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Error::storage(format!(
                "Cannot read {}: {e}.",
                dir.display()
            )));
        }
    };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let ours = names.iter().any(|n| n == DEMO_MARKER)
        || names.iter().all(|n| n.starts_with("cache.sqlite3"));
    if !ours {
        return Err(Error::storage(format!(
            "{} is not Gatehouse's demo folder (it has no {DEMO_MARKER} file), so it is left as it is. Move it, or set {} to a folder of Gatehouse's own.",
            dir.display(),
            crate::DATA_DIR_ENV
        )));
    }
    std::fs::remove_dir_all(dir)
        .map_err(|e| Error::storage(format!("Cannot clear {}: {e}.", dir.display())))
}

/// The places file, beside the cache.
fn places_path(cache: &Cache) -> std::path::PathBuf {
    cache
        .path()
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join(crate::places::PLACES_FILE)
}

pub(crate) fn storage(e: impl std::fmt::Display) -> Error {
    Error::storage(e.to_string())
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
        let (cache, _rebuilt) = profile.open_cache(paths).await?;
        Self::over(profile, cache).await
    }

    /// Opens a profile's community over a cache opened with `cache_key` (which is used, not
    /// stored): for a host that keeps its keys elsewhere, and for tests. The API key is looked
    /// up as [`Community::open`] does.
    pub async fn open_profile_with_cache_key(
        paths: &Paths,
        profile: Profile,
        cache_key: CacheKey,
    ) -> Result<Community, Error> {
        let (cache, _rebuilt) = profile.open_cache_with(paths, cache_key).await?;
        Self::over(profile, cache).await
    }

    /// The profile's community over its open cache, syncing when its API key is found.
    async fn over(profile: Profile, cache: Cache) -> Result<Community, Error> {
        let key = match profile.api_key_async().await {
            Ok(key) => key,
            // The cached data is still worth showing; the status bar says why nothing syncs.
            Err(e) => {
                let actor = profile.actor_name();
                let link = Link::Unlinked(e.message);
                return Ok(
                    Self::assemble(profile.name.clone(), cache, actor, link).following(&profile)
                );
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
        let (cache, _rebuilt) = profile.open_cache(paths).await?;
        Self::with_key(profile, cache, key)
    }

    /// Opens a profile's community with this API key and this cache key (both used, not
    /// stored): for tests and benchmarks, which have no keychain.
    pub async fn open_profile_with_keys(
        paths: &Paths,
        profile: Profile,
        key: String,
        cache_key: CacheKey,
    ) -> Result<Community, Error> {
        let (cache, _rebuilt) = profile.open_cache_with(paths, cache_key).await?;
        Self::with_key(profile, cache, key)
    }

    fn with_key(profile: Profile, cache: Cache, key: String) -> Result<Community, Error> {
        let settings = profile.settings(key);
        let actor = profile.actor_name();
        let community = Self::start(profile.name.clone(), false, cache, settings, None, actor)?;
        Ok(community.following(&profile))
    }

    /// The demo: a sandbox seeded with the demo community on a free loopback port, and a fresh
    /// cache for it (the sandbox starts anew each time, so does its cache).
    ///
    /// Its sandbox takes a random key and serves no control endpoints: another local user or
    /// process cannot drive it.
    async fn open_demo(paths: &Paths) -> Result<Community, Error> {
        let dir = paths.data_dir().join("demo");
        clear_demo_folder(&dir)?;
        let config = gatehouse_sandbox::Config {
            api_keys: vec![gatehouse_sandbox::random_key()],
            control: false,
            ..gatehouse_sandbox::Config::default()
        };
        let sandbox =
            gatehouse_sandbox::start(config, "127.0.0.1:0".parse().expect("a loopback address"))
                .await
                .map_err(|e| Error::internal(format!("the demo community could not start: {e}")))?;
        gatehouse_cache::files::private_dir(&dir).map_err(storage)?;
        // The demo community comes with its directory of towers and units.
        Places::of_sandbox(&sandbox.properties).save(&dir.join(crate::places::PLACES_FILE))?;
        gatehouse_cache::files::write_private(&dir.join(DEMO_MARKER), |w| {
            w.write_all(b"Gatehouse's demo community: deleted and made anew at each start.\n")
        })
        .map_err(storage)?;
        // Encrypted like any cache, with a key that lives in memory only: the folder is made
        // anew at each start.
        let cache = Cache::open(&dir.join("cache.sqlite3"), &CacheKey::random())
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
        let cache = Arc::new(cache);
        let engine = Arc::new(Engine::new(client, cache.clone()));
        let mut community = Self::assemble(name, cache, actor, Link::Running(engine.clone()));
        let stop_rx = community.stop.subscribe();
        tokio::spawn(async move { engine.run(sync_every(), RECONCILE_EVERY, stop_rx).await });
        community.demo = demo;
        community._sandbox = sandbox;
        Ok(community)
    }

    pub(crate) fn assemble(
        name: String,
        cache: impl Into<Arc<Cache>>,
        actor: String,
        link: Link,
    ) -> Community {
        let cache: Arc<Cache> = cache.into();
        let places = crate::places::open(&places_path(&cache));
        Community {
            name,
            places: std::sync::RwLock::new(places),
            demo: false,
            pager: PermitPager::following(&cache),
            cache,
            link,
            idle: watch::Sender::new(Progress::IDLE),
            stop: watch::Sender::new(false),
            actor,
            gate_grace: gatehouse_buzzin::inf::GATE_GRACE_SECS,
            refuse_expired_licence: false,
            thresholds: std::sync::RwLock::new(gatehouse_alerts::Thresholds::default()),
            panel_clients: crate::panels::ClientPool::default(),
            _sandbox: None,
        }
    }

    /// The profile's settings the desk's rules read.
    pub(crate) fn following(mut self, profile: &Profile) -> Community {
        self.gate_grace = profile.gate_grace();
        self.refuse_expired_licence = profile.refuse_expired_licence;
        self.thresholds = std::sync::RwLock::new(profile.alert_thresholds());
        self
    }

    /// The gates' grace after `validTill`, in seconds.
    pub fn gate_grace(&self) -> i64 {
        self.gate_grace
    }

    /// Whether approving a contractor whose trade licence has expired is refused (else it
    /// takes a reason).
    pub fn refuses_expired_licence(&self) -> bool {
        self.refuse_expired_licence
    }

    /// Where the demo's sandbox serves (loopback), when this is the demo.
    pub fn demo_url(&self) -> Option<String> {
        self._sandbox.as_ref().map(|s| s.base_url())
    }

    pub(crate) fn link(&self) -> &Link {
        &self.link
    }

    pub(crate) fn pager(&self) -> &PermitPager {
        &self.pager
    }

    /// The profile's name, or "Demo community".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The profile this community was opened from; none for the demo.
    pub fn profile_name(&self) -> Option<&str> {
        (!self.demo).then_some(self.name.as_str())
    }

    /// Who the audit log names for actions taken in this window.
    /// Whether this community may contact the API at all (not `--offline`, not unlinked).
    pub(crate) fn may_reach_api(&self) -> bool {
        !matches!(
            self.link,
            Link::Unlinked(_) | Link::OnDemand { offline: true, .. }
        )
    }

    /// The profile's directory of places.
    pub fn places(&self) -> Arc<Places> {
        self.places.read().expect("the places lock").0.clone()
    }

    pub(crate) fn panel_clients(&self) -> &crate::panels::ClientPool {
        &self.panel_clients
    }

    /// Why the profile's places file could not be read (it was set aside), if it could not.
    pub fn places_problem(&self) -> Option<String> {
        self.places.read().expect("the places lock").1.clone()
    }

    /// Replaces the directory with `places`, on disk first.
    pub(crate) fn set_places(&self, places: Places) -> Result<(), Error> {
        self.update_places(|p| {
            *p = places;
            Ok(())
        })
    }

    /// Changes the directory with `change`, on disk first; two changes never lose each other.
    pub(crate) fn update_places(
        &self,
        change: impl FnOnce(&mut Places) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut held = self.places.write().expect("the places lock");
        let mut places = (*held.0).clone();
        change(&mut places)?;
        places.save(&places_path(&self.cache))?;
        *held = (Arc::new(places), None);
        Ok(())
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// "Retry now": the running sync engine tries Buzz-In at once instead of at its next
    /// attempt (it backs off to 30 s while offline). Changes nothing by itself.
    pub fn retry_now(&self) {
        self.cache.ask_sync();
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// Cache writes, as they are committed.
    pub fn writes(&self) -> broadcast::Receiver<Committed> {
        self.cache.subscribe()
    }

    /// What changes from now on: cache writes and the engine's steps.
    pub fn change_feed(&self) -> ChangeFeed {
        ChangeFeed {
            writes: self.writes(),
            progress: self.progress(),
        }
    }

    /// The engine's progress.
    pub fn progress(&self) -> watch::Receiver<Progress> {
        let engine = match &self.link {
            Link::Running(engine) => Some(engine),
            Link::OnDemand { engine, .. } => engine.get(),
            Link::Unlinked(_) => None,
        };
        match engine {
            Some(engine) => engine.progress(),
            None => self.idle.subscribe(),
        }
    }

    pub async fn status(&self) -> Result<StatusView, Error> {
        let s = gatehouse_sync::status(&self.cache).await.map_err(storage)?;
        let p = *self.progress().borrow();
        let syncing = SyncProgress::of(p);
        let problem = match &self.link {
            Link::Unlinked(why) => Some(why.clone()),
            _ => s.failing_since.as_ref().map(|_| {
                format!(
                    "Syncing keeps failing although the API answers: {}.",
                    s.last_error
                        .as_deref()
                        .unwrap_or("no reason given")
                        .trim_end_matches('.')
                )
            }),
        };
        Ok(StatusView {
            community: self.name.clone(),
            demo: self.demo,
            online: s.online,
            filled: s.filled,
            offline_since: s.offline_since,
            last_sync_at: s.last_sync_at,
            last_error: s.last_error,
            pending: count(s.pending),
            refused: count(s.refused),
            permits: count(s.permits),
            contractors: count(s.contractors),
            syncing,
            problem,
            skipped_ids: count(s.skipped.ids),
            last_skipped_id: s.skipped.last,
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
