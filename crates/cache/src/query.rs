//! Permit pages: filters, search, sort and a keyset cursor (never OFFSET: the 2,000th page costs
//! what the first does).

use std::path::Path;

use gatehouse_buzzin::{Permit, PermitType, StatusName, Timestamp};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::CacheError;

gatehouse_buzzin::closed_enum! {
    /// Sortable columns; ties are broken by id, so the order is total.
    #[derive(Default)]
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum PermitSort {
        #[default]
        ValidTill = "validTill",
        /// Not indexed, as `PermitType`.
        ValidFrom = "validFrom",
        PassNumber = "passNumber",
        UpdatedAt = "updatedAt",
        Status = "status",
        /// Not indexed: a page sorts the matches (top-N), which stays in tens of milliseconds.
        PermitType = "permitType",
        /// Not indexed, as `PermitType`.
        Unit = "unit",
        /// By the contractor's name (walked in name order, or looked up per row).
        Contractor = "contractor",
    }
}

impl PermitSort {
    /// The sort value of a permit row `p`, as SQL.
    fn expr(self) -> &'static str {
        match self {
            PermitSort::ValidTill => "p.valid_till",
            PermitSort::ValidFrom => "p.valid_from",
            PermitSort::PassNumber => "p.pass_number",
            PermitSort::UpdatedAt => "p.updated_at",
            PermitSort::Status => "p.status_name",
            PermitSort::PermitType => "p.permit_type",
            PermitSort::Unit => "p.flat_id",
            PermitSort::Contractor => {
                "coalesce((SELECT c.name FROM contractors c WHERE c.id = p.contractor_id), '')"
            }
        }
    }
}

/// Where a page's rows come from, and their sort value as SQL.
///
/// By contractor name, SQLite walks the contractors in name order (index `contractors_name`) and
/// each one's permits (`permits_contractor`), so a page is found at once instead of after a
/// name lookup for every permit (0.2–0.3 s over 100,000). `CROSS JOIN` fixes that loop order
/// (without statistics SQLite would scan the permits and sort them). The walk is for the whole
/// table or many search matches (`walk`); a few matches are quicker looked up one by one. It
/// only sees permits whose contractor is cached and named (`names_complete`); when one is not
/// (a gap the next sync usually fills), the name is looked up per permit: the same order and
/// cursors, only slower.
fn source(f: &PermitQuery, walk: bool, names_complete: bool) -> (&'static str, &'static str) {
    if f.sort == PermitSort::Contractor && walk && names_complete {
        (
            "contractors c CROSS JOIN permits p ON p.contractor_id = c.id",
            "c.name",
        )
    } else {
        ("permits p", f.sort.expr())
    }
}

/// Whether every permit's contractor is cached and has a name (see [`source`]).
pub(crate) async fn names_complete(pool: &SqlitePool) -> Result<bool, sqlx::Error> {
    let gaps: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM contractors WHERE name IS NULL) \
             OR EXISTS (SELECT 1 FROM (SELECT DISTINCT contractor_id AS id FROM permits) k \
                        WHERE NOT EXISTS (SELECT 1 FROM contractors c WHERE c.id = k.id))",
    )
    .fetch_one(pool)
    .await?;
    Ok(!gaps)
}

/// Where the next page starts: the sort value and id of the last row of this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: String,
    pub id: String,
}

#[derive(Debug, Clone, Default)]
pub struct PermitQuery {
    /// Any of these statuses; all when empty.
    pub statuses: Vec<StatusName>,
    pub permit_type: Option<PermitType>,
    pub contractor_id: Option<String>,
    pub property_id: Option<String>,
    pub flat_id: Option<String>,
    /// Only these permits (an alert's); every permit when empty.
    pub ids: Vec<String>,
    /// `validTill` at or after this (e.g. now, for "expiring within").
    pub valid_till_from: Option<Timestamp>,
    /// `validTill` before this (e.g. now + 24 h).
    pub valid_till_before: Option<Timestamp>,
    /// `validFrom` at or after this (e.g. today's start, for "starting today").
    pub valid_from_from: Option<Timestamp>,
    /// `validFrom` before this.
    pub valid_from_before: Option<Timestamp>,
    /// Words to find in pass number, unit, job, representative, contractor name, company, phone.
    pub search: Option<String>,
    pub sort: PermitSort,
    pub descending: bool,
    pub after: Option<Cursor>,
    /// Rows per page, 1 to 500 (0 means 100).
    pub limit: u32,
    /// Do not count the matches (a next page: the total was given with the first).
    pub skip_total: bool,
}

