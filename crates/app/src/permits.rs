//! The permits table (pages opened by keyset at any position); one permit's panel is
//! `permit_detail.rs`.

use std::sync::atomic::Ordering;

use gatehouse_buzzin::{Permit, PermitType, StatusName, Timestamp, inf};
use gatehouse_cache::{Cursor, PermitQuery, PermitSort};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::rows::{PermitRow, count};
use crate::validate::{check_id, check_search, quoted};
use crate::{Community, Error};

/// Rows per page of the permits table.
pub const PAGE_SIZE: u32 = 100;

/// What the permits table asks for: filters, search and sort. Every field is checked in Rust.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct PermitFilter {
    /// Any of these `statusName`s; every status when empty.
    pub statuses: Vec<StatusName>,
    pub permit_type: Option<PermitType>,
    pub contractor_id: Option<String>,
    pub property_id: Option<String>,
    pub flat_id: Option<String>,
    /// Only permits that can run out (ACCEPTED: [`inf::can_expire`]) and whose validity ends
    /// between now and this many minutes from now.
    pub expiring_within_minutes: Option<u32>,
    /// Only these permits (an alert's, at most [`PERMIT_IDS_MAX`]); every permit when empty.
    pub ids: Vec<String>,
    pub search: String,
    pub sort: PermitSort,
    pub descending: bool,
}

/// One page of the table, and how many rows the whole table has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PermitPageView {
    pub rows: Vec<PermitRow>,
    pub page: u32,
    pub page_size: u32,
    /// Rows matching the filter, over all pages.
    pub total: u32,
}

/// Every permit matching a filter, as a command lists them.
#[derive(Debug, Clone)]
pub struct PermitListing {
    pub rows: Vec<PermitRow>,
    /// The same permits, as the cache holds them.
    pub documents: Vec<Permit>,
    /// How many match in all (more than listed when a limit cut the list).
    pub total: u64,
}

/// "Expiring within" counts from the start of this minute, so that the pages of one scroll
/// (and a command run beside the window) agree.
fn this_minute() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    now - chrono::Duration::seconds(now.timestamp() % 60)
}

/// The longest "expiring within" accepted: a year, in minutes.
const EXPIRING_MAX_MINUTES: u32 = 366 * 24 * 60;

/// The most permits a filter names one by one.
pub const PERMIT_IDS_MAX: usize = 1000;

impl PermitFilter {
    /// The cache query for this filter at `now`, checked; `None` when nothing can match (an
    /// "expiring within" over statuses that cannot expire).
    fn query(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Option<PermitQuery>, Error> {
        let mut q = PermitQuery {
            limit: PAGE_SIZE,
            descending: self.descending,
            sort: self.sort,
            ..PermitQuery::default()
        };
        for status in &self.statuses {
            if !status.is_known() {
                let known: Vec<&str> = StatusName::KNOWN.iter().map(StatusName::as_str).collect();
                return Err(Error::invalid_input(format!(
                    "\"{}\" is not a permit status: one of {}.",
                    quoted(status.as_str()),
                    known.join(", ")
                )));
            }
        }
        q.statuses = self.statuses.clone();
        if let Some(t) = &self.permit_type {
            if !t.is_known() {
                return Err(Error::invalid_input(format!(
                    "\"{}\" is not a permit type: buildUp or fitOut.",
                    quoted(t.as_str())
                )));
            }
            q.permit_type = Some(t.clone());
        }
        for (value, name) in [
            (&self.contractor_id, "contractor id"),
            (&self.property_id, "property id"),
            (&self.flat_id, "unit id"),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                check_id(v, name)?;
            }
        }
        if self.ids.len() > PERMIT_IDS_MAX {
            return Err(Error::invalid_input(format!(
                "A filter names at most {PERMIT_IDS_MAX} permits, not {}.",
                self.ids.len()
            )));
        }
        for id in &self.ids {
            check_id(id, "permit id")?;
        }
        q.ids = self.ids.clone();
        q.contractor_id = self.contractor_id.clone().filter(|v| !v.is_empty());
        q.property_id = self.property_id.clone().filter(|v| !v.is_empty());
        q.flat_id = self.flat_id.clone().filter(|v| !v.is_empty());
        q.search = check_search(&self.search)?.map(str::to_owned);
        if let Some(m) = self.expiring_within_minutes {
            if m == 0 || m > EXPIRING_MAX_MINUTES {
                return Err(Error::invalid_input(
                    "\"Expiring within\" is 1 minute to a year.",
                ));
            }
            q.valid_till_from = Some(Timestamp(now));
            q.valid_till_before = Some(Timestamp(now + chrono::Duration::minutes(m as i64)));
            // Only a permit that can run out is expiring: of the statuses asked for, or of all.
            let asked = if q.statuses.is_empty() {
                StatusName::KNOWN.to_vec()
            } else {
                std::mem::take(&mut q.statuses)
            };
            q.statuses = asked.into_iter().filter(inf::can_expire).collect();
            if q.statuses.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some(q))
    }
}

