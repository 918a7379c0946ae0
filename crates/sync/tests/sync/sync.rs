//! The sync engine against the sandbox over HTTP: first sync (and its resumption), incremental
//! sync from the events feed, the outbox drain with refusals and lost answers, and an outage.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_buzzin::{Contractor, Permit, PermitAction, StatusName};
use gatehouse_cache::{ActionKind, Cache, NewAction, OutboxState, PermitQuery};
use gatehouse_client::{Client, ListQuery, Retry, Settings};
use gatehouse_sync::{Engine, Phase};
use gatehouse_testkit::api::{Api, new_contractor, sandbox_with};
use gatehouse_testkit::{
    Config, Fault, FaultKind, Sandbox, Seed, audit_count, eventually, reissues,
};
use serde_json::json;

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

struct World {
    api: Api,
    engine: Engine,
    _dir: tempfile::TempDir,
}

fn settings(base: &str, key: &str) -> Settings {
    let mut s = Settings::new(base, key);
    s.timeout = Duration::from_secs(5);
    s.retry = Retry {
        attempts: 3,
        base: Duration::from_millis(20),
        max_wait: Duration::from_millis(200),
    };
    s
}

async fn world(seed: Seed) -> World {
    let api = sandbox_with(Config {
        seed,
        ..Config::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite3"), &KEY)
        .await
        .unwrap();
    let client = Client::new(settings(&api.base, &api.key)).unwrap();
    World {
        engine: Engine::new(client, Arc::new(cache)),
        api,
        _dir: dir,
    }
}

impl World {
    fn cache(&self) -> &Cache {
        self.engine.cache()
    }

    async fn fault(&self, fault: Fault) {
        self.api.sandbox.control().arm(fault).await;
    }

    async fn clear_faults(&self) {
        self.api.sandbox.control().clear_faults().await;
    }

    async fn queue(&self, kind: ActionKind, target: &str, reason: Option<&str>) -> String {
        self.cache()
            .enqueue(NewAction {
                kind,
                target_id: target.into(),
                reason: reason.map(Into::into),
                actor: "test desk".into(),
            })
            .await
            .unwrap()
            .id
    }

    /// The cache holds exactly the sandbox's contractors and permits, document for document.
    async fn assert_mirrors(&self) {
        let (contractors, permits) = server_state(self.engine.client()).await;
        let mut cached_permits = BTreeMap::new();
        let mut q = PermitQuery {
            limit: 500,
            ..PermitQuery::default()
        };
        loop {
            let page = self.cache().permits(&q).await.unwrap();
            for p in page.rows {
                cached_permits.insert(p.id.clone(), p);
            }
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        assert_eq!(cached_permits.len(), permits.len(), "permit count");
        for (id, p) in &permits {
            assert_eq!(cached_permits.get(id), Some(p), "permit {id}");
        }
        let cached: BTreeMap<String, Contractor> = self
            .cache()
            .contractors(None, None)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        assert_eq!(cached, contractors, "contractors");
    }

    /// A permit as the sandbox has it.
    async fn server_permit(&self, id: &str) -> Permit {
        self.engine.client().permit(id).await.unwrap()
    }

    async fn accepted(&self) -> Permit {
        let page = self
            .engine
            .client()
            .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
            .await
            .unwrap();
        page.data.into_iter().next().expect("an ACCEPTED permit")
    }
}

async fn server_state(client: &Client) -> (BTreeMap<String, Contractor>, BTreeMap<String, Permit>) {
    let contractors = client.all_contractors().await.unwrap();
    let permits = client.all_permits().await.unwrap();
    (
        contractors.into_iter().map(|c| (c.id.clone(), c)).collect(),
        permits.into_iter().map(|p| (p.id.clone(), p)).collect(),
    )
}

#[tokio::test]
async fn first_sync_mirrors_the_sandbox_and_reports_progress() {
    let w = world(Seed::Count(2500)).await;
    let mut progress = w.engine.progress();
    let seen = tokio::spawn(async move {
        let mut max: Vec<(Phase, (u64, u64))> = Vec::new();
        let mut phases = Vec::new();
        while progress.changed().await.is_ok() {
            let p = *progress.borrow();
            if phases.last() != Some(&p.phase) {
                phases.push(p.phase);
            }
            match max.iter_mut().find(|(phase, _)| *phase == p.phase) {
                Some((_, m)) => *m = (*m).max((p.done, p.total)),
                None => max.push((p.phase, (p.done, p.total))),
            }
        }
        (phases, max)
    });
    let report = w.engine.sync(false).await.unwrap();
    assert_eq!(report.first_sync_documents, 2500 + 250);
    w.assert_mirrors().await;
    let status = w.engine.status().await.unwrap();
    assert!(status.online && status.filled && status.last_sync_at.is_some());
    assert_eq!((status.permits, status.contractors), (2500, 250));

    drop(w.engine);
    let (phases, max) = seen.await.unwrap();
    assert!(phases.contains(&Phase::Contractors) && phases.contains(&Phase::Permits));
    assert!(phases.contains(&Phase::Indexing), "a bulk load: {phases:?}");
    // Each phase counts its own documents, and reaches its total.
    // Each phase counts its own documents (a watch shows the latest figure, so the last page
    // of a phase may be passed over: the totals are what must agree).
    let of = |phase| max.iter().find(|(p, _)| *p == phase).map(|(_, m)| *m);
    for (phase, total) in [(Phase::Contractors, 250), (Phase::Permits, 2500)] {
        let (done, seen_total) = of(phase).unwrap();
        assert_eq!(seen_total, total, "{phase:?}: {max:?}");
        assert!(done > 0 && done <= total, "{phase:?}: {max:?}");
    }
    assert_eq!(of(Phase::Indexing), Some((0, 0)), "one step, no count");
}

#[tokio::test]
async fn an_interrupted_first_sync_resumes_where_it_stopped() {
    let w = world(Seed::Count(8000)).await;
    let mut pages_before_failure = 0;
    {
        // Once a page of permits is stored, every further permits request fails.
        let api = &w.api;
        let engine = &w.engine;
        let sync = engine.sync(false);
        tokio::pin!(sync);
        loop {
            tokio::select! {
                r = &mut sync => { assert!(r.is_err(), "the sync must fail while faulted"); break; }
                _ = tokio::time::sleep(Duration::from_millis(1)) => {
                    let p = *engine.progress().borrow();
                    if p.phase == Phase::Permits && p.done >= 1000 && pages_before_failure == 0 {
                        pages_before_failure = p.done;
                        api.sandbox.control().arm(Fault {
                            method: Some("GET".into()),
                            count: 1000,
                            ..Fault::new(FaultKind::Drop, "/permits")
                        }).await;
                    }
                }
            }
        }
    }
    assert!(pages_before_failure >= 1000);
    let status = w.engine.status().await.unwrap();
    assert!(
        !status.online && status.offline_since.is_some(),
        "{status:?}"
    );
    assert!(!status.filled);
    let stored = w.cache().count_permits().await.unwrap();
    assert!(
        (1000..8000).contains(&stored),
        "{stored} stored before the failure"
    );

    w.clear_faults().await;
    let report = w.engine.sync(false).await.unwrap();
    assert_eq!(
        report.first_sync_documents,
        8000 - stored,
        "the resumed sync fetched only what was missing"
    );
    w.assert_mirrors().await;
    assert!(w.engine.status().await.unwrap().online);
}

#[tokio::test]
async fn incremental_sync_applies_what_changed_on_the_server() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();

    // Changes made by others: a revoked pass, a reissued one, a revoked contractor (archiving its
    // permits), a new contractor (no event), a scan, and time passing (expiries).
    let page = w
        .engine
        .client()
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(3))
        .await
        .unwrap();
    let [a, b, c] = &page.data[..] else {
        panic!("3 ACCEPTED permits")
    };
    w.api
        .patch_ok(
            &format!("/passes/{}", a.id),
            json!({"action": "revoke", "reason": "lost"}),
        )
        .await;
    w.api
        .patch_ok(
            &format!("/passes/{}", b.id),
            json!({"action": "reissuePass"}),
        )
        .await;
    let owner = c.community_contractor_id.clone().unwrap();
    w.api
        .patch_ok(
            &format!("/communityContractors/{owner}"),
            json!({"action": "revoke"}),
        )
        .await;
    let fresh = w
        .api
        .post_ok("/communityContractors", new_contractor(901))
        .await;
    w.api.sandbox.control().advance_clock(3 * 86400).await;

    let report = w.engine.sync(false).await.unwrap();
    assert!(report.events >= 4, "{report:?}");
    w.assert_mirrors().await;
    assert!(
        w.cache()
            .contractor(fresh["_id"].as_str().unwrap())
            .await
            .unwrap()
            .is_some(),
        "a contractor created without an event arrives by updatedAt"
    );
    let timeline = w.cache().events_of(&b.id).await.unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.envelope.event.as_str() == "passes.permits.issued"),
        "the reissue is in the permit's timeline"
    );
    // Nothing new: nothing applied.
    let again = w.engine.sync(false).await.unwrap();
    assert_eq!((again.events, again.updated_permits), (0, 0), "{again:?}");
}

