//! What Gatehouse wants on each gate panel, and where each identifier stands there: the durable
//! record a per-panel drain works from. The rows are states, not commands, so replaying a drain
//! after a crash is harmless: a wanted row is put again (a panel's PUT is an upsert), a removing
//! row is deleted again (a delete of what is gone says `not_found`), and nothing is doubled.

use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{Cache, CacheError, Committed};

/// The `permit_id` of a row that removes an identifier no permit explains (a sweep's orphan).
pub const ORPHAN: &str = "";

/// Where an identifier stands on a panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantState {
    /// To be put on the panel (new, or changed since it was).
    Wanted,
    /// The panel took it.
    Placed,
    /// To be deleted from the panel.
    Removing,
    /// Read back gone.
    Removed,
}

impl GrantState {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantState::Wanted => "wanted",
            GrantState::Placed => "placed",
            GrantState::Removing => "removing",
            GrantState::Removed => "removed",
        }
    }

    fn parse(s: &str) -> Option<GrantState> {
        [
            GrantState::Wanted,
            GrantState::Placed,
            GrantState::Removing,
            GrantState::Removed,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
    }
}

/// An identifier wanted on a panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedGrant {
    pub panel: String,
    pub kind: String,
    /// Canonical: a card's value in decimal, a PIN's digits, a QR's UUID, a plate.
    pub number: String,
    pub permit_id: String,
    pub owner: String,
    pub lock: String,
    /// Unix seconds.
    pub valid_from: i64,
    pub valid_to: i64,
    pub max_passes: Option<i64>,
}

/// A row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    pub grant: WantedGrant,
    pub state: GrantState,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The last attempt may have been applied: read back before sending again.
    pub uncertain: bool,
    pub updated_at: String,
}

/// What an attempt came to, for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantOutcome {
    /// The panel holds it (a put succeeded, or a read-back found it as wanted).
    Placed,
    /// The panel no longer holds it (read back gone).
    Removed,
    /// The attempt failed; `uncertain` when it may have been applied.
    Failed { error: String, uncertain: bool },
}

const COLUMNS: &str = "panel, kind, number, permit_id, owner, lock, valid_from, valid_to, max_passes, \
    state, attempts, last_error, uncertain, updated_at";

fn row(r: &sqlx::sqlite::SqliteRow) -> Option<GrantRow> {
    Some(GrantRow {
        grant: WantedGrant {
            panel: r.get(0),
            kind: r.get(1),
            number: r.get(2),
            permit_id: r.get(3),
            owner: r.get(4),
            lock: r.get(5),
            valid_from: r.get(6),
            valid_to: r.get(7),
            max_passes: r.get(8),
        },
        state: GrantState::parse(r.get::<&str, _>(9))?,
        attempts: r.get(10),
        last_error: r.get(11),
        uncertain: r.get::<i64, _>(12) != 0,
        updated_at: r.get(13),
    })
}

