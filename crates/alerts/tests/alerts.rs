//! Alerts over a cache filled from the sandbox over HTTP, the clock moved by the test: the
//! thresholds in order, the ledger across restarts, a reissue and a resync, re-arming after an
//! extension, silence after a revoke, the most urgent threshold only after a long sleep, the
//! server's own end events through the same ledger, and a snooze.

use std::path::Path;

use gatehouse_alerts::{Threshold, Thresholds, due, group, tell};
use gatehouse_cache::Cache;
use gatehouse_testkit::buzzin::{Permit, StatusName, Timestamp};
use gatehouse_testkit::{Sandbox, Seed};

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

async fn open(path: &Path) -> Cache {
    Cache::open(path, &KEY).await.unwrap()
}

/// Moves a time by hours.
fn plus(t: Timestamp, hours: i64) -> Timestamp {
    Timestamp(t.0 + chrono::Duration::hours(hours))
}

/// The threshold `permit` is due at `now`, if it is due at all.
async fn due_for(cache: &Cache, permit: &str, now: Timestamp) -> Option<Threshold> {
    let due = due(cache, &Thresholds::default(), now).await.unwrap();
    let mine: Vec<_> = due.iter().filter(|d| d.permit_id == permit).collect();
    assert!(
        mine.len() <= 1,
        "one threshold a permit at a time: {mine:?}"
    );
    mine.first().map(|d| d.threshold)
}

/// Tells everything due at `now` and returns the permits told of.
async fn tell_all(cache: &Cache, now: Timestamp) -> Vec<String> {
    let due = due(cache, &Thresholds::default(), now).await.unwrap();
    tell(cache, group(due), now)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|(_, a)| a.permits.into_iter().map(|d| d.permit_id))
        .collect()
}

struct World {
    sb: Sandbox,
    dir: tempfile::TempDir,
    permit: Permit,
    end: Timestamp,
}

impl World {
    async fn new() -> (World, Cache) {
        let sb = Sandbox::seeded(Seed::Count(300)).await;
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir.path().join("community.sqlite3")).await;
        let permits = sb.client().all_permits().await.unwrap();
        cache
            .upsert_contractors(&sb.client().all_contractors().await.unwrap())
            .await
            .unwrap();
        cache.upsert_permits(&permits).await.unwrap();
        let permit = permits
            .into_iter()
            .find(|p| p.status_name() == Some(StatusName::Accepted))
            .expect("an ACCEPTED permit");
        let end = permit.valid_till.unwrap();
        (
            World {
                sb,
                dir,
                permit,
                end,
            },
            cache,
        )
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("community.sqlite3")
    }

    /// The permit as the sandbox has it now, stored in the cache (a resync of it).
    async fn resync(&self, cache: &Cache) -> Permit {
        let fresh = self.sb.client().permit(&self.permit.id).await.unwrap();
        cache
            .upsert_permits(std::slice::from_ref(&fresh))
            .await
            .unwrap();
        fresh
    }
}

const H72: Threshold = Threshold::Before(72 * 3600);
const H24: Threshold = Threshold::Before(24 * 3600);
const H2: Threshold = Threshold::Before(2 * 3600);