/// A pass reissued twice between two syncs: the middle code is in no document, only in its
/// issued event. The cache knows it, superseded at the second reissue, and the first code
/// superseded at the first.
#[tokio::test]
async fn a_code_seen_only_in_an_issued_event_is_known_and_superseded_in_order() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    let p = w.accepted().await;
    let first = p.access_code.clone().unwrap();
    let mut codes = vec![first.clone()];
    for _ in 0..2 {
        // Reissues a few milliseconds apart, as no two desks can make them closer.
        tokio::time::sleep(Duration::from_millis(5)).await;
        w.api
            .patch_ok(
                &format!("/passes/{}", p.id),
                json!({"action": "reissuePass"}),
            )
            .await;
        codes.push(w.server_permit(&p.id).await.access_code.unwrap());
    }
    w.engine.sync(false).await.unwrap();
    let issued: Vec<String> = w
        .cache()
        .events_of(&p.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.envelope.event == gatehouse_buzzin::EventName::PermitIssued)
        .map(|e| e.envelope.created_at.to_wire())
        .collect();
    assert_eq!(issued.len(), 2, "two reissues, two issued events");
    let known = async |code: &str| w.cache().known_code(code).await.unwrap();
    let middle = known(&codes[1]).await.expect("the middle code is known");
    assert_eq!(middle.permit_id, p.id);
    assert_eq!(middle.seen_at, issued[0]);
    assert_eq!(
        middle.superseded_at.as_deref(),
        Some(issued[1].as_str()),
        "superseded at the second reissue"
    );
    assert_eq!(
        known(&first).await.unwrap().superseded_at.as_deref(),
        Some(issued[0].as_str()),
        "the first code superseded at the first reissue"
    );
    assert_eq!(
        known(&codes[2]).await.unwrap().superseded_at,
        None,
        "the last lives"
    );
}

