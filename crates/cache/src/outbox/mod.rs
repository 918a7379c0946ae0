//! The outbox: admin actions queued with their audit line in one transaction, drained in order
//! by the sync engine, and every step recorded in the local audit log. Queuing changes no
//! document: the cache shows what the server said (the state the gates obey), and the views
//! mark what is queued beside it; an action's effect is written when the server has applied it.
//!
//! A row's life: `pending` → `sending` (written before the request leaves) → `done`, or
//! `refused` (the server said no; its current documents are written), or back to `pending`
//! (nothing reached the server), or `ambiguous` (the request may have been applied: the engine
//! reads the target before any retry). A `sending` row found after a crash is ambiguous too.

use gatehouse_buzzin::{Contractor, Permit, Timestamp, inf};
use sqlx::{Row, SqliteConnection};

use crate::{Cache, CacheError, decode, write};

mod audit;
mod entry;
mod rules;
mod touched;

pub use entry::{ActionKind, Before, NewAction, OutboxEntry, OutboxState, Outcome};
use entry::{OPEN_STATES, Payload};

use audit::audit;
pub use audit::{AuditFilter, AuditRow, LocalRecord};
pub use rules::{may_act_on_contractor, may_act_on_permit, may_queue_beside};
pub(crate) use touched::Touched;
use touched::{quoted, touched};

const ENTRY_COLUMNS: &str =
    "seq, id, kind, target_id, payload, state, attempts, last_error, created_at, updated_at";

impl Cache {
    fn entry(&self, row: sqlx::sqlite::SqliteRow) -> Result<OutboxEntry, CacheError> {
        let corrupt = |what: &str| CacheError::Corrupt {
            path: self.path.clone(),
            detail: format!("an outbox row has an unknown {what}"),
        };
        let payload: Payload = decode(&self.path, "outbox row", &row.get::<String, _>(4))?;
        Ok(OutboxEntry {
            seq: row.get(0),
            id: row.get(1),
            kind: ActionKind::parse(&row.get::<String, _>(2)).ok_or_else(|| corrupt("kind"))?,
            target_id: row.get(3),
            label: payload.label,
            reason: payload.reason,
            actor: payload.actor,
            state: OutboxState::parse(&row.get::<String, _>(5)).ok_or_else(|| corrupt("state"))?,
            attempts: row.get(6),
            last_error: row.get(7),
            created_at: row.get(8),
            updated_at: row.get(9),
            sent_code: payload.sent_code,
            before: payload.before,
        })
    }