#[tokio::test]
async fn each_threshold_is_told_once_across_restarts_reissues_and_resyncs() {
    let (w, cache) = World::new().await;
    let (id, end) = (w.permit.id.clone(), w.end);

    assert_eq!(due_for(&cache, &id, plus(end, -73)).await, None, "not yet");
    assert_eq!(due_for(&cache, &id, plus(end, -71)).await, Some(H72));
    assert!(tell_all(&cache, plus(end, -71)).await.contains(&id));
    assert_eq!(due_for(&cache, &id, plus(end, -71)).await, None, "told");
    assert!(
        !tell_all(&cache, plus(end, -70)).await.contains(&id),
        "told once"
    );

    // A restart, a reissue (a new code, the same end) and a resync of it repeat nothing.
    drop(cache);
    let cache = open(&w.path()).await;
    w.sb.client().reissue_pass(&id).await.unwrap();
    let reissued = w.resync(&cache).await;
    assert_ne!(reissued.access_code, w.permit.access_code);
    assert_eq!(due_for(&cache, &id, plus(end, -50)).await, None);

    assert_eq!(due_for(&cache, &id, plus(end, -23)).await, Some(H24));
    assert!(tell_all(&cache, plus(end, -23)).await.contains(&id));
    assert_eq!(due_for(&cache, &id, plus(end, -3)).await, None);
    assert_eq!(due_for(&cache, &id, plus(end, -1)).await, Some(H2));
    let told = tell(
        &cache,
        group(
            due(&cache, &Thresholds::default(), plus(end, -1))
                .await
                .unwrap(),
        ),
        plus(end, -1),
    )
    .await
    .unwrap();
    let (_, alert) = told
        .iter()
        .find(|(_, a)| a.permit_ids().contains(&id.as_str()))
        .expect("told of the 2 h threshold");
    assert_eq!(alert.urgency, gatehouse_alerts::Urgency::Critical);

    // Its end: an expired alert once, and a day later nothing more.
    assert_eq!(
        due_for(&cache, &id, plus(end, 1)).await,
        Some(Threshold::Expired)
    );
    assert!(tell_all(&cache, plus(end, 1)).await.contains(&id));
    assert_eq!(due_for(&cache, &id, plus(end, 2)).await, None);
    assert_eq!(due_for(&cache, &id, plus(end, 30)).await, None);

    // The list keeps each alert told, unread until marked.
    let listed = cache.alerts(1000).await.unwrap();
    let mine: Vec<_> = listed
        .iter()
        .filter(|a| a.permit_ids.contains(&id))
        .collect();
    assert_eq!(mine.len(), 4, "72 h, 24 h, 2 h and expired: {mine:?}");
    assert!(mine.iter().all(|a| !a.read));
    let unread = cache.unread_alerts().await.unwrap();
    let (first, at) = ([mine[0].id], plus(end, 2).to_wire());
    assert_eq!(cache.mark_alerts_read(&first, &at).await.unwrap(), 1);
    assert_eq!(cache.unread_alerts().await.unwrap(), unread - 1);
    assert_eq!(
        cache.mark_alerts_read(&first, &at).await.unwrap(),
        0,
        "read already: nothing marked"
    );
}

#[tokio::test]
async fn an_app_asleep_through_several_thresholds_tells_the_most_urgent_only() {
    let (w, cache) = World::new().await;
    let (id, end) = (w.permit.id.clone(), w.end);
    assert!(tell_all(&cache, plus(end, -60)).await.contains(&id));
    // Asleep from 60 h before to 1 h before: 24 h and 2 h have both passed.
    let told = tell_all(&cache, plus(end, -1)).await;
    assert_eq!(told.iter().filter(|p| **p == id).count(), 1);
    assert_eq!(due_for(&cache, &id, plus(end, -1)).await, None);
    let kept: Vec<_> = cache
        .alerts(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.permit_ids.contains(&id))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept[0].title.contains("within 2 h"), "{}", kept[0].title);
    // What comes next is its end, not the 24 h threshold it slept through.
    assert_eq!(
        due_for(&cache, &id, plus(end, -0)).await,
        Some(Threshold::Expired)
    );
}

#[tokio::test]
async fn a_later_end_re_arms_the_alerts_and_a_revoke_silences_them() {
    let (w, cache) = World::new().await;
    let (id, end) = (w.permit.id.clone(), w.end);
    assert!(tell_all(&cache, plus(end, -71)).await.contains(&id));
    assert_eq!(due_for(&cache, &id, plus(end, -70)).await, None);

    // The end moved two days later (as a resync would bring it): the alerts count from it.
    let mut later = w.permit.clone();
    later.valid_till = Some(plus(end, 48));
    cache
        .upsert_permits(std::slice::from_ref(&later))
        .await
        .unwrap();
    assert_eq!(due_for(&cache, &id, plus(end, -70)).await, None);
    assert_eq!(
        due_for(&cache, &id, plus(end, -23)).await,
        Some(H72),
        "72 h before the new end"
    );

    // Revoked on the server and resynced: nothing more, not even at its end.
    w.sb.client()
        .revoke_pass(&id, Some("crew replaced"))
        .await
        .unwrap();
    let revoked = w.resync(&cache).await;
    assert_eq!(revoked.status_name(), Some(StatusName::Revoked));
    for h in [-23, -1, 49] {
        assert_eq!(due_for(&cache, &id, plus(end, h)).await, None, "{h} h");
    }
}

