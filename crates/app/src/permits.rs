//! The permits table (pages opened by keyset at any position), and one permit's detail.

use std::sync::atomic::Ordering;

use gatehouse_buzzin::{Permit, PermitAction, PermitType, StatusName, Timestamp, inf};
use gatehouse_cache::{ActionKind, Cursor, PermitQuery, PermitSort, may_act_on_permit};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::ActionView;
use crate::rows::{ContractorRow, PermitRow, count, wire};
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

/// A NOC attached to a permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NocView {
    pub number: Option<String>,
    pub issue_date: Option<String>,
    pub expiry_date: Option<String>,
    pub document_url: Option<String>,
    /// When it was replaced by a newer one (ISO-8601 UTC).
    pub replaced_at: Option<String>,
}

/// One line of a permit's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TimelineItem {
    /// ISO-8601 UTC.
    pub at: String,
    /// `issued`, `updated`, `reissued`, `revoked`, `expiring`, `expired`, `scanned`, … or the
    /// API's own word for what happened.
    pub what: String,
    pub detail: Option<String>,
}

/// Everything the detail panel of a permit shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PermitDetail {
    pub permit: PermitRow,
    /// Daily window, `HH:mm` in the community's time.
    pub time_in: Option<String>,
    pub time_out: Option<String>,
    pub representative: Option<String>,
    pub representative_contact: Option<String>,
    pub employees: u32,
    pub access_code: Option<String>,
    pub contractor: Option<ContractorRow>,
    pub noc: Option<NocView>,
    pub noc_history: Vec<NocView>,
    /// Oldest first.
    pub timeline: Vec<TimelineItem>,
    /// Actions on this permit, or on its contractor, waiting for the server or refused by it.
    pub actions: Vec<ActionView>,
    /// The pass can be reissued (it is ACCEPTED and nothing is queued on it).
    pub can_reissue: bool,
    pub can_revoke: bool,
}

fn noc(n: &gatehouse_buzzin::StoredNoc) -> NocView {
    NocView {
        number: n.noc_number.clone(),
        issue_date: n.issue_date.clone(),
        expiry_date: n.expiry_date.clone(),
        document_url: n.document.as_ref().map(|d| d.public_url.clone()),
        replaced_at: wire(n.replaced_at),
    }
}

/// The API's event names, in the words of the timeline.
fn event_word(event: &str) -> String {
    let last = event.rsplit('.').next().unwrap_or(event);
    match last {
        "firstScanned" => "first scan".into(),
        "lastScanned" => "last scan".into(),
        other => other.to_owned(),
    }
}

/// A permit audit `action` (the PATCH action that made it), as a timeline word.
fn audit_word(action: &PermitAction) -> String {
    match action {
        PermitAction::Revoke => "revoked".into(),
        PermitAction::ReissuePass => "reissued".into(),
        PermitAction::Submit => "submitted".into(),
        PermitAction::Approve => "approved".into(),
        PermitAction::Reject => "rejected".into(),
        PermitAction::Unknown(other) => other.clone(),
    }
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

    /// One permit, by id or pass number, with its contractor, NOCs, timeline and actions.
    pub async fn permit(&self, key: &str) -> Result<PermitDetail, Error> {
        check_id(key, "permit id")?;
        let p = self
            .cache()
            .permit_by_id_or_pass(key)
            .await?
            .ok_or_else(|| Error::not_found(format!("No permit {key} here.")))?;
        let queued = self.queued_targets().await?;
        let row = self
            .rows_marked(std::slice::from_ref(&p), &queued)
            .await?
            .remove(0);
        let contractor = match &p.community_contractor_id {
            Some(id) => self.contractor_row(id, &queued).await?,
            None => None,
        };
        let mut timeline: Vec<TimelineItem> = Vec::new();
        for e in self.cache().events_of(&p.id).await? {
            let data: gatehouse_buzzin::PermitEventData =
                serde_json::from_value(e.envelope.data.clone()).unwrap_or_default();
            let detail = match (&data.scan, &data.reason, &data.status_name) {
                (Some(scan), _, _) => Some(match &scan.gate {
                    Some(gate) => format!("{} at {gate}", scan.direction),
                    None => scan.direction.clone(),
                }),
                (None, Some(reason), _) => Some(reason.clone()),
                (None, None, Some(s)) => Some(s.to_string()),
                _ => None,
            };
            timeline.push(TimelineItem {
                at: e.envelope.created_at.to_wire(),
                what: event_word(e.envelope.event.as_str()),
                detail,
            });
        }
        for a in p.audit.iter().flatten() {
            // The permit's own audit (reissues, revokes): said once even if an event said it too.
            let what = audit_word(&a.action);
            let at = a.at.to_wire();
            if timeline.iter().any(|t| t.at == at && t.what == what) {
                continue;
            }
            let by = a.actor.as_deref().map(|who| format!("by {who}"));
            let detail = match (by, &a.reason) {
                (Some(by), Some(r)) => Some(format!("{by}: {r}")),
                (Some(by), None) => Some(by),
                (None, r) => r.clone(),
            };
            timeline.push(TimelineItem { at, what, detail });
        }
        if !timeline.iter().any(|t| t.what == "issued")
            && let Some(created) = p.created_at
        {
            timeline.push(TimelineItem {
                at: created.to_wire(),
                what: "created".into(),
                detail: None,
            });
        }
        timeline.sort_by(|a, b| a.at.cmp(&b.at));
        // Its own actions, and its contractor's (a revoke archives it).
        let mut targets = vec![p.id.as_str()];
        targets.extend(p.community_contractor_id.as_deref());
        let actions = self.actions_on(&targets).await?;
        let queued = actions.iter().any(|a| a.open && a.target_id == p.id);
        let damac = p.integrations.as_ref().and_then(|i| i.damac.as_ref());
        Ok(PermitDetail {
            time_in: p.time_in.clone(),
            time_out: p.time_out.clone(),
            representative: p.representative_name.clone(),
            representative_contact: p.representative_contact.clone(),
            employees: p.employees.as_ref().map_or(0, |e| e.len() as u32),
            access_code: p.access_code.clone(),
            contractor,
            noc: damac.and_then(|d| d.noc.as_ref()).map(noc),
            noc_history: damac
                .and_then(|d| d.noc_history.as_ref())
                .map(|h| h.iter().map(noc).collect())
                .unwrap_or_default(),
            timeline,
            can_reissue: may_act_on_permit(ActionKind::ReissuePass, &p).is_ok() && !queued,
            can_revoke: may_act_on_permit(ActionKind::RevokePass, &p).is_ok() && !queued,
            actions,
            permit: row,
        })
    }
}
