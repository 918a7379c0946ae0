//! The statements behind every write, over one connection (a transaction's), so that
//! [`crate::Cache::store`] and the outbox compose them into one commit.

use gatehouse_buzzin::{Contractor, FeedItem, Permit, Timestamp};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::search::{CONTRACTOR_SEARCH_INSERT, PERMIT_SEARCH_INSERT};

/// Rows per multi-row statement (each statement is a round trip to SQLite's worker thread).
const CHUNK: usize = 400;

/// Upserts contractors; outside a bulk load, refreshes their search rows and their permits'.
pub(crate) async fn upsert_contractors(
    conn: &mut SqliteConnection,
    contractors: &[Contractor],
    bulk: bool,
) -> Result<(), sqlx::Error> {
    for chunk in contractors.chunks(CHUNK) {
        let ids = || chunk.iter().map(|c| c.id.as_str());
        // Contractors whose searched fields change (theirs, and their permits').
        let stale: Vec<&str> = if bulk {
            Vec::new()
        } else {
            let mut q = QueryBuilder::<Sqlite>::new(
                "SELECT id, name || char(31) || company || char(31) || phone || char(31) || email || char(31) || salesforce_id \
                 FROM contractors WHERE id IN ",
            );
            crate::push_list(&mut q, ids());
            let old: std::collections::HashMap<String, String> = q
                .build_query_as::<(String, String)>()
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect();
            chunk
                .iter()
                .filter(|c| old.get(&c.id) != Some(&contractor_search_key(c)))
                .map(|c| c.id.as_str())
                .collect()
        };
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO contractors (id, name, company, email, phone, salesforce_id, approved, removed, updated_at, doc, forms) ",
        );
        q.push_values(chunk, |mut b, c| {
            b.push_bind(&c.id)
                .push_bind(c.name.clone().unwrap_or_default())
                .push_bind(c.company_name().unwrap_or_default().to_owned())
                .push_bind(c.email.clone().unwrap_or_default())
                .push_bind(c.phone.clone().unwrap_or_default())
                .push_bind(c.salesforce_id().unwrap_or_default().to_owned())
                .push_bind(c.approved)
                .push_bind(c.is_removed())
                .push_bind(time(c.updated_at))
                .push_bind(serde_json::to_string(c).expect("a contractor serialises"))
                .push_bind(crate::search::name_forms(
                    c.name.as_deref().unwrap_or(""),
                    c.company_name().unwrap_or(""),
                ));
        });
        q.push(
            " ON CONFLICT(id) DO UPDATE SET name = excluded.name, company = excluded.company, email = excluded.email, \
             phone = excluded.phone, salesforce_id = excluded.salesforce_id, approved = excluded.approved, \
             removed = excluded.removed, updated_at = excluded.updated_at, doc = excluded.doc, forms = excluded.forms",
        );
        q.build().execute(&mut *conn).await?;
        if stale.is_empty() {
            continue;
        }
        refresh_contractor_search(conn, stale.iter().copied()).await?;
        // Their permits' search text names them.
        in_list(
            conn,
            "DELETE FROM permit_search WHERE rowid IN (SELECT rowid FROM permits WHERE contractor_id IN ",
            stale.iter().copied(),
            ")",
        )
        .await?;
        in_list(
            conn,
            &format!("{} WHERE p.contractor_id IN ", *PERMIT_SEARCH_INSERT),
            stale.iter().copied(),
            "",
        )
        .await?;
    }
    Ok(())
}

fn contractor_search_key(c: &Contractor) -> String {
    [
        c.name.as_deref().unwrap_or(""),
        c.company_name().unwrap_or(""),
        c.phone.as_deref().unwrap_or(""),
        c.email.as_deref().unwrap_or(""),
        c.salesforce_id().unwrap_or(""),
    ]
    .join("\u{1f}")
}

async fn refresh_contractor_search<'a>(
    conn: &mut SqliteConnection,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Result<(), sqlx::Error> {
    in_list(
        conn,
        "DELETE FROM contractor_search WHERE rowid IN (SELECT rowid FROM contractors WHERE id IN ",
        ids.clone(),
        ")",
    )
    .await?;
    in_list(
        conn,
        &format!("{} WHERE id IN ", *CONTRACTOR_SEARCH_INSERT),
        ids,
        "",
    )
    .await
}