#[tokio::test]
async fn two_tellers_at_once_tell_each_alert_once() {
    let (w, a) = World::new().await;
    let b = open(&w.path()).await;
    let now = plus(w.end, -71);
    let due_a = due(&a, &Thresholds::default(), now).await.unwrap();
    let due_b = due(&b, &Thresholds::default(), now).await.unwrap();
    assert_eq!(due_a, due_b, "both see the same due alerts");
    assert!(!due_a.is_empty());
    let (told_a, told_b) = tokio::join!(tell(&a, group(due_a), now), tell(&b, group(due_b), now));
    let ids = |told: Vec<(i64, gatehouse_alerts::Alert)>| -> Vec<String> {
        told.into_iter()
            .flat_map(|(_, al)| al.permits.into_iter().map(|d| d.permit_id))
            .collect()
    };
    let (mut ta, tb) = (ids(told_a.unwrap()), ids(told_b.unwrap()));
    ta.extend(tb);
    let n = ta.len();
    ta.sort();
    ta.dedup();
    assert_eq!(ta.len(), n, "no permit told by both");
    assert!(ta.contains(&w.permit.id));
}

/// `due` (one statement over the cache) says what reading each permit with
/// `Thresholds::reached` says, at moments spread over the permits' ends, before and after some
/// are told.
#[tokio::test]
async fn due_is_each_permit_read_on_its_own() {
    let (w, cache) = World::new().await;
    let permits = w.sb.client().all_permits().await.unwrap();
    let thresholds = Thresholds::default();
    let ends: Vec<Timestamp> = permits.iter().filter_map(|p| p.valid_till).collect();
    let (first, last) = (*ends.iter().min().unwrap(), *ends.iter().max().unwrap());
    let span = (last.0 - first.0).num_seconds() + 4 * 86_400;
    let mut told = std::collections::HashSet::new();
    let mut compared = 0;
    for i in 0..60 {
        let now = Timestamp(
            first.0 - chrono::Duration::days(3) + chrono::Duration::seconds(span * i / 60),
        );
        let mut want: Vec<(String, Threshold)> = permits
            .iter()
            .filter_map(|p| {
                let th = thresholds.reached(p.valid_till?, now)?;
                let status = p.status_name()?;
                let live = status == StatusName::Accepted
                    || (th == Threshold::Expired && status == StatusName::Expired);
                (live && !told.contains(&(p.id.clone(), th, p.valid_till?)))
                    .then(|| (p.id.clone(), th))
            })
            .collect();
        let mut got: Vec<(String, Threshold)> = due(&cache, &thresholds, now)
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.permit_id, d.threshold))
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "at {}", now.to_wire());
        compared += got.len();
        // Every third moment, what is due is told.
        if i % 3 == 0 {
            for (_, a) in tell(
                &cache,
                group(due(&cache, &thresholds, now).await.unwrap()),
                now,
            )
            .await
            .unwrap()
            {
                for d in a.permits {
                    told.insert((d.permit_id, d.threshold, d.valid_till));
                }
            }
        }
    }
    assert!(
        compared > 50,
        "the moments met permits near their end: {compared}"
    );
}

