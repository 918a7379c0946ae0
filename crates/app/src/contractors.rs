//! The contractor queue: the Pending / Approved / Removed tabs, with counts and search.

use std::collections::HashSet;

use gatehouse_buzzin::Contractor;
use gatehouse_cache::ContractorState;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::ActionView;
use crate::permits::PermitRow;
use crate::validate::{check_id, check_len};
use crate::{Community, Error};

/// One contractor as the queue shows it. Every text is the API's, shown as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ContractorRow {
    pub id: String,
    pub name: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    /// `pending`, `approved` or `removed`.
    pub state: String,
    pub salesforce_id: Option<String>,
    /// `YYYY-MM-DD`, as the API gives it.
    pub trade_license_expiry: Option<String>,
    /// An action on this contractor is waiting for the server.
    pub pending_sync: bool,
}

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
    /// Actions on this contractor waiting for the server or refused by it.
    pub actions: Vec<ActionView>,
    pub can_approve: bool,
    pub can_revoke: bool,
}

/// A licence expiring within this many days is flagged.
pub const LICENCE_WARNING_DAYS: i32 = 30;
/// Permits listed in the detail panel.
const DETAIL_PERMITS: u32 = 50;

/// Rows listed at most in one tab: beyond that, the count says how many more and a search
/// narrows them (a queue of thousands is read by searching, not by scrolling).
pub const MAX_ROWS: u32 = 200;

/// The longest search accepted.
const MAX_SEARCH: usize = 200;

fn state_of(tab: &str) -> Result<ContractorState, Error> {
    match tab {
        "pending" => Ok(ContractorState::Pending),
        "approved" => Ok(ContractorState::Approved),
        "removed" => Ok(ContractorState::Removed),
        other => Err(Error::invalid_input(format!(
            "\"{}\" is not a contractor tab: pending, approved or removed.",
            other.chars().take(40).collect::<String>()
        ))),
    }
}

fn row(c: Contractor, queued: &HashSet<String>) -> ContractorRow {
    let company = c.company.as_ref();
    ContractorRow {
        state: if c.communities_ids.is_empty() {
            "removed"
        } else if c.approved {
            "approved"
        } else {
            "pending"
        }
        .to_owned(),
        company: company
            .and_then(|co| co.company_name.clone())
            .unwrap_or_default(),
        trade_license_expiry: company.and_then(|co| co.trade_license_expiry_date.clone()),
        salesforce_id: c.salesforce_id().map(str::to_owned),
        pending_sync: queued.contains(&c.id),
        name: c.name.unwrap_or_default(),
        phone: c.phone.unwrap_or_default(),
        email: c.email.unwrap_or_default(),
        id: c.id,
    }
}

impl Community {
    /// The contractors of one tab (`pending`, `approved`, `removed`) matching `search`, by name,
    /// with the three tabs' counts for that search.
    pub async fn contractors(&self, tab: &str, search: &str) -> Result<ContractorList, Error> {
        let state = state_of(tab)?;
        check_len(search, MAX_SEARCH, "A search")?;
        let search = Some(search.trim()).filter(|s| !s.is_empty());
        let queued = self.queued_targets().await?;
        let (pending, approved, removed) = self.cache().contractor_counts(search).await?;
        let rows: Vec<ContractorRow> = self
            .cache()
            .contractors_first(Some(state), search, MAX_ROWS)
            .await?
            .into_iter()
            .map(|c| row(c, &queued))
            .collect();
        let count = |n: u64| n.min(u32::MAX as u64) as u32;
        Ok(ContractorList {
            rows,
            pending: count(pending),
            approved: count(approved),
            removed: count(removed),
        })
    }
}

impl Community {
    /// One contractor as the queue shows it, if it is here.
    pub(crate) async fn contractor_row(
        &self,
        id: &str,
        queued: &HashSet<String>,
    ) -> Result<Option<ContractorRow>, Error> {
        Ok(self.cache().contractor(id).await?.map(|c| row(c, queued)))
    }

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
            permits_total: page.total.unwrap_or_default().min(u32::MAX as u64) as u32,
            active_permits: self.rows_marked(&active, &queued).await?,
            can_approve: contractor.state == "pending" && !waiting,
            can_revoke: contractor.state != "removed" && !waiting,
            actions,
            contractor,
        })
    }
}
