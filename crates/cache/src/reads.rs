//! Reading the cache: documents by id, the contractor tabs and their counts, the permits table's
//! pages and their anchors, a permit's events, and the ids the sync engine asks about.

use gatehouse_buzzin::{Contractor, FeedItem, Permit};
use sqlx::Row;

use crate::{
    Cache, CacheError, ContractorState, Cursor, PermitPage, PermitQuery, PermitSort, decode, query,
};

/// A tower and unit the cached permits name, with DAMAC's ids as one of them carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenPlace {
    pub property_id: String,
    pub flat_id: String,
    pub property_external_id: Option<String>,
    pub flat_external_id: Option<String>,
    /// How many cached permits name it.
    pub permits: u32,
}

impl Cache {
    /// Every (tower, unit) the cached permits name, with how many name it.
    pub async fn places_seen(&self) -> Result<Vec<SeenPlace>, CacheError> {
        let rows = sqlx::query(
            "SELECT g.property_id, g.flat_id, g.n, \
                    CAST(json_extract(d.doc, '$.propertyExternalId') AS TEXT), \
                    CAST(json_extract(d.doc, '$.flatExternalId') AS TEXT) \
             FROM (SELECT property_id, flat_id, count(*) AS n, min(id) AS pid FROM permits \
                   GROUP BY property_id, flat_id) g \
             JOIN permit_docs d ON d.id = g.pid",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Ok(rows
            .into_iter()
            .map(|r| SeenPlace {
                property_id: r.get(0),
                flat_id: r.get(1),
                permits: u32::try_from(r.get::<i64, _>(2)).unwrap_or(u32::MAX),
                property_external_id: text(r.get(3)),
                flat_external_id: text(r.get(4)),
            })
            .collect())
    }

    pub async fn contractor(&self, id: &str) -> Result<Option<Contractor>, CacheError> {
        let row = sqlx::query("SELECT doc FROM contractors WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| decode(&self.path, "contractor", &r.get::<String, _>(0)))
            .transpose()
    }

    /// The rows of `head` followed by an `IN` list of `ids`, read 500 ids at a time (SQLite
    /// takes only so many parameters in one statement).
    async fn rows_in(
        &self,
        head: &str,
        ids: &[String],
    ) -> Result<Vec<sqlx::sqlite::SqliteRow>, CacheError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(head);
            crate::push_list(&mut q, chunk.iter().map(String::as_str));
            out.extend(
                q.build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(|e| self.sql(e))?,
            );
        }
        Ok(out)
    }

