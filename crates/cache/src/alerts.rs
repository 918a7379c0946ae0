//! The alerts' store: permits near or past their end (their narrow rows, no documents), the
//! ledger of what was alerted, and the list of alerts the app shows. What is due and how it is
//! worded is `gatehouse-alerts`'s; this keeps it, so that nothing is told twice.

use std::collections::HashSet;

use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{Cache, CacheError, Committed};

/// A permit as the alerts read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub id: String,
    pub pass_number: String,
    pub status_name: String,
    /// As stored: Buzz-In's wire form.
    pub valid_till: String,
}

/// What an alert is about: a permit, a threshold (`72h`, `expired`, …) and the `validTill` the
/// threshold was computed for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LedgerKey {
    pub permit_id: String,
    pub threshold: String,
    pub valid_till: String,
}

/// Why a ledger row was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told {
    /// An alert was told.
    Notified,
    /// The admin put the permit's alerts off until its next threshold.
    Snoozed,
    /// The server's own expiring or expired event was told for it.
    Feed,
}

impl Told {
    fn as_str(self) -> &'static str {
        match self {
            Told::Notified => "notified",
            Told::Snoozed => "snoozed",
            Told::Feed => "feed",
        }
    }
}

/// An alert to keep: told once, for all of `keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub kind: String,
    pub urgency: String,
    pub title: String,
    pub body: String,
    pub permit_ids: Vec<String>,
    pub keys: Vec<LedgerKey>,
}

/// An alert in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub urgency: String,
    pub title: String,
    pub body: String,
    pub permit_ids: Vec<String>,
    pub read: bool,
}

/// Ids bound in one statement at most.
const CHUNK: usize = 500;

impl Cache {
    /// Permits in one of `statuses` whose `validTill` is in `from..till` (wire times), soonest
    /// first.
    pub async fn permits_ending(
        &self,
        statuses: &[&str],
        from: &str,
        till: &str,
    ) -> Result<Vec<Ending>, CacheError> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT id, pass_number, status_name, valid_till FROM permits WHERE status_name IN ",
        );
        crate::push_list(&mut q, statuses.iter().copied());
        q.push(" AND valid_till >= ")
            .push_bind(from)
            .push(" AND valid_till < ")
            .push_bind(till)
            .push(" ORDER BY valid_till, id");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(rows
            .into_iter()
            .map(|r| Ending {
                id: r.get(0),
                pass_number: r.get(1),
                status_name: r.get(2),
                valid_till: r.get(3),
            })
            .collect())
    }

    /// Which of `keys` the ledger holds.
    pub async fn in_ledger(&self, keys: &[LedgerKey]) -> Result<HashSet<LedgerKey>, CacheError> {
        let wanted: HashSet<&LedgerKey> = keys.iter().collect();
        let ids: Vec<&str> = {
            let mut ids: Vec<&str> = keys.iter().map(|k| k.permit_id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let mut held = HashSet::new();
        for chunk in ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT permit_id, threshold, valid_till FROM alert_ledger WHERE permit_id IN ",
            );
            crate::push_list(&mut q, chunk.iter().copied());
            for r in q
                .build()
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.sql(e))?
            {
                let key = LedgerKey {
                    permit_id: r.get(0),
                    threshold: r.get(1),
                    valid_till: r.get(2),
                };
                if wanted.contains(&key) {
                    held.insert(key);
                }
            }
        }
        Ok(held)
    }

    /// Writes `keys` into the ledger at `at` (a key already there is left as it was) and says
    /// how many were new.
    pub async fn put_in_ledger(
        &self,
        keys: &[LedgerKey],
        at: &str,
        how: Told,
    ) -> Result<u64, CacheError> {
        let mut tx = self.write_tx().await?;
        let new = ledger_insert(&mut tx, keys, at, how)
            .await
            .map_err(|e| self.sql(e))?;
        tx.commit().await.map_err(|e| self.sql(e))?;
        Ok(new)
    }

    /// Keeps each alert whose keys were not all in the ledger yet, writing them there, in one
    /// transaction: the ledger's unique key, not a read before the write, is what keeps an alert
    /// from being told twice (by the window and the headless runner at once). Returns, for each
    /// alert, its id in the list if it is to be told.
    pub async fn record_alerts(
        &self,
        alerts: &[NewAlert],
        at: &str,
    ) -> Result<Vec<Option<i64>>, CacheError> {
        let mut tx = self.write_tx().await?;
        let mut out = Vec::with_capacity(alerts.len());
        for a in alerts {
            let new = ledger_insert(&mut tx, &a.keys, at, Told::Notified)
                .await
                .map_err(|e| self.sql(e))?;
            if new == 0 {
                out.push(None);
                continue;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO alerts (at, kind, urgency, title, body, permit_ids) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(at)
            .bind(&a.kind)
            .bind(&a.urgency)
            .bind(&a.title)
            .bind(&a.body)
            .bind(serde_json::to_string(&a.permit_ids).expect("ids serialise"))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
            out.push(Some(id));
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        if out.iter().any(Option::is_some) {
            let _ = self.changes.send(Committed::Alerts);
        }
        Ok(out)
    }

    /// The alerts list, newest first, at most `limit`.
    pub async fn alerts(&self, limit: u32) -> Result<Vec<StoredAlert>, CacheError> {
        let rows = sqlx::query(
            "SELECT id, at, kind, urgency, title, body, permit_ids, read_at IS NOT NULL \
             FROM alerts ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        rows.into_iter()
            .map(|r| {
                let ids: String = r.get(6);
                Ok(StoredAlert {
                    id: r.get(0),
                    at: r.get(1),
                    kind: r.get(2),
                    urgency: r.get(3),
                    title: r.get(4),
                    body: r.get(5),
                    permit_ids: crate::decode(&self.path, "alert's permits", &ids)?,
                    read: r.get(7),
                })
            })
            .collect()
    }

    /// How many alerts are unread.
    pub async fn unread_alerts(&self) -> Result<u64, CacheError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE read_at IS NULL")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(n as u64)
    }

    /// Marks alerts read at `at` (all of them when `ids` is empty).
    pub async fn mark_alerts_read(&self, ids: &[i64], at: &str) -> Result<(), CacheError> {
        let mut q = QueryBuilder::<Sqlite>::new("UPDATE alerts SET read_at = ");
        q.push_bind(at).push(" WHERE read_at IS NULL");
        if !ids.is_empty() {
            q.push(" AND id IN (");
            let mut sep = q.separated(", ");
            for id in ids {
                sep.push_bind(*id);
            }
            q.push(")");
        }
        q.build()
            .execute(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        let _ = self.changes.send(Committed::Alerts);
        Ok(())
    }
}

async fn ledger_insert(
    conn: &mut sqlx::SqliteConnection,
    keys: &[LedgerKey],
    at: &str,
    how: Told,
) -> Result<u64, sqlx::Error> {
    let mut new = 0;
    for chunk in keys.chunks(CHUNK / 3) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO alert_ledger (permit_id, threshold, valid_till, at, how) ",
        );
        q.push_values(chunk, |mut b, k| {
            b.push_bind(&k.permit_id)
                .push_bind(&k.threshold)
                .push_bind(&k.valid_till)
                .push_bind(at)
                .push_bind(how.as_str());
        });
        q.push(" ON CONFLICT DO NOTHING");
        new += q.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(new)
}
