//! The optimistic effect of open actions, laid over the server's documents: a revoked pass shows
//! REVOKED, a revoked contractor's active permits ARCHIVED, an approved contractor approved, until
//! the action settles. Laid over again after every server write, in the same transaction.

use gatehouse_buzzin::{StatusName, inf};
use sqlx::SqliteConnection;

use super::{ActionKind, OPEN_STATES};
use crate::write;

/// Ids whose rows an overlay changed.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pub contractors: Vec<String>,
    pub permits: Vec<String>,
}

impl Touched {
    pub(crate) fn extend(&mut self, other: Touched) {
        self.contractors.extend(other.contractors);
        self.permits.extend(other.permits);
    }
}

/// Sets the status of the permits `WHERE <filter>` selects (in `permits p`), in both the narrow
/// row and the document; returns their ids.
async fn set_status(
    conn: &mut SqliteConnection,
    status: &StatusName,
    filter: &str,
    arg: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<String> =
        sqlx::query_scalar(&format!("SELECT p.id FROM permits p WHERE {filter}"))
            .bind(arg)
            .fetch_all(&mut *conn)
            .await?;
    if ids.is_empty() {
        return Ok(ids);
    }
    let code = inf::status_code(status)
        .map(|c| c.to_string())
        .unwrap_or_else(|| "json_extract(doc, '$.status')".into());
    let s = status.as_str();
    let ids_ref = || ids.iter().map(String::as_str);
    write::in_list(
        conn,
        &format!("UPDATE permits SET status_name = '{s}' WHERE id IN "),
        ids_ref(),
        "",
    )
    .await?;
    write::in_list(
        conn,
        &format!("UPDATE permit_docs SET doc = json_set(doc, '$.statusName', '{s}', '$.status', {code}) WHERE id IN "),
        ids_ref(),
        "",
    )
    .await?;
    Ok(ids)
}

pub(super) fn quoted(list: &[StatusName]) -> String {
    let names: Vec<String> = list.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// Lays one action's expected effect over the cached documents.
pub(super) async fn overlay(
    conn: &mut SqliteConnection,
    kind: ActionKind,
    target: &str,
) -> Result<Touched, sqlx::Error> {
    let mut t = Touched::default();
    match kind {
        ActionKind::ApproveContractor => {
            sqlx::query("UPDATE contractors SET approved = 1, doc = json_set(doc, '$.approved', json('true')) WHERE id = ? AND removed = 0")
                .bind(target)
                .execute(&mut *conn)
                .await?;
            t.contractors.push(target.to_owned());
        }
        ActionKind::RevokeContractor => {
            sqlx::query("UPDATE contractors SET approved = 0, removed = 1, doc = json_set(doc, '$.approved', json('false'), '$.communitiesIds', json('[]')) WHERE id = ?")
                .bind(target)
                .execute(&mut *conn)
                .await?;
            t.contractors.push(target.to_owned());
            let active = quoted(inf::ACTIVE_STATUSES);
            let ids = set_status(
                conn,
                &StatusName::Archived,
                &format!("p.contractor_id = ? AND p.status_name IN {active}"),
                target,
            )
            .await?;
            t.permits.extend(ids);
        }
        ActionKind::RevokePass => {
            set_status(
                conn,
                &StatusName::Revoked,
                &format!(
                    "p.id = ? AND p.status_name NOT IN {}",
                    quoted(inf::TERMINAL_STATUSES)
                ),
                target,
            )
            .await?;
            t.permits.push(target.to_owned());
        }
        // The new code is the server's to mint: nothing to show before it answers.
        ActionKind::ReissuePass => t.permits.push(target.to_owned()),
    }
    Ok(t)
}

/// Lays every open action over the cached documents again (after the server's copies replaced
/// them), oldest first.
pub(crate) async fn overlay_open(conn: &mut SqliteConnection) -> Result<Touched, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT kind, target_id FROM outbox WHERE state IN {OPEN_STATES} ORDER BY seq"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut touched = Touched::default();
    for (kind, target) in rows {
        if let Some(kind) = ActionKind::parse(&kind) {
            touched.extend(overlay(conn, kind, &target).await?);
        }
    }
    Ok(touched)
}
