//! The contractor queue: the Pending / Approved / Removed tabs, with counts and search.

use std::collections::HashSet;

use gatehouse_buzzin::Contractor;
use gatehouse_cache::ContractorState;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// One tab of the queue, and the count of every tab for the same search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ContractorList {
    pub rows: Vec<ContractorRow>,
    pub pending: u32,
    pub approved: u32,
    pub removed: u32,
}

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
        if search.chars().count() > MAX_SEARCH {
            return Err(Error::invalid_input(format!(
                "A search is at most {MAX_SEARCH} characters."
            )));
        }
        let search = Some(search.trim()).filter(|s| !s.is_empty());
        let storage = |e: gatehouse_cache::CacheError| Error::storage(e.to_string());
        let queued: HashSet<String> = self
            .cache()
            .outbox(true)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|e| e.target_id)
            .collect();
        let mut counts = [0u32; 3];
        let mut rows = Vec::new();
        for (i, s) in [
            ContractorState::Pending,
            ContractorState::Approved,
            ContractorState::Removed,
        ]
        .into_iter()
        .enumerate()
        {
            let found = self
                .cache()
                .contractors(Some(s), search)
                .await
                .map_err(storage)?;
            counts[i] = found.len().min(u32::MAX as usize) as u32;
            if s == state {
                rows = found.into_iter().map(|c| row(c, &queued)).collect();
            }
        }
        Ok(ContractorList {
            rows,
            pending: counts[0],
            approved: counts[1],
            removed: counts[2],
        })
    }
}
