//! The local cache of one community: everything the admin sees is read from here, so the app
//! opens and works offline. SQLite through sqlx, WAL, migrations embedded in the binary.
//!
//! Every write commits first and then announces what changed ([`Committed`]), for the open views
//! and the sync engine alike.

mod alerts;
mod codes;
mod door_events;
mod encrypt;
mod error;
pub mod files;
mod grants;
mod keying;
mod open;
mod outbox;
mod query;
mod reads;
mod search;
mod write;

use std::path::{Path, PathBuf};

use gatehouse_buzzin::{Contractor, Permit};
use sqlx::SqlitePool;
use tokio::sync::broadcast;

pub use alerts::{Band, Ending, FeedEnding, LedgerKey, NewAlert, StoredAlert, Told};
pub use codes::{CodeLookup, KnownCode};
pub use door_events::{DoorEvent, LogCursor};
pub use encrypt::holds_encrypted_data;
pub use error::CacheError;
pub use grants::{GrantOutcome, GrantRow, GrantState, ORPHAN, WantedGrant};
pub use keying::{CacheKey, KEY_BYTES, KeyFormatError};
pub use outbox::{
    ActionKind, AuditFilter, AuditRow, Before, LocalRecord, NewAction, OutboxEntry, OutboxState,
    Outcome, may_act_on_contractor, may_act_on_permit, may_queue_beside,
};
pub use query::{Cursor, PermitPage, PermitQuery, PermitSort};
pub use reads::SeenPlace;

use gatehouse_buzzin::FeedItem;

gatehouse_buzzin::closed_enum! {
    /// The contractor tabs.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum ContractorState {
        /// In the community, not yet approved.
        Pending = "pending",
        Approved = "approved",
        /// Revoked: no longer in the community.
        Removed = "removed",
    }
}

impl ContractorState {
    /// Which tab a contractor is on.
    pub fn of(c: &Contractor) -> ContractorState {
        if c.is_removed() {
            ContractorState::Removed
        } else if c.approved {
            ContractorState::Approved
        } else {
            ContractorState::Pending
        }
    }
}

/// One step of a sync, stored in one transaction by [`Cache::store`].
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub contractors: Vec<Contractor>,
    pub permits: Vec<Permit>,
    pub events: Vec<FeedItem>,
    /// `sync_state` keys to set (`Some`) or clear (`None`).
    pub state: Vec<(String, Option<serde_json::Value>)>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.contractors.is_empty()
            && self.permits.is_empty()
            && self.events.is_empty()
            && self.state.is_empty()
    }
}

/// What a committed write changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    Contractors(Vec<String>),
    Permits(Vec<String>),
    /// An outbox row was added or changed state.
    Outbox,
    /// An action was queued (or queued again) and waits to be sent: sent after the `Outbox`
    /// change of the same write. The sync engine wakes on this one only, not on its own writes.
    Queued,
    /// Someone asked to try Buzz-In now ("Retry now"): the sync engine's loop wakes on it, as on
    /// `Queued`. Nothing was written.
    SyncAsked,
    /// Lines were added to the audit log by something that sends nothing (a print, a check).
    Audit,
    /// An alert was kept, or alerts were marked read.
    Alerts,
    /// What is wanted on a gate panel, or where it stands there, changed.
    Grants,
    /// Events the gate panels logged at their doors were copied in.
    DoorEvents,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct Cache {
    pool: SqlitePool,
    path: PathBuf,
    changes: broadcast::Sender<Committed>,
    /// During a bulk load, writes skip index and search maintenance.
    bulk: std::sync::atomic::AtomicBool,
    /// Counts the writes of contractors and permits (bumped as they are announced).
    writes: std::sync::atomic::AtomicU64,
    /// Whether every permit's contractor was cached and named, and at which write count:
    /// the contractor sort's walk (`query::source`). Asked again after any write.
    names_complete: std::sync::Mutex<Option<(u64, bool)>>,
}

