//! `cargo bench -p gatehouse-app --bench check`: the desk's pass check over a cache of 100,000
//! permits, filled by a first sync from an in-process sandbox over HTTP. Each check reads the
//! code, its permit, its contractor and the outbox, and writes its audit line.
//!
//! Prints figures for BENCHMARKS.md; asserts only that the verdicts came out as expected.

use std::time::{Duration, Instant};

use gatehouse_app::{CacheKey, CheckRequest, Community, Paths, Profile};
use gatehouse_testkit::{Sandbox, Seed};

const PERMITS: u64 = 100_000;
const CHECKS: usize = 2_000;

#[tokio::main]
async fn main() {
    let sb = Sandbox::seeded(Seed::Count(PERMITS)).await;
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let profile = Profile::new("bench", sb.base_url());
    let c =
        Community::open_profile_with_keys(&paths, profile, sb.api_key().into(), CacheKey::random())
            .await
            .unwrap();
    let t = Instant::now();
    c.sync_now(false, |_| {}).await.unwrap();
    let status = c.status().await.unwrap();
    assert_eq!(u64::from(status.permits), PERMITS);
    eprintln!(
        "first sync of {PERMITS} permits: {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let codes: Vec<String> = sb
        .client()
        .all_permits()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|p| p.access_code)
        .collect();
    let mut took: Vec<Duration> = Vec::with_capacity(CHECKS);
    let mut valid = 0;
    for i in 0..CHECKS {
        // Every 10th code is one no permit has.
        let scanned = if i % 10 == 9 {
            format!("{i:024}")
        } else {
            codes[(i * 7919) % codes.len()].clone()
        };
        let t = Instant::now();
        let v = c
            .check_pass(&CheckRequest { scanned, at: None })
            .await
            .unwrap();
        took.push(t.elapsed());
        valid += usize::from(v.valid);
        assert_eq!(v.permit.is_none(), i % 10 == 9);
    }
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "pass check over {PERMITS} permits ({CHECKS} checks, {valid} valid): median {:.3} ms, p99 {:.3} ms, worst {:.3} ms",
        ms(took[CHECKS / 2]),
        ms(took[CHECKS * 99 / 100]),
        ms(took[CHECKS - 1])
    );
}
