//! `gatehouse` over a community, as scripts and desks use it: the real binary against the
//! sandbox over HTTP, with its exit codes, its JSON, an outage, and kill -9 at many points.

use std::collections::BTreeMap;
use std::time::Duration;

use gatehouse_app::vocabulary::{PermitAction, StatusName};
use gatehouse_app::{Community, Paths, PermitFilter};
use gatehouse_testkit::{
    Client, Fault, FaultKind, ListQuery, Sandbox, Seed, audit_count, reissues,
};
use rand::{RngExt, SeedableRng};
use serde_json::Value;

use crate::support;
use support::Desk;

/// Every permit and contractor the server has, by id, as JSON.
async fn server_docs(c: &Client) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    fn json<T: serde::Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap()
    }
    let permits = c.all_permits().await.unwrap();
    let contractors = c.all_contractors().await.unwrap();
    (
        permits.iter().map(|p| (p.id.clone(), json(p))).collect(),
        contractors
            .iter()
            .map(|x| (x.id.clone(), json(x)))
            .collect(),
    )
}

/// The CLI's `permits list ARGS` and the window's permits table (through gatehouse-app, page by
/// page) answer `filter` with the same permits in the same order.
async fn assert_cli_and_window_agree(desk: &Desk, args: &[&str], filter: PermitFilter) {
    let paths = Paths::at(desk.data.path()).unwrap();
    let key = gatehouse_app::CacheKey::from_hex(crate::support::CACHE_KEY).unwrap();
    let (app, _) = Community::open_for_command_with_cache_key(&paths, None, true, key)
        .await
        .unwrap();
    let minute = || chrono::Utc::now().timestamp() / 60;
    for _ in 0..3 {
        let started = minute();
        let mut cli_args = vec!["permits", "list"];
        cli_args.extend_from_slice(args);
        cli_args.extend(["--all", "--json"]);
        let cli: Vec<String> = desk
            .json(&cli_args)
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["_id"].as_str().unwrap().to_owned())
            .collect();
        let mut window = Vec::new();
        for page in 0.. {
            let rows = app.permits(&filter, page).await.unwrap().rows;
            if rows.is_empty() {
                break;
            }
            window.extend(rows.into_iter().map(|r| r.id));
        }
        if minute() != started {
            continue; // "expiring within" counts from the minute: ask both again in one
        }
        assert!(
            !cli.is_empty(),
            "{args:?} matched nothing: a test that cannot fail"
        );
        assert_eq!(cli, window, "permits list {args:?} and the window disagree");
        return;
    }
    panic!("three minutes turned while comparing {args:?}");
}

