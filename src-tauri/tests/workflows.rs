//! The admin's and the desk's work in the real window (WebDriver under Xvfb), against a sandbox
//! over HTTP: approve, revoke with the permits it archives, reissue, an offline revoke that
//! drains by itself, and hostile names that must stay text.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use gatehouse_testkit::buzzin::inf;
use gatehouse_testkit::{eventually, eventually_true};
use support::{Desktop, ServedCommunity, keychain_secret};

async fn opened(community: &ServedCommunity) -> Desktop {
    let desk = Desktop::launch_on(community).await;
    desk.text_until("status-community", |t| t == "marina-gate")
        .await;
    desk.text_until("status-counts", |t| t == "400 permits · 60 contractors")
        .await;
    // The key came in the app's environment; WebKit's processes, which inherit it, must not
    // hold it.
    let web = desk.web_process_environments();
    assert!(!web.is_empty(), "no WebKit processes found");
    for (pid, comm, vars) in &web {
        assert!(
            vars.iter()
                .all(|v| !v.starts_with(gatehouse_app::API_KEY_ENV) && !v.contains(&community.key)),
            "{comm} ({pid}) inherited the API key"
        );
    }
    desk
}

async fn row_ids(desk: &Desktop, testid: &str) -> Vec<String> {
    let v = desk
        .js(
            "return Array.from(document.querySelectorAll(`[data-testid=\"${arguments[0]}\"]`))
               .map(e => e.dataset.id);",
            vec![testid.into()],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

async fn status_on_server(community: &ServedCommunity, permit_id: &str) -> String {
    community
        .api
        .permit(permit_id)
        .await
        .unwrap()
        .status_name()
        .map(|s| s.to_string())
        .unwrap_or_default()
}

async fn code_on_server(community: &ServedCommunity, permit_id: &str) -> Option<String> {
    community.api.permit(permit_id).await.unwrap().access_code
}

#[tokio::test(flavor = "multi_thread")]
async fn approve_and_revoke_contractors_in_the_window_and_the_sandbox_agrees() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;

    // Approve the first pending contractor from its panel.
    desk.testid("contractor-row").await;
    let pending = row_ids(&desk, "contractor-row").await;
    let id = pending[0].clone();
    desk.click_row("contractor-row", &id).await;
    desk.testid("contractor-panel").await;
    desk.click("approve-contractor").await;
    eventually("the sandbox approves", Duration::from_secs(20), || async {
        let c = community.api.contractor(&id).await.unwrap();
        if c.approved {
            Ok(())
        } else {
            Err("not approved".into())
        }
    })
    .await;
    desk.text_until("contractor-state", |t| t == "approved")
        .await;
    desk.texts_until("contractor-row", |_| true).await;
    eventually(
        "it leaves the pending tab",
        Duration::from_secs(20),
        || async {
            let ids = row_ids(&desk, "contractor-row").await;
            if ids.contains(&id) {
                Err(format!("{ids:?}"))
            } else {
                Ok(())
            }
        },
    )
    .await;

    // Revoke the approved contractor with the most active permits: the confirmation lists
    // exactly the permits the sandbox holds active for it.
    let permits = community.api.all_permits().await.unwrap();
    let contractors = community.api.all_contractors().await.unwrap();
    let (target, active) = contractors
        .iter()
        .filter(|c| c.approved && !c.communities_ids.is_empty())
        .map(|c| {
            let active: HashSet<String> = permits
                .iter()
                .filter(|p| p.community_contractor_id.as_deref() == Some(c.id.as_str()))
                .filter(|p| p.status_name().is_some_and(|s| inf::is_active(&s)))
                .map(|p| p.pass_number.clone().unwrap())
                .collect();
            (c.id.clone(), active)
        })
        .max_by_key(|(_, a)| a.len())
        .unwrap();
    assert!(
        active.len() >= 2,
        "the demo has a contractor with active permits"
    );
    desk.click("tab-approved").await;
    desk.click_row("contractor-row", &target).await;
    desk.click("revoke-contractor").await;
    desk.testid("confirm-revoke-contractor").await;
    let listed: HashSet<String> = desk
        .texts_until("confirm-revoke-pass-number", |t| !t.is_empty())
        .await
        .into_iter()
        .collect();
    assert_eq!(
        listed, active,
        "the confirmation lists the permits it archives"
    );
    assert!(
        desk.text("confirm-revoke-count")
            .await
            .contains(&format!("{} active permits", active.len())),
        "it says how many"
    );
    desk.screenshot("window-revoke-contractor").await;
    desk.click("confirm-revoke").await;

    let archived: Vec<String> = permits
        .iter()
        .filter(|p| p.pass_number.as_ref().is_some_and(|n| active.contains(n)))
        .map(|p| p.id.clone())
        .collect();
    eventually(
        "the sandbox archives them",
        Duration::from_secs(20),
        || async {
            for id in &archived {
                let s = status_on_server(&community, id).await;
                if s != "ARCHIVED" {
                    return Err(format!("{id} is {s}"));
                }
            }
            Ok(())
        },
    )
    .await;
    desk.text_until("contractor-state", |t| t == "removed")
        .await;
    desk.texts_until("contractor-permit-status", |s| {
        s.iter().filter(|t| *t == "ARCHIVED").count() >= active.len()
    })
    .await;
    desk.close().await;
}

/// Opens the permits view filtered to ACCEPTED and the detail of its first row.
async fn first_accepted_permit(desk: &Desktop) -> String {
    desk.click("nav-permits").await;
    desk.testid("permit-row").await;
    desk.select("filter-status", "ACCEPTED").await;
    desk.texts_until("permit-status", |s| {
        !s.is_empty() && s.iter().all(|t| t == "ACCEPTED")
    })
    .await;
    let id = row_ids(desk, "permit-row").await.remove(0);
    desk.click_row("permit-row", &id).await;
    desk.text_until("permit-panel-status", |t| t == "ACCEPTED")
        .await;
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn expiring_within_lists_accepted_permits_ending_in_that_time_as_the_api_has_them() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    desk.click("nav-permits").await;
    desk.testid("permit-row").await;
    desk.select("filter-expiring", "72").await;
    // Only ACCEPTED permits run out: the rows are those, and as many as the API has ending
    // within 72 hours.
    let now = chrono::Utc::now();
    let expected = community
        .api
        .all_permits()
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.status_name().is_some_and(|s| inf::can_expire(&s)))
        .filter(|p| {
            p.valid_till.is_some_and(|t| {
                t.0 >= now - chrono::Duration::minutes(1) && t.0 < now + chrono::Duration::hours(72)
            })
        })
        .count();
    assert!(expected > 0, "the demo has permits ending within 72 h");
    let total = desk
        .text_until("permit-total", |t| {
            t.ends_with(" permits") && !t.starts_with("400")
        })
        .await;
    let shown: usize = total
        .split_whitespace()
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no count in {total:?}"));
    assert!(
        shown.abs_diff(expected) <= 1,
        "{total} against {expected} from the API"
    );
    desk.texts_until("permit-status", |s| {
        !s.is_empty() && s.iter().all(|t| t == "ACCEPTED")
    })
    .await;
    // A revoked permit has ended: revoke the first one ending, and it leaves the list; with
    // REVOKED asked for, nothing expires; without "expiring within", REVOKED lists it.
    let first = row_ids(&desk, "permit-row").await.remove(0);
    desk.click_row("permit-row", &first).await;
    desk.text_until("permit-panel-status", |t| t == "ACCEPTED")
        .await;
    desk.click("revoke-pass").await;
    desk.type_into("revoke-reason", "Work finished early").await;
    desk.click("confirm-revoke-pass-ok").await;
    eventually(
        "the revoked permit leaves the expiring list",
        Duration::from_secs(20),
        || async {
            let ids = row_ids(&desk, "permit-row").await;
            if ids.contains(&first) {
                Err(format!("{} rows, the revoked one among them", ids.len()))
            } else {
                Ok(())
            }
        },
    )
    .await;
    desk.select("filter-status", "REVOKED").await;
    desk.testid("permits-none").await;
    desk.select("filter-expiring", "").await;
    eventually("REVOKED lists it", Duration::from_secs(20), || async {
        let ids = row_ids(&desk, "permit-row").await;
        if ids.contains(&first) {
            Ok(())
        } else {
            Err(format!("{} rows without it", ids.len()))
        }
    })
    .await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reissue_shows_the_new_code_and_the_gate_refuses_the_old_one() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    let id = first_accepted_permit(&desk).await;
    let old = desk.text_until("permit-access-code", |t| t != "—").await;
    assert_eq!(
        code_on_server(&community, &id).await.as_deref(),
        Some(old.as_str())
    );
    let (_, why) = community.gate(&old).await;
    assert!(why != "unknown code", "the gate knows the current code");

    desk.click("reissue-pass").await;
    let warning = desk.text("confirm-reissue").await;
    assert!(
        warning.contains(&old) && warning.contains("stops opening the gates"),
        "the confirmation states the old code's death: {warning}"
    );
    desk.screenshot("window-reissue").await;
    desk.click("confirm-reissue-ok").await;

    let new = desk
        .text_until("permit-access-code", |t| t != old && t != "—")
        .await;
    assert_eq!(
        code_on_server(&community, &id).await.as_deref(),
        Some(new.as_str()),
        "the window shows the server's new code"
    );
    let (opened_old, why_old) = community.gate(&old).await;
    assert!(!opened_old, "the old code must not open the gate");
    assert_eq!(why_old, "inactive");
    let (_, why_new) = community.gate(&new).await;
    assert!(
        why_new != "unknown code" && why_new != "inactive",
        "the new code is live at the gate ({why_new})"
    );
    desk.texts_until("permit-timeline", |t| {
        t.iter().any(|x| x.contains("reissue"))
    })
    .await;
    desk.screenshot("window-permits").await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_revoke_waits_as_pending_sync_and_drains_when_the_api_returns() {
    let mut community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    let id = first_accepted_permit(&desk).await;

    community.stop().await;
    desk.click("revoke-pass").await;
    desk.testid("confirm-revoke-pass").await;
    assert!(
        desk.testid("confirm-revoke-pass-ok")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some(),
        "no revoke without a reason"
    );
    desk.type_into("revoke-reason", "Badge lost at gate 3")
        .await;
    desk.click("confirm-revoke-pass-ok").await;

    // At once, from the cache: revoked here, marked as waiting, the outage said plainly.
    desk.text_until("permit-panel-status", |t| t == "REVOKED")
        .await;
    desk.testid("permit-panel-pending").await;
    desk.text_until("status-connection", |t| t.starts_with("Offline"))
        .await;
    desk.testid("offline-banner").await;
    desk.text_until("status-pending", |t| t.starts_with("Pending actions: 1"))
        .await;
    // It left the ACCEPTED rows; among the REVOKED ones it is marked as waiting.
    desk.select("filter-status", "REVOKED").await;
    eventually("the row marked pending sync", Duration::from_secs(20), || async {
        let marked = desk
            .js(
                "const row = document.querySelector(`[data-testid=permit-row][data-id=\"${arguments[0]}\"]`);
                 return !!(row && row.querySelector('[data-testid=permit-pending-sync]'));",
                vec![id.clone().into()],
            )
            .await;
        if marked == true { Ok(()) } else { Err("no mark".into()) }
    })
    .await;
    desk.click("status-pending").await;
    let rows = desk.texts_until("outbox-row", |r| r.len() == 1).await;
    assert!(rows[0].contains("Revoke pass"), "{rows:?}");
    assert!(rows[0].contains("Badge lost at gate 3"), "{rows:?}");
    desk.screenshot("window-offline").await;
    desk.click("outbox-close").await;

    // The API returns: the action drains with no one touching anything.
    community.restart().await;
    eventually("the revoke drains", Duration::from_secs(60), || async {
        let pending = desk.text("status-pending").await;
        if pending.starts_with("Pending actions: 0") {
            Ok(())
        } else {
            Err(pending)
        }
    })
    .await;
    assert_eq!(status_on_server(&community, &id).await, "REVOKED");
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    desk.text_until("permit-panel-status", |t| t == "REVOKED")
        .await;
    let pending_marks = desk.texts("permit-panel-pending").await;
    assert!(pending_marks.is_empty(), "no longer pending sync");
    assert!(desk.texts("offline-banner").await.is_empty());
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_names_render_as_text_and_nothing_runs() {
    let community = ServedCommunity::start(true).await;
    let desk = opened(&community).await;
    let script = "<script>window.__pwned=1</script>Evil Contracting";
    let img = "<img src=x onerror=\"window.__pwned=1\">";
    desk.testid("contractor-row").await;
    let mut seen = Vec::new();
    for tab in ["pending", "approved"] {
        desk.click(&format!("tab-{tab}")).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        seen.extend(desk.texts("contractor-company").await);
    }
    assert!(
        seen.iter().any(|t| t == script),
        "the script tag shows as text"
    );
    assert!(seen.iter().any(|t| t == img), "the img tag shows as text");
    // Open the contractor with the script in its company name: its panel shows it as text too.
    let v = desk
        .js(
            "const cell = Array.from(document.querySelectorAll('[data-testid=contractor-company]'))
               .find(e => e.textContent === arguments[0]);
             return cell ? cell.closest('tr').dataset.id : null;",
            vec![img.into()],
        )
        .await;
    let id = v
        .as_str()
        .expect("the img-named contractor is listed")
        .to_owned();
    desk.click_row("contractor-row", &id).await;
    desk.testid("contractor-panel").await;
    let state = desk
        .js(
            "return {
               pwned: window.__pwned === undefined ? null : window.__pwned,
               injected: document.querySelectorAll('main img[src=x], main script').length,
               overflow: document.documentElement.scrollWidth - window.innerWidth,
             };",
            vec![],
        )
        .await;
    assert_eq!(
        state["pwned"],
        serde_json::Value::Null,
        "no script ran: {state}"
    );
    assert_eq!(state["injected"], 0, "no element was injected: {state}");
    assert!(
        state["overflow"].as_i64().unwrap() <= 0,
        "long names do not widen the page: {state}"
    );
    desk.screenshot("window-hostile").await;

    // Ready for an RTL locale: with `dir="rtl"` on <html> the layout mirrors (the sidebar moves
    // to the right) and nothing overflows.
    let rtl = desk
        .js(
            "document.documentElement.dir = 'rtl';
             return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done({
               overflow: document.documentElement.scrollWidth - window.innerWidth,
               sidebarLeft: document.querySelector('nav').getBoundingClientRect().left,
               width: window.innerWidth,
             }))));",
            vec![],
        )
        .await;
    assert!(rtl["overflow"].as_i64().unwrap() <= 0, "{rtl}");
    assert!(
        rtl["sidebarLeft"].as_f64().unwrap() > rtl["width"].as_f64().unwrap() / 2.0,
        "the sidebar is on the right in RTL: {rtl}"
    );
    desk.screenshot("window-rtl").await;
    desk.close().await;
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_connects_an_account_and_files_its_key_in_the_keychain_only() {
    let community = ServedCommunity::start(false).await;
    let desk = Desktop::launch_with_keychain().await;
    desk.text_until("status-community", |t| t == "Demo community")
        .await;
    desk.click("nav-settings").await;

    // A wrong key: refused by the API, said plainly, and nothing saved anywhere.
    desk.type_into("connect-name", "marina").await;
    desk.type_into("connect-url", &community.base_url()).await;
    desk.type_into("connect-key", "not-the-key").await;
    desk.click("connect-submit").await;
    desk.text_until("connect-error", |t| t.contains("refused this API key"))
        .await;
    assert_eq!(keychain_secret(&desk.env, "marina"), None);
    assert!(!desk.data_dir.join("profiles.json").exists());
    desk.text_until("status-community", |t| t == "Demo community")
        .await;

    // The right key: the community opens in place of the demo and syncs.
    desk.type_into("connect-key", &community.key).await;
    desk.click("connect-submit").await;
    desk.text_until("status-community", |t| t == "marina").await;
    desk.text_until("status-counts", |t| t == "400 permits · 60 contractors")
        .await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    desk.screenshot("window-settings-connected").await;

    // The key is in the keychain, and nowhere else: not in the data folder, not in the page.
    assert_eq!(
        keychain_secret(&desk.env, "marina").as_deref(),
        Some(community.key.as_str())
    );
    for file in files_under(&desk.data_dir) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes
                .windows(community.key.len())
                .any(|w| w == community.key.as_bytes()),
            "the key is written in {}",
            file.display()
        );
    }
    let page = desk
        .js(
            "return document.documentElement.outerHTML + Array.from(document.querySelectorAll('input'))
               .map(i => i.value).join(' ');",
            vec![],
        )
        .await;
    assert!(
        !page.as_str().unwrap().contains(&community.key),
        "the key is not in the page"
    );

    // The views show the connected community: the contractor queue adds up to its 60.
    desk.click("nav-contractors").await;
    let mut total = 0;
    for tab in ["pending", "approved", "removed"] {
        let label = desk
            .text_until(&format!("tab-{tab}"), |t| t.contains(char::is_numeric))
            .await;
        total += label
            .split_whitespace()
            .last()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap();
    }
    assert_eq!(total, 60);
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scanner_checks_a_pass_from_any_view_with_the_gate_s_verdict() {
    let community = ServedCommunity::start(false).await;
    // A live code the gate opens whatever the time of day (a permit open all day, made for the
    // test before the window's first sync), and a revoked one.
    let contractor = community
        .api
        .all_contractors()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.approved)
        .unwrap();
    let control = gatehouse_testkit::Control::new(community.base_url(), community.key.clone());
    let fresh = control.permit_open_all_day(&contractor.id).await;
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

/// Makes the desk's "PDF viewer" a script that copies the file it is given to `copy`: a
/// `.desktop` handler for `application/pdf` in the app's private XDG folders, so that opening a
/// pass goes through the real `xdg-open`.
fn pdf_viewer_copying_to(desk: &Desktop, copy: &std::path::Path) {
    let folder = |name: &str| {
        let (_, v) = desk.env.iter().find(|(k, _)| k == name).unwrap();
        std::path::PathBuf::from(v)
    };
    let (data, config) = (folder("XDG_DATA_HOME"), folder("XDG_CONFIG_HOME"));
    let apps = data.join("applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    let script = desk.home().join("copy-pdf");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncp \"$1\" \"{}.part\" && mv \"{0}.part\" \"{0}\"\n",
            copy.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        apps.join("gatehouse-test-pdf.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Copy PDF\nExec={} %f\nMimeType=application/pdf;\nNoDisplay=true\n",
            script.display()
        ),
    )
    .unwrap();
    std::fs::write(
        config.join("mimeapps.list"),
        "[Default Applications]\napplication/pdf=gatehouse-test-pdf.desktop\n",
    )
    .unwrap();
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
