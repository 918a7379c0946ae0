//! The Gate panels view in the real window, against the sandbox's simulated BAS-IP panels over
//! HTTP: each panel as it answers (hex beside decimal), what one holds, and the sweep finding an
//! identifier planted behind the app's back, removed in one click and gone from the panel.

use gatehouse_testkit::{PanelConfig, Sandbox};

use crate::support::Desktop;

#[tokio::test(flavor = "multi_thread")]
async fn the_gate_panels_view_shows_each_panel_and_the_sweep_removes_a_planted_orphan() {
    let sb = Sandbox::builder()
        .config(|c| c.panels = vec![PanelConfig::numbered(1), PanelConfig::numbered(2)])
        .start()
        .await;
    let listed = sb.control().panels().await;
    let panel = |i: usize| {
        gatehouse_testkit::Control::new(
            listed[i]["url"].as_str().unwrap().to_owned(),
            String::new(),
        )
    };
    // Behind the app's back, on the decimal panel: one under Gatehouse's tag, one of the
    // building's own system.
    assert_eq!(
        panel(1).plant("card", "7340031", "GH WP-0000 Ghost").await["success"],
        true
    );
    panel(1).plant("inputCode", "9911", "Concierge").await;

    let env = (0..2)
        .map(|i| {
            (
                format!("GATEHOUSE_PANEL_PASSWORD_GATE_{}", i + 1),
                listed[i]["password"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let desk = Desktop::launch_at_env(sb.base_url(), sb.api_key().to_owned(), None, env).await;
    // The profile's panels, as `gatehouse panels add` files them (read at each use).
    let records: Vec<serde_json::Value> = (0..2)
        .map(|i| {
            serde_json::json!({
                "name": format!("gate-{}", i + 1),
                "url": listed[i]["url"],
                "username": listed[i]["username"],
                "towers": ["tower-2"],
                "lock": "first",
            })
        })
        .collect();
    std::fs::write(
        desk.data_dir.join("profiles/marina-gate/panels.json"),
        serde_json::to_vec(&serde_json::json!({ "panels": records })).unwrap(),
    )
    .unwrap();

    desk.testid("view-contractors").await;
    desk.click("nav-panels").await;
    let reps = desk
        .texts_until("panel-representation", |t| t.len() == 2)
        .await;
    assert_eq!(reps, ["hex", "decimal"]);
    assert!(
        desk.texts("panel-drift")
            .await
            .iter()
            .all(|d| d == "in step" || d.ends_with("ahead") || d.ends_with("behind")),
    );

    // What the decimal panel holds: both, the building's PIN not Gatehouse's and masked.
    desk.js(
        "document.querySelector('[data-testid=panel-row][data-name=gate-2] [data-testid=panel-show]').click();",
        vec![],
    )
    .await;
    let held = desk.texts_until("panel-identifier", |t| t.len() == 2).await;
    assert!(
        held.iter()
            .any(|r| r.contains("7340031") && r.contains("6f-ff-ff")),
        "{held:?}"
    );
    assert!(
        held.iter().any(|r| r.contains("Concierge")
            && r.contains("(not Gatehouse’s)")
            && !r.contains("9911")),
        "{held:?}"
    );

    // The sweep names the planted one only; one click takes it off, read back gone.
    desk.click("panels-sweep").await;
    desk.text_until("panels-said", |t| t == "1 orphan found.")
        .await;
    let orphans = desk.texts("panel-orphan").await;
    assert_eq!(orphans.len(), 1, "{orphans:?}");
    assert!(
        orphans[0].contains("7340031 (6f-ff-ff)") && orphans[0].contains("GH WP-0000 Ghost"),
        "{orphans:?}"
    );
    desk.screenshot("gate-panels").await;
    desk.click("panel-remove-orphans").await;
    desk.text_until("panels-said", |t| {
        t == "gate-2: 1 orphan removed, read back gone."
    })
    .await;
    desk.eventually_gone("panel-orphan").await;
    assert_eq!(panel(1).swipe("card", "7340031").await["granted"], false);
    assert_eq!(panel(1).swipe("inputCode", "9911").await["granted"], true);
    desk.close().await;
}