/// `sync_state` key holding the names of the permit indexes a bulk load has dropped. Only names:
/// what rebuilds them is the migrations' own `CREATE INDEX` text, never SQL read from the file.
const BULK_KEY: &str = "bulkLoadIndexes";

/// The statement that creates index `name` on `permits`, from the newest migration defining it.
fn index_sql(name: &str) -> Option<String> {
    let head = format!("CREATE INDEX {name} ON permits ");
    MIGRATOR.iter().rev().find_map(|m| {
        m.sql
            .split(';')
            .map(|stmt| {
                stmt.lines()
                    .filter(|l| !l.trim_start().starts_with("--"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .find(|stmt| stmt.trim().starts_with(&head))
            .map(|stmt| stmt.trim().to_owned())
    })
}

/// An index's name as stored by the bulk load: its name, or (written by Gatehouse before names
/// were stored) the statement, of which only the name is taken.
fn stored_index_name(stored: &str) -> &str {
    stored
        .strip_prefix("CREATE INDEX ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or(stored)
        .trim_matches('"')
}

impl Cache {
    /// A connected pool made a cache: its schema brought up to date, an interrupted bulk load
    /// finished, search indexes of an older text rebuilt.
    async fn ready(pool: SqlitePool, path: &Path) -> Result<Cache, CacheError> {
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| CacheError::migrate(path, e))?;
        let (changes, _) = broadcast::channel(256);
        let cache = Cache {
            pool,
            path: path.to_owned(),
            changes,
            bulk: std::sync::atomic::AtomicBool::new(false),
            writes: std::sync::atomic::AtomicU64::new(0),
            names_complete: std::sync::Mutex::new(None),
        };
        // A bulk load that was interrupted (the process died) is finished now; it rebuilds the
        // search indexes too. Indexes built by an older search text are rebuilt.
        if cache.bulk_indexes().await?.is_some() {
            cache.finish_bulk_load().await?;
        } else if cache.state::<i64>(search::SEARCH_TEXT_KEY).await?
            != Some(search::SEARCH_TEXT_VERSION)
        {
            cache.reindex_search().await?;
        }
        Ok(cache)
    }

    async fn bulk_indexes(&self) -> Result<Option<Vec<String>>, CacheError> {
        let row: Option<String> = sqlx::query_scalar("SELECT value FROM sync_state WHERE key = ?")
            .bind(BULK_KEY)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|v| decode(&self.path, "bulk-load state", &v))
            .transpose()
    }

    /// Starts a bulk load (a first sync into an empty cache): the permit indexes are dropped and
    /// writes skip the search index, so rows go in at the speed of a plain insert.
    /// [`Cache::finish_bulk_load`] builds everything once; if the process dies first, the next
    /// [`Cache::open`] does it.
    pub async fn begin_bulk_load(&self) -> Result<(), CacheError> {
        let mut tx = self.write_tx().await?;
        let indexes: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'permits' AND sql IS NOT NULL",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| self.sql(e))?;
        if !indexes.is_empty() {
            let names: Vec<&str> = indexes.iter().map(|(name,)| name.as_str()).collect();
            sqlx::query("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .bind(BULK_KEY)
                .bind(serde_json::to_string(&names).expect("strings serialise"))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql(e))?;
            for (name,) in &indexes {
                sqlx::query(&format!("DROP INDEX \"{name}\""))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.sql(e))?;
            }
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        self.bulk.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Rebuilds both search indexes in one transaction (a cache indexed by an older search text),
    /// the contractors' name forms first.
    async fn reindex_search(&self) -> Result<(), CacheError> {
        let mut tx = self.write_tx().await?;
        refresh_name_forms(&mut tx).await.map_err(|e| self.sql(e))?;
        reindex(&mut tx).await.map_err(|e| self.sql(e))?;
        tx.commit().await.map_err(|e| self.sql(e))
    }

    /// Ends a bulk load: rebuilds the permit indexes and both search indexes, in one transaction.
    pub async fn finish_bulk_load(&self) -> Result<(), CacheError> {
        let indexes = self.bulk_indexes().await?.unwrap_or_default();
        let mut tx = self.write_tx().await?;
        // A name no migration defines is not rebuilt: nothing read from the file is run as SQL.
        for sql in indexes
            .iter()
            .filter_map(|stored| index_sql(stored_index_name(stored)))
        {
            let sql = sql.replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1);
            sqlx::query(&sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql(e))?;
        }
        reindex(&mut tx).await.map_err(|e| self.sql(e))?;
        sqlx::query("DELETE FROM sync_state WHERE key = ?")
            .bind(BULK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
        tx.commit().await.map_err(|e| self.sql(e))?;
        self.bulk.store(false, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn bulk_loading(&self) -> bool {
        self.bulk.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, checkpointing the write-ahead log into the file; dropping a
    /// cache does the same in the background.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Change announcements, sent after each commit.
    pub fn subscribe(&self) -> broadcast::Receiver<Committed> {
        self.changes.subscribe()
    }

    /// A write transaction, holding SQLite's write lock from its first statement (`BEGIN
    /// IMMEDIATE`). A deferred one that reads first would fail with `SQLITE_BUSY_SNAPSHOT` when
    /// another connection writes in between (a pass check's audit line during a sync), where
    /// this one waits its turn (the busy timeout).
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, CacheError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.sql(e))
    }

    fn sql(&self, e: sqlx::Error) -> CacheError {
        CacheError::classify(&self.path, e)
    }

    // ---- writes ---------------------------------------------------------------------------------

    /// Stores contractors as the API sent them (replacing earlier copies) and refreshes the search
    /// text of their permits.
    pub async fn upsert_contractors(&self, contractors: &[Contractor]) -> Result<(), CacheError> {
        self.store(Batch {
            contractors: contractors.to_vec(),
            ..Batch::default()
        })
        .await
    }

    /// Stores permits as the API sent them (replacing earlier copies), with their search text.
    pub async fn upsert_permits(&self, permits: &[Permit]) -> Result<(), CacheError> {
        self.store(Batch {
            permits: permits.to_vec(),
            ..Batch::default()
        })
        .await
    }

    /// Stores one step of a sync in one transaction: documents as the API sent them (replacing
    /// earlier copies, with their search text), events, and sync-state keys (e.g. the feed cursor
    /// that these events advance). Pending outbox actions are laid over the new documents again,
    /// so a sync never hides an action that has not reached the server yet.
    pub async fn store(&self, batch: Batch) -> Result<(), CacheError> {
        if batch.is_empty() {
            return Ok(());
        }
        let bulk = self.bulk_loading();
        let mut tx = self.write_tx().await?;
        write::upsert_contractors(&mut tx, &batch.contractors, bulk)
            .await
            .map_err(|e| self.sql(e))?;
        // The events' codes first: a document's code is then placed among them.
        codes::record_issued(&mut tx, &batch.events)
            .await
            .map_err(|e| self.sql(e))?;
        write::upsert_permits(&mut tx, &batch.permits, bulk)
            .await
            .map_err(|e| self.sql(e))?;
        write::insert_events(&mut tx, &batch.events)
            .await
            .map_err(|e| self.sql(e))?;
        for (key, value) in &batch.state {
            write::set_state(&mut tx, key, value.as_ref())
                .await
                .map_err(|e| self.sql(e))?;
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        let contractors: Vec<String> = batch.contractors.iter().map(|c| c.id.clone()).collect();
        let permits: Vec<String> = batch.permits.iter().map(|p| p.id.clone()).collect();
        self.announce(contractors, permits);
        Ok(())
    }

    /// Asks the sync engine to try the API now instead of at its next attempt.
    pub fn ask_sync(&self) {
        let _ = self.changes.send(Committed::SyncAsked);
    }

    pub(crate) fn announce(&self, mut contractors: Vec<String>, mut permits: Vec<String>) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        contractors.sort();
        contractors.dedup();
        permits.sort();
        permits.dedup();
        if !contractors.is_empty() {
            let _ = self.changes.send(Committed::Contractors(contractors));
        }
        if !permits.is_empty() {
            let _ = self.changes.send(Committed::Permits(permits));
        }
    }

    /// A sync-state value (JSON), e.g. the feed cursor.
    pub async fn state<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, CacheError> {
        let row: Option<String> = sqlx::query_scalar("SELECT value FROM sync_state WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|v| decode(&self.path, "sync state", &v))
            .transpose()
    }

    /// Several sync-state values in one read, by key (the keys without a value are absent).
    pub async fn states(
        &self,
        keys: &[&str],
    ) -> Result<std::collections::HashMap<String, serde_json::Value>, CacheError> {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT key, value FROM sync_state WHERE key IN ",
        );
        push_list(&mut q, keys.iter().copied());
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        rows.into_iter()
            .map(|r| {
                use sqlx::Row as _;
                Ok((
                    r.get(0),
                    decode(&self.path, "sync state", &r.get::<String, _>(1))?,
                ))
            })
            .collect()
    }

    /// Sets (or with `None`, clears) a sync-state value.
    pub async fn set_state<T: serde::Serialize>(
        &self,
        key: &str,
        value: Option<&T>,
    ) -> Result<(), CacheError> {
        let value = value.map(|v| serde_json::to_value(v).expect("state serialises"));
        let mut conn = self.pool.acquire().await.map_err(|e| self.sql(e))?;
        write::set_state(&mut conn, key, value.as_ref())
            .await
            .map_err(|e| self.sql(e))
    }
}

/// The name forms of contractors and of permits' representatives made again by the current
/// search text (written with each contractor and permit otherwise).
async fn refresh_name_forms(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let names: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, name, company FROM contractors")
            .fetch_all(&mut *conn)
            .await?;
    for (id, name, company) in &names {
        sqlx::query("UPDATE contractors SET forms = ? WHERE id = ?")
            .bind(search::name_forms(name, company))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    // A crew lead named on many permits is folded once.
    let reps: Vec<(i64, String)> =
        sqlx::query_as("SELECT rowid, representative FROM permits WHERE representative != ''")
            .fetch_all(&mut *conn)
            .await?;
    let mut made = std::collections::HashMap::<&str, String>::new();
    for (rowid, rep) in &reps {
        let forms = made
            .entry(rep.as_str())
            .or_insert_with(|| search::name_forms(rep, ""));
        sqlx::query("UPDATE permits SET representative_forms = ? WHERE rowid = ?")
            .bind(forms.as_str())
            .bind(rowid)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Both search indexes built afresh by the current search text, which the cache then records.
async fn reindex(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM contractor_search",
        search::CONTRACTOR_SEARCH_INSERT.as_str(),
        "DELETE FROM permit_search",
        search::PERMIT_SEARCH_INSERT.as_str(),
    ] {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    let version = serde_json::json!(search::SEARCH_TEXT_VERSION);
    write::set_state(conn, search::SEARCH_TEXT_KEY, Some(&version)).await
}

/// Appends `(?, ?, …)` bound to `items`: the list of an `IN`.
pub(crate) fn push_list<'a>(
    q: &mut sqlx::QueryBuilder<'a, sqlx::Sqlite>,
    items: impl IntoIterator<Item = &'a str>,
) {
    q.push("(");
    let mut sep = q.separated(", ");
    for item in items {
        sep.push_bind(item);
    }
    q.push(")");
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
    doc: &str,
) -> Result<T, CacheError> {
    serde_json::from_str(doc).map_err(|e| CacheError::Corrupt {
        path: path.to_owned(),
        detail: format!("a stored {what} cannot be read: {e}"),
    })
}