#[tokio::test]
async fn a_trade_licence_is_told_30_and_7_days_before_once_each_with_its_permits() {
    let (w, cache) = World::new().await;
    let contractors = w.sb.client().all_contractors().await.unwrap();
    let c = contractors
        .iter()
        .filter(|c| c.approved && !c.is_removed())
        .find(|c| {
            c.company
                .as_ref()
                .is_some_and(|co| co.trade_license_expiry_date.is_some())
        })
        .expect("an approved contractor with a licence");
    let expiry = c
        .company
        .as_ref()
        .and_then(|co| co.trade_license_expiry_date.clone())
        .unwrap();
    // Noon in Dubai, `days` before (negative: after) the expiry date.
    let day = |days: i64| {
        let d = chrono::NaiveDate::parse_from_str(&expiry, "%Y-%m-%d").unwrap()
            - chrono::Duration::days(days);
        Timestamp(d.and_hms_opt(8, 0, 0).unwrap().and_utc())
    };
    let subject = format!("licence:{}", c.id);
    let licence_at = |due: &[gatehouse_alerts::Due]| {
        due.iter()
            .find(|d| d.permit_id == subject)
            .map(|d| (d.threshold, d.opens.clone()))
    };
    let licences = |now| gatehouse_alerts::licences::due(&cache, now);

    assert_eq!(licence_at(&licences(day(31)).await.unwrap()), None);
    let (threshold, opens) = licence_at(&licences(day(30)).await.unwrap()).unwrap();
    assert_eq!(threshold, Threshold::Licence(30));
    let accepted: Vec<String> =
        w.sb.client()
            .all_permits()
            .await
            .unwrap()
            .into_iter()
            .filter(|p| p.community_contractor_id.as_deref() == Some(c.id.as_str()))
            .filter(|p| p.status_name() == Some(StatusName::Accepted))
            .map(|p| p.id)
            .collect();
    let mut opens = opens;
    let mut want = accepted;
    opens.sort();
    want.sort();
    assert_eq!(
        opens, want,
        "a click opens the contractor's ACCEPTED permits"
    );

    // Told once: not again that day, nor the next.
    let told = tell(&cache, group(licences(day(30)).await.unwrap()), day(30))
        .await
        .unwrap();
    assert!(told.iter().any(|(_, a)| a.kind() == "licence"));
    assert_eq!(licence_at(&licences(day(29)).await.unwrap()), None);
    // A week before: told again, at 7 days; after the expiry, nothing.
    let (threshold, _) = licence_at(&licences(day(6)).await.unwrap()).unwrap();
    assert_eq!(threshold, Threshold::Licence(7));
    assert_eq!(licence_at(&licences(day(-1)).await.unwrap()), None);
    let one = group(
        licences(day(6))
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.permit_id == subject)
            .collect(),
    );
    assert!(
        one[0]
            .title
            .ends_with("trade licence expires within 7 days"),
        "{}",
        one[0].title
    );
}

impl World {
    /// An ACCEPTED permit ending at least `hours` after the sandbox's clock.
    async fn permit_ending_after(&self, hours: i64) -> Permit {
        let now = Timestamp::parse(&self.sb.control().now().await).unwrap();
        self.sb
            .client()
            .all_permits()
            .await
            .unwrap()
            .into_iter()
            .find(|p| {
                p.status_name() == Some(StatusName::Accepted)
                    && p.valid_till.is_some_and(|t| t > plus(now, hours))
            })
            .expect("an ACCEPTED permit ending later")
    }

    /// The sandbox's feed so far and the permits as it has them now, stored as a sync stores
    /// them (events stored before are kept as they were).
    async fn sync_feed(&self, cache: &Cache) {
        let client = self.sb.client();
        let mut events = Vec::new();
        loop {
            let after = events.last().map(|e: &gatehouse_buzzin::FeedItem| e.cursor);
            let page = client.events_after(after.unwrap_or(0), 500).await.unwrap();
            if page.data.is_empty() {
                break;
            }
            events.extend(page.data);
        }
        cache
            .store(gatehouse_cache::Batch {
                permits: client.all_permits().await.unwrap(),
                events,
                ..Default::default()
            })
            .await
            .unwrap();
    }
}

/// Tells what is due at `now` and returns `permit`'s part of it: its threshold and why.
async fn told_of(
    cache: &Cache,
    permit: &str,
    now: Timestamp,
) -> Vec<(Threshold, gatehouse_cache::Told)> {
    let due = due(cache, &Thresholds::default(), now).await.unwrap();
    let mine = due
        .iter()
        .filter(|d| d.permit_id == permit)
        .map(|d| (d.threshold, d.told))
        .collect();
    tell(cache, group(due), now).await.unwrap();
    mine
}