/// A permit's row in the narrow table, in column order after `id`: pass_number, status_name,
/// permit_type, contractor_id, property_id, flat_id, valid_from, valid_till, updated_at, job,
/// representative, and the forms the representative is also found by (made from it).
type Narrow = [String; 12];

const NARROW_COLUMNS: &str = "pass_number, status_name, permit_type, contractor_id, property_id, flat_id, \
    valid_from, valid_till, updated_at, job, representative, representative_forms";

fn narrow(p: &Permit) -> Narrow {
    [
        p.pass_number.clone().unwrap_or_default(),
        p.status_name().map(|s| s.to_string()).unwrap_or_default(),
        p.permit_type
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_default(),
        p.community_contractor_id.clone().unwrap_or_default(),
        p.property_id.clone().unwrap_or_default(),
        p.flat_id.clone().unwrap_or_default(),
        time(p.valid_from),
        time(p.valid_till),
        time(p.updated_at),
        p.jobs_summary.clone().unwrap_or_default(),
        p.representative_name.clone().unwrap_or_default(),
        crate::search::name_forms(p.representative_name.as_deref().unwrap_or(""), ""),
    ]
}

/// Whether a change touches what the search row is made of (pass number, unit, job,
/// representative, contractor).
fn searched_fields_differ(old: &Narrow, new: &Narrow) -> bool {
    [0, 3, 5, 9, 10].iter().any(|&i| old[i] != new[i])
}

/// Whether a change touches an indexed or searched column, not only `updated_at`.
fn columns_differ(old: &Narrow, new: &Narrow) -> bool {
    (0..old.len()).filter(|&i| i != 8).any(|i| old[i] != new[i])
}

