//! `gatehouse alerts due`: what would be told, from a profile synced from the sandbox over HTTP,
//! at times the test picks around a permit's end.

mod support;

use gatehouse_testkit::Sandbox;
use gatehouse_testkit::buzzin::Timestamp;
use serde_json::Value;
use support::Desk;

fn hours(t: Timestamp, h: i64) -> String {
    Timestamp(t.0 + chrono::Duration::hours(h)).to_wire()
}

/// The alert that names `permit`, if one is due.
fn alert_for<'a>(due: &'a Value, permit: &str) -> Option<&'a Value> {
    due.as_array().expect("a list of alerts").iter().find(|a| {
        a["permitIds"]
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
