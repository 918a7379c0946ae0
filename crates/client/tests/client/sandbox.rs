//! The client against the sandbox over HTTP, with injected faults.

use std::time::{Duration, Instant};

use gatehouse_client::{Auth, Client, ClientError, ListQuery, Retry, Settings};
use gatehouse_testkit::{Fault, FaultKind, Sandbox, Seed};

async fn sandbox() -> Sandbox {
    Sandbox::seeded(Seed::Count(200)).await
}

fn client(sb: &Sandbox) -> Client {
    let mut s = Settings::new(sb.base_url(), sb.api_key());
    s.timeout = Duration::from_millis(800);
    s.retry = Retry {
        attempts: 4,
        base: Duration::from_millis(20),
        max_wait: Duration::from_secs(3),
    };
    Client::new(s).unwrap()
}

async fn arm(sb: &Sandbox, fault: Fault) {
    sb.control().arm(fault).await;
}

/// How many requests the armed faults will still affect.
async fn armed(sb: &Sandbox) -> usize {
    let v = sb.control().faults().await;
    v["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn reads_page_and_decode() {
    let sb = sandbox().await;
    let c = client(&sb);
    let page = c
        .permits(
            &ListQuery::new()
                .limit(50)
                .skip(10)
                .eq("statusName", "ACCEPTED"),
        )
        .await
        .unwrap();
    assert_eq!(
        page.data.len() as u64,
        50.min(page.total.saturating_sub(10))
    );
    assert!(
        page.data
            .iter()
            .all(|p| p.status_name() == Some(gatehouse_buzzin::StatusName::Accepted))
    );
    let one = c.permit(&page.data[0].id).await.unwrap();
    assert_eq!(one, page.data[0]);
    let contractors = c.contractors(&ListQuery::new().limit(0)).await.unwrap();
    assert_eq!(contractors.total, 20);
}

#[tokio::test]
async fn transient_failures_of_reads_are_retried_until_success() {
    let sb = sandbox().await;
    let c = client(&sb);
    for kind in [
        FaultKind::Status,
        FaultKind::Drop,
        FaultKind::Malformed,
        FaultKind::Truncated,
    ] {
        arm(
            &sb,
            Fault {
                count: 2,
                ..Fault::new(kind, "/permits")
            },
        )
        .await;
        let page = c
            .permits(&ListQuery::new().limit(5))
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(page.data.len(), 5, "{kind:?}");
        assert_eq!(
            armed(&sb).await,
            0,
            "{kind:?}: both faults were met, so there were 3 attempts"
        );
    }
}

#[tokio::test]
async fn a_timeout_is_retried() {
    let sb = sandbox().await;
    let c = client(&sb);
    arm(
        &sb,
        Fault {
            latency_ms: Some(2000),
            ..Fault::new(FaultKind::Latency, "/permits")
        },
    )
    .await;
    let t = Instant::now();
    c.permits(&ListQuery::new().limit(1)).await.unwrap();
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_millis(2000),
        "gave up on the slow answer after the timeout: {took:?}"
    );
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let sb = sandbox().await;
    let c = client(&sb);
    arm(
        &sb,
        Fault {
            retry_after_secs: Some(1),
            ..Fault::new(FaultKind::RateLimit, "/communityContractors")
        },
    )
    .await;
    let t = Instant::now();
    c.contractors(&ListQuery::new().limit(1)).await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited the server's Retry-After"
    );
}

#[tokio::test]
async fn retries_give_up_with_the_last_error() {
    let sb = sandbox().await;
    let c = client(&sb);
    arm(
        &sb,
        Fault {
            count: 10,
            status: Some(502),
            ..Fault::new(FaultKind::Status, "/permits")
        },
    )
    .await;
    let err = c.permits(&ListQuery::new()).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Server { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(armed(&sb).await, 1, "4 attempts used 4 of the 10");
}

#[tokio::test]
async fn a_refused_key_stops_at_once_with_a_plain_message() {
    let sb = sandbox().await;
    let mut s = Settings::new(sb.base_url(), "wrong-key");
    s.retry = Retry {
        attempts: 5,
        base: Duration::from_millis(500),
        max_wait: Duration::from_secs(5),
    };
    let c = Client::new(s).unwrap();
    let t = Instant::now();
    let err = c.permits(&ListQuery::new()).await.unwrap_err();
    assert!(matches!(err, ClientError::Unauthorized(_)), "{err:?}");
    assert!(err.to_string().starts_with("API key refused"));
    assert!(!err.is_transient());
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "no retry, no backoff"
    );
}

