//! The simulated BAS-IP panels over HTTP: listed beside Buzz-In, the login rules and strings,
//! the by-type endpoints with a result per item, the hex/decimal reading of numbers, capacity,
//! the clock, the log of a swipe, faults and `--data`.

use md5::{Digest, Md5};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use gatehouse_sandbox::{Config, PanelConfig, PanelListing, Running, Seed};

async fn with_panels(panels: Vec<PanelConfig>, data: Option<&std::path::Path>) -> Running {
    gatehouse_sandbox::start(
        Config {
            seed: Seed::Empty,
            panels,
            data_dir: data.map(ToOwned::to_owned),
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

async fn listed(sb: &Running) -> Vec<PanelListing> {
    reqwest::Client::new()
        .get(format!("{}/__sandbox/panels", sb.base_url()))
        .header("x-api-key", &sb.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn md5(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// A panel as a client sees it: its base and a token.
struct Session {
    url: String,
    base: &'static str,
    token: String,
}

async fn login(p: &PanelListing) -> Session {
    let base = if p.api_version.starts_with('1') {
        "/api/v0"
    } else {
        "/api/v1"
    };
    let resp = reqwest::get(format!(
        "{}{base}/login?username={}&password={}",
        p.url,
        p.username,
        md5(&p.password).to_uppercase()
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    Session {
        url: p.url.clone(),
        base,
        token: body["token"].as_str().unwrap().to_owned(),
    }
}

impl Session {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{}{path}", self.url, self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

fn window(from: i64, to: i64) -> Value {
    json!({"time": {"is_permanent": false, "from": from, "to": to}, "passes": {"is_permanent": true}})
}

fn item(number: &str, valid: Value) -> Value {
    json!({"identifier_number": number, "identifier_owner": {"name": "GH WP-000001 Ali", "type": "guest"},
           "lock": "first", "valid": valid})
}

#[tokio::test]
async fn panels_are_listed_beside_buzz_in_and_log_in_by_the_references_rules() {
    let sb = with_panels((1..=3).map(PanelConfig::numbered).collect(), None).await;
    let panels = listed(&sb).await;
    assert_eq!(panels.len(), 3);
    assert_eq!(
        panels
            .iter()
            .map(|p| (p.representation.as_str(), p.api_version.as_str()))
            .collect::<Vec<_>>(),
        [("hex", "2.10.1"), ("dec", "2.10.1"), ("hex", "1.8.0")]
    );
    assert!(
        panels.iter().all(|p| p.url != sb.base_url()),
        "each on its own port"
    );
    let p = &panels[2];
    // The device info needs no login.
    let info: Value = reqwest::get(format!("{}/api/info", p.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["api_version"], "1.8.0");
    // Login: missing parameters, wrong password (400, not 401), then right in either case.
    let base = format!("{}/api/v0/login", p.url);
    for (query, status, error) in [
        (
            "?username=admin".to_owned(),
            400,
            "Required parameters missed",
        ),
        (
            format!("?username=admin&password={}", md5("nope")),
            400,
            "Wrong login or password",
        ),
    ] {
        let resp = reqwest::get(format!("{base}{query}")).await.unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(resp.json::<Value>().await.unwrap()["error"], error);
    }
    let lower = reqwest::get(format!(
        "{base}?username=admin&password={}",
        md5(&p.password)
    ))
    .await
    .unwrap();
    assert_eq!(lower.status(), StatusCode::OK, "lower-case MD5 works too");
    let s = login(p).await;
    // No token, a wrong one, or a forgotten one: 401 Log In.
    let no = reqwest::get(format!("{}/api/v0/device/time", p.url))
        .await
        .unwrap();
    assert_eq!(no.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no.json::<Value>().await.unwrap()["error"], "Log In");
    let (status, time) = s.call(Method::GET, "/device/time", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!((time["time_unix"].as_i64().unwrap() - chrono::Utc::now().timestamp()).abs() < 5);
    reqwest::Client::new()
        .delete(format!("{}/__sandbox/tokens", p.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.call(Method::GET, "/device/time", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    // The log holds the logins.
    let s = login(p).await;
    let (_, log) = s.call(Method::GET, "/log/items?limit=50", None).await;
    let events: Vec<&str> = log["list_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"incorrect_login_api_call")
            && events.contains(&"successful_login_api_call"),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_batch_answers_item_by_item_and_a_malformed_one_changes_nothing() {
    let mut small = PanelConfig::numbered(1);
    small.capacity = 3;
    let sb = with_panels(vec![small], None).await;
    let p = &listed(&sb).await[0];
    let s = login(p).await;
    let now = chrono::Utc::now().timestamp();
    let (status, r) = s
        .call(
            Method::PUT,
            "/access/identifiers?type=card",
            Some(json!({"list_items": [
                item("1c-3b-4a", window(now - 300, now + 3600)),
                item("00-00-44", window(now + 10, now)),            // ends before it starts
                item("00-00-45", json!({"time": {"is_permanent": true}, "passes": {"is_permanent": false, "max_passes": 0}})),
                item("00-00-46", window(now, now + 60)),
                item("00-00-47", window(now, now + 60)),
                item("00-00-48", window(now, now + 60)),            // over the capacity of 3
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let got: Vec<(bool, &str)> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["success"].as_bool().unwrap(),
                i["extended_info"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (true, "created"),
            (false, "invalid_time_rules_settings"),
            (false, "invalid_time_rules_settings"),
            (true, "created"),
            (true, "created"),
            (false, "number_of_identifiers_exceeded"),
        ]
    );
    // The same again: updated, not doubled.
    let (_, again) = s
        .call(
            Method::PUT,
            "/access/identifiers?type=card&number=1c-3b-4a",
            Some(item("1c-3b-4a", window(now, now + 7200))),
        )
        .await;
    assert_eq!(again["result"][0]["extended_info"], "updated");
    // Whole-request errors: nothing is applied.
    for (body, error) in [
        (
            json!({"list_items": [item("00-00-49", window(now, now + 60)), item("zz", window(now, now + 60))]}),
            "Wrong number format",
        ),
        (
            json!({"list_items": [{"identifier_owner": {"name": "x", "type": "guest"}}]}),
            "Wrong JSON body: no value for `identifier_number`",
        ),
        (
            json!({"list_items": [{"identifier_number": "00-00-50", "identifier_owner": {"name": "x", "type": "guest"}, "lock": 3, "valid": {}}]}),
            "Wrong JSON body: value `lock` was of the wrong type",
        ),
        (json!([]), "Wrong JSON body: no value for `list_items`"),
    ] {
        let (status, e) = s
            .call(Method::PUT, "/access/identifiers?type=card", Some(body))
            .await;
        assert_eq!(
            (status, e["error"].as_str().unwrap()),
            (StatusCode::BAD_REQUEST, error)
        );
    }
    let (_, list) = s
        .call(Method::GET, "/access/identifiers?type=card&limit=50", None)
        .await;
    assert_eq!(list["list_option"]["pagination"]["total_items"], 3);
    assert_eq!(
        s.call(Method::GET, "/access/identifiers?type=card&limit=7", None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.call(Method::GET, "/access/identifiers?type=cards", None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    // Deleting: found ones go, a missing one says not_found; a single GET of it is a 404.
    let (_, del) = s
        .call(Method::DELETE, "/access/identifiers?type=card", Some(json!({"list_items": [{"identifier_number": "00-00-46"}, {"identifier_number": 99}]})))
        .await;
    assert_eq!(del["result"][0]["extended_info"], "deleted");
    assert_eq!(
        (
            del["result"][1]["success"].as_bool(),
            del["result"][1]["extended_info"].as_str()
        ),
        (Some(false), Some("not_found"))
    );
    assert_eq!(
        s.call(
            Method::GET,
            "/access/identifiers?type=card&number=00-00-46",
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn forty_four_is_another_card_once_the_panel_reads_decimal() {
    let sb = with_panels(vec![PanelConfig::numbered(1)], None).await;
    let p = &listed(&sb).await[0];
    assert_eq!(p.representation, "hex");
    let s = login(p).await;
    let forever = json!({"time": {"is_permanent": true}, "passes": {"is_permanent": true}});
    s.call(
        Method::PUT,
        "/access/identifiers?type=card&number=44",
        Some(item("44", forever)),
    )
    .await;
    let (_, one) = s
        .call(
            Method::GET,
            "/access/identifiers?type=card&number=00-00-44",
            None,
        )
        .await;
    assert_eq!(
        one["identifier_number"], "00-00-44",
        "44 on a hex panel is card 0x44"
    );
    let (_, set) = s
        .call(
            Method::POST,
            "/access/general/wiegand/type",
            Some(json!({"identifier_representation": "dec", "type": "wiegand_58"})),
        )
        .await;
    assert_eq!(set["identifier_representation"], "dec");
    assert_eq!(
        s.call(Method::GET, "/access/identifiers?type=card&number=44", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, same) = s
        .call(Method::GET, "/access/identifiers?type=card&number=68", None)
        .await;
    assert_eq!(same["identifier_number"], "68");
    assert_eq!(
        s.call(
            Method::GET,
            "/access/identifiers?type=card&number=00-00-44",
            None
        )
        .await
        .0,
        StatusCode::BAD_REQUEST,
        "hex bytes on a decimal panel are a bad number"
    );
}

#[tokio::test]
async fn a_swipe_is_granted_only_in_the_window_and_logged() {
    let sb = with_panels(vec![PanelConfig::numbered(2)], None).await;
    let p = &listed(&sb).await[0];
    let s = login(p).await;
    let now = chrono::Utc::now().timestamp();
    s.call(
        Method::PUT,
        "/access/identifiers?type=card",
        Some(json!({"list_items": [item("1850186", window(now - 60, now + 600))]})),
    )
    .await;
    let swipe = |number: &'static str| {
        let url = format!("{}/__sandbox/swipe", p.url);
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&json!({"type": "card", "number": number, "door": "Tower 2 east door"}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        swipe("1850186").await["event"],
        "access_granted_by_valid_identifier"
    );
    assert_eq!(
        swipe("1850187").await["event"],
        "access_denied_by_unknown_card"
    );
    // Past the window (the panel's clock moved on): refused.
    reqwest::Client::new()
        .post(format!("{}/__sandbox/clock", p.url))
        .json(&json!({"advanceSeconds": 700}))
        .send()
        .await
        .unwrap();
    let late = swipe("1850186").await;
    assert_eq!(
        (late["granted"].as_bool(), late["event"].as_str()),
        (Some(false), Some("access_denied_by_not_valid_identifier"))
    );
    let (_, log) = s
        .call(
            Method::GET,
            &format!("/log/items?from={}&limit=50", now - 5),
            None,
        )
        .await;
    let granted = log["list_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "access_granted_by_valid_identifier")
        .expect("the grant is logged");
    assert_eq!(granted["info"]["door"], "Tower 2 east door");
    assert_eq!(granted["info"]["identifier_owner"], "GH WP-000001 Ali");
}

#[tokio::test]
async fn a_planted_identifier_is_listed_and_a_control_body_that_does_not_read_is_said() {
    let sb = with_panels(vec![PanelConfig::numbered(1)], None).await;
    let p = &listed(&sb).await[0];
    let post = |path: &'static str, body: Value| {
        let url = format!("{}/__sandbox/{path}", p.url);
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, planted) = post(
        "plant",
        json!({"type": "card", "number": "1c-3b-4a", "owner": "GH WP-000009 Planted"}),
    )
    .await;
    assert_eq!(
        (status, planted["success"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let s = login(p).await;
    let (_, listing) = s
        .call(Method::GET, "/access/identifiers?type=card&limit=50", None)
        .await;
    let owners: Vec<&str> = listing["list_items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["identifier_owner"]["name"].as_str())
        .collect();
    assert_eq!(owners, ["GH WP-000009 Planted"], "{listing}");
    // A swipe of the planted card (hex panel, read in its mode) opens: it has no window.
    let (_, swiped) = post("swipe", json!({"number": "1c-3b-4a"})).await;
    assert_eq!(swiped["granted"], true, "{swiped}");
    for (path, body, says) in [
        (
            "plant",
            json!({"number": "44"}),
            "a plant is {\"type\", \"number\", \"owner\", \"lock\"}",
        ),
        (
            "swipe",
            json!({"number": "44", "doorway": "x"}),
            "a swipe is {\"type\", \"number\", \"door\"}",
        ),
        (
            "swipe",
            json!({"number": "not a number"}),
            "Wrong number format",
        ),
    ] {
        let (status, answer) = post(path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.starts_with(says), "{path}: {error}");
    }
}

#[tokio::test]
async fn a_panel_takes_faults_and_keeps_its_identifiers_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let sb = with_panels(vec![PanelConfig::numbered(2)], Some(dir.path())).await;
    let p = listed(&sb).await.remove(0);
    let s = login(&p).await;
    let forever = json!({"time": {"is_permanent": true}, "passes": {"is_permanent": true}});
    s.call(
        Method::PUT,
        "/access/identifiers?type=inputCode&number=4821",
        Some(item("4821", forever)),
    )
    .await;
    reqwest::Client::new()
        .post(format!("{}/__sandbox/faults", p.url))
        .json(&json!({"kind": "status", "path": "/api/v1/access", "status": 503}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        s.call(Method::GET, "/access/identifiers?type=inputCode", None)
            .await
            .0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    sb.stop().await;
    let sb = with_panels(vec![PanelConfig::numbered(2)], Some(dir.path())).await;
    let p = listed(&sb).await.remove(0);
    let s = login(&p).await;
    let (status, pin) = s
        .call(
            Method::GET,
            "/access/identifiers?type=inputCode&number=4821",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pin}");
    assert_eq!(pin["identifier_owner"]["name"], "GH WP-000001 Ali");
}
