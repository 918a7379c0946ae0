//! The sync engine between one community's API and its local cache.
//!
//! - [`Engine::sync`]: drains the outbox, then runs a first sync if the cache has never been
//!   filled (or `full` is asked), then an incremental one.
//! - First sync pages through the list endpoints in `_id` order (keyset: `_id[$gt]`), storing each
//!   page with its progress marker in one transaction, so an interrupted one resumes where it
//!   stopped. Into an empty cache it runs as a bulk load (indexes built once at the end).
//! - Incremental sync reads the events feed from a durable cursor. Each page of events is stored
//!   with the documents it touched and the advanced cursor in one transaction. Records that
//!   change without an event (a new contractor, a new draft permit) are pulled by `updatedAt`.
//! - [`Engine::reconcile`] re-reads a rotating slice of permits and repairs drift.
//! - The outbox drain ([`Engine::drain`]) sends queued actions in order; see `drain.rs`.
//! - Progress goes out on a watch channel; the offline state is kept in the cache.

mod drain;
mod first;
mod incremental;

use std::sync::Arc;
use std::time::Duration;

use gatehouse_buzzin::Timestamp;
use gatehouse_cache::{Cache, CacheError};
use gatehouse_client::{Client, ClientError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use drain::DrainReport;
pub use incremental::Skipped;

/// `sync_state` keys.
pub(crate) mod keys {
    /// The last feed cursor applied (u64). Absent: the cache has never been filled.
    pub const CURSOR: &str = "feedCursor";
    /// A first (or full) sync under way: see `first::FirstSync`.
    pub const FIRST: &str = "firstSync";
    /// `updatedAt` watermarks for records that change without an event.
    pub const CONTRACTORS_SINCE: &str = "contractorsUpdatedSince";
    pub const PERMITS_SINCE: &str = "permitsUpdatedSince";
    /// The last permit id reconciled (the rotation's position).
    pub const RECONCILED_AFTER: &str = "reconciledAfter";
    pub const LAST_SYNC: &str = "lastSyncAt";
    pub const OFFLINE_SINCE: &str = "offlineSince";
    pub const LAST_ERROR: &str = "lastError";
    /// Since when syncs fail for a reason other than the network (absent while they succeed,
    /// or fail only because the API cannot be reached).
    pub const FAILING_SINCE: &str = "failingSince";
    /// Feed ids skipped because they fail the id rule: see `incremental::Skipped`.
    pub const SKIPPED: &str = "skippedIds";
}

/// Documents per list request (the API's largest page [INF]).
pub(crate) const PAGE: u64 = gatehouse_buzzin::inf::LIST_MAX_LIMIT;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ClientError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

impl SyncError {
    /// The API could not be reached (or answered only with transient errors): an outage.
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.is_transient())
    }
}

gatehouse_buzzin::closed_enum! {
    /// What the engine is doing.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Phase {
        Idle = "idle",
        Outbox = "outbox",
        Contractors = "contractors",
        Permits = "permits",
        Indexing = "indexing",
        Events = "events",
        Reconcile = "reconcile",
    }
}

/// Items done of a total, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub const IDLE: Progress = Progress {
        phase: Phase::Idle,
        done: 0,
        total: 0,
    };
}

/// What one [`Engine::sync`] did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub drained: DrainReport,
    /// Documents stored by a first or full sync (0 when none ran).
    pub first_sync_documents: u64,
    pub events: u64,
    pub updated_contractors: u64,
    pub updated_permits: u64,
    /// Ids in the feed that fail the id rule, skipped.
    pub skipped_ids: u64,
}

/// Online or not, how fresh the data is, and what waits for the server.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub online: bool,
    pub offline_since: Option<String>,
    /// When the cache last finished a sync: the data is as of then.
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// Since when syncs fail for a reason other than the network: then the API answers, but
    /// nothing it says reaches the cache, and that is a problem to show, not "online".
    pub failing_since: Option<String>,
    /// Feed ids skipped because they fail the id rule.
    pub skipped: Skipped,
    /// Actions waiting for the server.
    pub pending: u64,
    /// Actions the server refused (shown until retried or discarded).
    pub refused: u64,
    pub permits: u64,
    pub contractors: u64,
    /// Whether a first sync has completed.
    pub filled: bool,
}