#[derive(Debug, Clone)]
pub struct PermitPage {
    pub rows: Vec<Permit>,
    /// How many permits match the filters and search, over all pages (unless `skip_total`).
    pub total: Option<u64>,
    /// The cursor of the next page, when there is one.
    pub next: Option<Cursor>,
}

/// How SQLite is steered when there is a search (it cannot estimate how many rows a search
/// matches, and guesses badly both ways).
#[derive(Clone, Copy, PartialEq)]
enum Plan {
    /// No search: SQLite's choice.
    Free,
    /// Few matches: go through them, checking the filters on each (`+col` keeps SQLite from
    /// walking a filter's index instead).
    FromMatches,
    /// Many matches: walk the sort order and stop at the page's end, checking the search and
    /// the filters on each row (`+rowid` keeps SQLite from collecting every match first).
    FromSortOrder,
}

/// Above this many matches, walking the sort order finds a page sooner than sorting the matches.
const MANY_MATCHES: i64 = 2_000;

fn push_filters<'a>(
    q: &mut QueryBuilder<'a, Sqlite>,
    f: &'a PermitQuery,
    fts: &'a Option<String>,
    plan: Plan,
) {
    let p = if plan == Plan::Free { "p." } else { "+p." };
    // Walking by validity, the (status, validTill) index serves the status filter and the order
    // at once.
    let status_p = if plan == Plan::FromSortOrder && f.sort == PermitSort::ValidTill {
        "p."
    } else {
        p
    };
    q.push(" WHERE 1 = 1");
    if !f.statuses.is_empty() {
        q.push(format!(" AND {status_p}status_name IN "));
        crate::push_list(q, f.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(t) = &f.permit_type {
        q.push(format!(" AND {p}permit_type = "))
            .push_bind(t.as_str());
    }
    if let Some(c) = &f.contractor_id {
        q.push(format!(" AND {p}contractor_id = "))
            .push_bind(c.as_str());
    }
    if let Some(prop) = &f.property_id {
        q.push(format!(" AND {p}property_id = "))
            .push_bind(prop.as_str());
    }
    if let Some(u) = &f.flat_id {
        q.push(format!(" AND {p}flat_id = ")).push_bind(u.as_str());
    }
    if !f.ids.is_empty() {
        q.push(format!(" AND {p}id IN ("));
        let mut list = q.separated(", ");
        for id in &f.ids {
            list.push_bind(id.as_str());
        }
        q.push(")");
    }
    if let Some(t) = &f.valid_till_from {
        q.push(format!(" AND {p}valid_till >= "))
            .push_bind(t.to_wire());
    }
    if let Some(t) = &f.valid_till_before {
        q.push(format!(" AND {p}valid_till < "))
            .push_bind(t.to_wire());
    }
    if let Some(t) = &f.valid_from_from {
        q.push(format!(" AND {p}valid_from >= "))
            .push_bind(t.to_wire());
    }
    if let Some(t) = &f.valid_from_before {
        q.push(format!(" AND {p}valid_from < "))
            .push_bind(t.to_wire());
    }
    if let Some(m) = fts {
        let rowid = if plan == Plan::FromSortOrder {
            "+p.rowid"
        } else {
            "p.rowid"
        };
        q.push(format!(
            " AND {rowid} IN (SELECT rowid FROM permit_search WHERE permit_search MATCH "
        ))
        .push_bind(m.as_str())
        .push(")");
    }
}

pub(crate) async fn permits(
    pool: &SqlitePool,
    path: &Path,
    f: &PermitQuery,
    names_complete: bool,
) -> Result<PermitPage, CacheError> {
    let err = |e| CacheError::classify(path, e);
    let fts = f.search.as_deref().and_then(crate::search::fts_query);
    let limit = match f.limit {
        0 => 100,
        n => n.min(500),
    } as i64;
    let total = if f.skip_total {
        None
    } else {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM permits p");
        let plan = if fts.is_some() {
            Plan::FromMatches // a count visits every match anyway
        } else {
            Plan::Free
        };
        push_filters(&mut count, f, &fts, plan);
        let n: i64 = count.build().fetch_one(pool).await.map_err(err)?.get(0);
        Some(n as u64)
    };

    let plan = match &fts {
        None => Plan::Free,
        Some(m) => {
            let matches: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM permit_search WHERE permit_search MATCH ?",
            )
            .bind(m.as_str())
            .fetch_one(pool)
            .await
            .map_err(err)?;
            if matches > MANY_MATCHES {
                Plan::FromSortOrder
            } else {
                Plan::FromMatches
            }
        }
    };
    let (from, col) = source(f, plan != Plan::FromMatches, names_complete);
    // The page is chosen on the narrow table; only its rows' documents are read.
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT page.v, page.id, d.doc FROM (SELECT {col} AS v, p.id AS id FROM {from}"
    ));
    push_filters(&mut q, f, &fts, plan);
    if let Some(after) = &f.after {
        let cmp = if f.descending { "<" } else { ">" };
        q.push(format!(" AND ({col}, p.id) {cmp} ("))
            .push_bind(after.value.as_str())
            .push(", ")
            .push_bind(after.id.as_str())
            .push(")");
    }
    let dir = if f.descending { "DESC" } else { "ASC" };
    // The limit is written into the SQL, not bound: told the page holds at most this many rows,
    // SQLite reads the documents for them alone; with `LIMIT ?` it planned for a large page and
    // scanned every document (40 ms instead of 4 over 100,000 permits).
    q.push(format!(
        " ORDER BY {col} {dir}, p.id {dir} LIMIT {}",
        limit + 1
    ));
    q.push(format!(
        ") page JOIN permit_docs d ON d.id = page.id ORDER BY page.v {dir}, page.id {dir}"
    ));
    let rows = q.build().fetch_all(pool).await.map_err(err)?;

    let more = rows.len() as i64 > limit;
    let mut out = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last = None;
    for row in rows.into_iter().take(limit as usize) {
        let value: String = row.get(0);
        let id: String = row.get(1);
        let doc: String = row.get(2);
        out.push(crate::decode(path, "permit", &doc)?);
        last = Some(Cursor { value, id });
    }
    Ok(PermitPage {
        rows: out,
        total,
        next: if more { last } else { None },
    })
}

