//! The desk's pass check against the sandbox's gate: two readings of the reference's rules
//! (§4.3), one in `gatehouse_app`, one in the sandbox, must give the same verdict for every code
//! the desk could have seen, at random moments over two weeks, with reissued, revoked and
//! archived codes among them.

use std::time::Duration;

use chrono::Timelike;
use gatehouse_app::vocabulary::{StatusName, Timestamp};
use gatehouse_app::{CacheKey, CheckRequest, Community, GateRefusal, Paths, Profile};
use gatehouse_testkit::{Sandbox, eventually_true};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The sandbox's word for a refusal of the desk's (the reference's reasons: "expired/inactive",
/// revoked, archived, wrong location [DOC]; the sandbox's "unknown code" and "outside daily
/// time window").
fn gate_word(r: GateRefusal) -> &'static str {
    match r {
        GateRefusal::UnknownCode => "unknown code",
        GateRefusal::Superseded | GateRefusal::NotYetValid | GateRefusal::NotActive => "inactive",
        GateRefusal::Revoked => "revoked",
        GateRefusal::Archived | GateRefusal::ContractorRemoved => "archived",
        GateRefusal::Expired => "expired",
        GateRefusal::OutsideDailyWindow => "outside daily time window",
    }
}

async fn synced(c: &Community) {
    c.sync_now(false, |_| {}).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_check_agrees_with_the_gate_over_random_codes_and_times() {
    let sandbox = Sandbox::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path()).unwrap();
    let profile = Profile::new("marina", sandbox.base_url()).with_actor(Some("desk-1".into()));
    let c = Community::open_profile_with_keys(
        &paths,
        profile,
        sandbox.api_key().into(),
        CacheKey::random(),
    )
    .await
    .unwrap();
    eventually_true("the first sync", Duration::from_secs(30), || async {
        let s = c.status().await.unwrap();
        s.last_sync_at.is_some() && s.syncing.is_none() && s.permits > 0
    })
    .await;
    let api = sandbox.client();
    let control = sandbox.control();
    let mut rng = ChaCha8Rng::seed_from_u64(13);

    // Codes the desk saw at its first sync, then reissues, revokes and a contractor's revoke.
    let first = api.all_permits().await.unwrap();
    let mut codes: Vec<String> = first.iter().filter_map(|p| p.access_code.clone()).collect();
    let accepted: Vec<_> = first
        .iter()
        .filter(|p| p.status_name() == Some(StatusName::Accepted))
        .collect();
    assert!(accepted.len() > 40, "the demo has live permits to work on");
    for p in accepted.iter().take(15) {
        api.reissue_pass(&p.id).await.unwrap();
    }
    for p in accepted.iter().skip(15).take(10) {
        api.revoke_pass(&p.id, Some("Checked at the desk"))
            .await
            .unwrap();
    }
    let contractor = accepted[30].community_contractor_id.clone().unwrap();
    api.revoke_contractor(&contractor).await.unwrap();
    synced(&c).await;
    // The new codes, and a code a reissue replaced twice over two syncs.
    for p in api.all_permits().await.unwrap() {
        codes.extend(p.access_code);
    }
    let twice = accepted[0].id.clone();
    api.reissue_pass(&twice).await.unwrap();
    synced(&c).await;
    codes.extend(api.permit(&twice).await.unwrap().access_code);
    codes.sort();
    codes.dedup();
    // Codes no permit has.
    for _ in 0..40 {
        let n: u64 = rng.random_range(0..u64::MAX);
        codes.push(format!("{n:024}"));
    }

    // Random moments, and the edges of two permits' daily windows: a second before it opens,
    // as it opens, the last second of its last minute and the minute after.
    let start = Timestamp::parse(&control.now().await).unwrap();
    let start = Timestamp(start.0.with_nanosecond(0).unwrap());
    let mut moments: Vec<(i64, Vec<String>)> = (0..14)
        .map(|_| (rng.random_range(0..14 * 24 * 3600), Vec::new()))
        .collect();
    let live = api.all_permits().await.unwrap();
    let windowed = live.iter().filter(|p| {
        p.status_name() == Some(StatusName::Accepted)
            && p.time_in.is_some()
            && p.valid_from.is_some_and(|f| f.0 < start.0)
            && p.valid_till
                .is_some_and(|t| (t.0 - start.0).num_hours() > 36)
    });
    let mut edges = 0;
    for p in windowed.take(2) {
        let local = |hhmm: &str| {
            let t = chrono::NaiveTime::parse_from_str(hhmm, "%H:%M").unwrap();
            // The next day's time `t`, community time (UTC+4), as seconds after `start`.
            let day = (start.0 + chrono::Duration::hours(4)).date_naive() + chrono::Days::new(1);
            let at = day.and_time(t).and_utc() - chrono::Duration::hours(4);
            (at - start.0).num_seconds()
        };
        let (tin, tout) = (
            local(p.time_in.as_deref().unwrap()),
            local(p.time_out.as_deref().unwrap()),
        );
        let code = p.access_code.clone().unwrap();
        for at in [tin - 1, tin, tout + 59, tout + 60] {
            moments.push((at, vec![code.clone()]));
            edges += 1;
        }
    }
    assert_eq!(
        edges, 8,
        "two permits with a daily window to test its edges"
    );
    moments.sort();
    let mut compared = 0;
    let mut refusals = std::collections::BTreeMap::<&str, usize>::new();
    for (offset, chosen) in moments {
        // The sandbox's clock runs on once set: the desk is asked about the moment the gate
        // says it read the code at.
        let at = start.0 + chrono::Duration::seconds(offset);
        control.set_clock(&Timestamp(at).to_wire()).await;
        // An edge is scanned alone, within its second; a random moment with many codes.
        let picks = (0..if chosen.is_empty() { 340 } else { 0 })
            .map(|_| codes[rng.random_range(0..codes.len())].clone());
        for code in &chosen.into_iter().chain(picks).collect::<Vec<_>>() {
            let gate = control.scan(code, serde_json::json!({})).await;
            let now = gate["at"].as_str().unwrap().to_owned();
            let desk = c
                .check_pass(&CheckRequest {
                    scanned: code.clone(),
                    at: Some(now.clone()),
                })
                .await
                .unwrap();
            let gate_says = if gate["accepted"].as_bool().unwrap() {
                "accepted"
            } else {
                gate["reason"].as_str().unwrap()
            };
            let desk_says = match desk.refusal {
                None => "accepted",
                Some(r) => gate_word(r),
            };
            assert_eq!(
                desk_says, gate_says,
                "code {code} at {now}: the desk says {:?} ({:?}), the gate {gate}",
                desk.refusal, desk.reason
            );
            assert_eq!(desk.valid, desk.refusal.is_none());
            assert_eq!(desk.reason.is_some(), !desk.valid);
            *refusals.entry(desk_says).or_default() += 1;
            compared += 1;
        }
    }
    eprintln!("{compared} checks: {refusals:?}");
    // Every kind of verdict came up.
    for word in [
        "accepted",
        "unknown code",
        "inactive",
        "revoked",
        "archived",
        "expired",
        "outside daily time window",
    ] {
        assert!(
            refusals.get(word).copied().unwrap_or(0) > 0,
            "no {word:?} among {compared} checks: {refusals:?}"
        );
    }
    let audited = c
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action == "check")
        .count();
    assert_eq!(audited, compared, "every check is in the audit log");
}
