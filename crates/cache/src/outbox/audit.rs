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

/// Which audit lines to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Lines of these actions (`approveContractor`, `print`, `check`, …); every action if empty.
    pub actions: Vec<String>,
    /// Lines with this result (`printed`, `refused`, `applied`, …).
    pub result: Option<String>,
    /// Lines whose actor, target, reason or detail holds this text (case-insensitively for
    /// ASCII, as SQLite's LIKE).
    pub text: Option<String>,
    /// Newest first when set (the window); oldest first otherwise (exports).
    pub newest_first: bool,
    /// At most this many lines.
    pub limit: Option<u32>,
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
    /// The audit lines `filter` picks, and how many it picks in all (the limit aside).
    pub async fn audit_lines(
        &self,
        filter: &AuditFilter,
    ) -> Result<(Vec<AuditRow>, u64), CacheError> {
        let mut count = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT count(*) FROM audit");
        push_where(&mut count, filter);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT seq, at, actor, action, target_id, reason, result, detail, online FROM audit",
        );
        push_where(&mut q, filter);
        q.push(if filter.newest_first {
            " ORDER BY seq DESC"
        } else {
            " ORDER BY seq"
        });
        if let Some(n) = filter.limit {
            q.push(" LIMIT ").push_bind(i64::from(n));
        }
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok((rows.into_iter().map(audit_row).collect(), total as u64))
    }

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
        Ok(rows.into_iter().map(audit_row).collect())
    }
}

/// The `WHERE` of the lines `filter` picks.
fn push_where<'a>(q: &mut sqlx::QueryBuilder<'a, sqlx::Sqlite>, filter: &'a AuditFilter) {
    q.push(" WHERE 1 = 1");
    if !filter.actions.is_empty() {
        q.push(" AND action IN ");
        crate::push_list(q, filter.actions.iter().map(String::as_str));
    }
    if let Some(r) = &filter.result {
        q.push(" AND result = ").push_bind(r.as_str());
    }
    if let Some(t) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let like = format!(
            "%{}%",
            t.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q.push(" AND (");
        for (i, col) in ["actor", "target_id", "reason", "detail"]
            .iter()
            .enumerate()
        {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(format!("coalesce({col}, '') LIKE "))
                .push_bind(like.clone())
                .push(" ESCAPE '\\'");
        }
        q.push(")");
    }
}

fn audit_row(r: sqlx::sqlite::SqliteRow) -> AuditRow {
    AuditRow {
        seq: r.get(0),
        at: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        target_id: r.get(4),
        reason: r.get(5),
        result: r.get(6),
        detail: r.get(7),
        online: r.get(8),
    }
}
