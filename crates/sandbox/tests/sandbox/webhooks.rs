//! Webhook delivery to a real receiver on loopback.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use gatehouse_buzzin::EventName;
use gatehouse_sandbox::{Config, Seed, WebhookConfig, WebhookTarget};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// Statuses to answer with, in order; 200 once they run out.
    script: Arc<Mutex<Vec<u16>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    let mut script = r.script.lock().unwrap();
    let status = if script.is_empty() {
        200
    } else {
        script.remove(0)
    };
    StatusCode::from_u16(status).unwrap()
}

async fn receiver(script: Vec<u16>) -> (Receiver, String) {
    let r = Receiver {
        script: Arc::new(Mutex::new(script)),
        ..Receiver::default()
    };
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (r, url)
}

impl Receiver {
    async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, Bytes)> {
        eventually(
            &format!("{n} webhooks arrive"),
            Duration::from_secs(10),
            || async {
                let got = self.got.lock().unwrap().clone();
                if got.len() >= n {
                    Ok(got)
                } else {
                    Err(format!("{} of them", got.len()))
                }
            },
        )
        .await
    }
}

use gatehouse_testkit::api::{Api, new_contractor, sandbox_with};
use gatehouse_testkit::eventually;

async fn start(webhooks: WebhookConfig) -> Api {
    sandbox_with(Config {
        seed: Seed::Empty,
        webhooks,
        ..Config::default()
    })
    .await
}

/// A new (pending) contractor's id.
async fn create_contractor(api: &Api, n: u32) -> String {
    let c = api
        .ok(
            reqwest::Method::POST,
            "/communityContractors",
            Some(new_contractor(n)),
        )
        .await;
    c["_id"].as_str().unwrap().to_owned()
}

fn target(url: &str) -> WebhookTarget {
    WebhookTarget {
        url: url.to_owned(),
        events: None,
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn signed_deliveries_verify_with_an_independent_hmac_and_tampering_or_staleness_fail() {
    let (rx, url) = receiver(vec![]).await;
    let sb = start(WebhookConfig {
        targets: vec![target(&url)],
        secret: Some("whsec_test".into()),
        ..WebhookConfig::default()
    })
    .await;
    let id = create_contractor(&sb, 1).await;
    sb.patch_ok(
        &format!("/communityContractors/{id}"),
        json!({"action": "approve"}),
    )
    .await;

    let got = rx.wait_for(1).await;
    let (headers, body) = &got[0];
    assert_eq!(
        header(headers, "x-buzzin-event"),
        "communityContractors.approved"
    );
    assert!(!header(headers, "x-buzzin-delivery").is_empty());
    assert_eq!(header(headers, "x-buzzin-token"), "whsec_test");
    assert_eq!(header(headers, "content-type"), "application/json");
    let envelope: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(envelope["event"], "communityContractors.approved");
    assert_eq!(envelope["data"]["communityContractorId"], id.as_str());

    // The signature, recomputed here with the hmac crate: HMAC-SHA-256(secret, `${ts}-${raw}`), hex.
    let ts = header(headers, "buzzin-signature-timestamp");
    let sig = header(headers, "buzzin-signature");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_test").unwrap();
    mac.update(format!("{ts}-").as_bytes());
    mac.update(body);
    assert_eq!(sig, hex::encode(mac.finalize().into_bytes()));

    use gatehouse_buzzin::webhook::{VerifyError, verify};
    let now = chrono::Utc::now().timestamp_millis();
    assert_eq!(verify(b"whsec_test", ts, sig, body, now), Ok(()));
    let mut tampered = body.to_vec();
    let at = tampered.iter().position(|&b| b == b'a').unwrap();
    tampered[at] = b'b';
    assert_eq!(
        verify(b"whsec_test", ts, sig, &tampered, now),
        Err(VerifyError::Mismatch)
    );
    assert_eq!(
        verify(b"whsec_test", ts, sig, body, now + 6 * 60 * 1000),
        Err(VerifyError::Stale)
    );
    assert_eq!(
        verify(b"wrong", ts, sig, body, now),
        Err(VerifyError::Mismatch)
    );
}

#[tokio::test]
async fn without_a_secret_there_is_no_token_and_no_signature() {
    let (rx, url) = receiver(vec![]).await;
    let sb = start(WebhookConfig {
        targets: vec![target(&url)],
        ..WebhookConfig::default()
    })
    .await;
    let id = create_contractor(&sb, 1).await;
    sb.patch_ok(
        &format!("/communityContractors/{id}"),
        json!({"action": "approve"}),
    )
    .await;
    let got = rx.wait_for(1).await;
    for name in [
        "x-buzzin-token",
        "buzzin-signature",
        "buzzin-signature-timestamp",
    ] {
        assert!(got[0].0.get(name).is_none(), "{name} sent without a secret");
    }
}

#[tokio::test]
async fn all_nine_events_arrive_in_feed_order() {
    let (rx, url) = receiver(vec![]).await;
    let sb = start(WebhookConfig {
        targets: vec![target(&url)],
        ..WebhookConfig::default()
    })
    .await;
    let props = sb.get_ok("/__sandbox/properties").await;
    let (prop, flat) = (
        props["data"][0]["id"].clone(),
        props["data"][0]["flats"][0]["id"].clone(),
    );
    let contractor = create_contractor(&sb, 1).await;
    sb.patch_ok(
        &format!("/communityContractors/{contractor}"),
        json!({"action": "approve"}),
    )
    .await;
    let in_hours = |h: i64| (chrono::Utc::now() + chrono::Duration::hours(h)).to_rfc3339();
    let permit = sb.post_ok("/permits", json!({
        "salesforcePermitId": "a1B5g000000PERM1AW", "communityContractorId": contractor,
        "propertyId": prop, "flatId": flat, "validFrom": in_hours(-1), "validTill": in_hours(48),
        "timeIn": "00:00", "timeOut": "23:59", "representativeName": "R", "representativeContact": "+971500000001",
        "employees": [{"name": "E"}]
    })).await;
    let pid = permit["_id"].as_str().unwrap();
    sb.patch_ok(&format!("/passes/{pid}"), json!({"action": "submit"}))
        .await;
    let accepted = sb
        .post_ok(&format!("/__sandbox/permits/{pid}/approve"), json!({}))
        .await;
    sb.patch_ok(
        &format!("/permits/{pid}"),
        json!({"validTill": in_hours(72)}),
    )
    .await;
    let code = accepted["accessCode"].as_str().unwrap();
    sb.post_ok(
        "/__sandbox/scan",
        json!({"accessCode": code, "direction": "entry"}),
    )
    .await;
    sb.post_ok(
        "/__sandbox/scan",
        json!({"accessCode": code, "direction": "exit"}),
    )
    .await;
    sb.post_ok("/__sandbox/clock", json!({"advanceSeconds": 50 * 3600}))
        .await;
    sb.post_ok("/__sandbox/clock", json!({"advanceSeconds": 24 * 3600}))
        .await;
    let other = create_contractor(&sb, 2).await;
    sb.patch_ok(
        &format!("/communityContractors/{other}"),
        json!({"action": "approve"}),
    )
    .await;
    sb.patch_ok(
        &format!("/communityContractors/{other}"),
        json!({"action": "revoke"}),
    )
    .await;

    let feed = sb.get_ok("/workPermitEvents?$limit=1000").await;
    let feed: Vec<Value> = feed["data"].as_array().unwrap().clone();
    let got = rx.wait_for(feed.len()).await;
    let delivered: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    let ids = |v: &[Value]| {
        v.iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&delivered),
        ids(&feed),
        "delivered in feed order, each once"
    );
    for (headers, body) in &got {
        let e: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            header(headers, "x-buzzin-event"),
            e["event"].as_str().unwrap()
        );
    }
    for name in EventName::KNOWN {
        assert!(
            delivered.iter().any(|e| e["event"] == name.as_str()),
            "{name} was never delivered"
        );
    }
}

