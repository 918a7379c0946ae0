//! The Gate panels view in the real window, against the sandbox's simulated BAS-IP panels over
//! HTTP: each panel as it answers (hex beside decimal), what one holds, and the sweep finding an
//! identifier planted behind the app's back, removed in one click and gone from the panel.

use gatehouse_testkit::Sandbox;

use crate::support::Desktop;

#[tokio::test(flavor = "multi_thread")]
async fn the_gate_panels_view_shows_each_panel_and_the_sweep_removes_a_planted_orphan() {
    let sb = Sandbox::builder().panels(2).start().await;
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
            .any(|r| r.contains("7340031") && r.contains("6f-ff-ff") && r.ends_with("orphan")),
        "{held:?}"
    );
    assert!(
        held.iter().any(|r| r.contains("Concierge")
            && r.ends_with("not Gatehouse’s")
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

/// Sets the value of the `index`-th element with this `data-testid`, as typing would.
async fn type_into_nth(desk: &Desktop, id: &str, index: usize, text: &str) {
    desk.testid(id).await;
    desk.js(
        "const el = document.querySelectorAll(`[data-testid=\"${arguments[0]}\"]`)[arguments[1]];
         el.focus();
         el.value = arguments[2];
         el.dispatchEvent(new InputEvent('input', { bubbles: true }));",
        vec![id.into(), index.into(), text.into()],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panel_added_in_the_window_and_a_crew_given_doors_opens_them_until_taken_off() {
    let sb = Sandbox::builder().panels(2).start().await;
    let permit = sb
        .control()
        .permit_open_all_day_of_an_approved(&sb.client())
        .await;
    let (pass, tower) = (
        permit.pass_number.clone().unwrap(),
        permit.property_id.clone().unwrap(),
    );
    let listed = sb.control().panels().await;
    let panel = |i: usize| {
        gatehouse_testkit::Control::new(
            listed[i]["url"].as_str().unwrap().to_owned(),
            String::new(),
        )
    };
    // A real keychain and no passwords in the environment: what the form files is what the
    // drains use later.
    let desk = Desktop::launch_at_with_keychain(sb.base_url(), sb.api_key().to_owned()).await;
    desk.testid("view-contractors").await;
    desk.click("nav-panels").await;
    desk.testid("empty-panels").await;
    for i in 0..2 {
        desk.click("panels-add").await;
        desk.type_into("panel-add-name", &format!("gate-{}", i + 1))
            .await;
        desk.type_into("panel-add-url", listed[i]["url"].as_str().unwrap())
            .await;
        desk.type_into("panel-add-towers", &tower).await;
        if i == 0 {
            // A wrong password: said plainly, the form keeps what was typed.
            desk.type_into("panel-add-password", "not-the-password")
                .await;
            desk.click("panel-add-ok").await;
            let said = desk.text_until("panel-add-error", |t| !t.is_empty()).await;
            assert!(said.contains("refused the user name or password"), "{said}");
            assert_eq!(
                desk.js(
                    "return document.querySelector('[data-testid=panel-add-name]').value;",
                    vec![]
                )
                .await,
                "gate-1"
            );
        }
        desk.type_into(
            "panel-add-password",
            listed[i]["password"].as_str().unwrap(),
        )
        .await;
        desk.click("panel-add-ok").await;
        desk.eventually_gone("panel-add-dialog").await;
        desk.texts_until("panel-row", |t| t.len() == i + 1).await;
    }
    assert_eq!(
        desk.texts_until("panel-representation", |t| t.len() == 2)
            .await,
        ["hex", "decimal"]
    );

    // The permit's Doors: no door yet; the crew given a PIN the app makes and a card written
    // in hex bytes.
    desk.click("nav-permits").await;
    desk.type_into("permit-search", &pass).await;
    desk.texts_until("permit-row", |t| t.len() == 1).await;
    desk.click_row("permit-row", &permit.id).await;
    desk.text_until("permit-panel-pass", |t| t == pass).await;
    let none = desk.text("permit-doors-none").await;
    assert!(none.contains("gate-1, gate-2"), "{none}");
    desk.click("permit-doors-give").await;
    desk.testid("doors-dialog").await;
    while desk.texts("doors-row").await.len() > 1 {
        desk.click("doors-row-remove").await;
    }
    desk.select("doors-kind", "pin").await;
    type_into_nth(&desk, "doors-number", 0, "").await;
    type_into_nth(&desk, "doors-holder", 0, "Ravi Kumar").await;
    desk.click("doors-add-row").await;
    desk.texts_until("doors-row", |t| t.len() == 2).await;
    type_into_nth(&desk, "doors-number", 1, "1c-3b-4a").await;
    type_into_nth(&desk, "doors-holder", 1, "Ali Hassan").await;
    desk.click("doors-give").await;
    let given = desk.texts_until("doors-given-line", |t| t.len() == 2).await;
    let numbers = desk.texts("doors-given-number").await;
    let pin = numbers
        .iter()
        .find(|n| n.len() == 6 && n.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no made PIN in {given:?}"))
        .clone();
    assert!(numbers.contains(&"1850186".to_owned()), "{given:?}");
    assert!(given.iter().all(|l| l.contains("on 2 panels")), "{given:?}");
    // At the doors: each panel opens for both, the card read in its own mode.
    assert_eq!(panel(0).swipe("card", "1c-3b-4a").await["granted"], true);
    assert_eq!(panel(1).swipe("card", "1850186").await["granted"], true);
    assert_eq!(panel(1).swipe("inputCode", &pin).await["granted"], true);
    desk.screenshot("doors-given").await;
    desk.click("doors-done").await;
    desk.eventually_gone("doors-dialog").await;
    // On the Gate panels view, what the hex panel holds is in step with the permit's rows.
    desk.click("nav-panels").await;
    desk.texts_until("panel-row", |t| t.len() == 2).await;
    desk.js(
        "document.querySelector('[data-testid=panel-row][data-name=gate-1] [data-testid=panel-show]').click();",
        vec![],
    )
    .await;
    assert_eq!(
        desk.texts_until("panel-identifier-state", |t| t.len() == 2)
            .await,
        ["in step", "in step"]
    );
    desk.click("nav-permits").await;
    desk.click_row("permit-row", &permit.id).await;

    // The Doors section: both panels, each identifier with its holder, the PIN masked.
    let doors = desk
        .texts_until("permit-door", |t| {
            t.len() == 2 && t.iter().all(|d| d.contains("2 on the panel"))
        })
        .await;
    assert!(doors[0].starts_with("gate-1"), "{doors:?}");
    let shown = desk.texts("permit-door-number").await;
    assert!(shown.contains(&"1850186".to_owned()), "{shown:?}");
    assert!(
        shown.contains(&format!("•••• {}", &pin[4..])) && !shown.contains(&pin),
        "{shown:?}"
    );
    desk.screenshot("permit-doors").await;
    desk.click("permit-door-reveal").await;
    desk.texts_until("permit-door-number", |t| t.contains(&pin))
        .await;

    // Taken off: every panel, read back gone; the doors refuse them.
    desk.click("permit-doors-remove").await;
    desk.text_until("notice", |t| t.contains("off every panel"))
        .await;
    desk.texts_until("permit-door", |t| {
        t.len() == 2 && t.iter().all(|d| d.contains("2 taken off"))
    })
    .await;
    assert_eq!(panel(0).swipe("card", "1c-3b-4a").await["granted"], false);
    assert_eq!(panel(1).swipe("inputCode", &pin).await["granted"], false);

    // A panel removed from the profile (what it holds stays on it).
    desk.click("nav-panels").await;
    desk.texts_until("panel-row", |t| t.len() == 2).await;
    desk.js(
        "document.querySelector('[data-testid=panel-row][data-name=gate-2] [data-testid=panel-remove]').click();",
        vec![],
    )
    .await;
    desk.click("panel-remove-ok").await;
    desk.texts_until("panel-row", |t| t.len() == 1).await;
    desk.text_until("panels-said", |t| t.starts_with("gate-2 removed"))
        .await;
    desk.close().await;
}