#[tokio::test]
async fn the_auth_header_is_configurable() {
    let sb = Sandbox::builder()
        .seed(Seed::Empty)
        .config(|c| c.auth_header = Some("x-community-key".into()))
        .start()
        .await;
    let mut s = Settings::new(sb.base_url(), sb.api_key());
    assert!(matches!(
        Client::new(s.clone())
            .unwrap()
            .permits(&ListQuery::new())
            .await,
        Err(ClientError::Unauthorized(_))
    ));
    s.auth = Auth::Header("x-community-key".into());
    Client::new(s)
        .unwrap()
        .permits(&ListQuery::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn api_errors_are_typed_with_the_servers_message() {
    let sb = sandbox().await;
    let c = client(&sb);
    let err = c.permit("66f0a1b2c3d4e5f6000000ff").await.unwrap_err();
    assert!(
        matches!(err, ClientError::NotFound(ref m) if m.contains("66f0a1b2c3d4e5f6000000ff")),
        "{err:?}"
    );
    let draft = c
        .permits(&ListQuery::new().eq("statusName", "DRAFT").limit(1))
        .await
        .unwrap()
        .data
        .remove(0);
    let err = c.reissue_pass(&draft.id).await.unwrap_err();
    match &err {
        ClientError::Refused {
            status: 400,
            message,
        } => assert!(message.contains("ACCEPTED"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(!err.is_transient() && !err.may_have_been_applied());
    let err = c.permit("../communityContractors").await.unwrap_err();
    assert!(
        matches!(err, ClientError::Refused { status: 0, .. }),
        "an id that is not an id is never sent"
    );
}

#[tokio::test]
async fn mutations_are_sent_once_and_a_lost_answer_is_flagged_as_maybe_applied() {
    let sb = sandbox().await;
    let c = client(&sb);
    let p = c
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
        .await
        .unwrap()
        .data
        .remove(0);
    arm(
        &sb,
        Fault {
            method: Some("PATCH".into()),
            count: 3,
            ..Fault::new(FaultKind::DropAfter, "/passes/")
        },
    )
    .await;
    let err = c.reissue_pass(&p.id).await.unwrap_err();
    assert!(err.may_have_been_applied(), "{err:?}");
    assert_eq!(
        armed(&sb).await,
        1,
        "one attempt only: 2 of the 3 drops are left"
    );
    let now = c.permit(&p.id).await.unwrap();
    assert_ne!(now.access_code, p.access_code, "it was applied once");

    let e = c.events_after(0, 1000).await.unwrap();
    let reissues = e
        .data
        .iter()
        .filter(|i| {
            i.envelope.event == gatehouse_buzzin::EventName::PermitIssued
                && i.envelope.data["permitId"] == p.id.as_str()
        })
        .count();
    assert_eq!(reissues, 1, "exactly one new code was minted");
}

#[tokio::test]
async fn admin_actions_round_trip() {
    let sb = sandbox().await;
    let c = client(&sb);
    let pending = c
        .contractors(&ListQuery::new().eq("approved", false).limit(1000))
        .await
        .unwrap();
    let pending = pending
        .data
        .iter()
        .find(|k| !k.communities_ids.is_empty())
        .unwrap()
        .clone();
    assert!(c.approve_contractor(&pending.id).await.unwrap().approved);
    let removed = c.revoke_contractor(&pending.id).await.unwrap();
    assert!(removed.communities_ids.is_empty());
    let accepted = c
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
        .await
        .unwrap()
        .data
        .remove(0);
    c.revoke_pass(&accepted.id, Some("Left the site"))
        .await
        .unwrap();
    let got = c.permit(&accepted.id).await.unwrap();
    assert_eq!(
        got.status_name(),
        Some(gatehouse_buzzin::StatusName::Revoked)
    );
    let feed = c.events_after(0, 1000).await.unwrap();
    let cursors: Vec<u64> = feed.data.iter().map(|i| i.cursor).collect();
    assert!(cursors.windows(2).all(|w| w[1] > w[0]) && !cursors.is_empty());
    let later = c.events_after(cursors[0], 1000).await.unwrap();
    assert_eq!(later.data.len(), cursors.len() - 1);
}
