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
    /// The local audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditRow>, CacheError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target_id, reason, result, detail FROM audit ORDER BY seq",
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
            })
            .collect())
    }
}
