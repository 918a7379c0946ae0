//! Keeps a sandbox's state across restarts (`--data DIR`): one SQLite database, written through
//! after every request in one transaction per request, in request order.

use std::path::{Path, PathBuf};

use gatehouse_buzzin::{Contractor, FeedItem, Permit};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::world::{Counters, DeadCode, Property, Saved, Unsaved};

/// Bumped when the tables change; a folder written by another version is refused, not guessed at.
const SCHEMA_VERSION: i64 = 1;
pub const DB_FILE: &str = "sandbox.sqlite3";
/// Rows per multi-row insert (3 parameters each, well under SQLite's limit).
const CHUNK: usize = 500;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS contractors (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS permits (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events (cursor INTEGER PRIMARY KEY, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dead_codes (code TEXT PRIMARY KEY, permit_id TEXT NOT NULL, why TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS flags (flag TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (flag, id))",
];

pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

fn fail(path: &Path, what: &str, e: impl std::fmt::Display) -> String {
    format!("{what} {}: {e}", path.display())
}

impl Store {
    pub async fn open(dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(dir).map_err(|e| fail(dir, "cannot create the data folder", e))?;
        let path = dir.join(DB_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| fail(&path, "cannot open the sandbox database", e))?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await.map_err(|e| {
                fail(
                    &path,
                    "the sandbox database is not usable (not a sandbox database, or damaged)",
                    e,
                )
            })?;
        }
        let store = Store { pool, path };
        match store.meta("schemaVersion").await? {
            None => {}
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(format!(
                    "{} was written by another version of the sandbox (schema {v}, this one reads {SCHEMA_VERSION}); use another --data folder or delete this one",
                    store.path.display()
                ));
            }
        }
        Ok(store)
    }

    async fn meta(&self, key: &str) -> Result<Option<String>, String> {
        sqlx::query("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map(|row| row.map(|r| r.get::<String, _>(0)))
            .map_err(|e| fail(&self.path, "cannot read", e))
    }

    /// The saved world, or `None` for a new folder.
    pub async fn load(&self) -> Result<Option<Saved>, String> {
        let Some(community_id) = self.meta("communityId").await? else {
            return Ok(None);
        };
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            fail(&self.path, &format!("damaged {what} in"), e)
        };
        let properties: Vec<Property> =
            serde_json::from_str(&self.meta("properties").await?.unwrap_or_default())
                .map_err(|e| bad("properties", &e))?;
        let counters: Counters =
            serde_json::from_str(&self.meta("counters").await?.unwrap_or_default())
                .map_err(|e| bad("counters", &e))?;
        let docs = |sql: &'static str| async move {
            sqlx::query(sql)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| fail(&self.path, "cannot read", e))
                .map(|rows| {
                    rows.into_iter()
                        .map(|r| r.get::<String, _>(0))
                        .collect::<Vec<_>>()
                })
        };
        let contractors = docs("SELECT doc FROM contractors ORDER BY seq")
            .await?
            .iter()
            .map(|d| serde_json::from_str::<Contractor>(d).map_err(|e| bad("contractor", &e)))
            .collect::<Result<Vec<_>, _>>()?;
        let permits = docs("SELECT doc FROM permits ORDER BY seq")
            .await?
            .iter()
            .map(|d| serde_json::from_str::<Permit>(d).map_err(|e| bad("permit", &e)))
            .collect::<Result<Vec<_>, _>>()?;
        let events = docs("SELECT doc FROM events ORDER BY cursor")
            .await?
            .iter()
            .map(|d| serde_json::from_str::<FeedItem>(d).map_err(|e| bad("event", &e)))
            .collect::<Result<Vec<_>, _>>()?;
        let dead_codes = sqlx::query("SELECT code, permit_id, why FROM dead_codes")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| fail(&self.path, "cannot read", e))?
            .into_iter()
            .map(|r| {
                let why: String = r.get(2);
                let why = DeadCode::parse(&why).ok_or_else(|| bad("code", &why))?;
                Ok((r.get::<String, _>(0), r.get::<String, _>(1), why))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let flags = sqlx::query("SELECT flag, id FROM flags")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| fail(&self.path, "cannot read", e))?
            .into_iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .collect();
        Ok(Some(Saved {
            community_id,
            properties,
            contractors,
            permits,
            events,
            dead_codes,
            flags,
            counters,
        }))
    }

    /// Writes a new folder's whole community, with its fixed facts, in one transaction: a start
    /// interrupted half-way leaves a folder that is still new, never a partial community.
    pub async fn write_first(
        &self,
        community_id: &str,
        properties: &[Property],
        changes: &Unsaved,
    ) -> Result<(), String> {
        let meta = [
            ("schemaVersion", SCHEMA_VERSION.to_string()),
            ("communityId", community_id.to_owned()),
            (
                "properties",
                serde_json::to_string(properties).expect("properties serialise"),
            ),
        ];
        self.write_tx(&meta, changes).await
    }

    /// Writes one request's changes in one transaction.
    pub async fn write(&self, changes: &Unsaved) -> Result<(), String> {
        self.write_tx(&[], changes).await
    }

    async fn write_tx(&self, meta: &[(&str, String)], changes: &Unsaved) -> Result<(), String> {
        let err = |e: sqlx::Error| fail(&self.path, "cannot write to", e);
        let mut tx = self.pool.begin().await.map_err(err)?;
        for (key, value) in meta {
            sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .bind(*key)
                .bind(value)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        // Multi-row inserts: one statement per 500 rows (a statement is a round trip to
        // SQLite's worker thread; a first save writes 100,000 rows and more).
        let contractors: Vec<(String, i64, String)> = changes
            .contractors
            .iter()
            .map(|(seq, c)| {
                (
                    c.id.clone(),
                    *seq as i64,
                    serde_json::to_string(c).expect("a contractor serialises"),
                )
            })
            .collect();
        let permits: Vec<(String, i64, String)> = changes
            .permits
            .iter()
            .map(|(seq, p)| {
                (
                    p.id.clone(),
                    *seq as i64,
                    serde_json::to_string(p).expect("a permit serialises"),
                )
            })
            .collect();
        for (table, rows) in [("contractors", contractors), ("permits", permits)] {
            for chunk in rows.chunks(CHUNK) {
                let mut q =
                    QueryBuilder::<Sqlite>::new(format!("INSERT INTO {table} (id, seq, doc) "));
                q.push_values(chunk, |mut b, (id, seq, doc)| {
                    b.push_bind(id).push_bind(seq).push_bind(doc);
                });
                q.push(" ON CONFLICT(id) DO UPDATE SET doc = excluded.doc");
                q.build().execute(&mut *tx).await.map_err(err)?;
            }
        }
        for chunk in changes.events.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO events (cursor, doc) ");
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.cursor as i64)
                    .push_bind(serde_json::to_string(e).expect("an event serialises"));
            });
            q.build().execute(&mut *tx).await.map_err(err)?;
        }
        for chunk in changes.dead_codes.chunks(CHUNK) {
            let mut q =
                QueryBuilder::<Sqlite>::new("INSERT INTO dead_codes (code, permit_id, why) ");
            q.push_values(chunk, |mut b, (code, pid, why)| {
                b.push_bind(code).push_bind(pid).push_bind(why.as_str());
            });
            q.push(" ON CONFLICT(code) DO UPDATE SET permit_id = excluded.permit_id, why = excluded.why");
            q.build().execute(&mut *tx).await.map_err(err)?;
        }
        for (flag, id, set) in &changes.flags {
            let sql = if *set {
                "INSERT OR IGNORE INTO flags (flag, id) VALUES (?, ?)"
            } else {
                "DELETE FROM flags WHERE flag = ? AND id = ?"
            };
            sqlx::query(sql)
                .bind(*flag)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        if let Some(counters) = &changes.counters {
            sqlx::query("INSERT INTO meta (key, value) VALUES ('counters', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
                .bind(serde_json::to_string(counters).expect("counters serialise"))
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        tx.commit().await.map_err(err)
    }
}

impl crate::server::transactor::Saver<Unsaved> for Store {
    fn save(
        &self,
        unsaved: &Unsaved,
    ) -> impl std::future::Future<Output = Result<(), String>> + Send {
        self.write(unsaved)
    }
}
