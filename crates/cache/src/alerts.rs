//! The alerts' store: permits near or past their end (their narrow rows, no documents), the
//! ledger of what was alerted, and the list of alerts the app shows. What is due and how it is
//! worded is `gatehouse-alerts`'s; this keeps it, so that nothing is told twice.

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

/// A span of ends [`Cache::untold_in_bands`] labels: up to `till`, in one of `statuses`, told
/// as `label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub till: String,
    pub label: String,
    pub statuses: Vec<String>,
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

/// An alert to keep: told once, for all of `keys` (each with why it is told: a threshold the
/// app reached, or the server's own event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub kind: String,
    pub urgency: String,
    pub title: String,
    pub body: String,
    pub permit_ids: Vec<String>,
    pub keys: Vec<(LedgerKey, Told)>,
}

/// The server's word on a permit's end (a `passes.permits.expiring` or `expired` event), with
/// the permit as the cache holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEnding {
    /// The event's name, as on the wire.
    pub event: String,
    /// When the server made the event (its clock), wire form.
    pub created_at: String,
    /// The `validTill` the event carries, if it carries one (wire form).
    pub event_valid_till: Option<String>,
    pub permit: Ending,
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
    /// The permits in `bands` not yet told of theirs, soonest end first, in one statement: each
    /// permit whose `validTill` is from `from` on, in the first band whose `till` it is at or
    /// before (wire times, bands in ascending order) and in one of that band's statuses,
    /// unless the ledger holds its band's label for that `validTill`. Each comes with its band's
    /// index.
    pub async fn untold_in_bands(
        &self,
        from: &str,
        bands: &[Band],
    ) -> Result<Vec<(Ending, usize)>, CacheError> {
        let Some(last) = bands.last() else {
            return Ok(Vec::new());
        };
        // The rows come back as one JSON array (one row through sqlx, not a thousand: its
        // per-row cost was most of the time of a tick that finds a thousand due). Each band is
        // its own range of the index by status and end, so only the statuses it tells are read.
        let _ = last;
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT json_group_array(json_array(id, pass_number, status_name, valid_till, band) \
             ORDER BY valid_till, id) FROM (",
        );
        for (i, b) in bands.iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push(format!(
                "SELECT id, pass_number, status_name, valid_till, {i} AS band, "
            ))
            .push_bind(b.label.as_str())
            .push(" AS label FROM permits WHERE status_name IN ");
            crate::push_list(&mut q, b.statuses.iter().map(String::as_str));
            q.push(" AND valid_till >= ")
                .push_bind(from)
                .push(" AND valid_till <= ")
                .push_bind(b.till.as_str());
            if i > 0 {
                q.push(" AND valid_till > ")
                    .push_bind(bands[i - 1].till.as_str());
            }
        }
        q.push(
            ") p WHERE NOT EXISTS (SELECT 1 FROM alert_ledger l WHERE l.permit_id = p.id \
             AND l.threshold = p.label AND l.valid_till = p.valid_till)",
        );
        let json: String = q
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        let rows: Vec<(String, String, String, String, usize)> =
            crate::decode(&self.path, "permits due an alert", &json)?;
        Ok(rows
            .into_iter()
            .map(|(id, pass_number, status_name, valid_till, band)| {
                (
                    Ending {
                        id,
                        pass_number,
                        status_name,
                        valid_till,
                    },
                    band,
                )
            })
            .collect())
    }

    /// The feed's events named `names` made from `since` on (wire time), each with its
    /// permit as the cache holds it now, in feed order. Events for a permit the cache does not
    /// hold are left out.
    pub async fn feed_endings(
        &self,
        names: &[&str],
        since: &str,
    ) -> Result<Vec<FeedEnding>, CacheError> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT e.name, e.created_at, json_extract(e.doc, '$.data.validTill'), p.id, \
             p.pass_number, p.status_name, p.valid_till FROM events e \
             JOIN permits p ON p.id = e.permit_id WHERE e.name IN ",
        );
        crate::push_list(&mut q, names.iter().copied());
        q.push(" AND e.created_at >= ")
            .push_bind(since)
            .push(" ORDER BY e.cursor");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(rows
            .into_iter()
            .map(|r| FeedEnding {
                event: r.get(0),
                created_at: r.get(1),
                // A validTill that is not a string is no validTill.
                event_valid_till: r.try_get::<Option<String>, _>(2).ok().flatten(),
                permit: Ending {
                    id: r.get(3),
                    pass_number: r.get(4),
                    status_name: r.get(5),
                    valid_till: r.get(6),
                },
            })
            .collect())
    }

    /// The permits among `ids` that the cache holds, as the alerts read them.
    pub async fn endings(&self, ids: &[String]) -> Result<Vec<Ending>, CacheError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT id, pass_number, status_name, valid_till FROM permits WHERE id IN ",
            );
            crate::push_list(&mut q, chunk.iter().map(String::as_str));
            let rows = q
                .build()
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.sql(e))?;
            out.extend(rows.into_iter().map(|r| Ending {
                id: r.get(0),
                pass_number: r.get(1),
                status_name: r.get(2),
                valid_till: r.get(3),
            }));
        }
        Ok(out)
    }

    /// Which of `keys` the ledger holds.
    pub async fn ledger_holds(
        &self,
        keys: &[LedgerKey],
    ) -> Result<std::collections::HashSet<LedgerKey>, CacheError> {
        let mut held = std::collections::HashSet::new();
        for chunk in keys.chunks(CHUNK / 3) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT permit_id, threshold, valid_till FROM alert_ledger \
                 WHERE (valid_till, permit_id, threshold) IN (VALUES ",
            );
            let mut sep = q.separated(", ");
            for k in chunk {
                sep.push("(")
                    .push_bind_unseparated(k.valid_till.as_str())
                    .push_unseparated(", ")
                    .push_bind_unseparated(k.permit_id.as_str())
                    .push_unseparated(", ")
                    .push_bind_unseparated(k.threshold.as_str())
                    .push_unseparated(")");
            }
            q.push(")");
            let rows = q
                .build()
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.sql(e))?;
            held.extend(rows.into_iter().map(|r| LedgerKey {
                permit_id: r.get(0),
                threshold: r.get(1),
                valid_till: r.get(2),
            }));
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
        let keys: Vec<(LedgerKey, Told)> = keys.iter().map(|k| (k.clone(), how)).collect();
        let new = ledger_insert(&mut tx, &keys, at)
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
            let new = ledger_insert(&mut tx, &a.keys, at)
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

    /// The alerts list, newest first (those told at one moment most urgent first), at most
    /// `limit`.
    pub async fn alerts(&self, limit: u32) -> Result<Vec<StoredAlert>, CacheError> {
        let rows = sqlx::query(
            "SELECT id, at, kind, urgency, title, body, permit_ids, read_at IS NOT NULL \
             FROM alerts ORDER BY at DESC, id LIMIT ?",
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

    /// Marks alerts read at `at` (all of them when `ids` is empty); says how many were unread.
    pub async fn mark_alerts_read(&self, ids: &[i64], at: &str) -> Result<u64, CacheError> {
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
        let marked = q
            .build()
            .execute(&self.pool)
            .await
            .map_err(|e| self.sql(e))?
            .rows_affected();
        if marked > 0 {
            let _ = self.changes.send(Committed::Alerts);
        }
        Ok(marked)
    }
}

async fn ledger_insert(
    conn: &mut sqlx::SqliteConnection,
    keys: &[(LedgerKey, Told)],
    at: &str,
) -> Result<u64, sqlx::Error> {
    let mut new = 0;
    for chunk in keys.chunks(CHUNK / 3) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO alert_ledger (permit_id, threshold, valid_till, at, how) ",
        );
        q.push_values(chunk, |mut b, (k, how)| {
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
