//! The real Gatehouse window, driven through WebDriver under Xvfb.

use crate::support;

use std::process::Command;
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gatehouse_testkit::buzzin::inf::EVENTS_FEED_PATH;
use gatehouse_testkit::hostile::{Rewrite, Served, proxy};
use gatehouse_testkit::{ListQuery, eventually, within_blocking};

use support::{Desktop, ServedCommunity};

const NAV: [(&str, &str); 5] = [
    ("contractors", "Contractors"),
    ("permits", "Permits"),
    ("print", "Print queue"),
    ("panels", "Gate panels"),
    ("settings", "Settings"),
];

#[tokio::test(flavor = "multi_thread")]
async fn the_shell_renders_and_ipc_brings_real_data() {
    let desk = Desktop::launch().await;

    desk.testid("shell").await;
    assert_eq!(desk.client.title().await.unwrap(), "Gatehouse");

    // The sidebar, in order.
    for (id, label) in NAV {
        assert_eq!(desk.text(&format!("nav-{id}")).await, label);
    }

    // With no profile, the demo community: the sandbox in-process, synced in the background,
    // and the status bar says so, live, through change events.
    desk.text_until("status-community", |t| t == "Demo community")
        .await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    desk.text_until("status-last-sync", |t| t == "Data current")
        .await;
    let as_of = desk
        .testid("status-last-sync")
        .await
        .attr("title")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        as_of.starts_with("Data as of ") && as_of.ends_with(" GST"),
        "{as_of}"
    );
    desk.text_until("status-counts", |t| t == "400 permits · 60 contractors")
        .await;
    assert_eq!(desk.text("status-pending").await, "Pending actions: 0");
    assert!(
        desk.data_dir.join("demo/cache.sqlite3").is_file(),
        "the demo's cache is in the app's data folder"
    );

    // app_info went through IPC: the version is the crate's, and the data folder is the unique
    // temporary one this test gave the process, which only the Rust side can know.
    let version = env!("CARGO_PKG_VERSION");
    desk.text_until("status-version", |t| t == format!("Gatehouse {version}"))
        .await;

    // The first view is Contractors, with the demo community's queue.
    desk.testid("view-contractors").await;
    desk.testid("contractor-table").await;
    desk.screenshot("window-shell").await;

    desk.click("nav-permits").await;
    desk.testid("view-permits").await;
    desk.testid("permit-table").await;
    for (id, _) in &NAV[2..4] {
        desk.click(&format!("nav-{id}")).await;
        desk.testid(&format!("view-{id}")).await;
        desk.testid(&format!("empty-{id}")).await;
    }

    desk.click("nav-settings").await;
    desk.testid("view-settings").await;
    assert_eq!(desk.text("about-version").await, version);
    assert_eq!(
        desk.text("about-data-dir").await,
        desk.data_dir.display().to_string()
    );
    assert_eq!(desk.text("about-os").await, std::env::consts::OS);
    assert!(desk.data_dir.is_dir(), "the app created its data folder");
    desk.screenshot("window-settings").await;

    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_may_call_only_the_commands_its_capability_lists() {
    let desk = Desktop::launch().await;
    desk.testid("shell").await;

    // Call IPC from the page the way a script injected into it would.
    let invoke = |cmd: &str| {
        format!(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('{cmd}', {{}})
               .then(v => done({{ ok: v }}), e => done({{ err: String(e && e.message || e) }}));"
        )
    };
    let allowed = desk
        .client
        .execute_async(&invoke("app_info"), vec![])
        .await
        .unwrap();
    assert_eq!(
        allowed["ok"]["dataDir"].as_str(),
        Some(desk.data_dir.display().to_string().as_str()),
        "app_info is allowed: {allowed}"
    );

    // A plugin command the UI does not use is refused by the capability.
    let denied = desk
        .client
        .execute_async(&invoke("plugin:window-state|save_window_state"), vec![])
        .await
        .unwrap();
    let err = denied["err"].as_str().unwrap_or_default();
    assert!(
        denied.get("ok").is_none() && err.contains("not allowed"),
        "an unlisted command must be refused, got {denied}"
    );

    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_hands_over_to_the_first_window_and_exits() {
    let desk = Desktop::launch().await;
    desk.testid("shell").await;

    let mut second = Command::new(support::app_binary())
        .env_remove("WAYLAND_DISPLAY")
        .envs(desk.env.iter().map(|(k, v)| (k, v)))
        .spawn()
        .expect("start a second Gatehouse");
    let exited = within_blocking(Duration::from_secs(15), || {
        second.try_wait().unwrap().ok_or_else(|| "running".into())
    });
    let Ok(status) = exited else {
        let _ = second.kill();
        panic!("the second launch kept running instead of handing over to the first");
    };
    assert!(status.success(), "the second launch exited with {status}");

    // The first window is still there and answering.
    desk.click("nav-settings").await;
    desk.testid("view-settings").await;

    desk.close().await;
}

/// The numbers at the end of a tab's label, e.g. "Pending 23" → 23.
fn tab_count(label: &str) -> u32 {
    label
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {label:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contractor_queue_shows_the_tabs_with_counts_and_searches_as_you_type() {
    use fantoccini::Locator;

    let desk = Desktop::launch().await;
    desk.text_until("status-counts", |t| t.ends_with("60 contractors"))
        .await;
    let pending = tab_count(
        &desk
            .text_until("tab-pending", |t| t.contains(char::is_numeric))
            .await,
    );
    let approved = tab_count(&desk.text("tab-approved").await);
    let removed = tab_count(&desk.text("tab-removed").await);
    assert_eq!(
        pending + approved + removed,
        60,
        "the tabs add up to every contractor"
    );

    let rows = |desk: &Desktop| {
        let client = desk.client.clone();
        async move {
            client
                .find_all(Locator::Css("[data-testid=contractor-row]"))
                .await
                .unwrap()
        }
    };
    // Pending is the first tab; its rows are the pending contractors.
    let listed = |n: u32| {
        let desk = &desk;
        move || async move {
            let shown = rows(desk).await.len() as u32;
            if shown == n {
                Ok(())
            } else {
                Err(format!("{shown} rows"))
            }
        }
    };
    eventually(
        &format!("the pending tab lists {pending} rows"),
        Duration::from_secs(10),
        listed(pending),
    )
    .await;

    // Approved: its own rows.
    desk.click("tab-approved").await;
    eventually(
        &format!("the approved tab lists {approved} rows"),
        Duration::from_secs(10),
        listed(approved),
    )
    .await;

    // Search as you type: the first approved contractor's name finds it.
    let names = |desk: &Desktop| {
        let client = desk.client.clone();
        async move {
            let v = client
                .execute(
                    "return Array.from(document.querySelectorAll('[data-testid=contractor-name] .name'))
                       .map(e => e.textContent.trim());",
                    vec![],
                )
                .await
                .unwrap();
            serde_json::from_value::<Vec<String>>(v).unwrap()
        }
    };
    let first = names(&desk).await[0].clone();
    assert!(
        !first.is_empty(),
        "the first approved contractor has a name"
    );
    // (WebKitWebDriver refuses fantoccini's send_keys body, so the text is typed the way an
    // input method delivers it: the value changes and an `input` event fires.)
    desk.testid("contractor-search").await;
    desk.client
        .execute(
            "const el = document.querySelector('[data-testid=contractor-search]');
             el.focus();
             el.value = arguments[0];
             el.dispatchEvent(new InputEvent('input', { bubbles: true }));",
            vec![serde_json::Value::String(first.clone())],
        )
        .await
        .unwrap();
    eventually(
        &format!("the search for {first:?} narrows the tab"),
        Duration::from_secs(10),
        || async {
            let shown = names(&desk).await;
            if !shown.is_empty() && (shown.len() as u32) < approved && shown.contains(&first) {
                Ok(())
            } else {
                Err(format!("{shown:?}"))
            }
        },
    )
    .await;
    let narrowed = tab_count(&desk.text("tab-approved").await);
    assert!(
        narrowed >= 1 && narrowed < approved,
        "the counts follow the search"
    );
    desk.screenshot("window-contractors").await;
    desk.close().await;
}

/// The page's colour scheme and background, as the window paints them.
async fn scheme(desk: &Desktop) -> (bool, String) {
    let v = desk
        .js(
            "return { dark: matchMedia('(prefers-color-scheme: dark)').matches,
                      bg: getComputedStyle(document.documentElement).backgroundColor };",
            vec![],
        )
        .await;
    (
        v["dark"].as_bool().unwrap(),
        v["bg"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn dark_mode_follows_the_os_theme() {
    // GTK's dark theme is what Linux desktops set for dark mode; WebKitGTK reports it to CSS.
    let dark = Desktop::launch_with(|_| vec![("GTK_THEME".into(), "Adwaita:dark".into())]).await;
    dark.text_until("status-connection", |t| t == "Online")
        .await;
    assert_eq!(scheme(&dark).await, (true, "rgb(21, 25, 27)".into()));
    dark.testid("contractor-table").await;
    dark.screenshot("window-dark").await;
    dark.close().await;

    let light = Desktop::launch_with(|_| vec![("GTK_THEME".into(), "Adwaita".into())]).await;
    light.testid("shell").await;
    assert_eq!(scheme(&light).await, (false, "rgb(247, 248, 248)".into()));
    light.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_odd_feed_id_is_counted_in_the_status_bar_and_a_failing_sync_is_a_problem_not_online() {
    let community = ServedCommunity::start(false).await;
    let poisoned: Arc<Mutex<Option<String>>> = Arc::default();
    let ignore_cursor = Arc::new(AtomicBool::new(false));
    let (target, ignore) = (poisoned.clone(), ignore_cursor.clone());
    let rewrite = Rewrite::default()
        .query(move |_, path, q| {
            if path == EVENTS_FEED_PATH && ignore.load(Ordering::SeqCst) {
                q.retain(|(k, _)| k != "cursor[$gt]");
            }
        })
        .answer(move |_, path, _, json| {
            let Some(id) = target.lock().unwrap().clone() else {
                return;
            };
            if path == EVENTS_FEED_PATH {
                for e in json["data"].as_array_mut().into_iter().flatten() {
                    if e["data"]["permitId"] == serde_json::json!(id) {
                        e["data"]["permitId"] = "6650f0c1a2b3.c4d5e6f70001".into();
                    }
                }
            }
        });
    let served = Served::start(proxy(community.base_url(), rewrite)).await;
    // The background round every 2 s rather than 30: the test waits on it twice.
    let desk = Desktop::launch_at_env(
        served.base_url(),
        community.key.clone(),
        None,
        vec![(gatehouse_app::SYNC_EVERY_ENV.into(), "2".into())],
    )
    .await;
    desk.text_until("status-counts", |t| t == "400 permits · 60 contractors")
        .await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;

    // Someone revokes two passes at the gate office; the feed names one of them oddly.
    let accepted = community
        .api
        .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(2))
        .await
        .unwrap()
        .data;
    *poisoned.lock().unwrap() = Some(accepted[0].id.clone());
    for p in &accepted {
        community
            .api
            .revoke_pass(&p.id, Some("lost"))
            .await
            .unwrap();
    }
    // The engine's next round skips the odd id and carries on.
    eventually("the odd id counted", Duration::from_secs(20), || async {
        let shown = desk.texts("status-skipped").await;
        if shown == ["Skipped 1 odd feed id"] {
            Ok(())
        } else {
            Err(format!("{shown:?}"))
        }
    })
    .await;
    assert_eq!(desk.text("status-connection").await, "Online");

    // The feed starts ignoring its cursor: the API answers, but nothing it says can be used.
    ignore_cursor.store(true, Ordering::SeqCst);
    community
        .api
        .revoke_pass(
            &community
                .api
                .permits(&ListQuery::new().eq("statusName", "ACCEPTED").limit(1))
                .await
                .unwrap()
                .data[0]
                .id,
            Some("lost"),
        )
        .await
        .unwrap();
    eventually(
        "the failing sync shown",
        Duration::from_secs(20),
        || async {
            let shown = desk.text("status-connection").await;
            if shown == "Not syncing: see Settings" {
                Ok(())
            } else {
                Err(shown)
            }
        },
    )
    .await;
    desk.screenshot("window-sync-failing").await;
    desk.click("nav-settings").await;
    desk.text_until("settings-account", |t| {
        t.contains("cannot sync: Syncing keeps failing although the API answers")
            && t.contains("cursor[$gt]")
    })
    .await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn at_1024_px_the_permits_keep_their_distinguishing_columns_and_the_panel_resizes() {
    let community = ServedCommunity::start(false).await;
    let desk = support::steps::opened(&community).await;
    desk.client
        .set_window_size(1024, 768)
        .await
        .expect("the window resizes");
    let id = support::steps::first_accepted_permit(&desk).await;
    // Nothing is cut at the side: the pass, the status and the end of validity are in the row.
    let fits = desk
        .js(
            "const row = document.querySelector(`[data-testid=permit-row][data-id=\"${arguments[0]}\"]`);
             const box = row.getBoundingClientRect();
             const inside = (sel) => { const e = row.querySelector(sel); const b = e.getBoundingClientRect();
               return b.width > 0 && b.left >= box.left - 1 && b.right <= box.right + 1; };
             const table = document.querySelector('[data-testid=permit-table]');
             return [window.innerWidth, table.scrollWidth <= table.clientWidth + 1,
                     inside('.c-passNumber'), inside('.c-status'), inside('.c-validTill')];",
            vec![id.clone().into()],
        )
        .await;
    assert_eq!(
        fits.as_array().map(|v| v[1..].to_vec()),
        Some(vec![true.into(), true.into(), true.into(), true.into()]),
        "{fits}"
    );
    desk.screenshot("window-1024").await;
    // The panel's edge takes ← and →: three presses widen it by three steps.
    let width = || async {
        desk.js(
            "return document.querySelector('[data-testid=permit-panel]').getBoundingClientRect().width;",
            vec![],
        )
        .await
        .as_f64()
        .unwrap()
    };
    let before = width().await;
    desk.js(
        "document.querySelector('[data-testid=panel-grip]').focus();",
        vec![],
    )
    .await;
    desk.keys(None, "\u{e012}\u{e012}\u{e012}").await;
    let after = width().await;
    assert!((after - before - 72.0).abs() <= 2.0, "{before} → {after}");
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collapsed_sidebar_is_a_rail_that_opens_for_the_pass_check_and_its_toasts_cover_nothing()
{
    use fantoccini::key::Key;
    let community = ServedCommunity::start(false).await;
    let desk = support::steps::opened(&community).await;
    let rect = |sel: &'static str| {
        let desk = &desk;
        async move {
            desk.js(
                "const b = document.querySelector(arguments[0]).getBoundingClientRect();
                 return [b.left, b.top, b.right, b.bottom];",
                vec![sel.into()],
            )
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect::<Vec<f64>>()
        }
    };
    let main_before = rect("main").await;
    desk.click("sidebar-toggle").await;
    let rail = rect("[data-testid=sidebar]").await;
    assert!((rail[2] - rail[0] - 56.0).abs() <= 1.0, "a rail: {rail:?}");
    let main = rect("main").await;
    assert!(
        main[2] - main[0] > main_before[2] - main_before[0] + 150.0,
        "{main:?}"
    );
    // Icons only, each still named for a screen reader and a hover.
    let nav = desk
        .js(
            "const b = document.querySelector('[data-testid=nav-permits]');
             return [b.getAttribute('aria-label'), b.querySelector('.label').getBoundingClientRect().width];",
            vec![],
        )
        .await;
    assert_eq!(nav, serde_json::json!(["Permits", 0]));
    desk.screenshot("window-rail").await;

    // The pass check opens the sidebar over the view while it has the focus, and the rail
    // comes back when the focus leaves.
    desk.keys(Some(Key::Control), "k").await;
    let open = rect("[data-testid=sidebar]").await;
    assert!((open[2] - open[0] - 220.0).abs() <= 1.0, "{open:?}");
    assert_eq!(rect("main").await, main, "over the view, not pushing it");
    desk.js("document.activeElement.blur();", vec![]).await;
    let back = rect("[data-testid=sidebar]").await;
    assert!((back[2] - back[0] - 56.0).abs() <= 1.0, "{back:?}");

    // A toast takes its own row above the status bar: two stages, the first with a spinner
    // (Buzz-In made slow for the approval), neither over the view.
    gatehouse_testkit::Control::new(community.base_url(), community.key.clone())
        .arm(gatehouse_testkit::Fault {
            method: Some("PATCH".into()),
            latency_ms: Some(2500),
            ..gatehouse_testkit::Fault::new(
                gatehouse_testkit::FaultKind::Latency,
                gatehouse_testkit::buzzin::inf::CONTRACTORS_PATH,
            )
        })
        .await;
    desk.click("nav-contractors").await;
    let first = desk.testid("contractor-row").await;
    let id = first.attr("data-id").await.unwrap().unwrap();
    desk.click_row("contractor-row", &id).await;
    desk.click("approve-contractor").await;
    desk.text_until("notice", |t| t.contains("sending to Buzz-In"))
        .await;
    desk.testid("notice-spinner").await;
    let covers = |n: Vec<f64>, m: Vec<f64>, s: Vec<f64>| {
        n[1] >= m[3] - 0.5 && n[3] <= s[1] + 0.5 && n[2] > n[0]
    };
    let (n, m, s) = (
        rect("[data-testid=notice]").await,
        rect("main").await,
        rect("footer.statusbar").await,
    );
    assert!(
        covers(n.clone(), m.clone(), s.clone()),
        "notice {n:?}, main {m:?}, status {s:?}"
    );
    desk.screenshot("window-rail-sending").await;
    desk.text_until("notice", |t| t.contains("approved at Buzz-In"))
        .await;
    assert!(
        desk.texts("notice-spinner").await.is_empty(),
        "done: no spinner"
    );

    // Kept across launches: the next window opens as a rail.
    let width = desk
        .js(
            "return localStorage.getItem('gatehouse.sidebar.collapsed');",
            vec![],
        )
        .await;
    assert_eq!(width, "1");
    desk.click("sidebar-toggle").await;
    let whole = rect("[data-testid=sidebar]").await;
    assert!(whole[2] - whole[0] > 150.0, "{whole:?}");
    desk.close().await;
}
