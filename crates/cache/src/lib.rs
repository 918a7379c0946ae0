//! The local cache of one community: everything the admin sees is read from here, so the app
//! opens and works offline. SQLite through sqlx, WAL, migrations embedded in the binary.
//!
//! Every write commits first and then announces what changed ([`Change`]), for the open views
//! and the sync engine alike.

mod error;
mod query;

use std::path::{Path, PathBuf};

use gatehouse_buzzin::{Contractor, Permit};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use tokio::sync::broadcast;

pub use error::CacheError;
pub use query::{Cursor, PermitPage, PermitQuery, PermitSort};

/// Rows per multi-row statement (each statement is a round trip to SQLite's worker thread).
const CHUNK: usize = 400;

/// What a committed write changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Contractors(Vec<String>),
    Permits(Vec<String>),
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct Cache {
    pool: SqlitePool,
    path: PathBuf,
    changes: broadcast::Sender<Change>,
    /// During a bulk load, writes skip index and search maintenance.
    bulk: std::sync::atomic::AtomicBool,
}

/// `sync_state` key holding the permit indexes' SQL while a bulk load has them dropped.
const BULK_KEY: &str = "bulkLoadIndexes";

impl Cache {
    /// Opens (creating if needed) the cache at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Cache, CacheError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CacheError::io(path, e))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| CacheError::classify(path, e))?;
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
        };
        // A bulk load that was interrupted (the process died) is finished now.
        if cache.bulk_indexes().await?.is_some() {
            cache.finish_bulk_load().await?;
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
        let mut tx = self.pool.begin().await.map_err(|e| self.sql(e))?;
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'permits' AND sql IS NOT NULL",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| self.sql(e))?;
        if !indexes.is_empty() {
            let sqls: Vec<&str> = indexes.iter().map(|(_, sql)| sql.as_str()).collect();
            sqlx::query("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .bind(BULK_KEY)
                .bind(serde_json::to_string(&sqls).expect("strings serialise"))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql(e))?;
            for (name, _) in &indexes {
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

    /// Ends a bulk load: rebuilds the permit indexes and both search indexes, in one transaction.
    pub async fn finish_bulk_load(&self) -> Result<(), CacheError> {
        let indexes = self.bulk_indexes().await?.unwrap_or_default();
        let mut tx = self.pool.begin().await.map_err(|e| self.sql(e))?;
        for sql in &indexes {
            let sql = sql.replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1);
            sqlx::query(&sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql(e))?;
        }
        for sql in [
            "DELETE FROM contractor_search",
            CONTRACTOR_SEARCH_INSERT,
            "DELETE FROM permit_search",
            PERMIT_SEARCH_INSERT,
        ] {
            sqlx::query(sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql(e))?;
        }
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

    /// Opens the cache; one that is damaged or from a newer Gatehouse is moved aside (kept, named
    /// `<file>.unreadable-<unix seconds>`) and a fresh one is created, to be refilled from the
    /// server. Returns the reason when that happened.
    pub async fn open_or_rebuild(path: &Path) -> Result<(Cache, Option<CacheError>), CacheError> {
        match Cache::open(path).await {
            Ok(cache) => Ok((cache, None)),
            Err(reason @ (CacheError::Corrupt { .. } | CacheError::TooNew { .. })) => {
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default();
                let aside = path.with_extension(format!("unreadable-{stamp}"));
                std::fs::rename(path, &aside).map_err(|e| CacheError::io(path, e))?;
                for suffix in ["-wal", "-shm"] {
                    let mut side = path.as_os_str().to_owned();
                    side.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(side));
                }
                Ok((Cache::open(path).await?, Some(reason)))
            }
            Err(other) => Err(other),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Change announcements, sent after each commit.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    fn sql(&self, e: sqlx::Error) -> CacheError {
        CacheError::classify(&self.path, e)
    }

    // ---- writes ---------------------------------------------------------------------------------

    /// Stores contractors as the API sent them (replacing earlier copies) and refreshes the search
    /// text of their permits.
    pub async fn upsert_contractors(&self, contractors: &[Contractor]) -> Result<(), CacheError> {
        if contractors.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(|e| self.sql(e))?;
        for chunk in contractors.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO contractors (id, name, company, email, phone, salesforce_id, approved, removed, updated_at, doc) ",
            );
            q.push_values(chunk, |mut b, c| {
                b.push_bind(&c.id)
                    .push_bind(c.name.clone().unwrap_or_default())
                    .push_bind(
                        c.company
                            .as_ref()
                            .and_then(|co| co.company_name.clone())
                            .unwrap_or_default(),
                    )
                    .push_bind(c.email.clone().unwrap_or_default())
                    .push_bind(c.phone.clone().unwrap_or_default())
                    .push_bind(c.salesforce_id().unwrap_or_default().to_owned())
                    .push_bind(c.approved)
                    .push_bind(c.communities_ids.is_empty())
                    .push_bind(c.updated_at.map(|t| t.to_wire()).unwrap_or_default())
                    .push_bind(serde_json::to_string(c).expect("a contractor serialises"));
            });
            q.push(
                " ON CONFLICT(id) DO UPDATE SET name = excluded.name, company = excluded.company, email = excluded.email, \
                 phone = excluded.phone, salesforce_id = excluded.salesforce_id, approved = excluded.approved, \
                 removed = excluded.removed, updated_at = excluded.updated_at, doc = excluded.doc",
            );
            q.build().execute(&mut *tx).await.map_err(|e| self.sql(e))?;

            if self.bulk_loading() {
                continue; // finish_bulk_load builds the search indexes once
            }
            let ids = || chunk.iter().map(|c| c.id.as_str());
            in_list(&mut tx, "DELETE FROM contractor_search WHERE rowid IN (SELECT rowid FROM contractors WHERE id IN ", ids(), ")")
                .await
                .map_err(|e| self.sql(e))?;
            in_list(
                &mut tx,
                &format!("{CONTRACTOR_SEARCH_INSERT} WHERE id IN "),
                ids(),
                "",
            )
            .await
            .map_err(|e| self.sql(e))?;
            // Their permits' search text names them.
            in_list(&mut tx, "DELETE FROM permit_search WHERE rowid IN (SELECT rowid FROM permits WHERE contractor_id IN ", ids(), ")")
                .await
                .map_err(|e| self.sql(e))?;
            in_list(
                &mut tx,
                &format!("{PERMIT_SEARCH_INSERT} WHERE p.contractor_id IN "),
                ids(),
                "",
            )
            .await
            .map_err(|e| self.sql(e))?;
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        let _ = self.changes.send(Change::Contractors(
            contractors.iter().map(|c| c.id.clone()).collect(),
        ));
        Ok(())
    }

    /// Stores permits as the API sent them (replacing earlier copies), with their search text.
    pub async fn upsert_permits(&self, permits: &[Permit]) -> Result<(), CacheError> {
        if permits.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(|e| self.sql(e))?;
        for chunk in permits.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO permits (id, pass_number, status_name, permit_type, contractor_id, property_id, flat_id, valid_from, valid_till, updated_at, doc) ",
            );
            q.push_values(chunk, |mut b, p| {
                let time = |t: Option<gatehouse_buzzin::Timestamp>| {
                    t.map(|t| t.to_wire()).unwrap_or_default()
                };
                b.push_bind(&p.id)
                    .push_bind(p.pass_number.clone().unwrap_or_default())
                    .push_bind(p.status_name().map(|s| s.to_string()).unwrap_or_default())
                    .push_bind(
                        p.permit_type
                            .as_ref()
                            .map(|t| t.to_string())
                            .unwrap_or_default(),
                    )
                    .push_bind(p.community_contractor_id.clone().unwrap_or_default())
                    .push_bind(p.property_id.clone().unwrap_or_default())
                    .push_bind(p.flat_id.clone().unwrap_or_default())
                    .push_bind(time(p.valid_from))
                    .push_bind(time(p.valid_till))
                    .push_bind(time(p.updated_at))
                    .push_bind(serde_json::to_string(p).expect("a permit serialises"));
            });
            q.push(
                " ON CONFLICT(id) DO UPDATE SET pass_number = excluded.pass_number, status_name = excluded.status_name, \
                 permit_type = excluded.permit_type, contractor_id = excluded.contractor_id, property_id = excluded.property_id, \
                 flat_id = excluded.flat_id, valid_from = excluded.valid_from, valid_till = excluded.valid_till, \
                 updated_at = excluded.updated_at, doc = excluded.doc",
            );
            q.build().execute(&mut *tx).await.map_err(|e| self.sql(e))?;
            if self.bulk_loading() {
                continue; // finish_bulk_load builds the search index once
            }
            let ids = || chunk.iter().map(|p| p.id.as_str());
            in_list(
                &mut tx,
                "DELETE FROM permit_search WHERE rowid IN (SELECT rowid FROM permits WHERE id IN ",
                ids(),
                ")",
            )
            .await
            .map_err(|e| self.sql(e))?;
            in_list(
                &mut tx,
                &format!("{PERMIT_SEARCH_INSERT} WHERE p.id IN "),
                ids(),
                "",
            )
            .await
            .map_err(|e| self.sql(e))?;
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        let _ = self.changes.send(Change::Permits(
            permits.iter().map(|p| p.id.clone()).collect(),
        ));
        Ok(())
    }

    // ---- reads ----------------------------------------------------------------------------------

    pub async fn contractor(&self, id: &str) -> Result<Option<Contractor>, CacheError> {
        let row = sqlx::query("SELECT doc FROM contractors WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| decode(&self.path, "contractor", &r.get::<String, _>(0)))
            .transpose()
    }

    pub async fn permit(&self, id: &str) -> Result<Option<Permit>, CacheError> {
        let row = sqlx::query("SELECT doc FROM permits WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| decode(&self.path, "permit", &r.get::<String, _>(0)))
            .transpose()
    }

    /// A permit by its id or its pass number (`WP-002391`).
    pub async fn permit_by_id_or_pass(&self, key: &str) -> Result<Option<Permit>, CacheError> {
        let row = sqlx::query("SELECT doc FROM permits WHERE id = ?1 OR pass_number = ?1 LIMIT 1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| decode(&self.path, "permit", &r.get::<String, _>(0)))
            .transpose()
    }

    pub async fn count_permits(&self) -> Result<u64, CacheError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM permits")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(n as u64)
    }

    /// One page of permits: filters, search, sort, and a keyset cursor for the next page.
    pub async fn permits(&self, q: &PermitQuery) -> Result<PermitPage, CacheError> {
        query::permits(&self.pool, &self.path, q).await
    }
}

/// The search text of contractors: name, company, phone, email and Salesforce id.
const CONTRACTOR_SEARCH_INSERT: &str = "INSERT INTO contractor_search (rowid, text) SELECT rowid, \
    name || ' ' || company || ' ' || phone || ' ' || email || ' ' || salesforce_id FROM contractors";

/// The search text of permits: pass number, unit, job, representative, and the contractor's
/// name, company and phone.
const PERMIT_SEARCH_INSERT: &str = "INSERT INTO permit_search (rowid, text) SELECT p.rowid, \
    p.pass_number || ' ' || p.flat_id || ' ' || coalesce(json_extract(p.doc, '$.jobsSummary'), '') || ' ' || \
    coalesce(json_extract(p.doc, '$.representativeName'), '') || ' ' || coalesce(c.name, '') || ' ' || \
    coalesce(c.company, '') || ' ' || coalesce(c.phone, '') \
    FROM permits p LEFT JOIN contractors c ON c.id = p.contractor_id";

/// Runs `head (?, ?, …) tail` with the ids bound.
async fn in_list<'a>(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    head: &str,
    ids: impl Iterator<Item = &'a str>,
    tail: &str,
) -> Result<(), sqlx::Error> {
    let mut q = QueryBuilder::<Sqlite>::new(head);
    q.push("(");
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(id);
    }
    q.push(")");
    q.push(tail);
    q.build().execute(&mut **tx).await.map(|_| ())
}

fn decode<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
    doc: &str,
) -> Result<T, CacheError> {
    serde_json::from_str(doc).map_err(|e| CacheError::Corrupt {
        path: path.to_owned(),
        detail: format!("a stored {what} cannot be read: {e}"),
    })
}
