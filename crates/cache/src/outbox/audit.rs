//! The local audit log: every step of every action taken here (queued, sent, applied, refused,
//! retried, discarded), who asked, why, and what came of it.

use gatehouse_buzzin::Timestamp;
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

use super::OutboxEntry;
use crate::{Cache, CacheError};

/// One line of the local audit log.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target_id: String,
    pub reason: Option<String>,
    pub result: String,
    pub detail: Option<String>,
    /// Whether the API answered when the line was written (`None`: not recorded).
    pub online: Option<bool>,
}

/// A line for the audit log about something done here that sends nothing to the API: a pass
/// printed, a pass checked at the desk.
#[derive(Debug, Clone)]
pub struct LocalRecord {
    pub actor: String,
    /// `print`, `check`.
    pub action: &'static str,
    /// The permit (or, for a code the cache does not know, the code as scanned).
    pub target_id: String,
    /// `printed`, `refused`, `valid`.
    pub result: &'static str,
    pub detail: Option<String>,
    pub online: bool,
}

pub(super) async fn audit(
    conn: &mut SqliteConnection,
    e: &OutboxEntry,
    result: &str,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit (at, actor, action, target_id, reason, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(Timestamp::now().to_wire())
    .bind(&e.actor)
    .bind(e.kind.as_str())
    .bind(&e.target_id)
    .bind(&e.reason)
    .bind(result)
    .bind(detail)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

impl Cache {
    /// Writes lines to the audit log, in one transaction.
    pub async fn record_local(&self, lines: &[LocalRecord]) -> Result<(), CacheError> {
        if lines.is_empty() {
            return Ok(());
        }
        let at = Timestamp::now().to_wire();
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO audit (at, actor, action, target_id, reason, result, detail, online) ",
        );
        q.push_values(lines, |mut b, l| {
            b.push_bind(&at)
                .push_bind(&l.actor)
                .push_bind(l.action)
                .push_bind(&l.target_id)
                .push_bind(None::<String>)
                .push_bind(l.result)
                .push_bind(&l.detail)
                .push_bind(l.online);
        });
        q.build()
            .execute(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        let _ = self.changes.send(crate::Committed::Audit);
        Ok(())
    }

    /// The local audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditRow>, CacheError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target_id, reason, result, detail, online FROM audit ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        Ok(rows
            .into_iter()
            .map(|r| AuditRow {
                seq: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                target_id: r.get(4),
                reason: r.get(5),
                result: r.get(6),
                detail: r.get(7),
                online: r.get(8),
            })
            .collect())
    }
}