    /// These contractors, by id (those the cache has), read 500 at a time.
    pub async fn contractors_by_ids(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, Contractor>, CacheError> {
        self.rows_in("SELECT doc FROM contractors WHERE id IN ", ids)
            .await?
            .into_iter()
            .map(|r| {
                let c: Contractor = decode(&self.path, "contractor", &r.get::<String, _>(0))?;
                Ok((c.id.clone(), c))
            })
            .collect()
    }

    /// Permits by id or pass number (`keys` may mix them), each under the key it was found by;
    /// read 500 keys at a time.
    pub async fn permits_by_keys(
        &self,
        keys: &[String],
    ) -> Result<std::collections::HashMap<String, Permit>, CacheError> {
        let mut out = std::collections::HashMap::new();
        for chunk in keys.chunks(500) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "SELECT p.id, p.pass_number, d.doc FROM permits p JOIN permit_docs d ON d.id = p.id \
                 WHERE p.id IN ",
            );
            crate::push_list(&mut q, chunk.iter().map(String::as_str));
            q.push(" OR p.pass_number IN ");
            crate::push_list(&mut q, chunk.iter().map(String::as_str));
            let rows = q
                .build()
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.sql(e))?;
            let wanted: std::collections::HashSet<&str> =
                chunk.iter().map(String::as_str).collect();
            for r in rows {
                let (id, pass): (String, String) = (r.get(0), r.get(1));
                let p: Permit = decode(&self.path, "permit", &r.get::<String, _>(2))?;
                // An id is the surer key: a pass number found by its id is not put under it.
                if wanted.contains(pass.as_str()) && !out.contains_key(&pass) {
                    out.insert(pass, p.clone());
                }
                if wanted.contains(id.as_str()) {
                    out.insert(id, p);
                }
            }
        }
        Ok(out)
    }

    /// The names and companies of these contractors, by id (for labelling permit rows).
    pub async fn contractor_names(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, (String, String)>, CacheError> {
        Ok(self
            .rows_in(
                "SELECT id, coalesce(name, ''), coalesce(company, '') FROM contractors WHERE id IN ",
                ids,
            )
            .await?
            .into_iter()
            .map(|r| (r.get::<String, _>(0), (r.get(1), r.get(2))))
            .collect())
    }

    pub async fn permit(&self, id: &str) -> Result<Option<Permit>, CacheError> {
        let row = sqlx::query("SELECT doc FROM permit_docs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| decode(&self.path, "permit", &r.get::<String, _>(0)))
            .transpose()
    }

    /// A permit by its id or its pass number (`WP-002391`).
    pub async fn permit_by_id_or_pass(&self, key: &str) -> Result<Option<Permit>, CacheError> {
        let row = sqlx::query(
            "SELECT d.doc FROM permit_docs d WHERE d.id = ?1 \
             UNION ALL SELECT d.doc FROM permits p JOIN permit_docs d ON d.id = p.id WHERE p.pass_number = ?1 \
             LIMIT 1",
        )
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| decode(&self.path, "permit", &r.get::<String, _>(0)))
            .transpose()
    }

    pub async fn count_permits(&self) -> Result<u64, CacheError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM permits")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(n as u64)
    }

    pub async fn count_contractors(&self) -> Result<u64, CacheError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM contractors")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        Ok(n as u64)
    }

    /// Contractors by state (`pending`, `approved`, `removed`, or all), with optional search
    /// over name, company, phone, email and Salesforce id; ordered by name.
    pub async fn contractors(
        &self,
        state: Option<ContractorState>,
        search: Option<&str>,
    ) -> Result<Vec<Contractor>, CacheError> {
        self.contractors_first(state, search, None, u32::MAX).await
    }

    /// How many contractors each state holds for this search (and, with `licence_before`, whose
    /// trade licence expires before that date): (pending, approved, removed).
    pub async fn contractor_counts(
        &self,
        search: Option<&str>,
        licence_before: Option<&str>,
    ) -> Result<(u64, u64, u64), CacheError> {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT coalesce(sum(c.removed = 0 AND c.approved = 0), 0), \
             coalesce(sum(c.removed = 0 AND c.approved = 1), 0), \
             coalesce(sum(c.removed = 1), 0) FROM contractors c WHERE 1 = 1",
        );
        licence_filter(&mut q, licence_before);
        let fts = search.and_then(crate::search::fts_query);
        if let Some(m) = &fts {
            q.push(" AND c.rowid IN (SELECT rowid FROM contractor_search WHERE contractor_search MATCH ")
                .push_bind(m.as_str())
                .push(")");
        }
        let row = q
            .build()
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        let n = |i: usize| row.get::<i64, _>(i).max(0) as u64;
        Ok((n(0), n(1), n(2)))
    }

    /// The first `limit` contractors of [`Cache::contractors`], with `licence_before` only those
    /// whose trade licence expires before that date (`YYYY-MM-DD`; expired ones included). The
    /// pending ones come oldest first (the queue's order: who has waited longest), the others
    /// by name.
    pub async fn contractors_first(
        &self,
        state: Option<ContractorState>,
        search: Option<&str>,
        licence_before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Contractor>, CacheError> {
        let mut q =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT doc FROM contractors c WHERE 1 = 1");
        match state {
            Some(ContractorState::Pending) => q.push(" AND c.removed = 0 AND c.approved = 0"),
            Some(ContractorState::Approved) => q.push(" AND c.removed = 0 AND c.approved = 1"),
            Some(ContractorState::Removed) => q.push(" AND c.removed = 1"),
            None => &mut q,
        };
        licence_filter(&mut q, licence_before);
        let fts = search.and_then(crate::search::fts_query);
        if let Some(m) = &fts {
            q.push(" AND c.rowid IN (SELECT rowid FROM contractor_search WHERE contractor_search MATCH ")
                .push_bind(m.as_str())
                .push(")");
        }
        if state == Some(ContractorState::Pending) {
            q.push(" ORDER BY json_extract(c.doc, '$.createdAt') IS NULL, json_extract(c.doc, '$.createdAt'),");
        } else {
            q.push(" ORDER BY");
        }
        q.push(" c.name, c.id LIMIT ").push_bind(i64::from(limit));
        let docs: Vec<String> = q
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))?;
        docs.iter()
            .map(|d| decode(&self.path, "contractor", d))
            .collect()
    }

    /// Ids of the permits (or contractors) last updated at exactly `at` (a wire time).
    pub async fn ids_updated_at(&self, permits: bool, at: &str) -> Result<Vec<String>, CacheError> {
        let table = if permits { "permits" } else { "contractors" };
        sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE updated_at = ?"))
            .bind(at)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))
    }

    /// Up to `limit` permit ids after `after`, in id order (for a rotating reconciliation).
    pub async fn permit_ids_after(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<String>, CacheError> {
        sqlx::query_scalar("SELECT id FROM permits WHERE id > ? ORDER BY id LIMIT ?")
            .bind(after)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.sql(e))
    }

    /// The events of one permit, oldest first (its timeline).
    pub async fn events_of(&self, permit_id: &str) -> Result<Vec<FeedItem>, CacheError> {
        self.events_of_all(&[permit_id.to_owned()]).await
    }

    /// The events of these permits, in feed order, in one read.
    pub async fn events_of_all(&self, permit_ids: &[String]) -> Result<Vec<FeedItem>, CacheError> {
        let ids = serde_json::to_string(permit_ids).expect("ids serialise");
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM events WHERE permit_id IN (SELECT value FROM json_each(?)) ORDER BY cursor",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.sql(e))?;
        docs.iter()
            .map(|d| decode(&self.path, "event", d))
            .collect()
    }

    /// The cursors that start every page of `every` rows of this query after the first (the
    /// cursor of row `every`, `2 × every`, …), read from the narrow table without documents.
    /// With them a table can open any page by keyset, e.g. when its scrollbar is dragged.
    pub async fn permit_anchors(
        &self,
        q: &PermitQuery,
        every: u32,
    ) -> Result<Vec<Cursor>, CacheError> {
        let complete = self.names_complete(q).await?;
        query::anchors(&self.pool, &self.path, q, every, complete).await
    }

    /// One page of permits: filters, search, sort, and a keyset cursor for the next page.
    pub async fn permits(&self, q: &PermitQuery) -> Result<PermitPage, CacheError> {
        let complete = self.names_complete(q).await?;
        query::permits(&self.pool, &self.path, q, complete).await
    }

    /// For a sort by contractor: whether every permit's contractor is cached and named (so the
    /// sort can walk the contractors by name). Read once per write of contractors or permits,
    /// not once per page. `false` for other sorts, which do not ask.
    async fn names_complete(&self, q: &PermitQuery) -> Result<bool, CacheError> {
        use std::sync::atomic::Ordering;
        if q.sort != PermitSort::Contractor {
            return Ok(false);
        }
        let writes = self.writes.load(Ordering::Acquire);
        let known = *self.names_complete.lock().expect("not poisoned");
        if let Some((at, complete)) = known
            && at == writes
        {
            return Ok(complete);
        }
        let complete = query::names_complete(&self.pool)
            .await
            .map_err(|e| CacheError::classify(&self.path, e))?;
        // Tagged with the count read before asking: a write meanwhile makes it ask again.
        *self.names_complete.lock().expect("not poisoned") = Some((writes, complete));
        Ok(complete)
    }
}

/// Only contractors whose trade licence expires before `before` (a `YYYY-MM-DD`, compared as
/// text: the API's dates sort so).
fn licence_filter(q: &mut sqlx::QueryBuilder<'_, sqlx::Sqlite>, before: Option<&str>) {
    if let Some(before) = before {
        q.push(" AND json_extract(c.doc, '$.company.tradeLicenseExpiryDate') < ")
            .push_bind(before.to_owned());
    }
}
