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
    /// One of the desk's views of today ([`DayView`]), with the other filters.
    pub day: Option<DayView>,
    pub search: String,
    pub sort: PermitSort,
    pub descending: bool,
}

/// The desk's views of today, in the community's day (00:00 to 23:59 GST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub enum DayView {
    /// ACCEPTED, and within its validity now (its crew may enter today, hours allowing).
    ActiveNow,
    /// ACCEPTED, its validity ending between now and 23:59 today.
    ExpiringToday,
    /// Its validity starting today.
    StartingToday,
    /// Its validity ended today, before now.
    EndedToday,
}

impl DayView {
    pub const ALL: &'static [DayView] = &[
        DayView::ActiveNow,
        DayView::ExpiringToday,
        DayView::StartingToday,
        DayView::EndedToday,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DayView::ActiveNow => "activeNow",
            DayView::ExpiringToday => "expiringToday",
            DayView::StartingToday => "startingToday",
            DayView::EndedToday => "endedToday",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DayView::ActiveNow => "Active now",
            DayView::ExpiringToday => "Expiring today",
            DayView::StartingToday => "Starting today",
            DayView::EndedToday => "Ended today",
        }
    }
}

/// The start of the community's day holding `now`, and of the next.
fn community_day(now: chrono::DateTime<chrono::Utc>) -> (Timestamp, Timestamp) {
    let offset = chrono::Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into());
    let local = (now + offset).date_naive();
    let start = local.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - offset;
    (
        Timestamp(start),
        Timestamp(start + chrono::Duration::days(1)),
    )
}