impl Cache {
    async fn grant_rows(&self, filter: &str, bind: &[&str]) -> Result<Vec<GrantRow>, CacheError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM panel_grants WHERE {filter} ORDER BY panel, kind, number"
        );
        let mut q = sqlx::query(&sql);
        for b in bind {
            q = q.bind(*b);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(|e| self.sql(e))?;
        Ok(rows.iter().filter_map(row).collect())
    }

    /// Records identifiers as wanted on their panels, in one transaction. A row already placed
    /// exactly so stays placed; a changed one is wanted again. A number another permit holds on
    /// that panel (not removed) refuses the whole call.
    pub async fn want_grants(&self, grants: &[WantedGrant], at: &str) -> Result<(), CacheError> {
        let mut tx = self.write_tx().await?;
        for g in grants {
            let held: Option<(String, String)> = sqlx::query_as(
                "SELECT permit_id, state FROM panel_grants WHERE panel = ? AND kind = ? AND number = ?",
            )
            .bind(&g.panel)
            .bind(&g.kind)
            .bind(&g.number)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
            if let Some((other, state)) = &held
                && other != &g.permit_id
                && state != "removed"
            {
                return Err(CacheError::Refused(format!(
                    "{} {} is already on the panel {} for another permit ({other})",
                    g.kind, g.number, g.panel
                )));
            }
            sqlx::query(
                "INSERT INTO panel_grants (panel, kind, number, permit_id, owner, lock, valid_from, valid_to, \
                 max_passes, state, attempts, last_error, uncertain, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'wanted', 0, NULL, 0, ?) \
                 ON CONFLICT (panel, kind, number) DO UPDATE SET \
                 state = CASE WHEN state = 'placed' AND permit_id = excluded.permit_id AND owner = excluded.owner \
                   AND lock = excluded.lock AND valid_from = excluded.valid_from AND valid_to = excluded.valid_to \
                   AND max_passes IS excluded.max_passes THEN 'placed' ELSE 'wanted' END, \
                 permit_id = excluded.permit_id, owner = excluded.owner, lock = excluded.lock, \
                 valid_from = excluded.valid_from, valid_to = excluded.valid_to, max_passes = excluded.max_passes, \
                 updated_at = excluded.updated_at",
            )
            .bind(&g.panel)
            .bind(&g.kind)
            .bind(&g.number)
            .bind(&g.permit_id)
            .bind(&g.owner)
            .bind(&g.lock)
            .bind(g.valid_from)
            .bind(g.valid_to)
            .bind(g.max_passes)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?;
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        let _ = self.changes.send(Committed::Grants);
        Ok(())
    }

    /// Marks every identifier of a permit (on every panel) to be removed; says how many.
    pub async fn remove_grants_of(&self, permit_id: &str, at: &str) -> Result<u64, CacheError> {
        let n = sqlx::query(
            "UPDATE panel_grants SET state = 'removing', attempts = 0, updated_at = ? \
             WHERE permit_id = ? AND state IN ('wanted', 'placed')",
        )
        .bind(at)
        .bind(permit_id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.sql(e))?
        .rows_affected();
        if n > 0 {
            let _ = self.changes.send(Committed::Grants);
        }
        Ok(n)
    }

    /// Every PIN this profile keeps on a panel (wanted, placed or being taken off).
    pub async fn pins_in_use(&self) -> Result<std::collections::HashSet<String>, CacheError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT number FROM panel_grants WHERE kind = 'inputCode' AND state != 'removed'",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    /// How many of a panel's rows have work left (to be put or taken off).
    pub async fn open_grant_count(&self, panel: &str) -> Result<u32, CacheError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM panel_grants WHERE panel = ? AND state IN ('wanted', 'removing')",
        )
        .bind(panel)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// A panel's rows with work left (wanted or removing), oldest change first, at most `limit`.
    pub async fn open_grants(&self, panel: &str, limit: u32) -> Result<Vec<GrantRow>, CacheError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM panel_grants WHERE panel = ? AND state IN ('wanted', 'removing') \
             ORDER BY updated_at, kind, number LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(panel)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(rows.iter().filter_map(row).collect())
    }

    /// Records what attempts came to, in one transaction. A row is settled only from the state it
    /// was read in (`expected`): a row wanted again or removed meanwhile keeps its new work.
    pub async fn settle_grants(
        &self,
        settled: &[(GrantRow, GrantOutcome)],
        at: &str,
    ) -> Result<(), CacheError> {
        let mut tx = self.write_tx().await?;
        for (r, outcome) in settled {
            let mut q = QueryBuilder::<Sqlite>::new("UPDATE panel_grants SET updated_at = ");
            q.push_bind(at);
            match outcome {
                GrantOutcome::Placed => {
                    q.push(", state = 'placed', last_error = NULL, uncertain = 0");
                }
                GrantOutcome::Removed => {
                    q.push(", state = 'removed', last_error = NULL, uncertain = 0");
                }
                GrantOutcome::Failed { error, uncertain } => {
                    q.push(", attempts = attempts + 1, last_error = ")
                        .push_bind(error)
                        .push(", uncertain = ")
                        .push_bind(i64::from(*uncertain));
                }
            }
            q.push(" WHERE panel = ")
                .push_bind(&r.grant.panel)
                .push(" AND kind = ")
                .push_bind(&r.grant.kind)
                .push(" AND number = ")
                .push_bind(&r.grant.number)
                .push(" AND state = ")
                .push_bind(r.state.as_str())
                .push(" AND permit_id = ")
                .push_bind(&r.grant.permit_id);
            q.build().execute(&mut *tx).await.map_err(|e| self.sql(e))?;
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        let _ = self.changes.send(Committed::Grants);
        Ok(())
    }

    /// Marks identifiers found on a panel that nothing here explains (a sweep's orphans) to be
    /// removed: a row of no permit ([`ORPHAN`]) or, for a number once recorded and since removed,
    /// that row again. A number wanted or placed for a permit is left alone (it is no orphan).
    /// Says how many rows now wait for removal.
    pub async fn remove_orphans(
        &self,
        panel: &str,
        found: &[(String, String, String)],
        at: &str,
    ) -> Result<u64, CacheError> {
        let mut tx = self.write_tx().await?;
        let mut n = 0;
        for (kind, number, owner) in found {
            n += sqlx::query(
                "INSERT INTO panel_grants (panel, kind, number, permit_id, owner, lock, valid_from, valid_to, \
                 max_passes, state, attempts, last_error, uncertain, updated_at) \
                 VALUES (?, ?, ?, ?, ?, '', 0, 0, NULL, 'removing', 0, NULL, 0, ?) \
                 ON CONFLICT (panel, kind, number) DO UPDATE SET state = 'removing', attempts = 0, \
                 last_error = NULL, updated_at = excluded.updated_at WHERE state IN ('removed', 'removing')",
            )
            .bind(panel)
            .bind(kind)
            .bind(number)
            .bind(ORPHAN)
            .bind(owner)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?
            .rows_affected();
        }
        tx.commit().await.map_err(|e| self.sql(e))?;
        if n > 0 {
            let _ = self.changes.send(Committed::Grants);
        }
        Ok(n)
    }

    /// The permits with identifiers wanted or placed on some panel.
    pub async fn permits_at_doors(&self) -> Result<Vec<String>, CacheError> {
        sqlx::query_scalar(
            "SELECT DISTINCT permit_id FROM panel_grants WHERE state IN ('wanted', 'placed') \
             AND permit_id <> '' ORDER BY permit_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))
    }

    /// A permit's identifiers on every panel, in every state.
    pub async fn grants_of_permit(&self, permit_id: &str) -> Result<Vec<GrantRow>, CacheError> {
        self.grant_rows("permit_id = ?", &[permit_id]).await
    }

    /// Everything recorded for one panel.
    pub async fn grants_on(&self, panel: &str) -> Result<Vec<GrantRow>, CacheError> {
        self.grant_rows("panel = ?", &[panel]).await
    }
}