#[tokio::test]
async fn a_queued_action_changes_nothing_until_the_server_applies_it_and_reaches_it_once() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    let p = w.accepted().await;
    let mut changes = w.cache().subscribe();
    w.queue(ActionKind::RevokePass, &p.id, Some("contract ended"))
        .await;
    // The cache keeps what the server said: the gates obey ACCEPTED until Buzz-In has the revoke.
    assert_eq!(w.cache().permit(&p.id).await.unwrap().unwrap(), p);
    assert!(
        matches!(changes.recv().await.unwrap(), gatehouse_cache::Committed::Permits(ids) if ids == vec![p.id.clone()]),
        "the row is announced, for its mark"
    );
    assert_eq!(w.engine.status().await.unwrap().pending, 1);
    // The same action twice, or a reissue of a pass whose revoke is queued, is refused.
    for kind in [ActionKind::RevokePass, ActionKind::ReissuePass] {
        let refused = w
            .cache()
            .enqueue(NewAction {
                kind,
                target_id: p.id.clone(),
                reason: Some("again".into()),
                actor: "test desk".into(),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, gatehouse_cache::CacheError::Refused(m) if m.contains("queued (#")),
            "{refused}"
        );
    }

    let report = w.engine.drain().await.unwrap();
    assert_eq!(report.applied, 1);
    let server = w.server_permit(&p.id).await;
    assert_eq!(server.status_name(), Some(StatusName::Revoked));
    assert_eq!(audit_count(&server, PermitAction::Revoke), 1);
    let audit = server.audit.clone().unwrap();
    assert_eq!(
        audit.last().unwrap().reason.as_deref(),
        Some("contract ended")
    );
    assert_eq!(w.cache().permit(&p.id).await.unwrap().unwrap(), server);
    let log = w.cache().audit_log().await.unwrap();
    let results: Vec<&str> = log.iter().map(|r| r.result.as_str()).collect();
    assert_eq!(results, ["queued", "applied"]);
    assert_eq!(log[0].actor, "test desk");
    assert_eq!(log[0].reason.as_deref(), Some("contract ended"));
}

