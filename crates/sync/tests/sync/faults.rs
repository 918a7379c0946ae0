//! The fault matrix: each fault the sandbox can inject, on each stage of the engine (first sync,
//! incremental sync, outbox drain). For every cell: the failure is a clear message, no action is
//! lost or applied twice, and once the fault is gone the cache equals the sandbox.

use std::sync::Arc;
use std::time::Duration;

use gatehouse_cache::{ActionKind, Cache, NewAction, OutboxState};
use gatehouse_client::{Client, ListQuery, Retry, Settings};
use gatehouse_sync::{Engine, SyncError};
use gatehouse_testkit::api::{Api, sandbox_with};
use gatehouse_testkit::{Config, Fault, FaultKind, Seed, reissues};
use serde_json::json;

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

const TIMEOUT: Duration = Duration::from_millis(600);

/// The nine faults of the matrix (their path, method and count are set per stage), with what
/// the error must say.
fn faults() -> Vec<(&'static str, Fault, &'static str)> {
    let status = |code| Fault {
        status: Some(code),
        ..Fault::new(FaultKind::Status, "/")
    };
    vec![
        ("5xx", status(503), "server error 503"),
        (
            "429",
            Fault {
                retry_after_secs: Some(1),
                ..Fault::new(FaultKind::RateLimit, "/")
            },
            "rate limited",
        ),
        (
            "timeout",
            Fault {
                latency_ms: Some(1500),
                ..Fault::new(FaultKind::Latency, "/")
            },
            "timeout",
        ),
        ("reset", Fault::new(FaultKind::Drop, "/"), "network"),
        (
            "malformed",
            Fault::new(FaultKind::Malformed, "/"),
            "unreadable",
        ),
        (
            "truncated",
            Fault::new(FaultKind::Truncated, "/"),
            "unreadable",
        ),
        ("401", status(401), "API key refused"),
        ("404", status(404), "not found"),
        ("409", status(409), "conflict"),
    ]
}

struct Cell {
    api: Api,
    engine: Engine,
    _dir: tempfile::TempDir,
}

