//! A permit's alerts put off until its next threshold: the threshold it has reached is written
//! in the ledger as snoozed, so that what it reached is not told (alerts were paused, the tick is
//! a moment away, the server's `expiring` is on its way), and its next threshold tells as usual.
//! The desk is told when that is.

use gatehouse_buzzin::{StatusName, Timestamp};
use gatehouse_cache::{Cache, CacheError, LedgerKey, Told};

use crate::{Threshold, Thresholds};

/// A permit whose alerts were put off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snoozed {
    pub permit_id: String,
    pub pass_number: String,
    /// Its next alert and when that is due; none when nothing is left to tell (it has ended).
    pub next: Option<(Threshold, Timestamp)>,
}

/// Puts off the alerts of the ACCEPTED permits among `ids` at `now` until each one's next
/// threshold. Permits that are not ACCEPTED (nothing of theirs is told before the end) or not in
/// the cache are left out of the answer.
pub async fn snooze(
    cache: &Cache,
    thresholds: &Thresholds,
    ids: &[String],
    now: Timestamp,
) -> Result<Vec<Snoozed>, CacheError> {
    let mut keys = Vec::new();
    let mut out = Vec::new();
    for e in cache.endings(ids).await? {
        if e.status_name != StatusName::Accepted.as_str() {
            continue;
        }
        let Some(end) = Timestamp::parse(&e.valid_till) else {
            continue;
        };
        // The most urgent threshold reached is the one told: the others are not news anyway.
        if let Some(t) = thresholds.reached(end, now) {
            keys.push(LedgerKey {
                permit_id: e.id.clone(),
                threshold: t.key(),
                valid_till: e.valid_till.clone(),
            });
        }
        out.push(Snoozed {
            next: next(thresholds, end, now),
            permit_id: e.id,
            pass_number: e.pass_number,
        });
    }
    cache
        .put_in_ledger(&keys, &now.to_wire(), Told::Snoozed)
        .await?;
    Ok(out)
}

/// The first threshold after `now` of a permit ending at `end`.
pub fn next(
    thresholds: &Thresholds,
    end: Timestamp,
    now: Timestamp,
) -> Option<(Threshold, Timestamp)> {
    let before = thresholds.before().iter().map(|&s| {
        (
            Threshold::Before(s),
            Timestamp(end.0 - chrono::Duration::seconds(s as i64)),
        )
    });
    let expired = thresholds
        .tells_expired()
        .then_some((Threshold::Expired, end));
    // Longest first: their times come in order, the end last.
    before.chain(expired).find(|(_, at)| *at > now)
}
