//! The security desk's day in the real window (WebDriver under Xvfb), against a sandbox over
//! HTTP: a scanner's pass check from any view, printing passes through the real opener, place
//! names from the directory, the Activity view over what was done, and expiry alerts as real
//! notifications (dunst on the window's session bus) that open their permits when clicked.

use crate::support;

use std::time::Duration;

use gatehouse_testkit::buzzin::inf;
use gatehouse_testkit::{eventually, eventually_true};
use support::steps::{
    code_on_server, first_accepted_permit, opened, pdf_viewer_copying_to, row_ids,
};
use support::{Desktop, ServedCommunity};

/// How many permits a notification's title names: "5 permits expire within 24 h" is five,
/// "WP-000164 expires within 2 h" one.
fn permits_named(summary: &str) -> usize {
    summary
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .filter(|_| summary.contains(" permits "))
        .unwrap_or(1)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_is_a_real_notification_and_its_click_opens_exactly_its_permits() {
    let desk = Desktop::launch_with_notifications(false).await;
    let daemon = desk.notifications.as_ref().unwrap();
    // The demo's permits end around now: its first sync brings alerts, told at once.
    let sent = daemon.wait_for(1, Duration::from_secs(60)).await;
    for n in &sent {
        assert_eq!(n.app_name, "Gatehouse");
        assert!(
            n.actions.contains(&("default".into(), "Open".into())),
            "{n:?}"
        );
    }
    let unread: usize = desk
        .text_until("alerts-unread", |t| {
            t.parse::<usize>().is_ok_and(|n| n >= 1)
        })
        .await
        .parse()
        .unwrap();
    assert!(unread >= 1);

    // Elsewhere in the app, then a click on the notification on screen.
    desk.click("nav-contractors").await;
    eventually_true("dunst shows it", Duration::from_secs(20), || async {
        daemon.displayed() > 0
    })
    .await;
    daemon.click_topmost();
    let chip = desk.text_until("filter-alert", |t| !t.is_empty()).await;
    let clicked = daemon
        .sent()
        .into_iter()
        .find(|n| chip.contains(&n.summary))
        .unwrap_or_else(|| panic!("the chip {chip:?} names no notification: {sent:?}"));
    // A licence's alert opens the contractor's accepted permits (its body counts them); a
    // permit's, the permits it names.
    let n = if clicked.summary.contains("trade licence") {
        clicked
            .body
            .split("has ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    } else {
        permits_named(&clicked.summary)
    };
    let total = if n == 1 {
        "1 permit".to_owned()
    } else {
        format!("{n} permits")
    };
    desk.text_until("permit-total", |t| t == total).await;
    // The passes it names are the rows shown.
    let shown = desk.texts("permit-row").await.join("\n");
    let named = clicked
        .summary
        .split(' ')
        .chain(clicked.body.split([' ', ',']))
        .filter(|w| w.starts_with("WP-"));
    for pass in named {
        assert!(shown.contains(pass), "{pass} in {shown}");
    }
    desk.screenshot("alert-opened-permits").await;

    // The alerts list holds it; opening it from there marks it read.
    desk.click("alerts-bell").await;
    desk.testid("alerts-panel").await;
    desk.texts_until("alert-row", |rows| {
        rows.iter().any(|r| r.contains(&clicked.summary))
    })
    .await;
    desk.screenshot("alerts-list").await;
    desk.click("alerts-mark-all").await;
    eventually_true("no unread alert", Duration::from_secs(20), || async {
        desk.texts("alerts-unread").await.is_empty()
    })
    .await;
    // Snooze on an expiring alert says when its permits' next alert is.
    // (The demo's permits end around now: some of its alerts are of permits still to end.)
    desk.click("alert-snooze").await;
    let said = desk.text_until("notice", |t| t.contains("quiet")).await;
    assert!(
        said.contains(": quiet until") || said.contains("are quiet until"),
        "{said}"
    );
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scanner_checks_a_pass_from_any_view_with_the_gate_s_verdict() {
    let community = ServedCommunity::start(false).await;
    // A live code the gate opens whatever the time of day (a permit open all day, made for the
    // test before the window's first sync), and a revoked one.
    let control = gatehouse_testkit::Control::new(community.base_url(), community.key.clone());
    let fresh = control
        .permit_open_all_day_of_an_approved(&community.api)
        .await;
    let (pass, code) = (
        fresh.pass_number.clone().unwrap(),
        fresh.access_code.clone().unwrap(),
    );
    assert!(community.gate(&code).await.0, "the gate opens for it now");
    let desk = Desktop::launch_on(&community).await;
    desk.text_until("status-counts", |t| t.starts_with("401 permits"))
        .await;
    let permits = community.api.all_permits().await.unwrap();
    let revoked = permits
        .iter()
        .find(|p| p.status_name().is_some_and(|s| s.to_string() == "REVOKED"))
        .unwrap();

    // On the contractors view, nothing focused: the scanner types the QR's payload and Enter.
    desk.testid("contractor-row").await;
    desk.js("document.activeElement?.blur();", vec![]).await;
    desk.keys(None, &format!("{}\u{e007}", inf::qr_payload(&code)))
        .await;
    let word = desk.text_until("check-word", |t| !t.is_empty()).await;
    assert_eq!(word, "VALID");
    assert!(desk.text("check-pass").await.starts_with(&pass));
    assert!(desk.text("check-age").await.contains("online"));
    desk.screenshot("pass-check-valid").await;
    let field = desk
        .js(
            "const f = document.querySelector('[data-testid=pass-check]');
             return [document.activeElement === f, f.value];",
            vec![],
        )
        .await;
    assert_eq!(
        field,
        serde_json::json!([true, ""]),
        "ready for the next scan"
    );

    // From the permits view, Ctrl+K then a typed code: refused with the gate's reason.
    desk.click("nav-permits").await;
    desk.js("document.activeElement?.blur();", vec![]).await;
    desk.keys(Some(fantoccini::key::Key::Control), "k").await;
    let code = revoked.access_code.clone().unwrap();
    desk.keys(None, &format!("{code}\u{e007}")).await;
    desk.text_until("check-word", |t| t == "REFUSED").await;
    assert_eq!(desk.text("check-reason").await, "The permit was revoked.");
    assert_eq!(community.gate(&code).await, (false, "revoked".into()));
    desk.screenshot("pass-check-refused").await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn print_pass_opens_the_pdf_in_the_desk_s_viewer_and_the_queue_says_why_others_cannot_print()
{
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    let copy = desk.home().join("viewer-got.pdf");
    pdf_viewer_copying_to(&desk, &copy);

    // One pass, from its panel.
    let id = first_accepted_permit(&desk).await;
    desk.click("print-pass").await;
    eventually_true(
        "the viewer opens the pass",
        Duration::from_secs(20),
        || async { copy.exists() },
    )
    .await;
    let found = gatehouse_testkit::pdf::decode(&copy, 150);
    let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
    assert_eq!(
        payload["accessCode"].as_str(),
        code_on_server(&community, &id).await.as_deref(),
        "the opened pass scans with the live code"
    );
    let notice = desk.text_until("notice", |t| t.contains("printed")).await;
    assert!(notice.contains("opened in your PDF viewer"), "{notice}");

    // The queue: a live permit and a revoked one, on 4x6 at 203 dpi.
    desk.click("panel-close").await;
    desk.select("filter-status", "").await;
    let revoked = community
        .api
        .permits(
            &gatehouse_testkit::ListQuery::new()
                .eq("statusName", "REVOKED")
                .limit(1),
        )
        .await
        .unwrap()
        .data
        .remove(0);
    let live = community.api.permit(&id).await.unwrap();
    for pass in [&live.pass_number, &revoked.pass_number] {
        desk.type_into("permit-search", pass.as_deref().unwrap())
            .await;
        desk.texts_until("permit-row", |t| t.len() == 1).await;
        desk.click("permit-pick").await;
    }
    desk.click("nav-print").await;
    let states = desk.texts_until("print-row-state", |t| t.len() == 2).await;
    assert!(
        states.iter().any(|s| s == "Ready")
            && states
                .iter()
                .any(|s| s.contains("is REVOKED, not ACCEPTED")),
        "{states:?}"
    );
    desk.select("print-layout", "4x6").await;
    desk.select("print-dpi", "203").await;
    assert_eq!(desk.text("print-go").await, "Print 1 pass");
    std::fs::remove_file(&copy).unwrap();
    desk.screenshot("print-queue").await;
    desk.click("print-go").await;
    eventually_true(
        "the viewer opens the batch",
        Duration::from_secs(20),
        || async { copy.exists() },
    )
    .await;
    let sizes = gatehouse_testkit::pdf::page_sizes(&copy);
    assert_eq!(sizes.len(), 1, "the revoked one is left out");
    let (w, h) = sizes[0];
    assert!(
        (w - 288.0).abs() < 1.0 && (h - 432.0).abs() < 1.0,
        "4x6 in: {w} x {h} pt"
    );
    let result = desk.text_until("print-result", |t| !t.is_empty()).await;
    assert!(
        result.contains("printed: opened in your PDF viewer"),
        "{result}"
    );
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn places_imported_in_settings_name_every_unit_in_the_table_and_the_panel() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    // Before: the permits carry DAMAC's ids, and those name them.
    desk.click("nav-permits").await;
    let before = desk.texts_until("permit-place", |t| !t.is_empty()).await;
    assert!(
        before
            .iter()
            .all(|t| t.starts_with("DAMAC-TWR-") && t.contains(" · UNIT-")),
        "{before:?}"
    );

    // The desk's directory, from the sandbox's towers, typed up as a spreadsheet would save it.
    let control = gatehouse_testkit::Control::new(community.base_url(), community.key.clone());
    let props = control.properties().await;
    let mut csv = String::from(
        "tower_id,tower_external_id,tower_name,unit_id,unit_external_id,unit_name\r\n",
    );
    for p in props["data"].as_array().unwrap() {
        for f in p["flats"].as_array().unwrap() {
            let ext = f["externalId"].as_str().unwrap();
            csv.push_str(&format!(
                "{},{},\"{}\",{},{ext},{}\r\n",
                p["id"].as_str().unwrap(),
                p["externalId"].as_str().unwrap(),
                p["name"].as_str().unwrap(),
                f["id"].as_str().unwrap(),
                ext.trim_start_matches("UNIT-"),
            ));
        }
    }
    desk.click("nav-settings").await;
    desk.text_until("places-summary", |t| t.starts_with("Names for 0 towers"))
        .await;
    desk.js(
        "const input = document.querySelector('[data-testid=places-import]');
         const files = new DataTransfer();
         files.items.add(new File([arguments[0]], 'places.csv', { type: 'text/csv' }));
         input.files = files.files;
         input.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![csv.into()],
    )
    .await;
    desk.text_until("places-summary", |t| {
        t.starts_with("Names for 4 towers and 200 units")
    })
    .await;
    desk.screenshot("settings-places").await;

    desk.click("nav-permits").await;
    let after = desk
        .texts_until("permit-place", |t| {
            !t.is_empty() && t.iter().all(|x| !x.starts_with("DAMAC-"))
        })
        .await;
    let towers: Vec<&str> = props["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        after.iter().all(|t| towers
            .iter()
            .any(|name| t.starts_with(&format!("{name} · ")))),
        "{after:?}"
    );
    let id = row_ids(&desk, "permit-row").await.remove(0);
    desk.click_row("permit-row", &id).await;
    let place = desk
        .text_until("permit-panel-place", |t| !t.is_empty())
        .await;
    assert!(towers.iter().any(|name| place.starts_with(name)), "{place}");
    desk.screenshot("permits-places").await;

    // The place filter: typed in part, picked from the directory, and only that unit's permits.
    desk.click("panel-close").await;
    let (tower, unit) = place.split_once(" · ").unwrap();
    desk.type_into("filter-place-input", &format!("{} {unit}", &tower[..4]))
        .await;
    let offered = desk
        .texts_until("filter-place-option", |t| !t.is_empty())
        .await;
    assert!(offered[0].starts_with(&place), "{offered:?}");
    desk.screenshot("place-picker").await;
    desk.click("filter-place-option").await;
    desk.text_until("filter-place", |t| t.starts_with(&place))
        .await;
    let rows = desk
        .texts_until("permit-place", |t| {
            !t.is_empty() && t.iter().all(|x| x == &place)
        })
        .await;
    assert!(!rows.is_empty());
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activity_lists_checks_and_prints_filters_the_printed_passes_and_exports_them() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    let copy = desk.home().join("viewer-got.pdf");
    pdf_viewer_copying_to(&desk, &copy);
    let id = first_accepted_permit(&desk).await;
    let pass = community
        .api
        .permit(&id)
        .await
        .unwrap()
        .pass_number
        .unwrap();
    desk.click("print-pass").await;
    eventually_true("the pass is printed", Duration::from_secs(20), || async {
        copy.exists()
    })
    .await;
    desk.click("panel-close").await;
    // Two checks: the live code's pass number (refused: not a code) and an unknown code.
    for scanned in [pass.as_str(), "NO-SUCH-CODE-1234"] {
        desk.js("document.activeElement?.blur();", vec![]).await;
        desk.keys(Some(fantoccini::key::Key::Control), "k").await;
        desk.keys(None, &format!("{scanned}\u{e007}")).await;
        desk.text_until("check-word", |t| t == "REFUSED").await;
    }
    desk.click("check-close").await;

    desk.click("nav-activity").await;
    let actions = || async {
        desk.js(
            "return Array.from(document.querySelectorAll('[data-testid=activity-row]'))
               .map(r => [r.dataset.action, r.dataset.result]);",
            vec![],
        )
        .await
    };
    desk.texts_until("activity-row", |t| t.len() >= 3).await;
    let all = actions().await;
    assert_eq!(
        all.as_array().unwrap()[..3],
        [
            serde_json::json!(["check", "refused"]),
            serde_json::json!(["check", "refused"]),
            serde_json::json!(["print", "printed"])
        ],
        "newest first: {all}"
    );
    desk.screenshot("activity").await;

    // The printed-passes history: one line, naming the pass.
    desk.click("activity-kind-printed").await;
    let rows = desk.texts_until("activity-row", |t| t.len() == 1).await;
    assert!(
        rows[0].contains(&pass) && rows[0].contains("Print pass"),
        "{rows:?}"
    );
    assert_eq!(desk.text("activity-count").await, "1 line");
    // A search that matches nothing says so.
    desk.type_into("activity-search", "no such desk").await;
    desk.testid("empty-activity").await;
    desk.type_into("activity-search", "").await;
    desk.texts_until("activity-row", |t| t.len() == 1).await;

    // Export: the CLI's CSV of the lines the filter picks, in the profile's exports folder.
    desk.click("activity-export").await;
    let said = desk
        .text_until("activity-exported", |t| !t.is_empty())
        .await;
    assert!(said.starts_with("1 line saved to "), "{said}");
    let path = said
        .trim_start_matches("1 line saved to ")
        .trim_end_matches('.')
        .to_owned();
    assert!(path.contains("/exports/activity-printed-"), "{path}");
    let csv = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the one print: {csv}");
    assert!(
        lines[0].starts_with("seq,at,actor,action,targetId,reason,result,detail,online"),
        "{csv}"
    );
    assert!(
        lines[1].contains(",print,") && lines[1].contains(&pass),
        "{csv}"
    );
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_print_queue_sends_passes_to_a_cups_printer_on_their_media_without_the_viewer() {
    let out_dir = gatehouse_testkit::cups::pdf_printer();
    let since = std::time::SystemTime::now();
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    let copy = desk.home().join("viewer-got.pdf");
    pdf_viewer_copying_to(&desk, &copy);
    let id = first_accepted_permit(&desk).await;
    let live = community.api.permit(&id).await.unwrap();
    desk.click("panel-close").await;
    desk.click_row("permit-pick", &id).await;
    desk.click("nav-print").await;
    desk.texts_until("print-row-state", |t| t == ["Ready"])
        .await;
    desk.select("print-printer", gatehouse_testkit::cups::PRINTER)
        .await;
    desk.click("print-go").await;
    let result = desk.text_until("print-result", |t| !t.is_empty()).await;
    assert!(
        result.contains("sent to the printer as job GatehouseTestPDF-"),
        "{result}"
    );
    let printed =
        gatehouse_testkit::cups::printed(&out_dir, live.pass_number.as_deref().unwrap(), since);
    let pages = gatehouse_testkit::pdf::page_sizes(&printed);
    let (w, h) = pages[0];
    assert!(
        pages.len() == 1 && (w - 175.7).abs() < 1.5 && (h - 283.5).abs() < 1.5,
        "one 62 x 100 mm label, not an A4 page: {pages:?}"
    );
    let found = gatehouse_testkit::pdf::decode(&printed, 150);
    let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
    assert_eq!(payload["accessCode"].as_str(), live.access_code.as_deref());
    assert!(!copy.exists(), "sent to the printer, not opened as well");
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_named_in_settings_reads_so_in_the_permits_table_and_the_export() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    let id = first_accepted_permit(&desk).await;
    let permit = community.api.permit(&id).await.unwrap();
    let (unit, unit_ext) = (
        permit.flat_id.clone().unwrap(),
        permit.flat_external_id.clone().unwrap(),
    );
    let before = desk
        .text_until("permit-panel-place", |t| !t.is_empty())
        .await;
    assert!(before.ends_with(&unit_ext), "{before}");
    desk.click("panel-close").await;

    // Settings lists the places the permits are for; the unit is found by its DAMAC id and named.
    desk.click("nav-settings").await;
    desk.type_into("places-search", &unit_ext).await;
    desk.texts_until("place-row", |t| !t.is_empty()).await;
    desk.js(
        "document.querySelector(`[data-testid=place-name][data-id=\"${arguments[0]}\"]`).focus();",
        vec![unit.clone().into()],
    )
    .await;
    desk.keys(None, "Lobby Kiosk 7\u{e007}").await;
    desk.testid("place-saved").await;
    desk.text_until("places-summary", |t| {
        t.starts_with("Names for 1 tower and 1 unit")
    })
    .await;
    desk.screenshot("settings-place-named").await;

    desk.click("nav-permits").await;
    desk.click_row("permit-row", &id).await;
    let after = desk
        .text_until("permit-panel-place", |t| t.ends_with("Lobby Kiosk 7"))
        .await;
    assert_eq!(
        after,
        before.replace(&unit_ext, "Lobby Kiosk 7"),
        "the tower still reads by its DAMAC id"
    );

    // Exported from the window: the profile's exports folder, the directory's CSV.
    desk.click("panel-close").await;
    desk.click("nav-settings").await;
    desk.click("places-export").await;
    let notice = desk
        .text_until("notice", |t| t.starts_with("Places exported to "))
        .await;
    let path = notice
        .trim_start_matches("Places exported to ")
        .trim_end_matches('.')
        .to_owned();
    assert!(path.contains("/exports/places-"), "{path}");
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(
        csv.starts_with("tower_id,tower_external_id,tower_name,unit_id,unit_external_id,unit_name")
            && csv.contains(&format!("{unit},{unit_ext},Lobby Kiosk 7")),
        "{csv}"
    );
    desk.close().await;
}

/// Presses the window's close button until `done` holds (on a loaded machine a close can be
/// lost while the window is being mapped again; pressing it again is what a person does).
async fn close_until(desk: &Desktop, what: &str, done: impl Fn() -> bool) {
    eventually_true(what, Duration::from_secs(30), || {
        if !done() {
            let _ = desk.display.close_window("Gatehouse");
        }
        let ok = done();
        async move {
            if !ok {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            ok
        }
    })
    .await;
}

/// A second launch into the app's session (a desk shortcut, the headless runner's click) with
/// `args`: it hands over to the running app and exits, and the window comes back.
async fn launch_again(desk: &Desktop, args: &[&str]) {
    let second = std::process::Command::new(support::app_binary())
        .args(args)
        .envs(desk.env.iter().map(|(k, v)| (k, v)))
        .status()
        .unwrap();
    assert!(second.success(), "the second launch hands over and exits");
    eventually_true(
        "shown by the second launch",
        Duration::from_secs(20),
        || async { desk.display.window_shown("Gatehouse").unwrap() },
    )
    .await;
}

/// Whether the app's main process is running.
fn app_running(desk: &Desktop) -> bool {
    desk.processes()
        .iter()
        .any(|(_, comm)| comm.starts_with("gatehouse-desk"))
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_keeps_the_app_in_the_tray_and_an_alert_or_a_second_launch_brings_it_back() {
    // A desktop with a tray host (its name on the bus: nothing draws the icon headless).
    let desk = Desktop::launch_with_notifications(true).await;
    let daemon = desk.notifications.as_ref().unwrap();
    desk.testid("view-contractors").await;
    let shown = || desk.display.window_shown("Gatehouse").unwrap();
    assert!(shown(), "the window is on screen");
    let before = daemon.wait_for(1, Duration::from_secs(60)).await.len();

    // The tray: an item registered with the desktop's tray host, and its menu.
    let host = desk.tray_host.as_ref().unwrap();
    let item = eventually("a tray item", Duration::from_secs(20), || async {
        host.items()
            .pop()
            .ok_or_else(|| "none registered".to_string())
    })
    .await;
    let labels = eventually("the tray menu", Duration::from_secs(20), || async {
        match host.menu_labels(&item).await {
            Some(l) if l.iter().any(|l| l.contains("within 24 h")) => Ok(l),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    for want in ["Open Gatehouse", "Pause alerts for 1 h", "Quit Gatehouse"] {
        assert!(labels.iter().any(|l| l == want), "{want} in {labels:?}");
    }

    // The close button: the window goes, the app stays.
    close_until(&desk, "the window is hidden", || !shown()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(app_running(&desk), "the app keeps running in the tray");

    // A click on an alert brings it back, on the alert's permits.
    eventually_true("dunst shows one", Duration::from_secs(20), || async {
        daemon.displayed() > 0
    })
    .await;
    daemon.click_topmost();
    eventually_true("the window is back", Duration::from_secs(20), || async {
        shown()
    })
    .await;
    desk.text_until("filter-alert", |t| !t.is_empty()).await;

    // Closed again, then a second launch (a desk shortcut, the headless runner's click) hands
    // its permits to the running app, which comes back on them.
    close_until(&desk, "hidden again", || !shown()).await;
    let pass = desk
        .texts("permit-row")
        .await
        .first()
        .and_then(|r| r.split_whitespace().next().map(str::to_owned))
        .expect("a permit row");
    let id = support::steps::row_ids(&desk, "permit-row").await.remove(0);
    launch_again(&desk, &[&format!("--open-permits={id}")]).await;
    desk.text_until("permit-total", |t| t == "1 permit").await;
    assert!(desk.texts("permit-row").await[0].contains(&pass));
    assert!(
        daemon.sent().len() >= before,
        "nothing told twice after the restore"
    );
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_tray_host_closing_minimizes_once_and_says_so_then_quits() {
    let desk = Desktop::launch_with_notifications(false).await;
    let daemon = desk.notifications.as_ref().unwrap();
    desk.testid("view-contractors").await;
    // Up and alerting (its first alerts are on the bus), then the close button.
    daemon.wait_for(1, Duration::from_secs(60)).await;
    let wm = desk.display.wm_requests().unwrap();
    let said = || {
        daemon
            .sent()
            .iter()
            .filter(|n| n.summary == "Gatehouse keeps running")
            .count()
    };
    // X client messages are now and then lost under load: close again only while the app has
    // shown no sign of hearing it (a second close it heard would quit it).
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    while wm.minimizes() == 0 && said() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the close neither minimized the window nor said why"
        );
        desk.display.close_window("Gatehouse").unwrap();
        for _ in 0..16 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if wm.minimizes() > 0 || said() > 0 {
                break;
            }
        }
    }
    eventually_true(
        "it says why it did not quit",
        Duration::from_secs(20),
        || async {
            daemon
                .sent()
                .iter()
                .any(|n| n.summary == "Gatehouse keeps running" && n.body.contains("no tray"))
        },
    )
    .await;
    eventually_true("it minimized", Duration::from_secs(20), || async {
        wm.minimizes() > 0
    })
    .await;
    assert_eq!(wm.minimizes(), 1, "the window asked once to be minimized");
    assert!(app_running(&desk));
    // Closed again: it quits.
    close_until(&desk, "the app has quit", || !app_running(&desk)).await;
    assert_eq!(said(), 1, "said once");
}

/// The value of the field with this `data-testid`.
async fn field_value(desk: &Desktop, id: &str) -> String {
    desk.js(
        "return document.querySelector(`[data-testid=\"${arguments[0]}\"]`).value",
        vec![id.into()],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// The login entries (XDG autostart) in the app's HOME, with their text.
fn autostart_entries(desk: &Desktop) -> Vec<String> {
    let dir = desk.home().join(".config/autostart");
    std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_set_the_alert_times_the_login_start_and_whether_closing_quits() {
    let served = ServedCommunity::start(false).await;
    let desk = Desktop::launch_on(&served).await;
    desk.click("nav-settings").await;
    desk.testid("alert-settings").await;
    let profile = || {
        let text = std::fs::read_to_string(desk.data_dir.join("profiles.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["profiles"]["marina-gate"]["alertMinutes"].clone()
    };

    // The profile's alert times: the defaults, then its own, saved in the profile.
    eventually_true("the defaults shown", Duration::from_secs(10), || async {
        field_value(&desk, "alert-times").await == "72h, 24h, 2h"
    })
    .await;
    desk.type_into("alert-times", "90m, 48h").await;
    desk.click("alert-times-save").await;
    eventually_true("saved in the profile", Duration::from_secs(10), || async {
        profile() == serde_json::json!([90, 2880])
    })
    .await;
    eventually_true("shown longest first", Duration::from_secs(10), || async {
        field_value(&desk, "alert-times").await == "48h, 90m"
    })
    .await;
    // Times that do not read: said, and nothing changes.
    desk.type_into("alert-times", "24h, soon").await;
    desk.click("alert-times-save").await;
    let said = desk
        .text_until("alert-settings-error", |t| !t.is_empty())
        .await;
    assert!(
        said.contains("\"soon\" must start with a whole number"),
        "{said}"
    );
    assert_eq!(profile(), serde_json::json!([90, 2880]));
    desk.type_into("alert-times", "48h, 90m").await;

    // Start at login: an XDG autostart entry that starts it in the tray, gone when unticked.
    assert!(autostart_entries(&desk).is_empty());
    desk.click("prefs-start-at-login").await;
    eventually_true("registered at login", Duration::from_secs(10), || async {
        autostart_entries(&desk)
            .iter()
            .any(|e| e.contains("gatehouse-desktop") && e.contains("--hidden"))
    })
    .await;
    desk.screenshot("settings-alerts-and-tray").await;
    desk.click("prefs-start-at-login").await;
    eventually_true("taken off at login", Duration::from_secs(10), || async {
        autostart_entries(&desk).is_empty()
    })
    .await;

    // Keep running in the tray, off: the close button quits (it would minimize here otherwise,
    // with no tray host).
    desk.click("prefs-close-to-tray").await;
    eventually_true("saved", Duration::from_secs(10), || async {
        std::fs::read_to_string(desk.data_dir.join("desktop.json"))
            .is_ok_and(|t| t.contains("\"closeToTray\": false"))
    })
    .await;
    close_until(&desk, "the app has quit", || !app_running(&desk)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_start_puts_the_window_in_the_tray_or_minimizes_it_without_one() {
    // With a tray host: hidden, the app running; a second launch brings it back.
    let desk = Desktop::launch_at_login(true).await;
    desk.testid("view-contractors").await;
    let shown = || desk.display.window_shown("Gatehouse").unwrap();
    eventually_true("hidden in the tray", Duration::from_secs(20), || async {
        !shown()
    })
    .await;
    assert!(app_running(&desk));
    launch_again(&desk, &[]).await;
    desk.close().await;

    // Without one: minimized (the request reaches the display's root), never out of reach.
    let desk = Desktop::launch_at_login(false).await;
    let wm = desk.wm_requests.as_ref().unwrap();
    desk.testid("view-contractors").await;
    eventually_true("minimized", Duration::from_secs(20), || async {
        wm.minimizes() > 0
    })
    .await;
    assert!(
        desk.display.window_shown("Gatehouse").unwrap(),
        "still mapped: no window manager carries the minimize out"
    );
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_permit_panel_says_whether_its_crew_may_enter_now_and_until_when() {
    let community = ServedCommunity::start(false).await;
    let control = gatehouse_testkit::Control::new(community.base_url(), community.key.clone());
    let contractor = community
        .api
        .all_contractors()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.approved)
        .unwrap();
    // Three permits made for the time the test runs: one open all day, one starting in two
    // days, one whose daily hours are an hour that is not now.
    let hour = (chrono::Utc::now()
        + chrono::Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into()))
    .format("%H")
    .to_string()
    .parse::<i64>()
    .unwrap();
    let (from, to) = if hour < 12 {
        (hour + 3, hour + 4)
    } else {
        (hour - 6, hour - 5)
    };
    let open = control
        .permit_with(&contractor.id, "a1B5g00000PERMVRD1", serde_json::json!({}))
        .await;
    let later = control
        .permit_with(
            &contractor.id,
            "a1B5g00000PERMVRD2",
            serde_json::json!({ "validFrom": gatehouse_testkit::api::iso_in_hours(48) }),
        )
        .await;
    let hours = control
        .permit_with(
            &contractor.id,
            "a1B5g00000PERMVRD3",
            serde_json::json!({ "timeIn": format!("{from:02}:00"), "timeOut": format!("{to:02}:00") }),
        )
        .await;
    // The sandbox's gate agrees with each.
    assert!(community.gate(open.access_code.as_deref().unwrap()).await.0);
    assert!(
        !community
            .gate(later.access_code.as_deref().unwrap())
            .await
            .0
    );
    assert!(
        !community
            .gate(hours.access_code.as_deref().unwrap())
            .await
            .0
    );

    for theme in ["light", "dark"] {
        let env = match theme {
            "dark" => vec![("GTK_THEME".to_owned(), "Adwaita:dark".to_owned())],
            _ => Vec::new(),
        };
        let desk =
            Desktop::launch_at_env(community.base_url(), community.key.clone(), None, env).await;
        desk.text_until("status-counts", |t| t.starts_with("403 permits"))
            .await;
        desk.click("nav-permits").await;
        desk.select("filter-status", "").await;
        for (p, may_enter, headline, detail, name) in [
            (
                &open,
                "true",
                "May enter now",
                "Until 23:59 today · ",
                "valid",
            ),
            (&later, "false", "Not yet valid", "Starts ", "not-yet-valid"),
            (
                &hours,
                "false",
                "Outside today's hours",
                "Opens ",
                "outside-hours",
            ),
        ] {
            let pass = p.pass_number.as_deref().unwrap();
            desk.type_into("permit-search", pass).await;
            desk.texts_until("permit-row", |t| t.len() == 1).await;
            desk.click_row("permit-row", &p.id).await;
            desk.text_until("permit-panel-pass", |t| t == pass).await;
            desk.text_until("permit-verdict-headline", |t| t == headline)
                .await;
            let shown = desk.text("permit-verdict-detail").await;
            assert!(shown.starts_with(detail), "{name}: {shown}");
            let attr = desk
                .testid("permit-verdict")
                .await
                .attr("data-may-enter")
                .await
                .unwrap();
            assert_eq!(attr.as_deref(), Some(may_enter), "{name}");
            // The crew by name, the code masked to its last four characters.
            assert_eq!(desk.texts("permit-crew-member").await, ["Arjun Menon"]);
            let code = desk.text("permit-access-code").await;
            let full = p.access_code.as_deref().unwrap();
            let tail: String = full.chars().skip(full.chars().count() - 4).collect();
            assert_eq!(code, format!("•••• {tail}"), "{name}");
            desk.screenshot(&format!("verdict-{name}-{theme}")).await;
        }
        // The QR payload a scanner types into the search opens its permit on its verdict.
        desk.click("panel-close").await;
        desk.type_into(
            "permit-search",
            &inf::qr_payload(open.access_code.as_deref().unwrap()),
        )
        .await;
        desk.text_until("permit-panel-pass", |t| {
            t == open.pass_number.as_deref().unwrap()
        })
        .await;
        desk.text_until("permit-verdict-headline", |t| t == "May enter now")
            .await;
        desk.close().await;
    }
}
