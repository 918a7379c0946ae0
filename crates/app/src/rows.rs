//! The rows the tables and panels show, made from the cache's documents: a contractor's and a
//! permit's, with the marks of the actions queued on them. Both tables and both detail panels
//! use them, so they live apart from either.

use std::collections::{HashMap, HashSet};

use crate::marks::{Queue, QueuedMark};

use gatehouse_buzzin::{Contractor, Permit, PermitType, StatusName, Timestamp};
use gatehouse_cache::ContractorState;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::places::{PlaceLabel, Places};
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
    pub state: ContractorState,
    pub salesforce_id: Option<String>,
    /// `YYYY-MM-DD`, as the API gives it.
    pub trade_license_expiry: Option<String>,
    /// Days from today (the community's) to the licence's expiry; negative once expired.
    pub licence_days_left: Option<i32>,
    /// When the contractor registered (ISO-8601 UTC), for how long a pending one has waited.
    pub registered_at: Option<String>,
    /// An action on this contractor waiting for the server; `state` is still the server's.
    pub queued: Option<QueuedMark>,
}

/// One permit as the table shows it. Every text is the API's, shown as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PermitRow {
    pub id: String,
    pub pass_number: String,
    /// `statusName` as the API gives it (`ACCEPTED`, `REVOKED`, …; empty when it gave none).
    pub status: StatusName,
    pub permit_type: Option<PermitType>,
    pub contractor_id: String,
    pub contractor_name: String,
    pub company: String,
    pub property_id: String,
    pub flat_id: String,
    /// The tower and unit in words, from the profile's directory ([`crate::places`]).
    pub place: PlaceLabel,
    /// ISO-8601 UTC.
    pub valid_from: Option<String>,
    /// ISO-8601 UTC.
    pub valid_till: Option<String>,
    pub job: String,
    /// An action on this permit (or its contractor) waiting for the server; `status` is still
    /// the server's, the state the gates obey.
    pub queued: Option<QueuedMark>,
}

/// A count as IPC carries it (a `number` the webview can hold exactly).
pub(crate) fn count(n: u64) -> u32 {
    n.min(u32::MAX as u64) as u32
}

pub(crate) fn wire(t: Option<Timestamp>) -> Option<String> {
    t.map(|t| t.to_wire())
}

pub(crate) fn permit_row(
    p: &Permit,
    names: &HashMap<String, (String, String)>,
    queued: &Queue,
    places: &Places,
) -> PermitRow {
    let contractor_id = p.community_contractor_id.clone().unwrap_or_default();
    let (name, company) = names.get(&contractor_id).cloned().unwrap_or_default();
    let status = p
        .status_name()
        .unwrap_or_else(|| StatusName::Unknown(String::new()));
    PermitRow {
        id: p.id.clone(),
        pass_number: p.pass_number.clone().unwrap_or_default(),
        queued: queued.permit_mark(&p.id, &contractor_id, &status),
        status,
        permit_type: p.permit_type.clone(),
        contractor_id,
        contractor_name: name,
        company,
        property_id: p.property_id.clone().unwrap_or_default(),
        flat_id: p.flat_id.clone().unwrap_or_default(),
        place: place_of(p, places),
        valid_from: wire(p.valid_from),
        valid_till: wire(p.valid_till),
        job: p.jobs_summary.clone().unwrap_or_default(),
    }
}

/// How a permit's place reads.
pub(crate) fn place_of(p: &Permit, places: &Places) -> PlaceLabel {
    places.label(
        p.property_id.as_deref().unwrap_or(""),
        p.flat_id.as_deref().unwrap_or(""),
        p.property_external_id.as_deref(),
        p.flat_external_id.as_deref(),
    )
}

/// A contractor's name and company as permit rows show them.
pub(crate) fn names_of(c: &Contractor) -> (String, String) {
    (
        c.name.clone().unwrap_or_default(),
        c.company_name().unwrap_or_default().to_owned(),
    )
}

/// Days from the community's today to a `YYYY-MM-DD` expiry; negative once past.
pub(crate) fn days_until(expiry: Option<&str>) -> Option<i32> {
    let expiry = chrono::NaiveDate::parse_from_str(expiry?.trim(), "%Y-%m-%d").ok()?;
    let offset = chrono::Duration::seconds(gatehouse_buzzin::inf::COMMUNITY_UTC_OFFSET_SECS.into());
    let today = (chrono::Utc::now() + offset).date_naive();
    Some(
        (expiry - today)
            .num_days()
            .clamp(i32::MIN as i64, i32::MAX as i64) as i32,
    )
}

pub(crate) fn contractor_row(c: Contractor, queued: &Queue) -> ContractorRow {
    let expiry = c
        .company
        .as_ref()
        .and_then(|co| co.trade_license_expiry_date.clone());
    ContractorRow {
        licence_days_left: days_until(expiry.as_deref()),
        registered_at: wire(c.created_at),
        state: ContractorState::of(&c),
        company: c.company_name().unwrap_or_default().to_owned(),
        trade_license_expiry: expiry,
        salesforce_id: c.salesforce_id().map(str::to_owned),
        queued: queued.contractor_mark(&c.id),
        name: c.name.unwrap_or_default(),
        phone: c.phone.unwrap_or_default(),
        email: c.email.unwrap_or_default(),
        id: c.id,
    }
}

impl Community {
    /// Table rows for these permits, with their contractors' names and pending marks.
    pub(crate) async fn rows(&self, permits: &[Permit]) -> Result<Vec<PermitRow>, Error> {
        let queued = self.queued_targets().await?;
        self.rows_marked(permits, &queued).await
    }

    /// [`Community::rows`], with the ids that have an action queued already read.
    pub(crate) async fn rows_marked(
        &self,
        permits: &[Permit],
        queued: &Queue,
    ) -> Result<Vec<PermitRow>, Error> {
        let ids: Vec<String> = permits
            .iter()
            .filter_map(|p| p.community_contractor_id.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let names = self.cache().contractor_names(&ids).await?;
        let places = self.places();
        Ok(permits
            .iter()
            .map(|p| permit_row(p, &names, queued, &places))
            .collect())
    }

    /// One contractor as the queue shows it, if it is here.
    pub(crate) async fn contractor_row(
        &self,
        id: &str,
        queued: &Queue,
    ) -> Result<Option<ContractorRow>, Error> {
        Ok(self
            .cache()
            .contractor(id)
            .await?
            .map(|c| contractor_row(c, queued)))
    }
}
