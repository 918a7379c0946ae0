//! The admin's work in the real window (WebDriver under Xvfb), against a sandbox over HTTP:
//! approve, revoke with the permits it archives, reissue, an offline revoke that drains by
//! itself, hostile names that must stay text, and connecting an account. The desk's day is in
//! `desk.rs`.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use gatehouse_testkit::buzzin::inf;
use gatehouse_testkit::eventually;
use support::steps::{
    code_on_server, first_accepted_permit, opened, pdf_viewer_copying_to, row_ids,
};
use support::{Desktop, ServedCommunity, keychain_secret};

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
    desk.text_until("contractor-state", |t| t == "Approved")
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
    let (target, active, live) = contractors
        .iter()
        .filter(|c| c.approved && !c.communities_ids.is_empty())
        .map(|c| {
            let theirs = || {
                permits
                    .iter()
                    .filter(|p| p.community_contractor_id.as_deref() == Some(c.id.as_str()))
            };
            let active: HashSet<String> = theirs()
                .filter(|p| p.status_name().is_some_and(|s| inf::is_active(&s)))
                .map(|p| p.pass_number.clone().unwrap())
                .collect();
            let live = theirs()
                .filter(|p| p.status_name().is_some_and(|s| s.as_str() == "ACCEPTED"))
                .count();
            (c.id.clone(), active, live)
        })
        .max_by_key(|(_, a, _)| a.len())
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
    let count = desk.text("confirm-revoke-count").await;
    let live_words = if live == 1 {
        "1 live pass stops".to_owned()
    } else {
        format!("{live} live passes stop")
    };
    assert!(
        live == 0 || count.contains(&live_words),
        "it counts the live passes apart: {count}"
    );
    assert!(
        desk.text("confirm-revoke-permanent")
            .await
            .contains("cannot be undone"),
        "it says the revoke is for good"
    );
    // No revoke without a reason; a preset gives one.
    let ok = desk.testid("confirm-revoke").await;
    assert!(
        ok.attr("disabled").await.unwrap().is_some(),
        "no reason yet"
    );
    assert!(
        desk.text("confirm-revoke")
            .await
            .contains(&format!("archive {} permits", active.len())),
        "it says how many it archives"
    );
    desk.click("revoke-contractor-reason-preset").await;
    let reason = desk
        .js(
            "return document.querySelector('[data-testid=revoke-contractor-reason]').value;",
            vec![],
        )
        .await;
    assert_eq!(reason, "Trade licence expired");
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
    desk.text_until("contractor-state", |t| t == "Removed")
        .await;
    desk.texts_until("contractor-permit-status", |s| {
        s.iter().filter(|t| *t == "ARCHIVED").count() >= active.len()
    })
    .await;
    // A permit in the contractor's panel opens in Permits.
    let first = desk
        .js(
            "return document.querySelector('[data-testid=contractor-permit] .pass').textContent.trim();",
            vec![],
        )
        .await;
    desk.click("contractor-permit").await;
    desk.testid("view-permits").await;
    desk.text_until("permit-panel-pass", |t| first == t).await;
    // The reason is kept in the audit log, as Activity shows it.
    desk.click("nav-activity").await;
    desk.texts_until("activity-row", |rows| {
        rows.iter()
            .any(|r| r.contains("Revoke contractor") && r.contains("Trade licence expired"))
    })
    .await;
    desk.close().await;
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
    let why = desk.text("permits-none-because").await;
    assert!(why.contains("ACCEPTED permits only"), "{why}");
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
async fn today_s_views_list_what_the_api_has_for_today_and_keep_their_filters() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    desk.click("nav-permits").await;
    desk.testid("permit-row").await;
    let all = community.api.all_permits().await.unwrap();
    let now = chrono::Utc::now();
    let offset = chrono::Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into());
    let start = (now + offset)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        - offset;
    let end = start + chrono::Duration::days(1);
    let minute = chrono::Duration::minutes(1);
    let accepted = |p: &&gatehouse_testkit::buzzin::Permit| {
        p.status_name().is_some_and(|s| s.as_str() == "ACCEPTED")
    };
    let till = |p: &&gatehouse_testkit::buzzin::Permit| p.valid_till.map(|t| t.0);
    let from = |p: &&gatehouse_testkit::buzzin::Permit| p.valid_from.map(|t| t.0);
    let expected = [
        (
            "expiringToday",
            all.iter()
                .filter(accepted)
                .filter(|p| till(p).is_some_and(|t| t >= now - minute && t < end))
                .count(),
        ),
        (
            "activeNow",
            all.iter()
                .filter(accepted)
                .filter(|p| {
                    from(p).is_some_and(|f| f <= now) && till(p).is_some_and(|t| t >= now - minute)
                })
                .count(),
        ),
        (
            "startingToday",
            all.iter()
                .filter(|p| from(p).is_some_and(|f| f >= start && f < end))
                .count(),
        ),
        (
            "endedToday",
            all.iter()
                .filter(|p| till(p).is_some_and(|t| t >= start && t < now + minute))
                .count(),
        ),
    ];
    let shown = |total: &str| -> usize {
        total
            .split_whitespace()
            .next()
            .and_then(|n| n.replace(',', "").parse().ok())
            .unwrap_or_else(|| panic!("no count in {total:?}"))
    };
    let mut valid_from_seen = false;
    for (view, want) in expected {
        desk.click(&format!("day-{view}")).await;
        let total = eventually(view, Duration::from_secs(20), || async {
            let pressed = desk
                .testid(&format!("day-{view}"))
                .await
                .attr("aria-pressed")
                .await
                .unwrap();
            let total = desk.text("permit-total").await;
            if pressed.as_deref() == Some("true") && shown(&total).abs_diff(want) <= 1 {
                Ok(total)
            } else {
                Err(format!("{total} against {want} from the API"))
            }
        })
        .await;
        assert!(
            shown(&total).abs_diff(want) <= 1,
            "{view}: {total} / {want}"
        );
        // The valid-from column is there to read, in a view with rows (which views have rows
        // depends on the hour: just after midnight in Dubai nothing has ended today yet).
        if want > 1 && !valid_from_seen {
            desk.testid("permit-valid-from").await;
            valid_from_seen = true;
        }
    }
    assert!(valid_from_seen, "no view had rows: {expected:?}");
    // Away and back: the view and its filters are as they were left.
    let before = desk.text("permit-total").await;
    desk.click("nav-contractors").await;
    desk.testid("contractor-row").await;
    desk.click("nav-permits").await;
    desk.text_until("permit-total", |t| t == before).await;
    let pressed = desk
        .testid("day-endedToday")
        .await
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    desk.screenshot("today-views").await;
    // A search that finds nothing in this view says it matches elsewhere, and goes there.
    let live = all
        .iter()
        .filter(accepted)
        .find(|p| till(p).is_some_and(|t| t > end + chrono::Duration::days(2)))
        .unwrap();
    let pass = live.pass_number.clone().unwrap();
    desk.type_into("permit-search", &pass).await;
    let said = desk
        .text_until("permits-elsewhere", |t| t.contains("1 permit"))
        .await;
    assert!(said.contains("with any status"), "{said}");
    desk.click("permits-elsewhere").await;
    desk.texts_until("permit-pass", |t| t == [pass.clone()])
        .await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reissue_shows_the_new_code_and_the_gate_refuses_the_old_one() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    let id = first_accepted_permit(&desk).await;
    // The code shows its last four characters until the desk reveals it.
    let masked = desk.text_until("permit-access-code", |t| t != "—").await;
    assert!(
        masked.starts_with("•••• ") && masked.chars().count() == 9,
        "{masked}"
    );
    desk.click("permit-access-code-reveal").await;
    let old = desk
        .text_until("permit-access-code", |t| !t.starts_with("••••"))
        .await;
    assert!(old.ends_with(&masked["•••• ".len()..]), "{old} / {masked}");
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

    // Once Buzz-In has issued it, the dialog names the new code: the server's.
    desk.text_until("reissued-state", |t| t.starts_with("The new code is"))
        .await;
    // Online against a fast API the action is queued and sent between two reads of the outbox:
    // the desk is told all the same, with the next step.
    let told = desk
        .text_until("notice", |t| t.contains("reissued at Buzz-In"))
        .await;
    assert!(
        told.contains("the old code no longer opens the gates"),
        "{told}"
    );
    assert_eq!(desk.text("notice-action").await, "Print the new pass");
    let new = code_on_server(&community, &id).await.unwrap();
    assert_ne!(new, old);
    let shown = desk.text("permit-access-code").await;
    let tail: String = new
        .chars()
        .skip(new.chars().count().saturating_sub(4))
        .collect();
    assert!(
        shown == new || shown == format!("•••• {tail}"),
        "the panel shows the server's new code: {shown} / {new}"
    );
    let (opened_old, why_old) = community.gate(&old).await;
    assert!(!opened_old, "the old code must not open the gate");
    assert_eq!(why_old, "inactive");
    let (_, why_new) = community.gate(&new).await;
    assert!(
        why_new != "unknown code" && why_new != "inactive",
        "the new code is live at the gate ({why_new})"
    );
    // The confirmation stays to offer the new pass, which prints with the new code.
    let offer = desk
        .text_until("reissued-state", |t| t.contains(&new))
        .await;
    assert!(offer.contains(&old), "names the dead code: {offer}");
    desk.screenshot("reissued").await;
    let copy = desk.home().join("viewer-got.pdf");
    pdf_viewer_copying_to(&desk, &copy);
    desk.click("reissued-print").await;
    gatehouse_testkit::eventually_true(
        "the new pass opens in the viewer",
        Duration::from_secs(20),
        || async { copy.exists() },
    )
    .await;
    let found = gatehouse_testkit::pdf::decode(&copy, 150);
    let payload: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
    assert_eq!(payload["accessCode"].as_str(), Some(new.as_str()));
    desk.texts_until("permit-timeline", |t| {
        t.iter().any(|x| x.contains("reissue"))
    })
    .await;
    desk.screenshot("window-permits").await;
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_revoke_shows_the_state_the_gates_obey_until_buzz_in_has_it_then_says_so() {
    let mut community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    let id = first_accepted_permit(&desk).await;
    let pass = desk.text("permit-panel-pass").await;

    community.stop().await;
    desk.text_until("status-connection", |t| t.starts_with("Offline"))
        .await;
    desk.click("revoke-pass").await;
    desk.testid("confirm-revoke-pass").await;
    // Offline, the dialog says the gates keep accepting the pass until Buzz-In has the revoke.
    let gates = desk.text("offline-gates").await;
    assert!(
        gates.contains("keep accepting") && gates.contains("stop them in person"),
        "{gates}"
    );
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

    // The panel keeps the state the gates obey, with the queued revoke beside it in words.
    desk.text_until("permit-panel-queued", |t| {
        t.contains("revoke queued") && t.contains("still opens the gates")
    })
    .await;
    assert_eq!(desk.text("permit-panel-status").await, "ACCEPTED");
    let warnings = desk.texts("permit-verdict-warning").await;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("has not reached Buzz-In")),
        "{warnings:?}"
    );
    desk.testid("offline-banner").await;
    desk.text_until("status-pending", |t| t.starts_with("Pending actions: 1"))
        .await;
    // "Retry now" tries at once; Buzz-In is still away, so nothing moves.
    desk.click("status-retry").await;
    desk.text_until("notice", |t| t.starts_with("Trying Buzz-In now"))
        .await;
    desk.text_until("status-connection", |t| t.starts_with("Offline"))
        .await;
    // Its row stays among the ACCEPTED ones, with the mark whole beside its status.
    let mark = desk
        .js(
            "const row = document.querySelector(`[data-testid=permit-row][data-id=\"${arguments[0]}\"]`);
             const m = row && row.querySelector('[data-testid=permit-queued]');
             const s = row && row.querySelector('[data-testid=permit-status]');
             return m ? [m.textContent.trim(), s.textContent.trim(), m.scrollWidth <= m.clientWidth + 1,
                         m.getBoundingClientRect().right <= row.querySelector('.c-status').getBoundingClientRect().right + 1,
                         [s.getBoundingClientRect().width, m.getBoundingClientRect().width, row.querySelector('.c-status').getBoundingClientRect().width, window.innerWidth]] : null;",
            vec![id.clone().into()],
        )
        .await;
    assert_eq!(
        mark.as_array().map(|m| m[..4].to_vec()),
        Some(vec![
            "revoke queued".into(),
            "ACCEPTED".into(),
            true.into(),
            true.into()
        ]),
        "the row shows ACCEPTED and the whole mark (widths: status, mark, cell, window): {mark}"
    );
    desk.click("status-pending").await;
    let rows = desk.texts_until("outbox-row", |r| r.len() == 1).await;
    assert!(rows[0].contains("Revoke pass"), "{rows:?}");
    assert!(rows[0].contains("Badge lost at gate 3"), "{rows:?}");
    desk.testid("outbox-sent-empty").await;
    desk.screenshot("window-offline").await;
    desk.click("outbox-close").await;

    // The API returns: the action drains with no one touching anything, and the desk is told.
    community.restart().await;
    // Told in a toast when Buzz-In has it (the engine's next attempt, within its backoff).
    let told = eventually("the landing told", Duration::from_secs(60), || async {
        let notices = desk.texts("notice").await;
        notices
            .into_iter()
            .find(|t| t.contains("revoked at Buzz-In"))
            .ok_or_else(|| "no such notice yet".to_owned())
    })
    .await;
    assert!(
        told.starts_with(&pass) && told.contains("no longer opens the gates"),
        "{told}"
    );
    assert_eq!(status_on_server(&community, &id).await, "REVOKED");
    desk.text_until("permit-panel-status", |t| t == "REVOKED")
        .await;
    desk.eventually_gone("permit-panel-queued").await;
    // The timeline names this desk's actor, not the API key.
    desk.texts_until("permit-timeline", |t| {
        t.iter()
            .any(|x| x.contains("by desk-test at this desk: Badge lost at gate 3"))
    })
    .await;
    desk.text_until("status-pending", |t| t.starts_with("Pending actions: 0"))
        .await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    assert!(desk.texts("offline-banner").await.is_empty());
    desk.click("status-pending").await;
    let sent = desk.texts_until("outbox-sent-row", |r| r.len() == 1).await;
    assert!(
        sent[0].contains(&format!("{pass} revoked at Buzz-In")),
        "{sent:?}"
    );
    desk.screenshot("window-sent").await;
    desk.click("outbox-close").await;
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

    // An address nothing answers at: said plainly, with the engineer's text behind Details.
    desk.type_into("connect-name", "marina").await;
    desk.type_into("connect-url", "http://127.0.0.1:9").await;
    desk.type_into("connect-key", "not-the-key").await;
    desk.click("connect-submit").await;
    let said = desk
        .text_until("connect-error", |t| t.starts_with("Cannot reach"))
        .await;
    assert!(said.contains("Check the address"), "{said}");
    desk.click("error-details").await;
    let detail = desk
        .js(
            "const d = document.querySelector('[data-testid=connect-error] details');
             return d && d.open ? d.querySelector('code').textContent : null;",
            vec![],
        )
        .await;
    assert!(
        detail
            .as_str()
            .is_some_and(|d| !d.is_empty() && !d.contains("Check the address")),
        "the details hold the engineer's text: {detail} / {said}"
    );

    // A wrong key: refused by the API, said plainly, and nothing saved anywhere.
    desk.type_into("connect-url", &community.base_url()).await;
    desk.click("connect-submit").await;
    desk.text_until("connect-error", |t| t.contains("refused this API key"))
        .await;
    assert_eq!(keychain_secret(&desk.env, "marina"), None);
    assert!(!desk.data_dir.join("profiles.json").exists());
    desk.text_until("status-community", |t| t == "Demo community")
        .await;
    // The typed key is kept, to fix what was wrong without typing it again.
    let kept = desk
        .js(
            "return document.querySelector('[data-testid=connect-key]').value;",
            vec![],
        )
        .await;
    assert_eq!(kept, "not-the-key");

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
