//! `cargo bench -p gatehouse-alerts --bench due`: which alerts are due, over a cache of 100,000
//! permits filled by the sync engine from the sandbox over HTTP.
//!
//! - `due` (and `group`) at 200 moments spread over the seed's ends, where about a thousand
//!   permits are near theirs, nothing told yet (a first tick): median, p95 and worst;
//! - the tick a minute after each, once what was due then is told (the steady state of an app
//!   ticking every minute).
//!
//! Prints figures for BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gatehouse_alerts::{Thresholds, due, group, tell};
use gatehouse_buzzin::Timestamp;
use gatehouse_cache::Cache;
use gatehouse_sync::Engine;
use gatehouse_testkit::{Sandbox, Seed};

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

const PERMITS: u64 = 100_000;
const CALLS: usize = 200;

#[tokio::main]
async fn main() {
    let sb = Sandbox::seeded(Seed::Count(PERMITS)).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(
        Cache::open(&dir.path().join("community.sqlite3"), &KEY)
            .await
            .unwrap(),
    );
    let engine = Engine::new(sb.client(), cache.clone());
    engine.sync(false).await.unwrap();
    assert_eq!(cache.count_permits().await.unwrap(), PERMITS);

    // Moments over the span of the permits' ends, so that each call meets a different crowd.
    let ends: Vec<Timestamp> = sb
        .client()
        .all_permits()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|p| p.valid_till)
        .collect();
    let (first, last) = (
        ends.iter().min().copied().unwrap(),
        ends.iter().max().copied().unwrap(),
    );
    let span = (last.0 - first.0).num_seconds();
    let at =
        |i: usize| Timestamp(first.0 + chrono::Duration::seconds(span * i as i64 / CALLS as i64));
    let thresholds = Thresholds::default();
    let _ = due(&cache, &thresholds, at(CALLS / 2)).await.unwrap();
    let mut took: Vec<Duration> = Vec::with_capacity(CALLS);
    let mut alerts = 0;
    let mut permits = 0;
    for i in 0..CALLS {
        let t = Instant::now();
        let d = due(&cache, &thresholds, at(i)).await.unwrap();
        permits += d.len();
        alerts += group(d).len();
        took.push(t.elapsed());
    }
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut steady: Vec<Duration> = Vec::with_capacity(CALLS);
    let mut steady_due = 0;
    for i in 0..CALLS {
        let now = at(i);
        let told = due(&cache, &thresholds, now).await.unwrap();
        tell(&cache, group(told), now).await.unwrap();
        let next = Timestamp(now.0 + chrono::Duration::seconds(60));
        let t = Instant::now();
        steady_due += due(&cache, &thresholds, next).await.unwrap().len();
        steady.push(t.elapsed());
    }
    steady.sort();
    println!(
        "the tick after, what was due told ({CALLS} moments, {:.1} permits due on average): median {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        steady_due as f64 / CALLS as f64,
        ms(steady[CALLS / 2]),
        ms(steady[CALLS * 95 / 100]),
        ms(steady[CALLS - 1])
    );
    // The server's end events alone (the feed's part of each tick).
    let mut feed: Vec<Duration> = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let t = Instant::now();
        gatehouse_alerts::feed::due(&cache, &thresholds, at(i), &[])
            .await
            .unwrap();
        feed.push(t.elapsed());
    }
    feed.sort();
    println!(
        "of which the feed's end events: median {:.2} ms, p95 {:.2} ms",
        ms(feed[CALLS / 2]),
        ms(feed[CALLS * 95 / 100])
    );
    println!(
        "due alerts over {PERMITS} permits ({CALLS} moments, {:.0} permits and {:.1} alerts due on average): median {:.2} ms, p95 {:.2} ms, worst {:.2} ms",
        permits as f64 / CALLS as f64,
        alerts as f64 / CALLS as f64,
        ms(took[CALLS / 2]),
        ms(took[CALLS * 95 / 100]),
        ms(took[CALLS - 1])
    );
}
