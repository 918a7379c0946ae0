//! `gatehouse alerts notify`: the due alerts sent as real desktop notifications to a real
//! notification daemon (dunst on a private display and session bus), read back from the bus
//! with dbus-monitor; told once through the ledger; clicked as a user would, opening the app on
//! the alert's permits.

use crate::support;

use std::process::Stdio;
use std::time::Duration;

use gatehouse_testkit::Sandbox;
use gatehouse_testkit::buzzin::Timestamp;
use gatehouse_testkit::desktop::{Bus, Display, Notifications, Notify};
use serde_json::Value;
use support::{Desk, text};

const BUS_WAIT: Duration = Duration::from_secs(20);

fn alerts(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a list of alerts")
}

fn permit_ids(alert: &Value) -> Vec<String> {
    alert["permitIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

/// The notification the bus carried for `alert`, checked field by field.
fn sent_as<'a>(sent: &'a [Notify], alert: &Value) -> &'a Notify {
    let n = sent
        .iter()
        .find(|n| n.summary == alert["title"])
        .unwrap_or_else(|| panic!("no notification for {alert}: {sent:?}"));
    assert_eq!(n.body, alert["body"], "{n:?}");
    assert_eq!(n.app_name, "Gatehouse");
    assert_eq!(n.desktop_entry.as_deref(), Some("gatehouse-desktop"));
    assert!(
        n.actions.contains(&("default".into(), "Open".into())),
        "a click on the body is reported only with a default action: {n:?}"
    );
    let critical = alert["urgency"] == "critical";
    assert_eq!(n.urgency, Some(if critical { 2 } else { 1 }), "{n:?}");
    if critical {
        assert_eq!(n.timeout, 0, "a critical alert stays until dismissed");
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_once_sends_each_due_alert_once_as_a_real_notification() {
    let sb = Sandbox::demo().await;
    let permit = sb.permits_in("ACCEPTED", 1).await.remove(0);
    let end = permit.valid_till.unwrap();
    // An hour before its end: its 2 h alert (critical), and whatever else the demo has due.
    let at = Timestamp(end.0 - chrono::Duration::hours(1)).to_wire();
    let desk = Desk::synced(&sb);
    let due = desk.json(&["alerts", "due", "--at", &at, "--json"]);
    assert!(!alerts(&due).is_empty());

    let display = Display::start();
    let bus = Bus::start();
    let daemon = Notifications::start(&display, &bus);
    let notify = |args: &[&str]| {
        let out = desk.command(args).envs(daemon.env()).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let told: Value = serde_json::from_slice(&out.stdout).unwrap();
        told
    };

    let told = notify(&["alerts", "notify", "--once", "--at", &at, "--json"]);
    let told = alerts(&told);
    assert_eq!(told.len(), alerts(&due).len(), "what `due` showed is told");
    for (t, d) in told.iter().zip(alerts(&due)) {
        assert_eq!((&t["title"], &t["body"]), (&d["title"], &d["body"]));
        assert_eq!(permit_ids(t), permit_ids(d));
        assert!(t["id"].as_i64().is_some() && t["read"] == false, "{t}");
    }
    let sent = daemon.wait_for(told.len(), BUS_WAIT).await;
    assert_eq!(sent.len(), told.len(), "one notification each: {sent:?}");
    for alert in told {
        sent_as(&sent, alert);
    }
    let mine = told
        .iter()
        .find(|a| a["kind"] != "licence" && permit_ids(a).contains(&permit.id))
        .expect("the permit's alert is told");
    assert_eq!(mine["urgency"], "critical");

    // Again at the same moment, and later within the same threshold: nothing is sent twice.
    let again = notify(&["alerts", "notify", "--once", "--at", &at, "--json"]);
    assert_eq!(alerts(&again).len(), 0, "{again}");
    let later = Timestamp(end.0 - chrono::Duration::minutes(30)).to_wire();
    let later = notify(&["alerts", "notify", "--once", "--at", &later, "--json"]);
    assert!(
        !alerts(&later)
            .iter()
            .any(|a| a["kind"] != "licence" && permit_ids(a).contains(&permit.id)),
        "{later}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        daemon.sent().len(),
        told.len() + alerts(&later).len(),
        "{:?}",
        daemon.sent()
    );

    // The list keeps them, unread.
    let text = desk.ok(&["alerts", "due", "--at", &at]);
    assert!(text.contains("No alert is due."), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_notification_service_the_alert_is_kept_and_said_once() {
    let sb = Sandbox::demo().await;
    let permit = sb.permits_in("ACCEPTED", 1).await.remove(0);
    let at = Timestamp(permit.valid_till.unwrap().0 - chrono::Duration::hours(1)).to_wire();
    let desk = Desk::synced(&sb);
    let out = desk
        .command(&["alerts", "notify", "--once", "--at", &at])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("within 2 h"), "{stdout}");
    assert_eq!(
        stderr.matches("did not take the notification").count(),
        1,
        "one sentence, not one a notification: {stderr}"
    );
    assert!(
        stderr.contains("the alert is in the alerts list"),
        "{stderr}"
    );
    // Told (and kept) all the same: not told again.
    let again = desk.ok(&["alerts", "notify", "--once", "--at", &at]);
    assert!(again.contains("No alert is due."), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runner_keeps_going_and_a_click_opens_the_app_on_the_alerts_permits() {
    let sb = Sandbox::demo().await;
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    let display = Display::start();
    let bus = Bus::start();
    let daemon = Notifications::start(&display, &bus);
    // The "app": a script that writes down how it was started.
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let app = dir.path().join("gatehouse-desktop");
    std::fs::write(
        &app,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\n", opened.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut runner = desk
        .command(&["alerts", "notify", "--json"])
        .envs(daemon.env())
        .env("GATEHOUSE_DESKTOP", &app)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = runner.stdout.take().unwrap();
    // It syncs first (the desk has never synced), then tells what is due now: the demo's
    // permits end around now. Each alert it told is a JSON line.
    let (line_tx, line_rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = line_tx.send(serde_json::from_str(&line).unwrap());
        }
    });
    daemon.wait_for(1, BUS_WAIT).await;
    gatehouse_testkit::eventually_true("dunst shows it", BUS_WAIT, || async {
        daemon.displayed() > 0
    })
    .await;
    daemon.click_topmost();
    let line = gatehouse_testkit::eventually("the app is started", BUS_WAIT, || async {
        std::fs::read_to_string(&opened).map_err(|e| e.to_string())
    })
    .await;
    assert!(
        daemon.invoked().iter().any(|(_, a)| a == "default"),
        "the click went over the bus: {:?}",
        daemon.invoked()
    );
    let ids: Vec<String> = line
        .trim()
        .strip_prefix("--open-permits=")
        .unwrap_or_else(|| panic!("{line}"))
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut told = Vec::new();
    gatehouse_testkit::eventually_true(
        "the clicked alert's permits are exactly one told alert's",
        BUS_WAIT,
        || {
            told.extend(line_rx.try_iter());
            let hit = told.iter().any(|a| permit_ids(a) == ids);
            async move { hit }
        },
    )
    .await;
    // Still running after the click; stopped here.
    assert!(
        runner.try_wait().unwrap().is_none(),
        "the runner keeps going"
    );
    runner.kill().unwrap();
    runner.wait().unwrap();
}