    /// Queues an action with its audit line, in one transaction. Refuses what cannot succeed as
    /// the cache knows it (an unknown target, a pass that is not ACCEPTED for a reissue) and
    /// what an open action already decides ([`may_queue_beside`]).
    pub async fn enqueue(&self, a: NewAction) -> Result<OutboxEntry, CacheError> {
        let refused = |m: String| CacheError::Refused(m);
        let reason = a
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        if a.kind == ActionKind::RevokePass && reason.is_none() {
            return Err(refused("a reason is required to revoke a pass".into()));
        }
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > inf::REVOKE_REASON_MAX)
        {
            return Err(refused(format!(
                "the reason must be at most {} characters",
                inf::REVOKE_REASON_MAX
            )));
        }
        let mut tx = self.write_tx().await?;
        let mut before = Before::default();
        let label;
        if a.kind.on_permit() {
            let p = self
                .doc_in::<Permit>(&mut tx, "permit_docs", &a.target_id)
                .await?
                .ok_or_else(|| CacheError::NotFound(format!("no permit {}", a.target_id)))?;
            may_act_on_permit(a.kind, &p).map_err(refused)?;
            label = p.pass_number.clone().unwrap_or_else(|| p.id.clone());
            before.permits.push(p);
        } else {
            let c = self
                .doc_in::<Contractor>(&mut tx, "contractors", &a.target_id)
                .await?
                .ok_or_else(|| CacheError::NotFound(format!("no contractor {}", a.target_id)))?;
            may_act_on_contractor(a.kind, &c).map_err(refused)?;
            if a.kind == ActionKind::RevokeContractor {
                before.permits = self.active_permits_in(&mut tx, &c.id).await?;
            }
            label = c.name.clone().unwrap_or_else(|| c.id.clone());
            before.contractors.push(c);
        }
        // Open actions on the target, and (for a permit) a revoke of its contractor.
        let contractor = before
            .permits
            .first()
            .and_then(|p| p.community_contractor_id.clone())
            .unwrap_or_default();
        let open: Vec<(String, String, i64)> = sqlx::query_as(&format!(
            "SELECT kind, target_id, seq FROM outbox WHERE state IN {OPEN_STATES} \
             AND (target_id = ? OR (kind = 'revokeContractor' AND target_id = ?)) ORDER BY seq"
        ))
        .bind(&a.target_id)
        .bind(&contractor)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| self.sql(e))?;
        let open: Vec<(ActionKind, bool, i64)> = open
            .into_iter()
            .filter_map(|(k, t, seq)| Some((ActionKind::parse(&k)?, t == a.target_id, seq)))
            .collect();
        may_queue_beside(a.kind, &label, &open).map_err(refused)?;
        let payload = Payload {
            reason,
            actor: a.actor,
            label,
            sent_code: None,
            before,
        };
        let now = Timestamp::now().to_wire();
        let id = uuid::Uuid::new_v4().to_string();
        let row = sqlx::query(&format!(
            "INSERT INTO outbox (id, kind, target_id, payload, state, created_at, updated_at) \
             VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING {ENTRY_COLUMNS}"
        ))
        .bind(&id)
        .bind(a.kind.as_str())
        .bind(&a.target_id)
        .bind(serde_json::to_string(&payload).expect("a payload serialises"))
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.sql(e))?;
        let entry = self.entry(row)?;
        let touched = touched(&mut tx, a.kind, &a.target_id)
            .await
            .map_err(|e| self.sql(e))?;
        audit(&mut tx, &entry, "queued", None)
            .await
            .map_err(|e| self.sql(e))?;
        tx.commit().await.map_err(|e| self.sql(e))?;
        self.announce(touched.contractors, touched.permits);
        let _ = self.changes.send(crate::Committed::Outbox);
        let _ = self.changes.send(crate::Committed::Queued);
        Ok(entry)
    }

    /// A document by id from `permit_docs` or `contractors`, inside a transaction.
    async fn doc_in<T: serde::de::DeserializeOwned>(
        &self,
        conn: &mut SqliteConnection,
        table: &'static str,
        id: &str,
    ) -> Result<Option<T>, CacheError> {
        let doc: Option<String> =
            sqlx::query_scalar(&format!("SELECT doc FROM {table} WHERE id = ?"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| self.sql(e))?;
        doc.map(|d| decode(&self.path, table, &d)).transpose()
    }

    async fn active_permits_in(
        &self,
        conn: &mut SqliteConnection,
        contractor_id: &str,
    ) -> Result<Vec<Permit>, CacheError> {
        let docs: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT d.doc FROM permits p JOIN permit_docs d ON d.id = p.id \
             WHERE p.contractor_id = ? AND p.status_name IN {} ORDER BY p.valid_till, p.id",
            quoted(inf::ACTIVE_STATUSES)
        ))
        .bind(contractor_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| self.sql(e))?;
        docs.iter()
            .map(|d| decode(&self.path, "permit", d))
            .collect()
    }

    /// The permits that revoking this contractor archives (its active ones), as cached.
    pub async fn active_permits_of(&self, contractor_id: &str) -> Result<Vec<Permit>, CacheError> {
        let mut conn = self.pool.acquire().await.map_err(|e| self.sql(e))?;
        self.active_permits_in(&mut conn, contractor_id).await
    }

    /// Outbox rows, oldest first: all of them, or only those still to reach the server.
    pub async fn outbox(&self, open_only: bool) -> Result<Vec<OutboxEntry>, CacheError> {
        let filter = if open_only {
            format!("WHERE state IN {OPEN_STATES}")
        } else {
            String::new()
        };
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox {filter} ORDER BY seq"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        rows.into_iter().map(|r| self.entry(r)).collect()
    }

    /// Actions the server applied since `since` (a wire time), newest first.
    pub async fn done_since(&self, since: &str) -> Result<Vec<OutboxEntry>, CacheError> {
        self.done_where("updated_at >= ? ORDER BY updated_at DESC, seq DESC", since)
            .await
    }

    /// The actions on this target the server applied, oldest first.
    pub async fn done_on(&self, target_id: &str) -> Result<Vec<OutboxEntry>, CacheError> {
        self.done_where("target_id = ? ORDER BY seq", target_id)
            .await
    }

    /// Done rows `WHERE state = 'done' AND <rest>`, `rest` taking one argument.
    async fn done_where(&self, rest: &str, arg: &str) -> Result<Vec<OutboxEntry>, CacheError> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE state = 'done' AND {rest}"
        ))
        .bind(arg)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        rows.into_iter().map(|r| self.entry(r)).collect()
    }

    /// One outbox row by its id or its number.
    pub async fn outbox_entry(&self, key: &str) -> Result<Option<OutboxEntry>, CacheError> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = ?1 OR CAST(seq AS TEXT) = ?1"
        ))
        .bind(key.trim_start_matches('#'))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        row.map(|r| self.entry(r)).transpose()
    }

    /// The oldest row still to reach the server.
    pub async fn next_open(&self) -> Result<Option<OutboxEntry>, CacheError> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox WHERE state IN {OPEN_STATES} ORDER BY seq LIMIT 1"
        ))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        row.map(|r| self.entry(r)).transpose()
    }

    /// How many actions are waiting for the server, and how many were refused.
    pub async fn outbox_counts(&self) -> Result<(u64, u64), CacheError> {
        let (open, refused): (i64, i64) = sqlx::query_as(&format!(
            "SELECT coalesce(sum(state IN {OPEN_STATES}), 0), coalesce(sum(state = 'refused'), 0) FROM outbox"
        ))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        Ok((open as u64, refused as u64))
    }

    /// Records, before the request leaves, that it is being sent (and for a reissue, the code
    /// the server had just before): if the process dies now, the next drain knows the outcome is
    /// unknown and reads the target first.
    pub async fn mark_sending(&self, id: &str, sent_code: Option<&str>) -> Result<(), CacheError> {
        let mut tx = self.write_tx().await?;
        let entry = self.entry_in(&mut tx, id).await?;
        let mut payload = payload_of(&entry);
        if sent_code.is_some() {
            payload.sent_code = sent_code.map(str::to_owned);
        }
        sqlx::query("UPDATE outbox SET state = 'sending', attempts = attempts + 1, payload = ?, updated_at = ? WHERE id = ?")
            .bind(serde_json::to_string(&payload).expect("a payload serialises"))
            .bind(Timestamp::now().to_wire())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
        tx.commit().await.map_err(|e| self.sql(e))?;
        let _ = self.changes.send(crate::Committed::Outbox);
        Ok(())
    }

    async fn entry_in(
        &self,
        conn: &mut SqliteConnection,
        id: &str,
    ) -> Result<OutboxEntry, CacheError> {
        let row = sqlx::query(&format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| self.sql(e))?
            .ok_or_else(|| CacheError::NotFound(format!("no outbox action {id}")))?;
        self.entry(row)
    }

    /// Records how an action ended, with its effect on the cache, in one transaction.
    pub async fn settle(&self, id: &str, outcome: Outcome) -> Result<OutboxEntry, CacheError> {
        let bulk = self.bulk_loading();
        let mut tx = self.write_tx().await?;
        let entry = self.entry_in(&mut tx, id).await?;
        let mut touched = Touched::default();
        let (state, error, audit_result, detail) = match &outcome {
            Outcome::Applied {
                contractors,
                permits,
                detail,
            } => {
                write::upsert_contractors(&mut tx, contractors, bulk)
                    .await
                    .map_err(|e| self.sql(e))?;
                write::upsert_permits(&mut tx, permits, bulk)
                    .await
                    .map_err(|e| self.sql(e))?;
                touched
                    .contractors
                    .extend(contractors.iter().map(|c| c.id.clone()));
                touched.permits.extend(permits.iter().map(|p| p.id.clone()));
                (OutboxState::Done, None, Some("applied"), detail.clone())
            }
            Outcome::Refused { message, fresh } => {
                // The server's copies, when they could be read; the cache's stand otherwise.
                if let Some(docs) = fresh {
                    self.keep(&mut tx, docs, bulk, &mut touched).await?;
                }
                touched.extend(
                    self::touched(&mut tx, entry.kind, &entry.target_id)
                        .await
                        .map_err(|e| self.sql(e))?,
                );
                (
                    OutboxState::Refused,
                    Some(message.clone()),
                    Some("refused"),
                    Some(message.clone()),
                )
            }
            Outcome::Retry { error } => (OutboxState::Pending, Some(error.clone()), None, None),
            Outcome::Ambiguous { error } => {
                (OutboxState::Ambiguous, Some(error.clone()), None, None)
            }
        };
        sqlx::query("UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE id = ?")
            .bind(state.as_str())
            .bind(&error)
            .bind(Timestamp::now().to_wire())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
        if let Some(result) = audit_result {
            audit(&mut tx, &entry, result, detail.as_deref())
                .await
                .map_err(|e| self.sql(e))?;
        }
        self.commit_ended(tx, id, touched).await
    }

    /// The end of settle, retry and discard: reads the entry as it now is, commits, and
    /// announces what changed.
    async fn commit_ended(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
        id: &str,
        touched: Touched,
    ) -> Result<OutboxEntry, CacheError> {
        let entry = self.entry_in(&mut tx, id).await?;
        tx.commit().await.map_err(|e| self.sql(e))?;
        self.announce(touched.contractors, touched.permits);
        let _ = self.changes.send(crate::Committed::Outbox);
        Ok(entry)
    }

    /// Writes the server's copies of an action's targets.
    async fn keep(
        &self,
        conn: &mut SqliteConnection,
        docs: &Before,
        bulk: bool,
        touched: &mut Touched,
    ) -> Result<(), CacheError> {
        write::upsert_contractors(conn, &docs.contractors, bulk)
            .await
            .map_err(|e| self.sql(e))?;
        write::upsert_permits(conn, &docs.permits, bulk)
            .await
            .map_err(|e| self.sql(e))?;
        touched
            .contractors
            .extend(docs.contractors.iter().map(|c| c.id.clone()));
        touched
            .permits
            .extend(docs.permits.iter().map(|p| p.id.clone()));
        Ok(())
    }

    /// Puts a refused action back in the queue.
    pub async fn retry(&self, id: &str) -> Result<OutboxEntry, CacheError> {
        let mut tx = self.write_tx().await?;
        let entry = self.entry_in(&mut tx, id).await?;
        if entry.state != OutboxState::Refused {
            return Err(CacheError::Refused(format!(
                "#{} is {}; only refused actions can be retried",
                entry.seq,
                entry.state.as_str()
            )));
        }
        sqlx::query("UPDATE outbox SET state = 'pending', updated_at = ? WHERE id = ?")
            .bind(Timestamp::now().to_wire())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
        let touched = touched(&mut tx, entry.kind, &entry.target_id)
            .await
            .map_err(|e| self.sql(e))?;
        audit(&mut tx, &entry, "retried", None)
            .await
            .map_err(|e| self.sql(e))?;
        let entry = self.commit_ended(tx, id, touched).await?;
        let _ = self.changes.send(crate::Committed::Queued);
        Ok(entry)
    }

    /// Drops an action that has not reached the server (or was refused). One whose outcome is
    /// unknown cannot be discarded: it may have been applied.
    pub async fn discard(&self, id: &str) -> Result<OutboxEntry, CacheError> {
        let mut tx = self.write_tx().await?;
        let entry = self.entry_in(&mut tx, id).await?;
        match entry.state {
            OutboxState::Pending | OutboxState::Refused => {}
            other => {
                return Err(CacheError::Refused(format!(
                    "#{} is {}; {}",
                    entry.seq,
                    other.as_str(),
                    if other.is_open() {
                        "it may already have reached the server, so it cannot be discarded until the next sync settles it"
                    } else {
                        "there is nothing left to discard"
                    }
                )));
            }
        }
        sqlx::query("UPDATE outbox SET state = 'discarded', updated_at = ? WHERE id = ?")
            .bind(Timestamp::now().to_wire())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
        let touched = touched(&mut tx, entry.kind, &entry.target_id)
            .await
            .map_err(|e| self.sql(e))?;
        audit(&mut tx, &entry, "discarded", None)
            .await
            .map_err(|e| self.sql(e))?;
        self.commit_ended(tx, id, touched).await
    }
}

fn payload_of(e: &OutboxEntry) -> Payload {
    Payload {
        reason: e.reason.clone(),
        actor: e.actor.clone(),
        label: e.label.clone(),
        sent_code: e.sent_code.clone(),
        before: e.before.clone(),
    }
}