/// The cache, read back through the CLI's own JSON, equals the server.
async fn assert_cache_equals_server(desk: &Desk, c: &Client) {
    let (permits, contractors) = server_docs(c).await;
    let cached: Vec<Value> =
        serde_json::from_value(desk.json(&["permits", "list", "--all", "--json"])).unwrap();
    let cached: BTreeMap<String, Value> = cached
        .into_iter()
        .map(|p| (p["_id"].as_str().unwrap().to_owned(), p))
        .collect();
    assert_eq!(cached.len(), permits.len(), "permit count");
    for (id, p) in &permits {
        assert_eq!(cached.get(id), Some(p), "permit {id}");
    }
    let cached: Vec<Value> =
        serde_json::from_value(desk.json(&["contractors", "list", "--json"])).unwrap();
    let cached: BTreeMap<String, Value> = cached
        .into_iter()
        .map(|x| (x["_id"].as_str().unwrap().to_owned(), x))
        .collect();
    assert_eq!(cached, contractors, "contractors");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_shows_acts_and_exits_with_codes_scripts_can_trust() {
    let sb = Sandbox::demo().await;
    let api = sb.client();
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    // Before any sync: an empty cache, said plainly.
    let status = desk.json(&["status", "--json"]);
    assert_eq!(status["filled"], false);

    let report = desk.json(&["sync", "--json"]);
    assert_eq!(report["firstSyncDocuments"], 460);
    assert_cache_equals_server(&desk, &api).await;

    // Filters agree with the API.
    let accepted: Vec<Value> = serde_json::from_value(
        desk.json(&["permits", "list", "--status", "accepted", "--all", "--json"]),
    )
    .unwrap();
    let total = api
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(0))
        .await
        .unwrap()
        .total;
    assert_eq!(accepted.len() as u64, total);
    let expiring: Vec<Value> = serde_json::from_value(desk.json(&[
        "permits",
        "list",
        "--expiring",
        "72h",
        "--all",
        "--json",
    ]))
    .unwrap();
    assert!(!expiring.is_empty() && expiring.len() < accepted.len());
    assert!(
        expiring.iter().all(|p| p["statusName"] == "ACCEPTED"),
        "only ACCEPTED permits expire"
    );
    assert_cli_and_window_agree(
        &desk,
        &["--expiring", "72h"],
        PermitFilter {
            expiring_within_minutes: Some(72 * 60),
            ..PermitFilter::default()
        },
    )
    .await;
    assert_cli_and_window_agree(
        &desk,
        &[
            "--status",
            "accepted,revoked",
            "--type",
            "buildUp",
            "--sort",
            "contractor",
            "--desc",
        ],
        PermitFilter {
            statuses: vec![StatusName::Accepted, StatusName::Revoked],
            permit_type: Some(gatehouse_app::vocabulary::PermitType::BuildUp),
            sort: gatehouse_app::vocabulary::PermitSort::Contractor,
            descending: true,
            ..PermitFilter::default()
        },
    )
    .await;

    // A pass by its number; reissue it: a new code, the old one refused at the gate.
    let pass = accepted[0]["passNumber"].as_str().unwrap();
    let id = accepted[0]["_id"].as_str().unwrap();
    let old = accepted[0]["accessCode"].as_str().unwrap().to_owned();
    let out = desk.ok(&["permits", "reissue", pass]);
    assert!(out.contains("Done"), "{out}");
    let shown = desk.json(&["permits", "show", pass, "--json"]);
    let new = shown["accessCode"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        api.permit(id).await.unwrap().access_code.as_deref(),
        Some(new)
    );

    // Refused by the cache's rules: exit 4, one sentence, nothing queued.
    let revoked = accepted[1]["passNumber"].as_str().unwrap();
    desk.ok(&["permits", "revoke", revoked, "--reason", "Contract ended"]);
    let (code, _, err) = desk.code(&["permits", "reissue", revoked]);
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("only ACCEPTED passes can be reissued"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // Bad input: clear errors, no panic.
    let (code, _, err) = desk.code(&["permits", "list", "--status", "NOPE"]);
    assert_eq!(code, 4);
    assert!(err.contains("is not a permit status"), "{err}");
    let (code, _, err) = desk.code(&["permits", "list", "--expiring", "soon"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = desk.code(&["permits", "show", "WP-999999"]);
    assert_eq!(code, 1);
    assert!(err.to_lowercase().contains("no permit"), "{err}");
    let (code, _, err) = desk.code(&["--profile", "nope", "status"]);
    assert_eq!(code, 1);
    assert!(err.contains("no profile \"nope\""), "{err}");

    // Revoking a contractor lists what it archives and waits for --yes (exit 2).
    let owner = accepted[2]["communityContractorId"].as_str().unwrap();
    let (code, _, err) = desk.code(&["contractors", "revoke", owner, "--yes"]);
    assert_eq!(code, 2, "a reason is required: {err}");
    let (code, out, _) = desk.code(&["contractors", "revoke", owner, "--reason", "Licence lapsed"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("archives") && out.contains("cannot be undone"),
        "{out}"
    );
    desk.ok(&[
        "contractors",
        "revoke",
        owner,
        "--reason",
        "Licence lapsed",
        "--yes",
    ]);
    let archived = api
        .permit(accepted[2]["_id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(archived.status_name(), Some(StatusName::Archived));

    // --offline queues (exit 3); the next sync sends it.
    let pending = desk.json(&["contractors", "list", "--state", "pending", "--json"]);
    let cid = pending[0]["_id"].as_str().unwrap();
    let (code, _, err) = desk.code(&["--offline", "contractors", "approve", cid]);
    assert_eq!(code, 3, "{err}");
    let queued = desk.json(&["outbox", "list", "--json"]);
    assert_eq!(queued.as_array().unwrap().len(), 1);
    desk.ok(&["sync"]);
    assert!(api.contractor(cid).await.unwrap().approved);
    assert_cache_equals_server(&desk, &api).await;

    // The audit log, as CSV: who, what, why, the outcome.
    let csv = desk.ok(&["audit", "export", "--csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "seq,at,actor,action,targetId,reason,result,detail,online"
    );
    assert!(
        csv.contains("Desk 1,revokePass,") && csv.contains("Contract ended,applied"),
        "{csv}"
    );
    assert_eq!(lines.len(), 1 + 2 * 4, "{csv}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_round_trip_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let sb = Sandbox::builder().data_dir(data.path()).start().await;
    let addr = sb.addr();
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    desk.ok(&["sync", "--quiet"]);
    let accepted = sb.permits_in("ACCEPTED", 50).await;
    let victim = accepted[0].clone();
    let owner = victim.community_contractor_id.clone().unwrap();
    let other = accepted
        .iter()
        .find(|p| p.community_contractor_id.as_deref() != Some(&owner))
        .unwrap()
        .clone();
    sb.stop().await;

    // The API is gone: reads work, actions queue (exit 3), the state says so.
    let (code, _, err) = desk.code(&[
        "contractors",
        "revoke",
        &owner,
        "--reason",
        "Left site",
        "--yes",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("queued"), "{err}");
    let (code, _, _) = desk.code(&["permits", "reissue", other.pass_number.as_deref().unwrap()]);
    assert_eq!(code, 3);
    let status = desk.json(&["status", "--json"]);
    assert_eq!(status["online"], false, "{status}");
    assert_eq!(status["pending"], 2);
    let shown = desk.json(&["permits", "show", &victim.id, "--json"]);
    // The state the gates obey until Buzz-In has the revoke, with the revoke marked beside it.
    assert_eq!(shown["permit"]["status"], "ACCEPTED", "{shown}");
    assert_eq!(
        shown["permit"]["queued"]["kind"], "revokeContractor",
        "{shown}"
    );
    assert_eq!(shown["permit"]["queued"]["stillOpens"], true, "{shown}");
    let text = desk.ok(&["permits", "show", &victim.id]);
    assert!(
        text.contains("ACCEPTED · revoke queued: still opens the gates"),
        "{text}"
    );
    let pending: Vec<&Value> = shown["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["open"] == true)
        .collect();
    assert_eq!(pending.len(), 1, "{shown}");
    let (code, _, _) = desk.code(&["sync"]);
    assert_eq!(code, 3);

    // Back: the outbox drains, the archived permits and the new code arrive.
    let sb = Sandbox::builder()
        .data_dir(data.path())
        .at(addr)
        .start()
        .await;
    assert!(sb.resumed());
    desk.ok(&["sync", "--quiet"]);
    let status = desk.json(&["status", "--json"]);
    assert_eq!(
        (status["online"].clone(), status["pending"].clone()),
        (Value::Bool(true), Value::from(0))
    );
    let api = sb.client();
    assert_eq!(
        api.permit(&victim.id).await.unwrap().status_name(),
        Some(StatusName::Archived)
    );
    assert_eq!(reissues(&api.permit(&other.id).await.unwrap()), 1);
    assert_cache_equals_server(&desk, &api).await;
}

/// Kills `gatehouse sync` with SIGKILL after a random delay; returns whether it was still
/// running (a real kill point) or had already finished (and how).
fn kill_after(desk: &Desk, args: &[&str], delay: Duration) -> Option<bool> {
    let mut child = desk.command(args).spawn().unwrap();
    std::thread::sleep(delay);
    match child.try_wait().unwrap() {
        Some(status) => Some(status.success()),
        None => {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_many_points_loses_nothing_and_applies_each_action_once() {
    let seed: u64 = std::env::var("GATEHOUSE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let sb = Sandbox::seeded(Seed::Count(20_000)).await;
    let api = sb.client();
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    let mut kills = 0;

    // During the first sync (and full resyncs once it is done).
    let mut completed = false;
    while kills < 25 {
        let args: &[&str] = if completed {
            &["sync", "--full", "--quiet"]
        } else {
            &["sync", "--quiet"]
        };
        match kill_after(
            &desk,
            args,
            Duration::from_millis(rng.random_range(20..900)),
        ) {
            None => kills += 1,
            Some(ok) => {
                assert!(ok, "a sync that was not killed must succeed");
                completed = true;
            }
        }
    }
    desk.ok(&["sync", "--quiet"]);
    assert_cache_equals_server(&desk, &api).await;

    // During the outbox drain: actions queued offline, each request slowed so kills land
    // before, during and after it.
    let accepted = sb.permits_in("ACCEPTED", 1000).await;
    let reissued: Vec<String> = accepted[..40].iter().map(|p| p.id.clone()).collect();
    let revoked: Vec<String> = accepted[40..60].iter().map(|p| p.id.clone()).collect();
    for id in &reissued {
        desk.code(&["--offline", "permits", "reissue", id]);
    }
    for id in &revoked {
        desk.code(&[
            "--offline",
            "permits",
            "revoke",
            id,
            "--reason",
            "crash test",
        ]);
    }
    assert_eq!(desk.json(&["status", "--json"])["pending"], 60);
    sb.control()
        .arm(Fault {
            latency_ms: Some(60),
            count: 100_000,
            ..Fault::new(FaultKind::Latency, "/passes/")
        })
        .await;
    let mut drain_kills = 0;
    while drain_kills < 25 {
        if desk.json(&["status", "--json"])["pending"] == 0 {
            break;
        }
        if kill_after(
            &desk,
            &["sync", "--quiet"],
            Duration::from_millis(rng.random_range(10..250)),
        )
        .is_none()
        {
            drain_kills += 1;
        }
    }
    eprintln!("{kills} kills during sync, {drain_kills} during the outbox drain (seed {seed})");
    kills += drain_kills;
    desk.ok(&["sync", "--quiet"]);
    assert!(kills >= 50, "only {kills} kill points (seed {seed})");
    assert_eq!(desk.json(&["status", "--json"])["pending"], 0);

    for id in &reissued {
        let p = api.permit(id).await.unwrap();
        assert_eq!(
            reissues(&p),
            1,
            "permit {id} reissued exactly once (seed {seed})"
        );
    }
    for id in &revoked {
        let p = api.permit(id).await.unwrap();
        assert_eq!(p.status_name(), Some(StatusName::Revoked));
        assert_eq!(
            audit_count(&p, PermitAction::Revoke),
            1,
            "permit {id} revoked once (seed {seed})"
        );
    }
    assert_cache_equals_server(&desk, &api).await;
    assert!(desk.cache_path().exists());
}
