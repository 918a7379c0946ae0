//! Approved contractors' trade licences before they expire: 30 and 7 days by default, each
//! licence at the most urgent one it has reached, told once for each expiry date (a renewed
//! licence, with a later date, is told again). A licence that has expired is not news here:
//! the contractor's panel and the approvals say so.

use std::collections::HashSet;

use gatehouse_buzzin::{StatusName, Timestamp};
use gatehouse_cache::{Cache, CacheError, ContractorState, LedgerKey, PermitQuery};

use crate::{Due, Threshold};

/// Days before a trade licence expires that it is told, longest first.
pub const LICENCE_DAYS: [u32; 2] = [30, 7];

/// A licence's subject in the ledger (which keys permits by id): the contractor's id, marked.
fn subject(contractor_id: &str) -> String {
    format!("licence:{contractor_id}")
}

/// The community's date at `now` (Asia/Dubai, no daylight saving).
fn today(now: Timestamp) -> chrono::NaiveDate {
    let offset = chrono::Duration::seconds(gatehouse_buzzin::inf::COMMUNITY_UTC_OFFSET_SECS.into());
    (now.0 + offset).date_naive()
}

/// A `YYYY-MM-DD` expiry (a time after it, if any, is ignored).
fn expiry_date(raw: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(raw.get(..10)?, "%Y-%m-%d").ok()
}

/// The most urgent of [`LICENCE_DAYS`] a licence expiring on `expiry` has reached `today`.
pub fn reached(expiry: chrono::NaiveDate, today: chrono::NaiveDate) -> Option<u32> {
    let left = (expiry - today).num_days();
    if left < 0 {
        return None;
    }
    LICENCE_DAYS
        .iter()
        .rev()
        .copied()
        .find(|d| left <= i64::from(*d))
}

/// The approved contractors whose trade licence has reached a threshold at `now` and was not
/// told of it, each with its ACCEPTED permits (what a click opens).
pub async fn due(cache: &Cache, now: Timestamp) -> Result<Vec<Due>, CacheError> {
    let today = today(now);
    let mut due = Vec::new();
    for c in cache
        .contractors(Some(ContractorState::Approved), None)
        .await?
    {
        let Some(raw) = c
            .company
            .as_ref()
            .and_then(|co| co.trade_license_expiry_date.clone())
        else {
            continue;
        };
        let Some(expiry) = expiry_date(&raw) else {
            continue;
        };
        let Some(days) = reached(expiry, today) else {
            continue;
        };
        let start = expiry
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            - chrono::Duration::seconds(gatehouse_buzzin::inf::COMMUNITY_UTC_OFFSET_SECS.into());
        let name = c
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| c.company_name().map(str::to_owned))
            .unwrap_or_else(|| c.id.clone());
        due.push((
            Due {
                permit_id: subject(&c.id),
                pass_number: name,
                valid_till: Timestamp(start),
                threshold: Threshold::Licence(days),
                valid_till_wire: raw,
                opens: Vec::new(),
                told: gatehouse_cache::Told::Notified,
            },
            c.id,
        ));
    }
    let keys: Vec<LedgerKey> = due.iter().map(|(d, _)| d.key()).collect();
    let told: HashSet<LedgerKey> = cache.ledger_holds(&keys).await?;
    let mut out = Vec::new();
    for (mut d, contractor_id) in due {
        if told.contains(&d.key()) {
            continue;
        }
        let accepted = cache
            .permits(&PermitQuery {
                contractor_id: Some(contractor_id),
                statuses: vec![StatusName::Accepted],
                limit: 500,
                ..PermitQuery::default()
            })
            .await?;
        d.opens = accepted.rows.into_iter().map(|p| p.id).collect();
        out.push(d);
    }
    out.sort_by(|a, b| (a.valid_till, &a.pass_number).cmp(&(b.valid_till, &b.pass_number)));
    Ok(out)
}

/// One licence's title and body.
pub(crate) fn one(d: &Due, days: u32) -> (String, String) {
    let date = d.valid_till_wire.get(..10).unwrap_or(&d.valid_till_wire);
    let shown = expiry_date(date)
        .map(|e| e.format("%-d %b %Y").to_string())
        .unwrap_or_else(|| date.to_owned());
    let live = match d.opens.len() {
        0 => "no accepted permits".to_owned(),
        1 => "1 accepted permit".to_owned(),
        n => format!("{n} accepted permits"),
    };
    (
        format!(
            "{}'s trade licence expires within {days} days",
            d.pass_number
        ),
        format!("It expires on {shown}; the contractor has {live}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> chrono::NaiveDate {
        expiry_date(s).unwrap()
    }

    #[test]
    fn a_licence_reaches_30_then_7_days_and_nothing_once_expired() {
        let expiry = date("2027-01-31");
        assert_eq!(reached(expiry, date("2026-12-31")), None, "31 days left");
        assert_eq!(reached(expiry, date("2027-01-01")), Some(30));
        assert_eq!(reached(expiry, date("2027-01-23")), Some(30), "8 days left");
        assert_eq!(reached(expiry, date("2027-01-24")), Some(7));
        assert_eq!(
            reached(expiry, date("2027-01-31")),
            Some(7),
            "expires today"
        );
        assert_eq!(reached(expiry, date("2027-02-01")), None, "expired");
        assert_eq!(expiry_date("2027-01-31T00:00:00.000Z"), Some(expiry));
        assert_eq!(expiry_date("31/01/2027"), None);
    }

    #[test]
    fn the_day_is_the_community_s() {
        // 21:00 UTC on 30 Jan is 01:00 on 31 Jan in Dubai.
        let late = Timestamp::parse("2027-01-30T21:00:00.000Z").unwrap();
        assert_eq!(today(late), date("2027-01-31"));
    }
}
