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
    /// Other contractors that may be the same one: same name and company, or same phone.
    pub duplicates: Vec<DuplicateHint>,
    /// Actions on this contractor waiting for the server or refused by it.
    pub actions: Vec<ActionView>,
    pub can_approve: bool,
    /// Why approving is refused although the contractor waits: the profile refuses contractors
    /// whose trade licence has expired.
    pub approve_refused: Option<String>,
    pub can_revoke: bool,
}

/// Another contractor that may be this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DuplicateHint {
    pub id: String,
    pub name: String,
    pub company: String,
    pub state: ContractorState,
    /// "same name and company", "same phone".
    pub why: String,
}

/// The last seven digits of a phone: the subscriber number in every form a UAE number is typed.
fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then(|| digits[digits.len() - 7..].to_owned())
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |s: Option<&str>| {
        s.unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
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

/// The first day past [`LICENCE_WARNING_DAYS`] from the community's today (`YYYY-MM-DD`):
/// licences expiring before it are "expiring soon" (or expired).
fn licence_horizon() -> String {
    let offset = chrono::Duration::seconds(gatehouse_buzzin::inf::COMMUNITY_UTC_OFFSET_SECS.into());
    let today = (chrono::Utc::now() + offset).date_naive();
    (today + chrono::Duration::days(i64::from(LICENCE_WARNING_DAYS) + 1))
        .format("%Y-%m-%d")
        .to_string()
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
    /// With `licence_soon`, only those whose trade licence has expired or expires within
    /// [`LICENCE_WARNING_DAYS`].
    pub async fn contractors(
        &self,
        tab: ContractorState,
        search: &str,
        licence_soon: bool,
    ) -> Result<ContractorList, Error> {
        let search = check_search(search)?;
        let queued = self.queued_targets().await?;
        let before = licence_soon.then(licence_horizon);
        let (pending, approved, removed) = self
            .cache()
            .contractor_counts(search, before.as_deref())
            .await?;
        let rows: Vec<ContractorRow> = self
            .cache()
            .contractors_first(Some(tab), search, before.as_deref(), MAX_ROWS)
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
        let days = contractor.licence_days_left;
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
        // The profile's policy: no approval with an expired trade licence.
        let by_policy = self.refuses_expired_licence() && days.is_some_and(|d| d < 0);
        let duplicates = self.duplicates_of(id).await?;
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
            duplicates,
            approve_refused: (may_approve && by_policy).then(|| {
                "This community approves no contractor with an expired trade licence: ask them for the renewed one."
                    .to_owned()
            }),
            can_approve: may_approve && !waiting && !by_policy,
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

    /// Contractors that may be this one, found through the search index (which holds each
    /// phone's last seven digits): the same name and company, or the same phone.
    async fn duplicates_of(&self, id: &str) -> Result<Vec<DuplicateHint>, Error> {
        let Some(c) = self.cache().contractor(id).await? else {
            return Ok(Vec::new());
        };
        let mut hints: Vec<DuplicateHint> = Vec::new();
        let mut hint = |o: &Contractor, why: &str| {
            if o.id != c.id && !hints.iter().any(|h| h.id == o.id) {
                hints.push(DuplicateHint {
                    id: o.id.clone(),
                    name: o.name.clone().unwrap_or_default(),
                    company: o.company_name().unwrap_or_default().to_owned(),
                    state: ContractorState::of(o),
                    why: why.to_owned(),
                });
            }
        };
        if let Some(name) = c.name.as_deref().filter(|n| !n.trim().is_empty()) {
            let name = name.chars().take(crate::SEARCH_MAX).collect::<String>();
            for o in self.cache().contractors(None, Some(&name)).await? {
                if same_text(o.name.as_deref(), c.name.as_deref())
                    && same_text(o.company_name(), c.company_name())
                {
                    hint(&o, "same name and company");
                }
            }
        }
        if let Some(key) = c.phone.as_deref().and_then(phone_key) {
            for o in self.cache().contractors(None, Some(&key)).await? {
                if o.phone.as_deref().and_then(phone_key).as_deref() == Some(key.as_str()) {
                    hint(&o, "same phone");
                }
            }
        }
        Ok(hints)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_and_names_compare_as_people_type_them() {
        assert_eq!(
            super::phone_key("+971 55 100 0052").as_deref(),
            Some("1000052")
        );
        assert_eq!(super::phone_key("055-100-0052").as_deref(), Some("1000052"));
        assert_eq!(super::phone_key("12345"), None);
        assert!(super::same_text(Some("Ali  Hassan "), Some("ali hassan")));
        assert!(!super::same_text(Some(""), Some("")));
    }
}