#[tokio::test]
async fn a_reissue_whose_answer_was_lost_is_read_back_and_never_sent_twice() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    let p = w.accepted().await;
    let old = p.access_code.clone().unwrap();
    let id = w.queue(ActionKind::ReissuePass, &p.id, None).await;
    // Applied on the server, then the connection drops before the answer.
    w.fault(Fault {
        method: Some("PATCH".into()),
        ..Fault::new(FaultKind::DropAfter, "/passes/")
    })
    .await;
    let report = w.engine.drain().await.unwrap();
    assert_eq!(report.applied, 1, "{report:?}");
    let server = w.server_permit(&p.id).await;
    assert_eq!(
        reissues(&server),
        1,
        "exactly one reissue reached the server"
    );
    assert_ne!(server.access_code.as_deref(), Some(old.as_str()));
    let cached = w.cache().permit(&p.id).await.unwrap().unwrap();
    assert_eq!(
        cached.access_code, server.access_code,
        "the cache has the new code"
    );
    let entry = w.cache().outbox_entry(&id).await.unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Done);
    assert_eq!(entry.sent_code.as_deref(), Some(old.as_str()));
}

#[tokio::test]
async fn an_answer_lost_before_applying_is_sent_again_once() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    let p = w.accepted().await;
    w.queue(ActionKind::ReissuePass, &p.id, None).await;
    // Dropped before applying: the read-back sees the old code, so it is sent again.
    w.fault(Fault {
        method: Some("PATCH".into()),
        ..Fault::new(FaultKind::Drop, "/passes/")
    })
    .await;
    let report = w.engine.drain().await.unwrap();
    assert_eq!(report.applied, 1, "{report:?}");
    assert_eq!(reissues(&w.server_permit(&p.id).await), 1);
}

#[tokio::test]
async fn a_refused_action_writes_the_servers_state_is_shown_and_does_not_block_the_queue() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    let p = w.accepted().await;
    // Someone else revokes it first: our reissue (the cache still says ACCEPTED) will be refused.
    w.api
        .patch_ok(
            &format!("/passes/{}", p.id),
            json!({"action": "revoke", "reason": "x"}),
        )
        .await;
    let refused = w.queue(ActionKind::ReissuePass, &p.id, None).await;
    let pending = w
        .cache()
        .contractors(Some(gatehouse_cache::ContractorState::Pending), None)
        .await
        .unwrap();
    let c = pending.first().expect("a pending contractor in the demo");
    let approve = w.queue(ActionKind::ApproveContractor, &c.id, None).await;
    assert!(
        !w.cache().contractor(&c.id).await.unwrap().unwrap().approved,
        "pending until Buzz-In approves"
    );

    let report = w.engine.drain().await.unwrap();
    assert_eq!((report.applied, report.refused), (1, 1), "{report:?}");
    let entry = w.cache().outbox_entry(&refused).await.unwrap().unwrap();
    assert_eq!(entry.state, OutboxState::Refused);
    let message = entry.last_error.unwrap();
    assert!(
        message.contains("Only ACCEPTED permits can be reissued"),
        "{message}"
    );
    assert_eq!(
        w.cache()
            .permit(&p.id)
            .await
            .unwrap()
            .unwrap()
            .status_name(),
        Some(StatusName::Revoked),
        "the server's state, read back on the refusal"
    );
    assert!(w.cache().contractor(&c.id).await.unwrap().unwrap().approved);
    assert_eq!(
        w.cache()
            .outbox_entry(&approve)
            .await
            .unwrap()
            .unwrap()
            .state,
        OutboxState::Done
    );
    assert!(w.engine.client().contractor(&c.id).await.unwrap().approved);
    let status = w.engine.status().await.unwrap();
    assert_eq!((status.pending, status.refused), (0, 1));
    // Discarding a refused action clears it.
    w.cache().discard(&refused).await.unwrap();
    assert_eq!(w.engine.status().await.unwrap().refused, 0);
}

#[tokio::test]
async fn revoking_a_contractor_archives_its_active_permits_on_the_server_then_here() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    let p = w.accepted().await;
    let owner = p.community_contractor_id.clone().unwrap();
    let active = w.cache().active_permits_of(&owner).await.unwrap();
    assert!(active.iter().any(|x| x.id == p.id));
    w.queue(ActionKind::RevokeContractor, &owner, None).await;
    for a in &active {
        assert_eq!(
            &w.cache().permit(&a.id).await.unwrap().unwrap(),
            a,
            "unchanged until the server has the revoke"
        );
    }
    w.engine.sync(false).await.unwrap();
    for a in &active {
        assert_eq!(
            w.cache()
                .permit(&a.id)
                .await
                .unwrap()
                .unwrap()
                .status_name(),
            Some(StatusName::Archived)
        );
    }
    for a in &active {
        assert_eq!(
            w.server_permit(&a.id).await.status_name(),
            Some(StatusName::Archived)
        );
    }
    w.assert_mirrors().await;
}

