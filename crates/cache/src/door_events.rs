//! The events the gate panels logged at their doors, copied into the cache on a cursor per panel
//! (a panel's log can be cleared there), each joined to the permit its identifier was
//! provisioned for when the panel's rows tell. Copying the same item twice keeps one.

use sqlx::Row;

use crate::{Cache, CacheError, Committed};

/// One logged event at a door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoorEvent {
    pub panel: String,
    /// The panel's own id of the log item (`0` when it gives none).
    pub log_id: i64,
    /// Unix seconds, the panel's clock.
    pub at: i64,
    /// As the panel names it: `access_granted_by_valid_identifier`, ….
    pub event: String,
    pub granted: bool,
    pub kind: Option<String>,
    /// Canonical, as the panel's rows keep it (a card's value in decimal).
    pub number: Option<String>,
    pub door: Option<String>,
    pub owner: Option<String>,
    pub permit_id: Option<String>,
}

/// Where a panel's log was read up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogCursor {
    pub at: i64,
    pub log_id: i64,
}

impl Cache {
    /// Where a panel's log was read up to (`None`: never read).
    pub async fn door_log_cursor(&self, panel: &str) -> Result<Option<LogCursor>, CacheError> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT at, log_id FROM door_log_cursors WHERE panel = ?")
                .bind(panel)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.sql(e))?;
        Ok(row.map(|(at, log_id)| LogCursor { at, log_id }))
    }

    /// Keeps a panel's events and moves its cursor, in one transaction: a copy killed halfway
    /// is read again from the old cursor, and what it had kept is kept once. The permit of each
    /// event is the panel's row for that number when there is one, else the one it names; its owner,
    /// when the panel names none (an identifier it no longer holds), that row's.
    /// Says how many events were new.
    pub async fn keep_door_events(
        &self,
        panel: &str,
        events: &[DoorEvent],
        cursor: LogCursor,
    ) -> Result<u64, CacheError> {
        let mut tx = self.write_tx().await?;
        let mut n = 0;
        for e in events {
            n += sqlx::query(
                "INSERT INTO door_events (panel, log_id, at, event, granted, kind, number, door, owner, permit_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, (SELECT owner FROM panel_grants \
                   WHERE panel = ? AND kind = ? AND number = ?)), COALESCE((SELECT NULLIF(permit_id, '') \
                   FROM panel_grants WHERE panel = ? AND kind = ? AND number = ?), ?)) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(panel)
            .bind(e.log_id)
            .bind(e.at)
            .bind(&e.event)
            .bind(e.granted)
            .bind(&e.kind)
            .bind(&e.number)
            .bind(&e.door)
            .bind(&e.owner)
            .bind(panel)
            .bind(&e.kind)
            .bind(&e.number)
            .bind(panel)
            .bind(&e.kind)
            .bind(&e.number)
            .bind(&e.permit_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql(e))?
            .rows_affected();
        }
        sqlx::query(
            "INSERT INTO door_log_cursors (panel, at, log_id) VALUES (?, ?, ?) \
             ON CONFLICT (panel) DO UPDATE SET at = excluded.at, log_id = excluded.log_id",
        )
        .bind(panel)
        .bind(cursor.at)
        .bind(cursor.log_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.sql(e))?;
        tx.commit().await.map_err(|e| self.sql(e))?;
        if n > 0 {
            let _ = self.changes.send(Committed::DoorEvents);
        }
        Ok(n)
    }

    /// A permit's door events, oldest first.
    pub async fn door_events_of(&self, permit_id: &str) -> Result<Vec<DoorEvent>, CacheError> {
        let rows = sqlx::query(
            "SELECT panel, log_id, at, event, granted, kind, number, door, owner, permit_id \
             FROM door_events WHERE permit_id = ? ORDER BY at, panel, log_id",
        )
        .bind(permit_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        Ok(rows
            .iter()
            .map(|r| DoorEvent {
                panel: r.get(0),
                log_id: r.get(1),
                at: r.get(2),
                event: r.get(3),
                granted: r.get::<i64, _>(4) != 0,
                kind: r.get(5),
                number: r.get(6),
                door: r.get(7),
                owner: r.get(8),
                permit_id: r.get(9),
            })
            .collect())
    }
}