/// The later of two lower bounds, the earlier of two upper ones.
fn later(a: Option<Timestamp>, b: Timestamp) -> Option<Timestamp> {
    Some(a.map_or(b, |a| if a.0 > b.0 { a } else { b }))
}
fn earlier(a: Option<Timestamp>, b: Timestamp) -> Option<Timestamp> {
    Some(a.map_or(b, |a| if a.0 < b.0 { a } else { b }))
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
    /// Why no permit can match, when the filters contradict each other ("Expiring today
    /// lists ACCEPTED permits only, and the status filter asks for REVOKED").
    pub none_because: Option<String>,
    /// When a search matches nothing here: how many it matches with any status, at any time
    /// (the status, today's view and "expiring within" set aside).
    pub elsewhere: Option<u32>,
    /// The search is a pass's access code or the QR payload a scanner typed: the id of the
    /// permit that has (or had) it, the only row, whatever the other filters say.
    pub by_code: Option<String>,
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
        Ok(self.query_or_why(now)?.ok())
    }

    /// [`PermitFilter::query`], with why nothing can match instead of `None`.
    fn query_or_why(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<PermitQuery, String>, Error> {
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
                return Ok(Err(
                    "\"Expiring within\" lists ACCEPTED permits only (only they run out); the status filter asks for others.".into(),
                ));
            }
        }
        if let Some(day) = self.day {
            let (start, end) = community_day(now);
            let now = Timestamp(now);
            let accepted_only = |q: &mut PermitQuery| {
                let asked = q.statuses.is_empty() || q.statuses.contains(&StatusName::Accepted);
                q.statuses = vec![StatusName::Accepted];
                asked
            };
            match day {
                DayView::ActiveNow => {
                    if !accepted_only(&mut q) {
                        return Ok(Err(format!(
                            "{} lists ACCEPTED permits only; the status filter asks for others.",
                            day.label()
                        )));
                    }
                    q.valid_from_before = earlier(
                        q.valid_from_before,
                        Timestamp(now.0 + chrono::Duration::milliseconds(1)),
                    );
                    q.valid_till_from = later(q.valid_till_from, now);
                }
                DayView::ExpiringToday => {
                    if !accepted_only(&mut q) {
                        return Ok(Err(format!(
                            "{} lists ACCEPTED permits only; the status filter asks for others.",
                            day.label()
                        )));
                    }
                    q.valid_till_from = later(q.valid_till_from, now);
                    q.valid_till_before = earlier(q.valid_till_before, end);
                }
                DayView::StartingToday => {
                    q.valid_from_from = later(q.valid_from_from, start);
                    q.valid_from_before = earlier(q.valid_from_before, end);
                }
                DayView::EndedToday => {
                    q.valid_till_from = later(q.valid_till_from, start);
                    q.valid_till_before = earlier(q.valid_till_before, now);
                }
            }
        }
        Ok(Ok(q))
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
        if let Some(found) = self.permit_with_code(&filter.search).await? {
            return Ok(PermitPageView {
                by_code: Some(found.id.clone()),
                rows: if page == 0 {
                    self.rows(std::slice::from_ref(&found)).await?
                } else {
                    Vec::new()
                },
                page,
                page_size: PAGE_SIZE,
                total: 1,
                none_because: None,
                elsewhere: None,
            });
        }
        let now = this_minute();
        let mut q = match filter.query_or_why(now)? {
            Ok(q) => q,
            Err(why) => {
                return Ok(PermitPageView {
                    rows: Vec::new(),
                    page,
                    page_size: PAGE_SIZE,
                    total: 0,
                    none_because: Some(why),
                    elsewhere: None,
                    by_code: None,
                });
            }
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
                        none_because: None,
                        elsewhere: None,
                        by_code: None,
                    });
                }
            }
        }
        drop(memo);
        let elsewhere = if total == 0 && page == 0 {
            self.matches_elsewhere(filter, now).await?
        } else {
            None
        };
        q.skip_total = true;
        let found = self.cache().permits(&q).await?;
        Ok(PermitPageView {
            rows: self.rows(&found.rows).await?,
            page,
            page_size: PAGE_SIZE,
            total: count(total),
            none_because: None,
            elsewhere,
            by_code: None,
        })
    }

    /// The permit whose access code (or QR payload) `search` is, if it is one this cache knows.
    pub async fn permit_with_code(&self, search: &str) -> Result<Option<Permit>, Error> {
        let search = search.trim();
        // A code is one word; a QR payload is JSON, which may hold spaces.
        if search.is_empty()
            || (search.contains(char::is_whitespace) && !search.starts_with('{'))
            || search.len() > crate::SCAN_MAX
        {
            return Ok(None);
        }
        let Some(code) = inf::code_in_scan(search) else {
            return Ok(None);
        };
        Ok(self
            .cache()
            .look_up_code(&code)
            .await?
            .and_then(|found| found.permit))
    }

    /// How many permits a search that found nothing matches with the status, today's view and
    /// "expiring within" set aside; `None` when there is no search, nothing was set aside, or
    /// it finds nothing there either.
    async fn matches_elsewhere(
        &self,
        filter: &PermitFilter,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<u32>, Error> {
        let narrowed = !filter.statuses.is_empty()
            || filter.day.is_some()
            || filter.expiring_within_minutes.is_some();
        if filter.search.trim().is_empty() || !narrowed {
            return Ok(None);
        }
        let wider = PermitFilter {
            statuses: Vec::new(),
            day: None,
            expiring_within_minutes: None,
            ..filter.clone()
        };
        let Some(q) = wider.query(now)? else {
            return Ok(None);
        };
        let n = self
            .cache()
            .permits(&PermitQuery { limit: 1, ..q })
            .await?
            .total
            .unwrap_or_default();
        Ok((n > 0).then(|| count(n)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_s_views_bound_the_validity_by_the_community_s_day() {
        // 3 Dec 2026 22:30 in the community (18:30 UTC).
        let now = Timestamp::parse("2026-12-03T18:30:00.000Z").unwrap().0;
        let at = |day| {
            PermitFilter {
                day: Some(day),
                ..Default::default()
            }
            .query_or_why(now)
            .unwrap()
            .unwrap()
        };
        let wire = |t: Option<Timestamp>| t.map(|t| t.to_wire());
        let q = at(DayView::ExpiringToday);
        assert_eq!(q.statuses, [StatusName::Accepted]);
        assert_eq!(
            wire(q.valid_till_from).as_deref(),
            Some("2026-12-03T18:30:00.000Z")
        );
        assert_eq!(
            wire(q.valid_till_before).as_deref(),
            Some("2026-12-03T20:00:00.000Z")
        );
        let q = at(DayView::StartingToday);
        assert!(q.statuses.is_empty());
        assert_eq!(
            wire(q.valid_from_from).as_deref(),
            Some("2026-12-02T20:00:00.000Z")
        );
        assert_eq!(
            wire(q.valid_from_before).as_deref(),
            Some("2026-12-03T20:00:00.000Z")
        );
        let q = at(DayView::EndedToday);
        assert_eq!(
            wire(q.valid_till_from).as_deref(),
            Some("2026-12-02T20:00:00.000Z")
        );
        assert_eq!(
            wire(q.valid_till_before).as_deref(),
            Some("2026-12-03T18:30:00.000Z")
        );
        // With "expiring within 24 h" too, the tighter bound holds.
        let q = PermitFilter {
            day: Some(DayView::ExpiringToday),
            expiring_within_minutes: Some(60),
            ..Default::default()
        }
        .query_or_why(now)
        .unwrap()
        .unwrap();
        assert_eq!(
            wire(q.valid_till_before).as_deref(),
            Some("2026-12-03T19:30:00.000Z")
        );
        // A status no view of ACCEPTED permits can list: none, and why.
        let why = PermitFilter {
            day: Some(DayView::ActiveNow),
            statuses: vec![StatusName::Revoked],
            ..Default::default()
        }
        .query_or_why(now)
        .unwrap()
        .unwrap_err();
        assert!(
            why.starts_with("Active now lists ACCEPTED permits only"),
            "{why}"
        );
    }
}
