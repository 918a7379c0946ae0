//! Expiry alerts of the open community: what is due now (or at a given time), grouped as a desk
//! is told of it, from `gatehouse-alerts` over the cache. The thresholds are the defaults (72 h,
//! 24 h, 2 h and expired) until profiles can set their own.

use gatehouse_alerts::{Alert, Thresholds};
use gatehouse_buzzin::Timestamp;
use serde::Serialize;

use crate::check::parse_at;
use crate::community::storage;
use crate::{Community, Error};

/// An alert that is due and not yet told.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DueAlert {
    /// `expiring` or `expired`.
    pub kind: &'static str,
    /// `72h`, `24h`, `2h`, `expired`.
    pub threshold: String,
    /// `normal` or `critical`.
    pub urgency: &'static str,
    pub title: String,
    pub body: String,
    pub permit_ids: Vec<String>,
    pub pass_numbers: Vec<String>,
}

impl From<&Alert> for DueAlert {
    fn from(a: &Alert) -> Self {
        DueAlert {
            kind: a.kind(),
            threshold: a.threshold.key(),
            urgency: a.urgency.as_str(),
            title: a.title.clone(),
            body: a.body.clone(),
            permit_ids: a.permits.iter().map(|d| d.permit_id.clone()).collect(),
            pass_numbers: a.permits.iter().map(|d| d.pass_number.clone()).collect(),
        }
    }
}

impl Community {
    /// The alerts due at `at` (ISO-8601; now when `None`) and not yet told, most urgent first.
    /// Nothing is told or recorded.
    pub async fn alerts_due(&self, at: Option<&str>) -> Result<Vec<DueAlert>, Error> {
        let now = match at {
            Some(at) => parse_at(at)?,
            None => Timestamp::now(),
        };
        let due = gatehouse_alerts::due(self.cache(), &Thresholds::default(), now)
            .await
            .map_err(storage)?;
        Ok(gatehouse_alerts::group(due)
            .iter()
            .map(DueAlert::from)
            .collect())
    }
}