#[tokio::test]
async fn the_servers_expiring_and_expired_go_through_the_same_ledger() {
    let (w, cache) = World::new().await;
    let permit = w.permit_ending_after(30).await;
    let (id, end) = (permit.id.clone(), permit.valid_till.unwrap());
    // The desk's clock lags the server's by a day: its own reading says 72 h.
    let desk = plus(end, -47);
    assert_eq!(
        told_of(&cache, &id, desk).await,
        [(H72, gatehouse_cache::Told::Notified)]
    );
    // The server (gates' time) fires `expiring` 24 h before the end: told now, at 24 h.
    w.sb.control().set_clock(&plus(end, -23).to_wire()).await;
    w.sync_feed(&cache).await;
    assert_eq!(
        told_of(&cache, &id, plus(desk, 1)).await,
        [(H24, gatehouse_cache::Told::Feed)]
    );
    // The desk's clock reaches 24 h itself: not again. The server's event read again: not again.
    assert_eq!(told_of(&cache, &id, plus(end, -23)).await, []);
    w.sync_feed(&cache).await;
    assert_eq!(told_of(&cache, &id, plus(end, -22)).await, []);
    // The desk's 2 h, then the server's `expired` before the desk's clock reaches the end.
    assert_eq!(
        told_of(&cache, &id, plus(end, -1)).await,
        [(H2, gatehouse_cache::Told::Notified)]
    );
    w.sb.control().set_clock(&plus(end, 1).to_wire()).await;
    w.sync_feed(&cache).await;
    let seen = Timestamp(end.0 - chrono::Duration::minutes(30));
    assert_eq!(
        told_of(&cache, &id, seen).await,
        [(Threshold::Expired, gatehouse_cache::Told::Feed)]
    );
    assert_eq!(
        told_of(&cache, &id, plus(end, 2)).await,
        [],
        "the desk's end: told"
    );
}

#[tokio::test]
async fn a_late_expiring_after_a_more_urgent_alert_and_one_for_an_old_end_are_not_news() {
    let (w, cache) = World::new().await;
    let permit = w.permit_ending_after(30).await;
    let (id, end) = (permit.id.clone(), permit.valid_till.unwrap());
    // The desk told 2 h (it was up all along; the feed was down).
    assert!(tell_all(&cache, plus(end, -1)).await.contains(&id));
    w.sb.control().set_clock(&plus(end, -23).to_wire()).await;
    w.sync_feed(&cache).await;
    assert_eq!(
        due_for(&cache, &id, plus(end, -1)).await,
        None,
        "2 h was told"
    );

    // Another permit the server says is expiring, on a desk whose clock lags two days: only the
    // server's word makes it due.
    let mut other =
        w.sb.client()
            .all_permits()
            .await
            .unwrap()
            .into_iter()
            .find(|p| {
                p.id != id
                    && p.status_name() == Some(StatusName::Accepted)
                    && p.valid_till.is_some_and(|t| t >= end)
            })
            .expect("another ACCEPTED permit ending later");
    let now = plus(other.valid_till.unwrap(), -23);
    w.sb.control().set_clock(&now.to_wire()).await;
    w.sync_feed(&cache).await;
    let desk = plus(now, -48);
    assert_eq!(due_for(&cache, &other.id, desk).await, Some(H24));
    // Its end was extended by 2 h since (as a resync brings it): the old end's word is not news
    // (read for the new end, it would be 72 h: the new end was 25 h off when the server spoke).
    other.valid_till = Some(plus(other.valid_till.unwrap(), 2));
    cache
        .upsert_permits(std::slice::from_ref(&other))
        .await
        .unwrap();
    assert_eq!(due_for(&cache, &other.id, desk).await, None);
}

#[tokio::test]
async fn a_snoozed_permit_is_quiet_until_its_next_threshold() {
    let (w, cache) = World::new().await;
    let (id, end) = (w.permit.id.clone(), w.end);
    let t = Thresholds::default();
    let now = plus(end, -71);
    assert_eq!(due_for(&cache, &id, now).await, Some(H72));
    let snoozed = gatehouse_alerts::snooze::snooze(&cache, &t, std::slice::from_ref(&id), now)
        .await
        .unwrap();
    assert_eq!(snoozed.len(), 1);
    assert_eq!(snoozed[0].next, Some((H24, plus(end, -24))));
    assert_eq!(due_for(&cache, &id, now).await, None, "quiet");
    assert!(!tell_all(&cache, plus(end, -25)).await.contains(&id));
    assert_eq!(
        due_for(&cache, &id, plus(end, -23)).await,
        Some(H24),
        "its next threshold tells"
    );
    // After the 2 h threshold only the end is left; after the end, nothing.
    let late =
        gatehouse_alerts::snooze::snooze(&cache, &t, std::slice::from_ref(&id), plus(end, -1))
            .await
            .unwrap();
    assert_eq!(late[0].next, Some((Threshold::Expired, end)));
    assert_eq!(due_for(&cache, &id, plus(end, -1)).await, None);
    // A permit that is not in the cache or not ACCEPTED is left out.
    let none = gatehouse_alerts::snooze::snooze(&cache, &t, &["no-such-permit".to_owned()], now)
        .await
        .unwrap();
    assert!(none.is_empty());
}
