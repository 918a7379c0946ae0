//! `cargo bench -p gatehouse-sandbox --bench listing`: how long a sandbox seeded with 100,000
//! permits takes to start, and to serve a full paged listing of them over HTTP (the first sync of
//! a client). Prints figures for BENCHMARKS.md; asserts only that every permit was listed once.

use std::collections::HashSet;
use std::time::Instant;

use gatehouse_sandbox::{Config, Seed};

const PERMITS: u64 = 100_000;
const PAGE: u64 = 1000;

#[tokio::main]
async fn main() {
    let t = Instant::now();
    let running = gatehouse_sandbox::start(
        Config {
            seed: Seed::Count(PERMITS),
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("start the sandbox");
    let started = t.elapsed();

    let http = reqwest::Client::new();
    let base = running.base_url();
    let t = Instant::now();
    let mut seen = HashSet::with_capacity(PERMITS as usize);
    let mut bytes = 0usize;
    let mut pages = 0;
    let mut skip = 0;
    loop {
        let body = http
            .get(format!(
                "{base}/permits?$limit={PAGE}&$skip={skip}&$sort[_id]=1"
            ))
            .header("x-api-key", &running.api_key)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        bytes += body.len();
        pages += 1;
        let page: gatehouse_buzzin::Page<gatehouse_buzzin::Permit> =
            serde_json::from_slice(&body).unwrap();
        if page.data.is_empty() {
            break;
        }
        skip += page.data.len() as u64;
        for p in page.data {
            assert!(seen.insert(p.id), "a permit listed twice");
        }
    }
    let listed = t.elapsed();
    assert_eq!(seen.len() as u64, PERMITS, "every permit listed once");
    println!(
        "sandbox start, {PERMITS} permits seeded: {:.2} s",
        started.as_secs_f64()
    );
    println!(
        "full paged listing: {PERMITS} permits in {pages} pages of {PAGE}, {:.1} MB, {:.2} s ({:.0} permits/s)",
        bytes as f64 / 1e6,
        listed.as_secs_f64(),
        PERMITS as f64 / listed.as_secs_f64()
    );
    running.stop().await;
}
