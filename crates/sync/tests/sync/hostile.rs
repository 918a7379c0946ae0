//! The sync engine against an odd server: the sandbox behind a proxy on loopback that makes one
//! feed id odd, or ignores `cursor[$gt]` or `_id[$gt]`. One odd event must not stop sync, and a
//! server that pages without advancing must end the walk with an error shown in the status.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gatehouse_buzzin::StatusName;
use gatehouse_buzzin::inf::{EVENTS_FEED_PATH, PERMITS_PATH};
use gatehouse_cache::Cache;
use gatehouse_client::{Client, ListQuery, Retry, Settings};
use gatehouse_sync::Engine;
use gatehouse_testkit::api::{Api, sandbox_with};
use gatehouse_testkit::hostile::{Rewrite, Served, proxy};
use gatehouse_testkit::{Config, Seed};
use serde_json::json;

/// One key for every cache this test binary opens (reopening one takes the same key).
static KEY: std::sync::LazyLock<gatehouse_cache::CacheKey> =
    std::sync::LazyLock::new(gatehouse_cache::CacheKey::random);

const ODD_ID: &str = "6650f0c1a2b3.c4d5e6f70001";

struct Odd {
    api: Api,
    engine: Engine,
    _proxy: Served,
    _dir: tempfile::TempDir,
}

async fn behind_proxy(seed: Seed, rewrite: Rewrite) -> Odd {
    let api = sandbox_with(Config {
        seed,
        ..Config::default()
    })
    .await;
    let served = Served::start(proxy(api.base.clone(), rewrite)).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite3"), &KEY)
        .await
        .unwrap();
    let mut s = Settings::new(served.base_url(), &api.key);
    s.retry = Retry {
        attempts: 2,
        base: Duration::from_millis(10),
        max_wait: Duration::from_millis(50),
    };
    Odd {
        engine: Engine::new(Client::new(s).unwrap(), Arc::new(cache)),
        api,
        _proxy: served,
        _dir: dir,
    }
}

impl Odd {
    async fn accepted(&self, n: u64) -> Vec<String> {
        self.api
            .sandbox
            .client()
            .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(n))
            .await
            .unwrap()
            .data
            .into_iter()
            .map(|p| p.id)
            .collect()
    }

    async fn revoke(&self, id: &str) {
        self.api
            .patch_ok(
                &format!("/passes/{id}"),
                json!({"action": "revoke", "reason": "lost"}),
            )
            .await;
    }

    async fn status_of(&self, id: &str) -> StatusName {
        self.engine
            .cache()
            .permit(id)
            .await
            .unwrap()
            .unwrap()
            .status_name
            .unwrap()
    }
}

#[tokio::test]
async fn an_odd_id_in_the_feed_is_skipped_counted_and_the_next_revoke_still_arrives() {
    let poisoned: Arc<Mutex<Option<String>>> = Arc::default();
    let target = poisoned.clone();
    let rewrite = Rewrite::default()
        // A server whose `updatedAt` filter finds nothing: the feed is the only way changes come.
        .query(|_, path, q| {
            if path == PERMITS_PATH {
                for (k, v) in q.iter_mut() {
                    if k == "updatedAt[$gte]" {
                        *v = "2999-01-01T00:00:00.000Z".into();
                    }
                }
            }
        })
        // The events about one permit name it with an id outside the id rule.
        .answer(move |_, path, _, json| {
            let Some(id) = target.lock().unwrap().clone() else {
                return;
            };
            if path != EVENTS_FEED_PATH {
                return;
            }
            for e in json["data"].as_array_mut().into_iter().flatten() {
                if e["data"]["permitId"] == json!(id) {
                    e["data"]["permitId"] = json!(ODD_ID);
                }
            }
        });
    let w = behind_proxy(Seed::Demo, rewrite).await;
    w.engine.sync(false).await.unwrap();

    let ids = w.accepted(2).await;
    let (a, b) = (&ids[0], &ids[1]);
    *poisoned.lock().unwrap() = Some(a.clone());
    w.revoke(a).await;
    w.revoke(b).await;

    let report = w
        .engine
        .sync(false)
        .await
        .expect("one odd event does not stop sync");
    assert!(report.skipped_ids >= 1, "{report:?}");
    assert_eq!(
        w.status_of(b).await,
        StatusName::Revoked,
        "the next revoke arrived"
    );
    let status = w.engine.status().await.unwrap();
    assert!(status.skipped.ids >= 1, "{status:?}");
    assert_eq!(status.skipped.last.as_deref(), Some(ODD_ID));
    assert!(
        status.failing_since.is_none() && status.last_error.is_none(),
        "{status:?}"
    );

    // The cursor moved past the odd event: later events keep arriving.
    let c = w.accepted(1).await.remove(0);
    w.revoke(&c).await;
    w.engine.sync(false).await.unwrap();
    assert_eq!(w.status_of(&c).await, StatusName::Revoked);
    let skipped_before = status.skipped.ids;
    assert_eq!(
        w.engine.status().await.unwrap().skipped.ids,
        skipped_before,
        "the odd event is not read again"
    );
}

#[tokio::test]
async fn a_feed_that_ignores_its_cursor_is_an_error_shown_in_the_status_until_it_mends() {
    let ignore = Arc::new(AtomicBool::new(false));
    let flag = ignore.clone();
    let rewrite = Rewrite::default().query(move |_, path, q| {
        if path == EVENTS_FEED_PATH && flag.load(Ordering::SeqCst) {
            q.retain(|(k, _)| k != "cursor[$gt]");
        }
    });
    let w = behind_proxy(Seed::Demo, rewrite).await;
    w.engine.sync(false).await.unwrap();
    let ids = w.accepted(2).await;
    w.revoke(&ids[0]).await;
    w.engine.sync(false).await.unwrap();
    ignore.store(true, Ordering::SeqCst);
    let id = ids[1].clone();
    w.revoke(&id).await;

    let err = tokio::time::timeout(Duration::from_secs(30), w.engine.sync(false))
        .await
        .expect("the walk ended")
        .unwrap_err();
    assert!(err.to_string().contains("cursor[$gt]"), "{err}");
    assert!(!err.is_offline(), "not an outage: the API answers");
    let status = w.engine.status().await.unwrap();
    assert!(status.failing_since.is_some(), "{status:?}");
    assert!(status.online, "reachable, yet failing: {status:?}");
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap()
            .contains("cursor[$gt]"),
        "{status:?}"
    );

    ignore.store(false, Ordering::SeqCst);
    w.engine.sync(false).await.unwrap();
    let status = w.engine.status().await.unwrap();
    assert!(status.failing_since.is_none(), "{status:?}");
    assert_eq!(w.status_of(&id).await, StatusName::Revoked);
}

#[tokio::test]
async fn a_first_sync_from_a_server_that_ignores_id_gt_ends_with_an_error() {
    let rewrite = Rewrite::default().query(|_, _, q| q.retain(|(k, _)| k != "_id[$gt]"));
    let w = behind_proxy(Seed::Count(1200), rewrite).await;
    let err = tokio::time::timeout(Duration::from_secs(60), w.engine.sync(false))
        .await
        .expect("the walk ended instead of looping")
        .unwrap_err();
    assert!(err.to_string().contains("_id[$gt]"), "{err}");
    assert!(w.engine.status().await.unwrap().failing_since.is_some());
}