/// Upserts permits (the narrow row and the document). Outside a bulk load it looks at each
/// permit's current row first: a permit whose columns did not change (a reissue, a new scan)
/// gets only its `updated_at` and document rewritten, so the seven indexes are left alone, and
/// search rows are rewritten only where the searched fields changed.
pub(crate) async fn upsert_permits(
    conn: &mut SqliteConnection,
    permits: &[Permit],
    bulk: bool,
) -> Result<(), sqlx::Error> {
    for chunk in permits.chunks(CHUNK) {
        let rows: Vec<Narrow> = chunk.iter().map(narrow).collect();
        let old: std::collections::HashMap<String, Narrow> = if bulk {
            Default::default()
        } else {
            let mut q = QueryBuilder::<Sqlite>::new(format!(
                "SELECT id, {NARROW_COLUMNS} FROM permits WHERE id IN "
            ));
            crate::push_list(&mut q, chunk.iter().map(|p| p.id.as_str()));
            q.build()
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|r| {
                    let id: String = r.get(0);
                    let cols: Narrow = std::array::from_fn(|i| r.get::<String, _>(i + 1));
                    (id, cols)
                })
                .collect()
        };
        let mut full: Vec<(&Permit, &Narrow)> = Vec::new();
        let mut touch: Vec<(&Permit, &Narrow)> = Vec::new();
        let mut stale: Vec<&str> = Vec::new();
        for (p, row) in chunk.iter().zip(&rows) {
            match old.get(&p.id) {
                Some(o) if !columns_differ(o, row) => {
                    if o[8] != row[8] {
                        touch.push((p, row));
                    }
                }
                Some(o) => {
                    if searched_fields_differ(o, row) {
                        stale.push(&p.id);
                    }
                    full.push((p, row));
                }
                None => {
                    if !bulk {
                        stale.push(&p.id);
                    }
                    full.push((p, row));
                }
            }
        }
        // Search rows go before the rows they are found by change.
        if !stale.is_empty() {
            in_list(
                conn,
                "DELETE FROM permit_search WHERE rowid IN (SELECT rowid FROM permits WHERE id IN ",
                stale.iter().copied(),
                ")",
            )
            .await?;
        }
        if !full.is_empty() {
            let mut q =
                QueryBuilder::<Sqlite>::new(format!("INSERT INTO permits (id, {NARROW_COLUMNS}) "));
            q.push_values(&full, |mut b, (p, row)| {
                b.push_bind(p.id.as_str());
                for col in row.iter() {
                    b.push_bind(col.as_str());
                }
            });
            q.push(
                " ON CONFLICT(id) DO UPDATE SET pass_number = excluded.pass_number, status_name = excluded.status_name, \
                 permit_type = excluded.permit_type, contractor_id = excluded.contractor_id, property_id = excluded.property_id, \
                 flat_id = excluded.flat_id, valid_from = excluded.valid_from, valid_till = excluded.valid_till, \
                 updated_at = excluded.updated_at, job = excluded.job, representative = excluded.representative, \
                 representative_forms = excluded.representative_forms",
            );
            q.build().execute(&mut *conn).await?;
        }
        if !touch.is_empty() {
            let mut q = QueryBuilder::<Sqlite>::new("UPDATE permits SET updated_at = CASE id");
            for (p, row) in &touch {
                q.push(" WHEN ")
                    .push_bind(p.id.as_str())
                    .push(" THEN ")
                    .push_bind(row[8].as_str());
            }
            q.push(" END WHERE id IN ");
            crate::push_list(&mut q, touch.iter().map(|(p, _)| p.id.as_str()));
            q.build().execute(&mut *conn).await?;
        }
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO permit_docs (id, doc) ");
        q.push_values(chunk, |mut b, p| {
            b.push_bind(&p.id)
                .push_bind(serde_json::to_string(p).expect("a permit serialises"));
        });
        q.push(" ON CONFLICT(id) DO UPDATE SET doc = excluded.doc WHERE doc IS NOT excluded.doc");
        q.build().execute(&mut *conn).await?;
        if !stale.is_empty() {
            in_list(
                conn,
                &format!("{} WHERE p.id IN ", *PERMIT_SEARCH_INSERT),
                stale.iter().copied(),
                "",
            )
            .await?;
        }
        crate::codes::record(conn, chunk, bulk).await?;
    }
    Ok(())
}

/// Records feed events (a replayed event is ignored: its cursor is already there).
pub(crate) async fn insert_events(
    conn: &mut SqliteConnection,
    events: &[FeedItem],
) -> Result<(), sqlx::Error> {
    for chunk in events.chunks(CHUNK) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO events (cursor, id, name, permit_id, created_at, doc) ",
        );
        q.push_values(chunk, |mut b, e| {
            let permit_id = e
                .envelope
                .data
                .get("permitId")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            b.push_bind(e.cursor as i64)
                .push_bind(&e.envelope.id)
                .push_bind(e.envelope.event.to_string())
                .push_bind(permit_id)
                .push_bind(e.envelope.created_at.to_wire())
                .push_bind(serde_json::to_string(e).expect("an event serialises"));
        });
        q.push(" ON CONFLICT(cursor) DO NOTHING");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn set_state(
    conn: &mut SqliteConnection,
    key: &str,
    value: Option<&serde_json::Value>,
) -> Result<(), sqlx::Error> {
    match value {
        Some(v) => sqlx::query(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(v.to_string())
        .execute(&mut *conn)
        .await
        .map(|_| ()),
        None => sqlx::query("DELETE FROM sync_state WHERE key = ?")
            .bind(key)
            .execute(&mut *conn)
            .await
            .map(|_| ()),
    }
}

fn time(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_wire()).unwrap_or_default()
}

/// Runs `head (?, ?, …) tail` with the ids bound.
pub(crate) async fn in_list<'a>(
    conn: &mut SqliteConnection,
    head: &str,
    ids: impl Iterator<Item = &'a str>,
    tail: &str,
) -> Result<(), sqlx::Error> {
    let mut q = QueryBuilder::<Sqlite>::new(head);
    crate::push_list(&mut q, ids);
    q.push(tail);
    q.build().execute(&mut *conn).await.map(|_| ())
}
