//! `gatehouse sandbox` as a user runs it: it prints its URL and key, then serves; bad arguments
//! are refused in one sentence.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use gatehouse_testkit::{Control, ListQuery, client_at, within_blocking};

/// Runs `gatehouse` expecting it to exit by itself; a sandbox that starts serving instead is
/// stopped after 10 s and fails the test rather than hanging it.
fn run_briefly(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let exited = within_blocking(Duration::from_secs(10), || {
        match child.try_wait().unwrap() {
            Some(_) => Ok(()),
            None => Err("still running".into()),
        }
    });
    if exited.is_err() {
        let _ = child.kill();
        panic!(
            "`gatehouse {}` kept running instead of refusing",
            args.join(" ")
        );
    }
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn prints_its_url_and_key_and_serves_the_demo_community() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["sandbox", "--port", "0", "--api-key", "k-123"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let url = first
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    assert_eq!(second, "API key: k-123");

    let info = Control::new(url, "k-123".into()).info().await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(info["permits"], 400, "{info}");
}

#[test]
fn a_bad_seed_is_a_usage_error_in_one_sentence() {
    let out = run_briefly(&["sandbox", "--seed", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--seed takes `demo`, `empty` or a number of permits"),
        "{err}"
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run_briefly(&["sandbox", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("could not listen on 127.0.0.1:") && err.contains(&port),
        "{err}"
    );
}

#[test]
fn an_https_webhook_url_is_refused_in_one_sentence() {
    let out = run_briefly(&[
        "sandbox",
        "--port",
        "0",
        "--webhook-url",
        "https://hooks.example.com/x",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plain http:// URL"), "{err}");
}

/// Starts `gatehouse sandbox` and returns it with its base URL once it serves.
fn serve(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    // Keep reading (and discarding) the rest, so the sandbox never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let url = first.rsplit(' ').next().unwrap().to_owned();
    (child, url)
}

#[tokio::test]
async fn a_first_start_killed_while_saving_leaves_all_or_nothing() {
    // Kill -9 at several moments of the first save; a restart must find either the whole
    // community (and resume it) or a new folder (and seed it), never part of one.
    let mut outcomes = Vec::new();
    for delay_ms in [100, 500, 800, 950, 1100, 1250, 1400, 2500] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["sandbox", "--port", "0", "--seed", "20000", "--data", data])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();

        let (mut child, url) =
            serve(&["sandbox", "--port", "0", "--seed", "empty", "--data", data]);
        let total = client_at(&url, "sandbox-key")
            .permits(&ListQuery::new().limit(0))
            .await
            .unwrap()
            .total;
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            total == 0 || total == 20000,
            "after a kill at {delay_ms} ms the folder holds {total} permits: a partial save"
        );
        outcomes.push((delay_ms, total));
    }
    eprintln!("kill time (ms) → permits found after restart: {outcomes:?}");
}

#[test]
fn serving_beyond_loopback_needs_a_key_of_its_own_and_warns() {
    let out = run_briefly(&["sandbox", "--bind", "0.0.0.0", "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--api-key") && err.contains("sandbox-key"),
        "{err}"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "sandbox",
            "--bind",
            "0.0.0.0",
            "--port",
            "0",
            "--api-key",
            "k-7a2f",
        ])
        .env_remove("GATEHOUSE_SANDBOX_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("http://0.0.0.0:"), "{first}");
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning")
            && err.contains("beyond this computer")
            && err.contains("--no-control"),
        "{err}"
    );
}

#[tokio::test]
async fn panels_start_beside_it_each_listed_with_its_address_and_credentials() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["sandbox", "--port", "0", "--seed", "empty", "--panels", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.starts_with("Ready in"))
        .collect();
    let url = lines[0].rsplit(' ').next().unwrap().to_owned();
    let shown: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("BAS-IP panel "))
        .collect();
    assert_eq!(shown.len(), 2, "{lines:?}");
    let listed = Control::new(url, "sandbox-key".into()).panels().await;
    let _ = child.kill();
    let _ = child.wait();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for (p, line) in listed.iter().zip(shown) {
        for field in ["name", "url", "password", "representation", "apiVersion"] {
            assert!(
                line.contains(p[field].as_str().unwrap()),
                "{line} lacks {field} of {p}"
            );
        }
    }
    assert_eq!(listed[0]["representation"], "hex");
    assert_eq!(listed[1]["representation"], "dec");
    let bad = run_briefly(&["sandbox", "--panels", "99"]);
    assert!(!bad.status.success());
}