/// See [`crate::Cache::permit_anchors`].
pub(crate) async fn anchors(
    pool: &SqlitePool,
    path: &Path,
    f: &PermitQuery,
    every: u32,
    names_complete: bool,
) -> Result<Vec<Cursor>, CacheError> {
    let err = |e| CacheError::classify(path, e);
    let every = every.max(1) as i64;
    let fts = f.search.as_deref().and_then(crate::search::fts_query);
    // Every match is visited: the walk pays off without a search.
    let (from, col) = source(f, fts.is_none(), names_complete);
    let dir = if f.descending { "DESC" } else { "ASC" };
    let mut q = QueryBuilder::<Sqlite>::new(format!(
        "SELECT v, id FROM (SELECT {col} AS v, p.id AS id, \
         row_number() OVER (ORDER BY {col} {dir}, p.id {dir}) AS n FROM {from}"
    ));
    let plan = if fts.is_some() {
        Plan::FromMatches // every match is visited anyway
    } else {
        Plan::Free
    };
    push_filters(&mut q, f, &fts, plan);
    q.push(") WHERE n % ")
        .push_bind(every)
        .push(" = 0 ORDER BY n");
    let rows = q.build().fetch_all(pool).await.map_err(err)?;
    Ok(rows
        .into_iter()
        .map(|r| Cursor {
            value: r.get::<Option<String>, _>(0).unwrap_or_default(),
            id: r.get(1),
        })
        .collect())
}