pub struct Engine {
    pub(crate) client: Client,
    pub(crate) cache: Arc<Cache>,
    progress: watch::Sender<Progress>,
    /// Held through a sync: a second one (Sync now during the background round) waits for the
    /// first to end, then runs, instead of writing the same pages beside it.
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl Engine {
    pub fn new(client: Client, cache: Arc<Cache>) -> Self {
        Self {
            client,
            cache,
            progress: watch::Sender::new(Progress::IDLE),
            one_at_a_time: tokio::sync::Mutex::new(()),
        }
    }

    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Progress of the work under way.
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    pub(crate) fn report(&self, phase: Phase, done: u64, total: u64) {
        self.progress.send_replace(Progress { phase, done, total });
    }

    /// Drains the outbox, fills the cache if it never was (or refills it all with `full`), then
    /// applies what changed since. Records whether the API was reachable.
    pub async fn sync(&self, full: bool) -> Result<SyncReport, SyncError> {
        let _turn = self.one_at_a_time.lock().await;
        let result = self.sync_inner(full).await;
        self.report(Phase::Idle, 0, 0);
        self.record(&result).await?;
        result
    }

    async fn sync_inner(&self, full: bool) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport {
            drained: self.drain().await?,
            ..SyncReport::default()
        };
        let filled = self.cache.state::<u64>(keys::CURSOR).await?.is_some();
        let resuming = self
            .cache
            .state::<serde_json::Value>(keys::FIRST)
            .await?
            .is_some();
        if full || !filled || resuming {
            report.first_sync_documents = self.first_sync(full && !resuming).await?;
        }
        let inc = self.incremental().await?;
        report.events = inc.events;
        report.updated_contractors = inc.contractors;
        report.updated_permits = inc.permits;
        report.skipped_ids = inc.skipped_ids;
        // Actions queued while syncing go out now rather than at the next round.
        let more = self.drain().await?;
        report.drained.merge(more);
        Ok(report)
    }

    /// Sends what the outbox holds (no sync), recording whether the API was reachable: what a
    /// single action from the CLI or a button in the app does right after queueing.
    pub async fn send_queued(&self) -> Result<DrainReport, SyncError> {
        let result = self.drain().await;
        self.report(Phase::Idle, 0, 0);
        if result.as_ref().is_err_and(SyncError::is_offline) {
            self.record(&result).await?;
        }
        result
    }

    /// Keeps the offline state: the first failure to reach the API starts "offline since", any
    /// success ends it.
    pub(crate) async fn record<T>(&self, result: &Result<T, SyncError>) -> Result<(), SyncError> {
        match result {
            Ok(_) => {
                self.cache
                    .store(gatehouse_cache::Batch {
                        state: vec![
                            (keys::OFFLINE_SINCE.into(), None),
                            (keys::FAILING_SINCE.into(), None),
                            (keys::LAST_ERROR.into(), None),
                            (
                                keys::LAST_SYNC.into(),
                                Some(Timestamp::now().to_wire().into()),
                            ),
                        ],
                        ..Default::default()
                    })
                    .await?
            }
            Err(e) if e.is_offline() => {
                let since = self.cache.state::<String>(keys::OFFLINE_SINCE).await?;
                self.cache
                    .store(gatehouse_cache::Batch {
                        state: vec![
                            (
                                keys::OFFLINE_SINCE.into(),
                                Some(since.unwrap_or_else(|| Timestamp::now().to_wire()).into()),
                            ),
                            (keys::LAST_ERROR.into(), Some(e.to_string().into())),
                        ],
                        ..Default::default()
                    })
                    .await?
            }
            // The API answered, but the sync cannot go through: a problem until one does.
            Err(e) => {
                let since = self.cache.state::<String>(keys::FAILING_SINCE).await?;
                self.cache
                    .store(gatehouse_cache::Batch {
                        state: vec![
                            (keys::OFFLINE_SINCE.into(), None),
                            (
                                keys::FAILING_SINCE.into(),
                                Some(since.unwrap_or_else(|| Timestamp::now().to_wire()).into()),
                            ),
                            (keys::LAST_ERROR.into(), Some(e.to_string().into())),
                        ],
                        ..Default::default()
                    })
                    .await?
            }
        }
        Ok(())
    }

