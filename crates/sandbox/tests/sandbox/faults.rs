//! Injected faults, as a client meets them over HTTP.

use std::time::{Duration, Instant};

use gatehouse_sandbox::{Config, Seed};
use serde_json::{Value, json};

use gatehouse_testkit::api::{Api, sandbox_with};

async fn start() -> Api {
    sandbox_with(Config {
        seed: Seed::Count(50),
        ..Config::default()
    })
    .await
}

async fn arm(api: &Api, fault: Value) {
    let (status, text) = api
        .raw(reqwest::Method::POST, "/__sandbox/faults", Some(fault))
        .await
        .unwrap();
    assert_eq!(status, 201, "{text}");
}

async fn accepted_permit(api: &Api) -> Value {
    api.get_ok("/permits?statusName=ACCEPTED&$limit=1").await["data"][0].clone()
}

#[tokio::test]
async fn a_status_fault_answers_in_the_envelope_for_count_requests_then_stops() {
    let sb = start().await;
    arm(
        &sb,
        json!({"kind": "status", "path": "/permits", "method": "GET", "count": 2, "status": 503}),
    )
    .await;
    for _ in 0..2 {
        let (status, text) = sb
            .raw(reqwest::Method::GET, "/permits", None)
            .await
            .unwrap();
        assert_eq!(status, 503);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (v["name"].as_str(), v["code"].as_u64()),
            (Some("Unavailable"), Some(503))
        );
    }
    assert_eq!(
        sb.raw(reqwest::Method::GET, "/permits", None)
            .await
            .unwrap()
            .0,
        200
    );
    assert_eq!(sb.get_ok("/__sandbox/faults").await["data"], json!([]));
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let sb = start().await;
    arm(
        &sb,
        json!({"kind": "rateLimit", "path": "/communityContractors", "retryAfterSecs": 7}),
    )
    .await;
    let resp = sb
        .http
        .get(format!("{}/communityContractors", sb.base))
        .header("x-api-key", &sb.key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
}

#[tokio::test]
async fn latency_delays_then_answers() {
    let sb = start().await;
    arm(
        &sb,
        json!({"kind": "latency", "path": "/permits", "latencyMs": 300}),
    )
    .await;
    let t = Instant::now();
    assert_eq!(
        sb.raw(reqwest::Method::GET, "/permits", None)
            .await
            .unwrap()
            .0,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_dropped_request_fails_at_the_client_and_is_not_applied() {
    let sb = start().await;
    let p = accepted_permit(&sb).await;
    let id = p["_id"].as_str().unwrap();
    arm(
        &sb,
        json!({"kind": "drop", "path": "/passes/", "method": "PATCH"}),
    )
    .await;
    let outcome = sb
        .raw(
            reqwest::Method::PATCH,
            &format!("/passes/{id}"),
            Some(json!({"action": "reissuePass"})),
        )
        .await;
    assert!(
        outcome.is_err(),
        "the client must see a failure, got {outcome:?}"
    );
    let now = sb.get_ok(&format!("/permits/{id}")).await;
    assert_eq!(now["accessCode"], p["accessCode"], "not applied");
}

#[tokio::test]
async fn drop_after_applies_the_request_but_the_client_never_hears() {
    let sb = start().await;
    let p = accepted_permit(&sb).await;
    let id = p["_id"].as_str().unwrap();
    arm(
        &sb,
        json!({"kind": "dropAfter", "path": "/passes/", "method": "PATCH"}),
    )
    .await;
    let outcome = sb
        .raw(
            reqwest::Method::PATCH,
            &format!("/passes/{id}"),
            Some(json!({"action": "reissuePass"})),
        )
        .await;
    assert!(
        outcome.is_err(),
        "the client must see a failure, got {outcome:?}"
    );
    let now = sb.get_ok(&format!("/permits/{id}")).await;
    assert_ne!(
        now["accessCode"], p["accessCode"],
        "applied: a new code was minted"
    );
}

#[tokio::test]
async fn malformed_and_truncated_bodies_do_not_parse() {
    let sb = start().await;
    let full = sb
        .raw(reqwest::Method::GET, "/permits?$limit=5", None)
        .await
        .unwrap()
        .1;
    arm(&sb, json!({"kind": "malformed", "path": "/permits"})).await;
    let (status, text) = sb
        .raw(reqwest::Method::GET, "/permits?$limit=5", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    arm(&sb, json!({"kind": "truncated", "path": "/permits"})).await;
    let (status, text) = sb
        .raw(reqwest::Method::GET, "/permits?$limit=5", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(text.len(), full.len() / 2);
    assert!(full.starts_with(&text));
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn control_endpoints_are_never_faulted_and_bad_faults_are_refused() {
    let sb = start().await;
    arm(&sb, json!({"kind": "status", "path": "/", "count": 100})).await;
    assert_eq!(
        sb.raw(reqwest::Method::GET, "/__sandbox", None)
            .await
            .unwrap()
            .0,
        200
    );
    assert_eq!(
        sb.raw(reqwest::Method::GET, "/permits", None)
            .await
            .unwrap()
            .0,
        500
    );
    sb.raw(reqwest::Method::DELETE, "/__sandbox/faults", None)
        .await
        .unwrap();
    assert_eq!(
        sb.raw(reqwest::Method::GET, "/permits", None)
            .await
            .unwrap()
            .0,
        200
    );
    for bad in [
        json!({"kind": "status", "path": "/__sandbox/clock"}),
        json!({"kind": "meteor", "path": "/permits"}),
        json!({"kind": "status", "path": "/permits", "count": 0}),
        json!({"kind": "status", "path": "/permits", "status": 200}),
        json!({"kind": "status", "path": "permits"}),
        json!({"kind": "status", "path": "/permits", "colour": "red"}),
    ] {
        let (status, text) = sb
            .raw(
                reqwest::Method::POST,
                "/__sandbox/faults",
                Some(bad.clone()),
            )
            .await
            .unwrap();
        assert_eq!(status, 400, "{bad}: {text}");
    }
}
