//! `cargo bench -p gatehouse-app --bench doors`: permits to doors end to end, through the app's
//! own path (the rows recorded in the cache, the per-panel drain over HTTP, each item's result
//! recorded, removals read back one by one), against three simulated panels on loopback (hex on
//! API 2.x, decimal on API 2.x, hex on API 1.x) and an in-process Buzz-In sandbox:
//!
//! - provisioning a crew of 1,000 cards on every panel of the permit's tower (3,000 rows);
//! - revoking them: every row to be removed, deleted in batches, each read back gone;
//! - a sweep of a panel holding 10,000 identifiers tagged as Gatehouse's that nothing explains.
//!
//! The panels' passwords reach the app through its environment, read once: the bench runs
//! itself again with them set. Prints figures for BENCHMARKS.md; asserts only that everything
//! arrived and left.

use std::process::Command;
use std::time::Instant;

use gatehouse_app::panels::{CrewIdentifier, PanelAdd, PanelRecord};
use gatehouse_app::vocabulary::IdentifierType;
use gatehouse_app::{CacheKey, Community, Paths, Profile};
use gatehouse_testkit::{PanelConfig, Sandbox};

const CREW: usize = 1_000;
const SWEPT: usize = 10_000;
const PANELS: usize = 3;

fn main() {
    if std::env::var_os("GATEHOUSE_PANEL_PASSWORD_GATE_1").is_none() {
        let mut again = Command::new(std::env::current_exe().expect("the bench's own path"));
        again.args(std::env::args_os().skip(1));
        for i in 1..=PANELS {
            again.env(
                format!("GATEHOUSE_PANEL_PASSWORD_GATE_{i}"),
                PanelConfig::numbered(i).password,
            );
        }
        let status = again.status().expect("run the bench again");
        std::process::exit(status.code().unwrap_or(1));
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let sb = Sandbox::builder().panels(PANELS).start().await;
    let permit = sb
        .control()
        .permit_open_all_day_of_an_approved(&sb.client())
        .await;
    let pass = permit.pass_number.clone().unwrap();
    let tower = permit.property_id.clone().unwrap();
    let listed = sb.control().panels().await;

    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let c = Community::open_profile_with_keys(
        &paths,
        Profile::new("bench", sb.base_url()),
        sb.api_key().into(),
        CacheKey::random(),
    )
    .await
    .unwrap();
    c.sync_now(false, |_| {}).await.unwrap();
    for i in 0..PANELS {
        c.add_panel(PanelAdd {
            record: PanelRecord {
                name: format!("gate-{}", i + 1),
                url: listed[i]["url"].as_str().unwrap().to_owned(),
                username: listed[i]["username"].as_str().unwrap().to_owned(),
                towers: vec![tower.clone()],
                lock: "first".into(),
                basic_auth: false,
            },
            password: None,
        })
        .await
        .unwrap();
    }

    let crew: Vec<CrewIdentifier> = (0..CREW)
        .map(|i| CrewIdentifier {
            kind: IdentifierType::Card,
            written: (5_000_000 + i).to_string(),
            holder: format!("worker {i}"),
        })
        .collect();
    let t = Instant::now();
    let doors = c.provision_doors(&pass, &crew, None).await.unwrap();
    let provisioned = t.elapsed();
    assert!(
        doors
            .iter()
            .all(|d| d.placed as usize == CREW && d.waiting == 0),
        "{doors:?}"
    );
    let t = Instant::now();
    let doors = c.revoke_doors(&pass).await.unwrap();
    let revoked = t.elapsed();
    assert!(
        doors
            .iter()
            .all(|d| d.removed as usize == CREW && d.waiting == 0),
        "{doors:?}"
    );
    for i in 1..=PANELS {
        assert!(
            c.panel_identifiers(&format!("gate-{i}"))
                .await
                .unwrap()
                .is_empty()
        );
    }
    eprintln!(
        "provisioning a crew of {CREW} cards on {PANELS} panels, end to end: {:.2} s",
        provisioned.as_secs_f64()
    );
    eprintln!(
        "revoking them, each of the {} read back gone: {:.2} s",
        CREW * PANELS,
        revoked.as_secs_f64()
    );

    // 10,000 planted on the first panel under Gatehouse's tag, none of them explained here.
    let control = gatehouse_testkit::Control::new(
        listed[0]["url"].as_str().unwrap().to_owned(),
        String::new(),
    );
    let numbers: Vec<String> = (0..SWEPT).map(|i| (7_000_000 + i).to_string()).collect();
    for chunk in numbers.chunks(200) {
        futures_util::future::join_all(
            chunk
                .iter()
                .map(|n| control.plant("card", n, "GH WP-LOST crew")),
        )
        .await;
    }
    let mut took = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let swept = c.sweep_panels().await.unwrap();
        took.push(t.elapsed().as_secs_f64());
        assert_eq!(swept[0].orphans.len(), SWEPT);
    }
    took.sort_by(f64::total_cmp);
    eprintln!(
        "a sweep of every panel, one holding {SWEPT} orphans: {:.2} s median, {:.2} s worst of 3",
        took[1], took[2]
    );
}