#[tokio::test]
async fn failures_are_retried_with_backoff_until_2xx_or_the_last_attempt() {
    let (rx, url) = receiver(vec![500, 503]).await;
    let (rx2, url2) = receiver(vec![500, 500, 500]).await;
    let sb = start(WebhookConfig {
        targets: vec![target(&url), target(&url2)],
        max_attempts: 3,
        backoff: Duration::from_millis(30),
        ..WebhookConfig::default()
    })
    .await;
    let id = create_contractor(&sb, 1).await;
    let t = Instant::now();
    sb.patch_ok(
        &format!("/communityContractors/{id}"),
        json!({"action": "approve"}),
    )
    .await;
    let got = rx.wait_for(3).await;
    assert!(
        t.elapsed() >= Duration::from_millis(90),
        "backoff of 30 ms then 60 ms"
    );
    let delivery_ids: Vec<&str> = got
        .iter()
        .map(|(h, _)| header(h, "x-buzzin-delivery"))
        .collect();
    assert!(
        delivery_ids.windows(2).all(|w| w[0] == w[1]),
        "a retry is the same delivery"
    );
    assert!(
        got.windows(2).all(|w| w[0].1 == w[1].1),
        "the same body each time"
    );
    rx2.wait_for(3).await;

    let log = eventually("every delivery settles", Duration::from_secs(5), || async {
        let log = sb.sandbox.control().deliveries().await;
        let settled = log["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["delivered"] == true || d["gaveUp"] == true);
        if settled {
            Ok(log)
        } else {
            Err(log.to_string())
        }
    })
    .await;
    let entries = log["data"].as_array().unwrap();
    let first = entries.iter().find(|d| d["url"] == url.as_str()).unwrap();
    let statuses: Vec<u64> = first["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 503, 200]);
    assert_eq!(first["delivered"], true);
    let second = entries.iter().find(|d| d["url"] == url2.as_str()).unwrap();
    assert_eq!(
        (second["delivered"].clone(), second["gaveUp"].clone()),
        (json!(false), json!(true))
    );
}

#[tokio::test]
async fn a_target_receives_only_the_events_it_asked_for() {
    let (rx, url) = receiver(vec![]).await;
    let sb = start(WebhookConfig {
        targets: vec![WebhookTarget {
            url: url.clone(),
            events: Some(vec![EventName::ContractorRemoved]),
        }],
        ..WebhookConfig::default()
    })
    .await;
    let id = create_contractor(&sb, 1).await;
    sb.patch_ok(
        &format!("/communityContractors/{id}"),
        json!({"action": "approve"}),
    )
    .await;
    sb.patch_ok(
        &format!("/communityContractors/{id}"),
        json!({"action": "revoke"}),
    )
    .await;
    let got = rx.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got_now = rx.got.lock().unwrap().len();
    assert_eq!(got_now, 1, "only the removal");
    assert_eq!(
        header(&got[0].0, "x-buzzin-event"),
        "communityContractors.removed"
    );
}
