//! The client against hostile or odd servers on loopback: redirects that would carry the key
//! away, answers too large to hold, and pages that never advance.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gatehouse_client::{Auth, Client, ClientError, Limits, ListQuery, Settings};
use gatehouse_testkit::hostile::Served;

const KEY: &str = "SECRET-KEY-1234567890";

fn client(base: &str, auth: Auth) -> Client {
    let mut s = Settings::new(base, KEY);
    s.auth = auth;
    s.retry.base = Duration::from_millis(1);
    Client::new(s).unwrap()
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_carries_no_key_away() {
    let elsewhere = Served::start(Router::new().fallback(get(|| async { "{}" }))).await;
    // "localhost" rather than 127.0.0.1: another host, as reqwest sees it.
    let target = format!("http://localhost:{}/communityContractors", elsewhere.port());
    let to = target.clone();
    let api = Served::start(Router::new().fallback(get(move || {
        let to = to.clone();
        async move { (StatusCode::FOUND, [(header::LOCATION, to)]).into_response() }
    })))
    .await;

    for auth in [Auth::Header("x-api-key".into()), Auth::Bearer] {
        let err = client(&api.base_url(), auth.clone())
            .contractors(&ListQuery::new())
            .await
            .unwrap_err();
        match &err {
            ClientError::Redirected { status, location } => {
                assert_eq!(*status, 302);
                assert_eq!(location, &target);
            }
            other => panic!("{auth:?}: {other:?}"),
        }
        assert!(err.to_string().contains(&target), "{err}");
        assert!(!err.is_transient(), "asking again is pointless");
    }
    assert!(
        elsewhere.seen().is_empty(),
        "the other host was asked: {:?}",
        elsewhere.seen()
    );
    let asked = api.seen();
    assert_eq!(asked.len(), 2, "one request each, no retries: {asked:?}");
    assert_eq!(asked[0].header("x-api-key"), Some(KEY));
}

#[tokio::test]
async fn key_bearing_types_print_no_key() {
    let settings = Settings::new("https://buzzin.example.com", KEY);
    let c = Client::new(settings.clone()).unwrap();
    for shown in [format!("{settings:?}"), format!("{c:?}")] {
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}

/// An endless body of spaces, counting what it sent.
fn endless(sent: Arc<AtomicU64>, status: StatusCode, length: Option<u64>) -> Response {
    let chunk = Bytes::from(vec![b' '; 64 * 1024]);
    let stream = futures_util::stream::repeat_with(move || {
        sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk.clone())
    });
    let mut resp = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(n) = length {
        resp = resp.header(header::CONTENT_LENGTH, n);
    }
    resp.body(Body::from_stream(stream)).unwrap()
}

fn huge_server(sent: Arc<AtomicU64>, status: StatusCode, length: Option<u64>) -> Router {
    Router::new().fallback(get(move || {
        let sent = sent.clone();
        async move { endless(sent, status, length) }
    }))
}

#[tokio::test]
async fn an_endless_answer_is_cut_at_the_limit_and_not_asked_again() {
    let sent = Arc::new(AtomicU64::new(0));
    let api = Served::start(huge_server(sent.clone(), StatusCode::OK, None)).await;
    let mut s = Settings::new(api.base_url(), KEY);
    s.limits = Limits {
        body: 4 * 1024 * 1024,
        error_body: 64 * 1024,
    };
    let err = Client::new(s)
        .unwrap()
        .contractors(&ListQuery::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::TooLarge { limit_mib: 4 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("4 MiB"), "{err}");
    assert_eq!(api.seen().len(), 1, "an over-limit answer is not retried");
    // What the server pushed before the client hung up: the limit, plus what the loopback
    // socket's buffers (autotuned up to several MiB each way) and hyper's took in.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let pushed = sent.load(Ordering::SeqCst);
    assert!(
        pushed < 4 * 1024 * 1024 + 24 * 1024 * 1024,
        "the client read on: {pushed} bytes"
    );
}

#[tokio::test]
async fn an_over_long_content_length_is_refused_before_reading() {
    let sent = Arc::new(AtomicU64::new(0));
    let api = Served::start(huge_server(
        sent.clone(),
        StatusCode::OK,
        Some(512 * 1024 * 1024),
    ))
    .await;
    let err = client(&api.base_url(), Auth::Bearer)
        .contractors(&ListQuery::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::TooLarge { limit_mib: 32 }),
        "the default limit: {err:?}"
    );
    assert_eq!(api.seen().len(), 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        sent.load(Ordering::SeqCst) < 28 * 1024 * 1024,
        "{} bytes were pushed",
        sent.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn an_endless_error_answer_gives_its_first_words_only() {
    let sent = Arc::new(AtomicU64::new(0));
    let api = Served::start(huge_server(sent.clone(), StatusCode::BAD_REQUEST, None)).await;
    let err = client(&api.base_url(), Auth::Bearer)
        .contractors(&ListQuery::new())
        .await
        .unwrap_err();
    // All spaces: the message is the status.
    assert!(
        matches!(&err, ClientError::Refused { status: 400, message } if message == "HTTP 400"),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(sent.load(Ordering::SeqCst) < 28 * 1024 * 1024);
}

/// A contractors endpoint that ignores `_id[$gt]`: every page is the same full page.
fn stuck_contractors() -> Router {
    let page = {
        let data: Vec<serde_json::Value> = (0..gatehouse_testkit::buzzin::inf::LIST_MAX_LIMIT)
            .map(|i| serde_json::json!({ "_id": format!("66f0a1b2c3d4e5f6{i:08x}") }))
            .collect();
        serde_json::json!({ "total": 5000, "limit": data.len(), "skip": 0, "data": data })
            .to_string()
    };
    Router::new().fallback(get(move || {
        let page = page.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], page) }
    }))
}

#[tokio::test]
async fn pages_that_do_not_advance_end_the_walk_with_an_error() {
    let api = Served::start(stuck_contractors()).await;
    let c = client(&api.base_url(), Auth::Bearer);
    let walk = c.all_contractors();
    let err = tokio::time::timeout(Duration::from_secs(30), walk)
        .await
        .expect("the walk ended")
        .unwrap_err();
    assert!(matches!(err, ClientError::Protocol(_)), "{err:?}");
    assert!(err.to_string().contains("_id[$gt]"), "{err}");
    assert_eq!(api.seen().len(), 2, "the second page told");
}

#[tokio::test]
async fn ids_outside_the_id_rule_are_never_sent() {
    let api = Served::start(Router::new().fallback(get(|| async {
        (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"total":0,"limit":0,"skip":0,"data":[]}"#,
        )
    })))
    .await;
    let c = client(&api.base_url(), Auth::Bearer);
    let odd = vec![
        "6650f0c1a2b3.c4d5e6f70001".to_owned(),
        "..".to_owned(),
        "a/b".to_owned(),
    ];
    assert!(c.permits_by_ids(&odd).await.unwrap().is_empty());
    assert!(api.seen().is_empty(), "{:?}", api.seen());
    let mixed = vec!["6650f0c1a2b3c4d5e6f70001".to_owned(), odd[0].clone()];
    c.permits_by_ids(&mixed).await.unwrap();
    let asked = api.seen();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].uri.contains("6650f0c1a2b3c4d5e6f70001"));
    assert!(!asked[0].uri.contains("c4d5e6f70001&") && !asked[0].uri.contains(".c4d5"));
    assert!(c.permit("a.b").await.is_err());
}