#[tokio::test]
async fn an_outage_queues_actions_and_they_drain_when_the_api_returns() {
    // A sandbox that keeps its data across a restart on the same port.
    let data = tempfile::tempdir().unwrap();
    let running = Sandbox::builder().data_dir(data.path()).start().await;
    let addr = running.addr();
    let key = running.api_key().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let cache = Arc::new(
        Cache::open(&dir.path().join("c.sqlite3"), &KEY)
            .await
            .unwrap(),
    );
    let engine = Engine::new(
        Client::new(settings(&running.base_url(), &key)).unwrap(),
        cache.clone(),
    );
    engine.sync(false).await.unwrap();
    let page = engine
        .client()
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
        .await
        .unwrap();
    let p = page.data[0].clone();
    let owner = p.community_contractor_id.clone().unwrap();
    let other = engine
        .client()
        .permits(
            &ListQuery::new()
                .eq("statusName", "ACCEPTED")
                .op("communityContractorId", "$ne", &owner)
                .limit(1),
        )
        .await
        .unwrap()
        .data[0]
        .clone();

    running.stop().await;
    let offline = engine.sync(false).await.unwrap_err();
    assert!(offline.is_offline(), "{offline}");
    let status = engine.status().await.unwrap();
    assert!(!status.online && status.offline_since.is_some());
    // Reads keep working from the cache.
    assert_eq!(cache.permit(&p.id).await.unwrap().unwrap().id, p.id);
    for (kind, target) in [
        (ActionKind::RevokeContractor, owner.as_str()),
        (ActionKind::ReissuePass, other.id.as_str()),
    ] {
        cache
            .enqueue(NewAction {
                kind,
                target_id: target.into(),
                reason: None,
                actor: "desk".into(),
            })
            .await
            .unwrap();
    }
    assert!(engine.sync(false).await.unwrap_err().is_offline());
    assert_eq!(engine.status().await.unwrap().pending, 2);

    // Back on the same address, with its data.
    let back = Sandbox::builder()
        .data_dir(data.path())
        .at(addr)
        .start()
        .await;
    assert!(back.resumed());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let engine = Arc::new(engine);
    let runner = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .run(
                    Duration::from_millis(200),
                    Duration::from_secs(3600),
                    stop_rx,
                )
                .await
        })
    };
    // Without anyone asking, the outbox drains and the sync follows.
    eventually("the outbox drains", Duration::from_secs(20), || async {
        let s = engine.status().await.unwrap();
        if s.online && s.pending == 0 {
            Ok(())
        } else {
            Err(format!("{s:?}"))
        }
    })
    .await;
    stop_tx.send(true).unwrap();
    runner.await.unwrap();
    assert_eq!(
        engine.client().permit(&p.id).await.unwrap().status_name(),
        Some(StatusName::Archived)
    );
    assert_eq!(
        cache.permit(&p.id).await.unwrap().unwrap().status_name(),
        Some(StatusName::Archived)
    );
    let reissued = engine.client().permit(&other.id).await.unwrap();
    assert_eq!(reissues(&reissued), 1);
    assert_eq!(
        cache.permit(&other.id).await.unwrap().unwrap().access_code,
        reissued.access_code
    );
}

#[tokio::test]
async fn reconciliation_rotates_through_the_permits_and_repairs_drift() {
    let w = world(Seed::Demo).await;
    w.engine.sync(false).await.unwrap();
    // Drift: a cached copy that no longer matches the server (say, a lost event).
    let p = w.accepted().await;
    let mut wrong = p.clone();
    wrong.status_name = Some(StatusName::Expired);
    wrong.jobs_summary = Some("stale".into());
    w.cache()
        .upsert_permits(std::slice::from_ref(&wrong))
        .await
        .unwrap();
    let mut repaired = 0;
    for _ in 0..5 {
        repaired += w.engine.reconcile(100).await.unwrap(); // 400 permits: one full turn
    }
    assert_eq!(repaired, 1);
    assert_eq!(w.cache().permit(&p.id).await.unwrap().unwrap(), p);
    // Another turn finds nothing more.
    let mut again = 0;
    for _ in 0..4 {
        again += w.engine.reconcile(100).await.unwrap();
    }
    assert_eq!(again, 0);
}
