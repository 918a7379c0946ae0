//! The server's own word on permits' ends: the feed's `passes.permits.expiring` and
//! `passes.permits.expired`, told through the same ledger as the desk's thresholds, so that one
//! end is told once whoever noticed it first. The server's clock is the one the gates keep, and
//! a desk PC's may lag it: its `expired` tells the end even where the desk's clock has not
//! reached it, and its `expiring` is told at the threshold the permit was in when the server
//! made the event.
//!
//! An event is not news when the ledger holds that end at its threshold or a more urgent one
//! (the desk told it, or a 2 h alert went out before a late `expiring` arrived); when it speaks
//! of an end the permit no longer has (an extension re-armed it); when the permit was revoked or
//! archived since; or when it comes before every threshold the profile set (the profile's first
//! threshold tells it, at its time).

use gatehouse_buzzin::{EventName, StatusName, Timestamp};
use gatehouse_cache::{Cache, CacheError, LedgerKey, Told};

use crate::{Due, EXPIRED_REACH_SECS, Threshold, Thresholds};

/// The permits the server's end events (made within [`EXPIRED_REACH_SECS`] of `now`) say are
/// due, beyond what the desk's own reading (`reached`, at `now`) holds already.
pub async fn due(
    cache: &Cache,
    thresholds: &Thresholds,
    now: Timestamp,
    reached: &[Due],
) -> Result<Vec<Due>, CacheError> {
    let reach = Timestamp(now.0 - chrono::Duration::seconds(EXPIRED_REACH_SECS as i64));
    let expiring = EventName::PermitExpiring.as_str().to_owned();
    let expired = EventName::PermitExpired.as_str().to_owned();
    let events = cache
        .feed_endings(&[expiring.as_str(), expired.as_str()], &reach.to_wire())
        .await?;
    let live = |s: &str| s == StatusName::Accepted.as_str();
    let mut said = Vec::new();
    for f in events {
        let Some(valid_till) = Timestamp::parse(&f.permit.valid_till) else {
            continue;
        };
        if valid_till < reach {
            continue;
        }
        // Said of an end the permit no longer has: its extension re-armed the alerts.
        if let Some(v) = f.event_valid_till.as_deref()
            && Timestamp::parse(v) != Some(valid_till)
        {
            continue;
        }
        let Some(made) = Timestamp::parse(&f.created_at) else {
            continue;
        };
        let status = f.permit.status_name.as_str();
        let threshold = if f.event == expired {
            if !thresholds.tells_expired()
                || !(live(status) || status == StatusName::Expired.as_str())
            {
                continue;
            }
            Threshold::Expired
        } else {
            match thresholds.reached(valid_till, made) {
                Some(t @ Threshold::Before(_)) if live(status) => t,
                _ => continue,
            }
        };
        if let Some(d) = Due::of(f.permit, threshold, Told::Feed) {
            said.push(d);
        }
    }
    if said.is_empty() {
        return Ok(said);
    }
    // The ledger's word on each end at its threshold and every more urgent one.
    let as_urgent = |d: &Due| -> Vec<LedgerKey> {
        std::iter::once(Threshold::Expired)
            .chain(thresholds.before().iter().map(|&s| Threshold::Before(s)))
            .filter(|t| *t <= d.threshold)
            .map(|t| LedgerKey {
                permit_id: d.permit_id.clone(),
                threshold: t.key(),
                valid_till: d.valid_till_wire.clone(),
            })
            .collect()
    };
    let keys: Vec<LedgerKey> = said.iter().flat_map(as_urgent).collect();
    let held = cache.ledger_holds(&keys).await?;
    Ok(said
        .into_iter()
        .filter(|d| {
            let own = reached
                .iter()
                .any(|r| r.permit_id == d.permit_id && r.threshold <= d.threshold);
            !own && !as_urgent(d).iter().any(|k| held.contains(k))
        })
        .collect())
}