    pub async fn status(&self) -> Result<Status, SyncError> {
        status(&self.cache).await
    }

    /// Runs until `stop` turns true: syncs every `every` (sooner when an action is queued or a
    /// sync is asked for), reconciles a slice of permits every `reconcile_every`, and backs off
    /// while offline. Between syncs while online, every [`HEARTBEAT`] it checks that the API's
    /// host still takes a connection, and syncs at once when it does not: an outage shows in
    /// seconds, not at the next period.
    pub async fn run(
        &self,
        every: Duration,
        reconcile_every: Duration,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut changes = self.cache.subscribe();
        let mut last_reconcile = tokio::time::Instant::now();
        let mut next = tokio::time::Instant::now();
        let mut failures: u32 = 0;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(next) => {}
                _ = stop.changed() => {}
                _ = tokio::time::sleep(HEARTBEAT), if failures == 0 => {
                    if self.client.reachable(HEARTBEAT).await {
                        continue;
                    }
                }
                change = changes.recv() => match change {
                    // A newly queued action: send it now; or someone asked to try now. (The
                    // drain's own outbox writes are `Outbox` changes and do not wake the loop.)
                    Ok(gatehouse_cache::Committed::Queued | gatehouse_cache::Committed::SyncAsked) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    _ => continue,
                },
            }
            if *stop.borrow() {
                return;
            }
            match self.sync(false).await {
                Ok(_) => {
                    failures = 0;
                    next = tokio::time::Instant::now() + every;
                    if last_reconcile.elapsed() >= reconcile_every {
                        last_reconcile = tokio::time::Instant::now();
                        if let Err(e) = self.reconcile(100).await {
                            tracing::warn!(error = %e, "reconciliation failed");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync failed");
                    // Offline: look again after 2 s, 4 s, 8 s… up to the usual period, so the
                    // connection's return is noticed within one period at worst.
                    failures = failures.saturating_add(1);
                    next = tokio::time::Instant::now() + offline_wait(failures, every);
                }
            }
        }
    }
}

/// How often the running engine checks, between syncs, that the API's host takes a connection.
pub const HEARTBEAT: Duration = Duration::from_secs(3);

/// How long to wait after the `failures`-th failed sync in a row: doubling from 2 s, capped at
/// `every` (and never under 2 s).
fn offline_wait(failures: u32, every: Duration) -> Duration {
    let first = Duration::from_secs(2);
    let doubled = first.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    doubled.min(every.max(first))
}

/// The offline state and counts, from the cache alone (no network).
/// Whether the API answered at the last try, and when the last sync ended: what [`status`] says
/// of the data's age, read without counting anything.
pub async fn freshness(cache: &Cache) -> Result<(bool, Option<String>), SyncError> {
    // One read: the pass check waits on it.
    let states = cache
        .states(&[keys::OFFLINE_SINCE, keys::LAST_SYNC])
        .await?;
    let last_sync = states
        .get(keys::LAST_SYNC)
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    Ok((!states.contains_key(keys::OFFLINE_SINCE), last_sync))
}

pub async fn status(cache: &Cache) -> Result<Status, SyncError> {
    let offline_since = cache.state::<String>(keys::OFFLINE_SINCE).await?;
    let (pending, refused) = cache.outbox_counts().await?;
    Ok(Status {
        online: offline_since.is_none(),
        offline_since,
        last_sync_at: cache.state(keys::LAST_SYNC).await?,
        last_error: cache.state(keys::LAST_ERROR).await?,
        failing_since: cache.state(keys::FAILING_SINCE).await?,
        skipped: cache.state(keys::SKIPPED).await?.unwrap_or_default(),
        pending,
        refused,
        permits: cache.count_permits().await?,
        contractors: cache.count_contractors().await?,
        filled: cache.state::<u64>(keys::CURSOR).await?.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_waits_double_from_two_seconds_up_to_the_period() {
        let every = Duration::from_secs(30);
        let waits: Vec<u64> = (1..=7).map(|n| offline_wait(n, every).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(offline_wait(1000, every), every);
        assert_eq!(offline_wait(3, Duration::from_millis(10)).as_secs(), 2);
    }
}
