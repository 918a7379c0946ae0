//! `cargo bench -p gatehouse-panels --bench panels`: the panel client against three simulated
//! panels on loopback, over HTTP.
//!
//! - provisioning 1,000 identifiers (cards, in batches of 50) onto each of three panels (one hex,
//!   one decimal, one on API 1.x), the panels written at once, every item's result read; then
//!   revoking them all the same way and reading each panel back empty;
//! - a sweep (the full paged listing) of a panel holding 10,000 identifiers.
//!
//! This measures the client and the simulator; the outbox that will carry these writes is not
//! in it yet. Prints figures for BENCHMARKS.md; asserts only that everything arrived.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use gatehouse_basip::{IdentifierType, Lock, Owner, OwnerType, PassRule, TimeRule, ValidRule};
use gatehouse_panels::{Checked, Grant, PanelClient, PanelSettings, checked};
use gatehouse_sandbox::{Config, PanelConfig, Running, Seed};

const IDENTIFIERS: usize = 1_000;
const SWEPT: usize = 10_000;

async fn clients(sb: &Running) -> Vec<PanelClient> {
    let mut out = Vec::new();
    for p in &sb.panels {
        let l = p.listing();
        out.push(
            PanelClient::connect(PanelSettings::new(&l.url, &l.username, &l.password))
                .await
                .unwrap(),
        );
    }
    out
}

fn cards(n: usize, base: u64) -> Vec<Checked> {
    (0..n as u64)
        .map(|i| checked(&IdentifierType::Card, &(base + i).to_string()).unwrap())
        .collect()
}

fn grants(ids: &[Checked]) -> Vec<Grant> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    ids.iter()
        .map(|id| Grant {
            id: id.clone(),
            owner: Owner {
                name: "GH WP-000001 crew".into(),
                kind: OwnerType::Guest,
            },
            lock: Lock::First,
            valid: ValidRule {
                time: TimeRule::window(now - 300, now + 86_400).unwrap(),
                passes: PassRule::Unlimited,
            },
        })
        .collect()
}

async fn put_all(c: &PanelClient, g: &[Grant]) {
    for chunk in g.chunks(50) {
        assert!(c.put(chunk).await.unwrap().iter().all(|r| r.success));
    }
}

async fn delete_all(c: &PanelClient, ids: &[Checked]) {
    for chunk in ids.chunks(50) {
        assert!(c.delete(chunk).await.unwrap().iter().all(|r| r.success));
    }
}

#[tokio::main]
async fn main() {
    let sb = gatehouse_sandbox::start(
        Config {
            seed: Seed::Empty,
            panels: (1..=3).map(PanelConfig::numbered).collect(),
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let panels = clients(&sb).await;
    let ids = cards(IDENTIFIERS, 3_000_000);
    let g = grants(&ids);

    let t = Instant::now();
    futures_util::future::join_all(panels.iter().map(|c| put_all(c, &g))).await;
    let provision = t.elapsed();
    for c in &panels {
        assert_eq!(
            c.all(&IdentifierType::Card).await.unwrap().0.len(),
            IDENTIFIERS
        );
    }
    let t = Instant::now();
    futures_util::future::join_all(panels.iter().map(|c| delete_all(c, &ids))).await;
    for c in &panels {
        assert!(c.all(&IdentifierType::Card).await.unwrap().0.is_empty());
    }
    let revoke = t.elapsed();
    println!(
        "provisioning {IDENTIFIERS} identifiers onto each of 3 panels (batches of 50, panels at once): {:.2} s; revoking them and reading the panels back empty: {:.2} s",
        provision.as_secs_f64(),
        revoke.as_secs_f64()
    );

    let big = cards(SWEPT, 5_000_000);
    put_all(&panels[0], &grants(&big)).await;
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let (all, _) = panels[0].all(&IdentifierType::Card).await.unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(all.len(), SWEPT);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "a sweep (full listing, pages of 50) of a panel holding {SWEPT} identifiers: median {:.2} s, worst {:.2} s of 3",
        times[1], times[2]
    );
}
