//! `gatehouse alerts due`: what would be told, from a profile synced from the sandbox over HTTP,
//! at times the test picks around a permit's end.

use crate::support;

use gatehouse_testkit::Sandbox;
use gatehouse_testkit::buzzin::Timestamp;
use serde_json::Value;
use support::Desk;

fn hours(t: Timestamp, h: i64) -> String {
    Timestamp(t.0 + chrono::Duration::hours(h)).to_wire()
}

/// The alert that names `permit`, if one is due (a licence's alert opens its contractor's
/// permits too: not that one).
fn alert_for<'a>(due: &'a Value, permit: &str) -> Option<&'a Value> {
    due.as_array().expect("a list of alerts").iter().find(|a| {
        a["kind"] != "licence"
            && a["permitIds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == permit)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_due_names_each_permit_at_its_threshold_and_tells_nothing() {
    let sb = Sandbox::demo().await;
    let permit = sb.permits_in("ACCEPTED", 1).await.remove(0);
    let end = permit.valid_till.unwrap();
    let desk = Desk::synced(&sb);
    let due = |h: i64| desk.json(&["alerts", "due", "--at", &hours(end, h), "--json"]);

    let early = due(-73);
    assert!(alert_for(&early, &permit.id).is_none(), "{early}");
    for (h, threshold, urgency) in [
        (-71, "72h", "normal"),
        (-23, "24h", "normal"),
        (-1, "2h", "critical"),
    ] {
        let now = due(h);
        let a = alert_for(&now, &permit.id).unwrap_or_else(|| panic!("{h} h: {now}"));
        assert_eq!(a["threshold"], threshold, "{a}");
        assert_eq!(a["urgency"], urgency, "{a}");
        assert_eq!(a["kind"], "expiring");
        let pass = permit.pass_number.as_deref().unwrap();
        assert!(
            a["passNumbers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == pass),
            "{a}"
        );
        assert!(
            a["title"]
                .as_str()
                .unwrap()
                .contains(&threshold.replace('h', " h")),
            "{a}"
        );
    }
    // Shown again: `due` tells and records nothing.
    assert!(alert_for(&due(-71), &permit.id).is_some());
    let ended = due(1);
    assert_eq!(alert_for(&ended, &permit.id).unwrap()["kind"], "expired");

    let text = desk.ok(&["alerts", "due", "--at", &hours(end, -1)]);
    assert!(text.contains("! "), "a critical alert is marked: {text}");

    let (exit, _, err) = desk.code(&["alerts", "due", "--at", "tomorrow"]);
    assert_ne!(exit, 0);
    assert!(err.contains("tomorrow is not a time"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_sets_its_own_alert_times() {
    let sb = Sandbox::demo().await;
    let permit = sb.permits_in("ACCEPTED", 1).await.remove(0);
    let end = permit.valid_till.unwrap();
    let desk = Desk::new(&sb.base_url(), sb.api_key());
    let url = sb.base_url();
    let add = |times: &str| {
        desk.code(&[
            "profile", "add", "demo", "--url", &url, "--actor", "Desk 1", "--alerts", times,
        ])
    };
    for (bad, says) in [
        ("45d", "a minute to 30 days"),
        ("2h,2h", "given twice"),
        ("soon", "must start with a whole number"),
    ] {
        let (exit, _, err) = add(bad);
        assert_ne!(exit, 0, "{bad}");
        assert!(err.contains(says), "{bad}: {err}");
    }
    assert_eq!(add("48h,90m").0, 0);
    desk.ok(&["sync"]);
    let due = |h: i64, m: i64| {
        let at = Timestamp(end.0 + chrono::Duration::hours(h) + chrono::Duration::minutes(m));
        desk.json(&["alerts", "due", "--at", &at.to_wire(), "--json"])
    };
    assert!(
        alert_for(&due(-71, 0), &permit.id).is_none(),
        "72 h is not one of this profile's times"
    );
    let two_days = due(-47, 0);
    assert_eq!(
        alert_for(&two_days, &permit.id).unwrap()["threshold"],
        "48h"
    );
    let soon = due(0, -80);
    let a = alert_for(&soon, &permit.id).unwrap();
    assert_eq!(
        (&a["threshold"], &a["urgency"]),
        (&"90m".into(), &"critical".into())
    );
    let ended = due(1, 0);
    assert_eq!(alert_for(&ended, &permit.id).unwrap()["kind"], "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_snooze_quiets_a_permit_until_its_next_threshold() {
    let sb = Sandbox::demo().await;
    let permit = sb.permits_in("ACCEPTED", 1).await.remove(0);
    let end = permit.valid_till.unwrap();
    let pass = permit.pass_number.clone().unwrap();
    let desk = Desk::synced(&sb);
    let due = |h: i64| desk.json(&["alerts", "due", "--at", &hours(end, h), "--json"]);
    assert!(alert_for(&due(-71), &permit.id).is_some());

    let said = desk.json(&[
        "alerts",
        "snooze",
        &pass,
        "--at",
        &hours(end, -71),
        "--json",
    ]);
    let s = &said[0];
    assert_eq!(s["permitId"], permit.id.as_str(), "{said}");
    assert_eq!(s["nextAlert"], "24h");
    assert_eq!(s["nextAlertAt"], hours(end, -24).as_str());
    assert!(
        s["said"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{pass}: quiet until 24 h before its end")),
        "{s}"
    );
    assert!(alert_for(&due(-71), &permit.id).is_none(), "quiet");
    assert!(
        alert_for(&due(-30), &permit.id).is_none(),
        "quiet until 24 h"
    );
    assert_eq!(
        alert_for(&due(-23), &permit.id).unwrap()["threshold"],
        "24h"
    );

    // Bad input: a clear word, and nothing snoozed.
    let (exit, _, err) = desk.code(&["alerts", "snooze", "WP-999999"]);
    assert_ne!(exit, 0);
    assert!(err.contains("No permit WP-999999"), "{err}");
    let (exit, _, err) = desk.code(&["alerts", "snooze", &pass, "--at", "later"]);
    assert_ne!(exit, 0);
    assert!(err.contains("later is not a time"), "{err}");
}
