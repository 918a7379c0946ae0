//! `--data DIR`: the sandbox's state survives a restart, exactly.

use std::path::Path;

use gatehouse_sandbox::{Config, Running, Seed};
use serde_json::{Value, json};

async fn start(dir: &Path, seed: Seed) -> std::io::Result<Running> {
    gatehouse_sandbox::start(
        Config {
            seed,
            data_dir: Some(dir.to_owned()),
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
}

async fn call(sb: &Running, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", sb.base_url()))
        .header("x-api-key", &sb.api_key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

async fn everything(sb: &Running) -> (Value, Value, Value) {
    let get = reqwest::Method::GET;
    (
        call(sb, get.clone(), "/permits?$limit=1000", None).await,
        call(sb, get.clone(), "/communityContractors?$limit=1000", None).await,
        call(sb, get, "/workPermitEvents?$limit=1000", None).await,
    )
}

#[tokio::test]
async fn state_survives_a_restart_exactly_and_ids_codes_and_cursors_continue() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start(dir.path(), Seed::Count(120)).await.unwrap();
    assert!(!sb.resumed);
    let (get, post, patch) = (
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::PATCH,
    );
    let accepted = call(
        &sb,
        get.clone(),
        "/permits?statusName=ACCEPTED&$limit=2",
        None,
    )
    .await;
    let (a, b) = (accepted["data"][0].clone(), accepted["data"][1].clone());
    call(
        &sb,
        patch.clone(),
        &format!("/passes/{}", a["_id"].as_str().unwrap()),
        Some(json!({"action": "revoke", "reason": "gone"})),
    )
    .await;
    call(
        &sb,
        patch.clone(),
        &format!("/passes/{}", b["_id"].as_str().unwrap()),
        Some(json!({"action": "reissuePass"})),
    )
    .await;
    call(&sb, post.clone(), "/__sandbox/scan", Some(json!({"accessCode": call(&sb, get.clone(), &format!("/permits/{}", b["_id"].as_str().unwrap()), None).await["accessCode"]}))).await;
    call(
        &sb,
        post.clone(),
        "/__sandbox/clock",
        Some(json!({"advanceSeconds": 3600})),
    )
    .await;
    let created = call(&sb, post.clone(), "/communityContractors", Some(json!({
        "name": "New", "email": "new@x.ae", "phone": "+971509999999", "company": {"companyName": "N"},
        "integrations": {"damac": {"salesforceId": "a0B5g00000NEW001AW"}}
    }))).await;
    let before = everything(&sb).await;
    let clock_before = call(&sb, get.clone(), "/__sandbox/clock", None).await["now"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.stop().await;

    let sb = start(dir.path(), Seed::Demo).await.unwrap();
    assert!(sb.resumed, "an existing folder is resumed, not reseeded");
    let after = everything(&sb).await;
    assert_eq!(
        after, before,
        "permits, contractors and the event feed are exactly as they were"
    );
    let clock_after = call(&sb, get.clone(), "/__sandbox/clock", None).await["now"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        clock_after >= clock_before,
        "the sandbox clock kept its hour of advance"
    );

    // Dead codes stay dead, live ones work.
    let scan = call(
        &sb,
        post.clone(),
        "/__sandbox/scan",
        Some(json!({"accessCode": a["accessCode"]})),
    )
    .await;
    assert_eq!(scan["reason"], "revoked");
    let scan = call(
        &sb,
        post.clone(),
        "/__sandbox/scan",
        Some(json!({"accessCode": b["accessCode"]})),
    )
    .await;
    assert_eq!(
        scan["accepted"], false,
        "the code replaced by the reissue stays dead"
    );

    // New ids, pass numbers and cursors continue after the saved ones.
    let again = call(&sb, post.clone(), "/communityContractors", Some(json!({
        "name": "Later", "email": "later@x.ae", "phone": "+971508888888", "company": {"companyName": "L"},
        "integrations": {"damac": {"salesforceId": "a0B5g00000NEW002AW"}}
    }))).await;
    assert!(again["_id"].as_str().unwrap() > created["_id"].as_str().unwrap());
    call(
        &sb,
        patch,
        &format!("/communityContractors/{}", again["_id"].as_str().unwrap()),
        Some(json!({"action": "approve"})),
    )
    .await;
    let feed = call(&sb, get, "/workPermitEvents?$limit=1000", None).await;
    let cursors: Vec<u64> = feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"].as_u64().unwrap())
        .collect();
    assert!(
        cursors.windows(2).all(|w| w[1] == w[0] + 1),
        "cursors continue without a gap or repeat"
    );
    sb.stop().await;
}

#[tokio::test]
async fn a_failed_request_leaves_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start(dir.path(), Seed::Empty).await.unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/permits", sb.base_url()))
        .header("x-api-key", &sb.api_key)
        .json(&json!({"salesforcePermitId": "x", "validFrom": "2026-01-01T00:00:00Z", "validTill": "2099-01-01T00:00:00Z", "communityContractorId": "nope", "propertyExternalId": "DAMAC-TWR-01", "flatExternalId": "UNIT-0101"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    sb.stop().await;
    let sb = start(dir.path(), Seed::Empty).await.unwrap();
    let page = call(&sb, reqwest::Method::GET, "/permits?$limit=0", None).await;
    assert_eq!(page["total"], 0);
    sb.stop().await;
}

#[tokio::test]
async fn a_damaged_or_foreign_database_is_a_clear_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sandbox.sqlite3"),
        b"this is not a database at all, just text",
    )
    .unwrap();
    let err = start(dir.path(), Seed::Empty)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("sandbox.sqlite3"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    start(dir.path(), Seed::Empty).await.unwrap().stop().await;
    let db = dir.path().join("sandbox.sqlite3");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE meta SET value = '99' WHERE key = 'schemaVersion'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let err = start(dir.path(), Seed::Empty)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("another version") && err.contains("schema 99"),
        "{err}"
    );
}