/// The permits table's memory: where each page of the current filter starts, and a count of
/// the permits' changes that tells when that is out of date.
pub(crate) struct PermitPager {
    anchors: tokio::sync::Mutex<Option<Anchors>>,
    /// Bumped on every change of the permits, so anchors are re-read.
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl PermitPager {
    /// A pager following the permits of `cache`.
    pub(crate) fn following(cache: &gatehouse_cache::Cache) -> PermitPager {
        let pager = PermitPager {
            anchors: tokio::sync::Mutex::new(None),
            generation: Default::default(),
        };
        let mut changes = cache.subscribe();
        let generation = pager.generation.clone();
        tokio::spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(gatehouse_cache::Committed::Permits(_))
                    | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        generation.fetch_add(1, Ordering::AcqRel);
                    }
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        pager
    }
}

/// Where each page of one filter starts, for as long as the permits do not change.
struct Anchors {
    /// The filter, and the minute its "expiring within" was counted from.
    key: (PermitFilter, i64),
    generation: u64,
    total: u64,
    cursors: Option<Vec<Cursor>>,
}

impl Community {
    /// Page `page` (from 0) of the permits matching `filter`, opened by keyset from the cursor
    /// where the page starts; the cursors of a filter are read once per change of the permits.
    pub async fn permits(&self, filter: &PermitFilter, page: u32) -> Result<PermitPageView, Error> {
        let now = this_minute();
        let Some(mut q) = filter.query(now)? else {
            return Ok(PermitPageView {
                rows: Vec::new(),
                page,
                page_size: PAGE_SIZE,
                total: 0,
            });
        };
        let key = (filter.clone(), now.timestamp());
        let generation = self.pager().generation.load(Ordering::Acquire);
        let mut memo = self.pager().anchors.lock().await;
        let fresh = memo
            .as_ref()
            .is_some_and(|a| a.key == key && a.generation == generation);
        if !fresh {
            // A new filter: its count now (for the scrollbar); its page cursors only when a
            // page past the first is asked for.
            let total = self
                .cache()
                .permits(&PermitQuery {
                    limit: 1,
                    ..q.clone()
                })
                .await?
                .total;
            *memo = Some(Anchors {
                key,
                generation,
                total: total.unwrap_or_default(),
                cursors: None,
            });
        }
        let anchors = memo.as_mut().expect("just filled");
        let total = anchors.total;
        if page > 0 {
            if anchors.cursors.is_none() {
                anchors.cursors = Some(self.cache().permit_anchors(&q, PAGE_SIZE).await?);
            }
            let cursors = anchors.cursors.as_deref().unwrap_or_default();
            match cursors.get(page as usize - 1) {
                Some(c) => q.after = Some(c.clone()),
                None => {
                    return Ok(PermitPageView {
                        rows: Vec::new(),
                        page,
                        page_size: PAGE_SIZE,
                        total: count(total),
                    });
                }
            }
        }
        drop(memo);
        q.skip_total = true;
        let found = self.cache().permits(&q).await?;
        Ok(PermitPageView {
            rows: self.rows(&found.rows).await?,
            page,
            page_size: PAGE_SIZE,
            total: count(total),
        })
    }

    /// Every permit matching `filter` (at most `limit`), as a command lists them: the rows,
    /// the documents as the cache holds them (for `--json`), and how many match in all.
    pub async fn permit_list(
        &self,
        filter: &PermitFilter,
        limit: Option<u64>,
    ) -> Result<PermitListing, Error> {
        let (documents, total) = self.permit_documents(filter, limit).await?;
        Ok(PermitListing {
            rows: self.rows(&documents).await?,
            documents,
            total,
        })
    }

    /// The documents of every permit matching `filter` (at most `limit`), and how many match
    /// in all: [`Community::permit_list`] without the rows.
    pub(crate) async fn permit_documents(
        &self,
        filter: &PermitFilter,
        limit: Option<u64>,
    ) -> Result<(Vec<Permit>, u64), Error> {
        const CHUNK: u64 = 500;
        let mut documents: Vec<Permit> = Vec::new();
        let mut total = 0;
        let Some(mut q) = filter.query(this_minute())? else {
            return Ok((documents, total));
        };
        let want = limit.unwrap_or(u64::MAX);
        while (documents.len() as u64) < want {
            q.limit = (want - documents.len() as u64).min(CHUNK) as u32;
            let page = self.cache().permits(&q).await?;
            if let Some(t) = page.total {
                total = t;
            }
            q.skip_total = true;
            documents.extend(page.rows);
            match page.next {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        Ok((documents, total))
    }
}
