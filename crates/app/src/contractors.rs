//! The contractor queue: the Pending / Approved / Removed tabs, with counts and search.

use gatehouse_buzzin::Contractor;
use gatehouse_cache::ContractorState;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::ActionView;
use crate::rows::{ContractorRow, PermitRow, contractor_row as row, count};
use crate::validate::{check_id, check_search};
use crate::{Community, Error};

/// One tab of the queue (its first [`MAX_ROWS`] rows, by name), and the count of every tab for
/// the same search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ContractorList {
    pub rows: Vec<ContractorRow>,
    pub pending: u32,
    pub approved: u32,
    pub removed: u32,
}

/// Everything the contractor's detail panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ContractorDetail {
    pub contractor: ContractorRow,
    /// Days from today (in the community's time zone) to the trade licence's expiry; negative
    /// once it has expired.
    pub licence_days_left: Option<i32>,
    /// The licence has expired or expires within [`LICENCE_WARNING_DAYS`].
    pub licence_warning: bool,
    pub trade_license_url: Option<String>,
    pub insurance_url: Option<String>,
    /// The contractor's permits, soonest to expire first (at most [`DETAIL_PERMITS`]).
    pub permits: Vec<PermitRow>,
    pub permits_total: u32,
    /// The permits a revoke would archive: every one, listed for the confirmation.
    pub active_permits: Vec<PermitRow>,
    /// Of those, the ACCEPTED ones: passes that open the gates until the revoke lands (the
    /// others are drafts and requests, archived).
    pub live_passes: u32,
    /// Crews of theirs on site now: a permit whose last scan was an entry.
    pub on_site: Vec<OnSite>,
    /// Actions on this contractor waiting for the server or refused by it.
    pub actions: Vec<ActionView>,
    pub can_approve: bool,
    pub can_revoke: bool,
}

/// A crew on site: its permit's last scan was an entry, with no exit after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OnSite {
    pub permit_id: String,
    pub pass_number: String,
    /// ISO-8601 UTC.
    pub entered_at: String,
    pub gate: Option<String>,
}

/// A licence expiring within this many days is flagged.
pub const LICENCE_WARNING_DAYS: i32 = 30;
/// Permits listed in the detail panel.
const DETAIL_PERMITS: u32 = 50;

/// Rows listed at most in one tab: beyond that, the count says how many more and a search
/// narrows them (a queue of thousands is read by searching, not by scrolling).
pub const MAX_ROWS: u32 = 200;

/// Every contractor matching a search, as a command lists them: the rows, and the documents
/// as the cache holds them (for `--json`).
#[derive(Debug, Clone)]
pub struct ContractorListing {
    pub rows: Vec<ContractorRow>,
    pub documents: Vec<Contractor>,
}

impl Community {
    /// The contractors of one tab matching `search`, by name, with the three tabs' counts for
    /// that search.
    pub async fn contractors(
        &self,
        tab: ContractorState,
        search: &str,
    ) -> Result<ContractorList, Error> {
        let search = check_search(search)?;
        let queued = self.queued_targets().await?;
        let (pending, approved, removed) = self.cache().contractor_counts(search).await?;
        let rows: Vec<ContractorRow> = self
            .cache()
            .contractors_first(Some(tab), search, MAX_ROWS)
            .await?
            .into_iter()
            .map(|c| row(c, &queued))
            .collect();
        Ok(ContractorList {
            rows,
            pending: count(pending),
            approved: count(approved),
            removed: count(removed),
        })
    }

    /// Every contractor on a tab (or on any) matching `search`, by name: what a command lists.
    pub async fn contractor_list(
        &self,
        tab: Option<ContractorState>,
        search: &str,
    ) -> Result<ContractorListing, Error> {
        let search = check_search(search)?;
        let queued = self.queued_targets().await?;
        let documents = self.cache().contractors(tab, search).await?;
        Ok(ContractorListing {
            rows: documents.iter().map(|c| row(c.clone(), &queued)).collect(),
            documents,
        })
    }
}

impl Community {
    /// One contractor with its licence, permits, the permits a revoke would archive, and its
    /// queued actions.
    pub async fn contractor(&self, id: &str) -> Result<ContractorDetail, Error> {
        check_id(id, "contractor id")?;
        let c = self
            .cache()
            .contractor(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("No contractor {id} here.")))?;
        let company = c.company.clone();
        let may = |kind| gatehouse_cache::may_act_on_contractor(kind, &c).is_ok();
        let (may_approve, may_revoke) = (
            may(gatehouse_cache::ActionKind::ApproveContractor),
            may(gatehouse_cache::ActionKind::RevokeContractor),
        );
        let queued = self.queued_targets().await?;
        let contractor = row(c, &queued);
        let days = contractor
            .trade_license_expiry
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|expiry| {
                let offset = chrono::Duration::seconds(
                    gatehouse_buzzin::inf::COMMUNITY_UTC_OFFSET_SECS.into(),
                );
                let today = (chrono::Utc::now() + offset).date_naive();
                (expiry - today)
                    .num_days()
                    .clamp(i32::MIN as i64, i32::MAX as i64) as i32
            });
        let page = self
            .cache()
            .permits(&gatehouse_cache::PermitQuery {
                contractor_id: Some(id.to_owned()),
                limit: DETAIL_PERMITS,
                ..Default::default()
            })
            .await?;
        let active = self.cache().active_permits_of(id).await?;
        let live_passes = active
            .iter()
            .filter(|p| p.status_name() == Some(gatehouse_buzzin::StatusName::Accepted))
            .count();
        let on_site = self.on_site(&active).await?;
        let actions = self.actions_on(&[id]).await?;
        let waiting = actions.iter().any(|a| a.open);
        Ok(ContractorDetail {
            licence_days_left: days,
            licence_warning: days.is_some_and(|d| d <= LICENCE_WARNING_DAYS),
            trade_license_url: company
                .as_ref()
                .and_then(|co| co.trade_license.as_ref())
                .map(|d| d.public_url.clone()),
            insurance_url: company
                .as_ref()
                .and_then(|co| co.insurance.as_ref())
                .map(|d| d.public_url.clone()),
            permits: self.rows_marked(&page.rows, &queued).await?,
            permits_total: count(page.total.unwrap_or_default()),
            active_permits: self.rows_marked(&active, &queued).await?,
            live_passes: count(live_passes as u64),
            on_site,
            can_approve: may_approve && !waiting,
            can_revoke: may_revoke && !waiting,
            actions,
            contractor,
        })
    }

    /// The permits among these whose last scan was an entry, in one read of their events.
    async fn on_site(&self, permits: &[gatehouse_buzzin::Permit]) -> Result<Vec<OnSite>, Error> {
        let ids: Vec<String> = permits.iter().map(|p| p.id.clone()).collect();
        let mut last: std::collections::HashMap<String, gatehouse_buzzin::ScanInfo> =
            Default::default();
        for e in self.cache().events_of_all(&ids).await? {
            let data: gatehouse_buzzin::PermitEventData =
                serde_json::from_value(e.envelope.data.clone()).unwrap_or_default();
            if let (Some(scan), Some(id)) = (data.scan, data.permit_id) {
                last.insert(id, scan);
            }
        }
        Ok(permits
            .iter()
            .filter_map(|p| {
                let scan = last.get(&p.id)?;
                scan.direction
                    .eq_ignore_ascii_case("entry")
                    .then(|| OnSite {
                        permit_id: p.id.clone(),
                        pass_number: p.pass_number.clone().unwrap_or_default(),
                        entered_at: scan.scanned_at.to_wire(),
                        gate: scan.gate.clone(),
                    })
            })
            .collect())
    }
}