async fn cell() -> Cell {
    let api = sandbox_with(Config {
        seed: Seed::Demo,
        ..Config::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("c.sqlite3"), &KEY)
        .await
        .unwrap();
    let mut s = Settings::new(&api.base, &api.key);
    s.timeout = TIMEOUT;
    s.retry = Retry {
        attempts: 2,
        base: Duration::from_millis(10),
        max_wait: Duration::from_millis(1500),
    };
    Cell {
        engine: Engine::new(Client::new(s).unwrap(), Arc::new(cache)),
        api,
        _dir: dir,
    }
}

impl Cell {
    async fn arm(&self, fault: &Fault, path: &str, method: &str, count: u32) {
        let fault = Fault {
            path: path.into(),
            method: Some(method.into()),
            count,
            ..fault.clone()
        };
        self.api.sandbox.control().arm(fault).await;
    }

    async fn clear(&self) {
        self.api.sandbox.control().clear_faults().await;
    }

    /// The cache equals the sandbox, document for document.
    async fn consistent(&self) -> Result<(), String> {
        let client = self.engine.client();
        let cache = self.engine.cache();
        let permits = client.all_permits().await.map_err(|e| e.to_string())?;
        for p in &permits {
            if cache
                .permit(&p.id)
                .await
                .map_err(|e| e.to_string())?
                .as_ref()
                != Some(p)
            {
                return Err(format!("permit {} differs", p.id));
            }
        }
        let cached = cache.count_permits().await.map_err(|e| e.to_string())?;
        if cached != permits.len() as u64 {
            return Err(format!(
                "{cached} permits cached, {} on the server",
                permits.len()
            ));
        }
        for c in client.all_contractors().await.map_err(|e| e.to_string())? {
            if cache
                .contractor(&c.id)
                .await
                .map_err(|e| e.to_string())?
                .as_ref()
                != Some(&c)
            {
                return Err(format!("contractor {} differs", c.id));
            }
        }
        Ok(())
    }
}

fn check_message(name: &str, err: &SyncError, want: &str, problems: &mut Vec<String>) {
    let msg = err.to_string();
    if !msg.to_lowercase().contains(&want.to_lowercase()) || msg.lines().count() != 1 {
        problems.push(format!("{name}: unclear message {msg:?} (wanted {want:?})"));
    }
}

#[tokio::test]
async fn first_sync_under_each_fault() {
    let mut problems = Vec::new();
    for (name, fault, want) in faults() {
        let c = cell().await;
        // More failures than the client's retries: the sync must give up, clearly.
        c.arm(&fault, "/permits", "GET", 3).await;
        match c.engine.sync(false).await {
            Ok(_) => problems.push(format!("{name}: a first sync under the fault succeeded")),
            Err(e) => check_message(name, &e, want, &mut problems),
        }
        c.clear().await;
        if name == "timeout" {
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
        if let Err(e) = c.engine.sync(false).await {
            problems.push(format!("{name}: no recovery after the fault: {e}"));
        }
        if let Err(e) = c.consistent().await {
            problems.push(format!("{name}: {e}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn incremental_sync_under_each_fault() {
    let mut problems = Vec::new();
    for (name, fault, want) in faults() {
        let c = cell().await;
        c.engine.sync(false).await.unwrap();
        // Changes on the server, then the feed fails.
        let p = c
            .engine
            .client()
            .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
            .await
            .unwrap()
            .data
            .remove(0);
        c.api
            .patch_ok(
                &format!("/passes/{}", p.id),
                json!({"action": "reissuePass"}),
            )
            .await;
        c.arm(&fault, "/workPermitEvents", "GET", 3).await;
        match c.engine.sync(false).await {
            Ok(_) => problems.push(format!(
                "{name}: an incremental sync under the fault succeeded"
            )),
            Err(e) => check_message(name, &e, want, &mut problems),
        }
        c.clear().await;
        if name == "timeout" {
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
        if let Err(e) = c.engine.sync(false).await {
            problems.push(format!("{name}: no recovery after the fault: {e}"));
        }
        if let Err(e) = c.consistent().await {
            problems.push(format!("{name}: {e}"));
        }
        let timeline = c.engine.cache().events_of(&p.id).await.unwrap();
        if !timeline
            .iter()
            .any(|e| e.envelope.event.as_str() == "passes.permits.issued")
        {
            problems.push(format!(
                "{name}: the reissue event is missing from the timeline"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test]
async fn outbox_drain_under_each_fault() {
    let mut problems = Vec::new();
    for (name, fault, _) in faults() {
        let c = cell().await;
        c.engine.sync(false).await.unwrap();
        let p = c
            .engine
            .client()
            .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
            .await
            .unwrap()
            .data
            .remove(0);
        let entry = c
            .engine
            .cache()
            .enqueue(NewAction {
                kind: ActionKind::ReissuePass,
                target_id: p.id.clone(),
                reason: None,
                actor: "matrix".into(),
            })
            .await
            .unwrap();
        // The reissue request itself meets the fault, once.
        c.arm(&fault, "/passes/", "PATCH", 1).await;
        let first = c.engine.sync(false).await;
        let state = c
            .engine
            .cache()
            .outbox_entry(&entry.id)
            .await
            .unwrap()
            .unwrap();
        match name {
            // Refusals: shown with the server's message, the queue not blocked, nothing lost.
            "404" | "409" => {
                if state.state != OutboxState::Refused
                    || state.last_error.as_deref().unwrap_or("").is_empty()
                {
                    problems.push(format!(
                        "{name}: expected a refused entry with a message, got {state:?}"
                    ));
                }
                if let Err(e) = &first {
                    problems.push(format!("{name}: a refusal must not fail the sync: {e}"));
                }
                // The admin retries it; it goes through once.
                c.engine.cache().retry(&entry.id).await.unwrap();
            }
            // The key: nothing can go out; the sync says why.
            "401" => match &first {
                Err(e) if e.to_string().contains("API key refused") => {}
                other => problems.push(format!(
                    "{name}: expected \"API key refused\", got {other:?}"
                )),
            },
            // A timeout leaves it unresolved until the next round.
            "timeout" => {
                if first.is_ok() || state.state != OutboxState::Ambiguous {
                    problems.push(format!("{name}: expected an ambiguous entry and an error, got {first:?} / {state:?}"));
                }
                tokio::time::sleep(Duration::from_millis(1200)).await;
            }
            // Lost or unreadable answers, 5xx, 429: resolved within the same sync.
            _ => {
                if let Err(e) = &first {
                    problems.push(format!("{name}: the drain did not recover by itself: {e}"));
                }
            }
        }
        c.clear().await;
        if let Err(e) = c.engine.sync(false).await {
            problems.push(format!("{name}: no recovery after the fault: {e}"));
        }
        let state = c
            .engine
            .cache()
            .outbox_entry(&entry.id)
            .await
            .unwrap()
            .unwrap();
        if state.state != OutboxState::Done {
            problems.push(format!("{name}: the action ended {:?}", state.state));
        }
        let server = c.engine.client().permit(&p.id).await.unwrap();
        if reissues(&server) != 1 {
            problems.push(format!("{name}: reissued {} times", reissues(&server)));
        }
        if let Err(e) = c.consistent().await {
            problems.push(format!("{name}: {e}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
