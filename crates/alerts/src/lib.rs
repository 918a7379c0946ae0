//! Expiry alerts: which permits have reached which threshold before their end, grouped into what
//! a desk is told, and kept in the cache's ledger so that nothing is told twice. No Tauri and no
//! OS here: the notifications (notify-rust) and the tray belong to the shell and the CLI. Every
//! function is given `now`: the clock is the caller's (a wall-clock tick in the app, a time
//! given on the command line, a test's).
//!
//! - [`Thresholds`]: 72 h, 24 h and 2 h before `validTill` by default, and an alert once it has
//!   passed ([`Threshold::Expired`]).
//! - [`due`]: the ACCEPTED permits that have reached a threshold and were not told of it: each
//!   at its most urgent threshold only, so an app that was off while several passed tells one.
//! - [`feed`]: the server's own `expiring` and `expired` events, told through the same ledger
//!   (its clock may be ahead of the desk's); [`due`] takes them in.
//! - [`snooze`]: a permit's alerts put off until its next threshold.
//! - [`licences::due`]: approved contractors' trade licences 30 and 7 days before they expire.
//! - [`group`]: more than three at one threshold become one digest.
//! - [`tell`]: keeps the alerts in the ledger and the alerts list; an alert already kept (by
//!   another process, a moment before) is not told again.

use gatehouse_buzzin::{StatusName, Timestamp};
use gatehouse_cache::{Band, Cache, CacheError, LedgerKey, Told};

pub mod feed;
pub mod licences;
pub mod snooze;
mod thresholds;
mod words;

pub use thresholds::{
    CRITICAL_WITHIN_SECS, EXPIRED_REACH_SECS, THRESHOLDS_MAX, Threshold, Thresholds, Urgency,
};
pub use words::{Alert, DIGEST_OVER, group};

/// A permit (or a contractor's trade licence) that has reached a threshold and was not told of
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The permit's id (`licence:<contractor id>` for a licence: the ledger's subject).
    pub permit_id: String,
    /// The pass number (the contractor's name for a licence).
    pub pass_number: String,
    /// The end (a licence's expiry, at the start of its day in the community's time).
    pub valid_till: Timestamp,
    pub threshold: Threshold,
    /// The `validTill` as the cache holds it (the licence's expiry date): the ledger's key.
    valid_till_wire: String,
    /// The permits a click on the alert opens: the permit itself, or the contractor's ACCEPTED
    /// permits.
    pub opens: Vec<String>,
    /// Why it is due: a threshold the desk's clock reached ([`Told::Notified`]), or the server's
    /// own event ([`Told::Feed`]). The ledger keeps it.
    pub told: Told,
}

impl Due {
    /// A permit's, from its row as the cache holds it.
    fn of(e: gatehouse_cache::Ending, threshold: Threshold, told: Told) -> Option<Due> {
        Some(Due {
            valid_till: Timestamp::parse(&e.valid_till)?,
            threshold,
            opens: vec![e.id.clone()],
            permit_id: e.id,
            pass_number: e.pass_number,
            valid_till_wire: e.valid_till,
            told,
        })
    }

    fn key(&self) -> LedgerKey {
        LedgerKey {
            permit_id: self.permit_id.clone(),
            threshold: self.threshold.key(),
            valid_till: self.valid_till_wire.clone(),
        }
    }
}

/// The permits due an alert at `now` and not yet told, soonest end first: each ACCEPTED permit
/// at the most urgent threshold it has reached, and each that ended within
/// [`EXPIRED_REACH_SECS`] (ACCEPTED still, or EXPIRED) once; and those the server's own events
/// ([`feed::due`]) say more of. Each permit is due once, at the most urgent of these. A
/// revoked or archived permit is told nothing.
pub async fn due(
    cache: &Cache,
    thresholds: &Thresholds,
    now: Timestamp,
) -> Result<Vec<Due>, CacheError> {
    let reached = reached(cache, thresholds, now).await?;
    let feed = feed::due(cache, thresholds, now, &reached).await?;
    Ok(most_urgent(reached.into_iter().chain(feed)))
}

/// One for each permit: the most urgent (the desk's own reading before the server's at one
/// threshold), soonest end first.
fn most_urgent(due: impl Iterator<Item = Due>) -> Vec<Due> {
    let mut by: std::collections::HashMap<String, Due> = Default::default();
    for d in due {
        match by.get(&d.permit_id) {
            Some(kept) if kept.threshold <= d.threshold => {}
            _ => {
                by.insert(d.permit_id.clone(), d);
            }
        }
    }
    let mut out: Vec<Due> = by.into_values().collect();
    out.sort_by(|a, b| (a.valid_till, &a.permit_id).cmp(&(b.valid_till, &b.permit_id)));
    out
}

/// The permits whose end the desk's clock has brought into a threshold not yet told.
async fn reached(
    cache: &Cache,
    thresholds: &Thresholds,
    now: Timestamp,
) -> Result<Vec<Due>, CacheError> {
    let bands = thresholds.bands(now);
    // Only a live permit is still to end; one the server calls EXPIRED has ended.
    let statuses = |t: Threshold| match t {
        Threshold::Expired => vec![
            StatusName::Accepted.as_str().to_owned(),
            StatusName::Expired.as_str().to_owned(),
        ],
        Threshold::Before(_) | Threshold::Licence(_) => {
            vec![StatusName::Accepted.as_str().to_owned()]
        }
    };
    let spans: Vec<Band> = bands
        .iter()
        .map(|&(till, t)| Band {
            till: till.to_wire(),
            label: t.key(),
            statuses: statuses(t),
        })
        .collect();
    let untold = cache
        .untold_in_bands(&thresholds.reach_from(now).to_wire(), &spans)
        .await?;
    Ok(untold
        .into_iter()
        .filter_map(|(e, band)| Due::of(e, bands.get(band)?.1, Told::Notified))
        .collect())
}

/// Keeps `alerts` in the ledger and the alerts list at `now` and returns the ones to tell, each
/// with its id in the list. An alert whose permits were all told already (by another process a
/// moment before: the window and the headless runner share the cache) is left out.
pub async fn tell(
    cache: &Cache,
    alerts: Vec<Alert>,
    now: Timestamp,
) -> Result<Vec<(i64, Alert)>, CacheError> {
    let new: Vec<gatehouse_cache::NewAlert> = alerts.iter().map(Alert::to_new).collect();
    let ids = cache.record_alerts(&new, &now.to_wire()).await?;
    Ok(ids
        .into_iter()
        .zip(alerts)
        .filter_map(|(id, a)| id.map(|id| (id, a)))
        .collect())
}
