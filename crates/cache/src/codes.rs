//! Access codes the cache has seen: each permit's live one and the ones reissues superseded,
//! written with every permit, for the desk's pass check.

use gatehouse_buzzin::{Contractor, EventName, FeedItem, Permit, PermitEventData};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::{Cache, CacheError};

/// What the cache knows of one access code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownCode {
    pub permit_id: String,
    /// When the code was issued, as far as the cache knows: its issued event's time, else the
    /// permit's `updatedAt` when a document first showed it.
    pub seen_at: String,
    /// When a newer code of the same permit was first seen (that permit's `updatedAt`).
    pub superseded_at: Option<String>,
}

/// Records the permits' codes: a code not seen before is added, and the permit's other live
/// codes are marked superseded at the permit's `updatedAt`. A document carrying a code already
/// superseded (an older copy put back) supersedes nothing.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    permits: &[Permit],
    bulk: bool,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(&str, &str, String)> = permits
        .iter()
        .filter_map(|p| {
            let at = p.updated_at.map(|t| t.to_wire()).unwrap_or_default();
            p.gate_code().map(|c| (c, p.id.as_str(), at))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO codes (code, permit_id, seen_at) ");
    q.push_values(&rows, |mut b, (code, id, at)| {
        b.push_bind(*code).push_bind(*id).push_bind(at.as_str());
    });
    q.push(" ON CONFLICT(code) DO NOTHING");
    q.build().execute(&mut *conn).await?;
    if bulk {
        // A first load into an empty cache: no permit has an earlier code here.
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("WITH cur (code, permit_id, at) AS (");
    q.push_values(&rows, |mut b, (code, id, at)| {
        b.push_bind(*code).push_bind(*id).push_bind(at.as_str());
    });
    q.push(
        ") UPDATE codes SET superseded_at = (SELECT at FROM cur WHERE cur.permit_id = codes.permit_id) \
         WHERE superseded_at IS NULL AND code NOT IN (SELECT code FROM cur) \
         AND permit_id IN (SELECT cur.permit_id FROM cur JOIN codes k ON k.code = cur.code \
                           WHERE k.superseded_at IS NULL)",
    );
    q.build().execute(&mut *conn).await?;
    Ok(())
}

/// Records the codes that `passes.permits.issued` events carry (the event fires again after a
/// reissue, with the new code [DOC §5.2]), each first seen at its event's time, and then
/// supersedes each of those permits' codes by the next one first seen after it. Called before
/// the batch's documents are recorded: a permit reissued twice between two syncs has a code that
/// no document shows, and a pass with it is refused as superseded at the second reissue rather
/// than as a code never seen.
pub(crate) async fn record_issued(
    conn: &mut SqliteConnection,
    events: &[FeedItem],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(String, String, String)> = events
        .iter()
        .filter(|e| e.envelope.event == EventName::PermitIssued)
        .filter_map(|e| {
            // An event whose data does not read is stored all the same; it just brings no code.
            let data: PermitEventData = serde_json::from_value(e.envelope.data.clone()).ok()?;
            let code = data.gate_code()?.to_owned();
            Some((code, data.permit_id?, e.envelope.created_at.to_wire()))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO codes (code, permit_id, seen_at) ");
    q.push_values(&rows, |mut b, (code, id, at)| {
        b.push_bind(code).push_bind(id).push_bind(at);
    });
    // The event's time is when the code was issued: it replaces the `updatedAt` of a document
    // that showed the code first (the pull by `updatedAt` runs before the feed).
    q.push(
        " ON CONFLICT(code) DO UPDATE SET seen_at = excluded.seen_at \
         WHERE excluded.permit_id = codes.permit_id",
    );
    q.build().execute(&mut *conn).await?;
    // Each code is superseded when the next is issued (codes issued in one millisecond, in the
    // order they were recorded); the last lives.
    let mut q = QueryBuilder::<Sqlite>::new(
        "UPDATE codes SET superseded_at = \
         (SELECT n.seen_at FROM codes n WHERE n.permit_id = codes.permit_id \
          AND (n.seen_at > codes.seen_at OR (n.seen_at = codes.seen_at AND n.rowid > codes.rowid)) \
          ORDER BY n.seen_at, n.rowid LIMIT 1) \
         WHERE permit_id IN ",
    );
    crate::push_list(&mut q, rows.iter().map(|(_, id, _)| id.as_str()));
    q.build().execute(&mut *conn).await?;
    Ok(())
}

/// An access code with what the pass check reads of it, in one query.
#[derive(Debug, Clone)]
pub struct CodeLookup {
    pub known: KnownCode,
    /// The permit that has (or had) it, if the cache still holds it.
    pub permit: Option<Permit>,
    /// That permit's contractor, if the cache holds it.
    pub contractor: Option<Contractor>,
}

impl Cache {
    /// An access code, its permit and the permit's contractor, read in one statement: the pass
    /// check's reads, which a scanner waits on.
    pub async fn look_up_code(&self, code: &str) -> Result<Option<CodeLookup>, CacheError> {
        let row = sqlx::query(
            "SELECT c.permit_id, c.seen_at, c.superseded_at, d.doc, k.doc \
             FROM codes c \
             LEFT JOIN permit_docs d ON d.id = c.permit_id \
             LEFT JOIN permits p ON p.id = c.permit_id \
             LEFT JOIN contractors k ON k.id = p.contractor_id \
             WHERE c.code = ?",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        let Some(r) = row else { return Ok(None) };
        let permit = r
            .get::<Option<String>, _>(3)
            .map(|doc| crate::decode(&self.path, "permit", &doc))
            .transpose()?;
        let contractor = r
            .get::<Option<String>, _>(4)
            .map(|doc| crate::decode(&self.path, "contractor", &doc))
            .transpose()?;
        Ok(Some(CodeLookup {
            known: KnownCode {
                permit_id: r.get(0),
                seen_at: r.get(1),
                superseded_at: r.get(2),
            },
            permit,
            contractor,
        }))
    }

    /// What the cache knows of an access code, if it has seen it.
    pub async fn known_code(&self, code: &str) -> Result<Option<KnownCode>, CacheError> {
        let row = sqlx::query("SELECT permit_id, seen_at, superseded_at FROM codes WHERE code = ?")
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(row.map(|r| KnownCode {
            permit_id: r.get(0),
            seen_at: r.get(1),
            superseded_at: r.get(2),
        }))
    }
}
