//! The keyboard desk in the real window: from a view key to the search, the results, the open
//! permit and its revoke in a handful of keys; Esc closing only the topmost layer; the shortcut
//! sheet; the contractor queue's single Tab stop.

use crate::support;

use fantoccini::key::Key;
use support::ServedCommunity;
use support::steps::opened;

const DOWN: &str = "\u{e015}";
const DELETE: &str = "\u{e017}";
const ESCAPE: &str = "\u{e00c}";
const TAB: &str = "\u{e004}";

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_goes_from_search_to_revoke_by_keyboard_and_esc_closes_one_layer_at_a_time() {
    let community = ServedCommunity::start(false).await;
    let desk = opened(&community).await;
    desk.text_until("status-connection", |t| t == "Online")
        .await;
    let accepted = community
        .api
        .permits(
            &gatehouse_testkit::ListQuery::new()
                .eq("statusName", "ACCEPTED")
                .limit(1),
        )
        .await
        .unwrap()
        .data
        .remove(0);
    let pass = accepted.pass_number.clone().unwrap();

    // Ctrl+2: Permits. `/`: its search. The pass number, ↓: the result, its panel open.
    desk.js("document.activeElement?.blur();", vec![]).await;
    desk.keys(Some(Key::Control), "2").await;
    desk.testid("view-permits").await;
    desk.testid("permit-row").await;
    desk.keys(None, "/").await;
    let focused = desk
        .js(
            "return document.activeElement?.dataset.testid ?? null;",
            vec![],
        )
        .await;
    assert_eq!(focused, "permit-search");
    desk.keys(None, &pass).await;
    desk.texts_until("permit-pass", |t| t == [pass.clone()])
        .await;
    desk.keys(None, DOWN).await;
    desk.text_until("permit-panel-pass", |t| t == pass).await;
    // Shift+Delete: the revoke, its reason field ready for typing.
    desk.keys(Some(Key::Shift), DELETE).await;
    desk.testid("confirm-revoke-pass").await;
    desk.keys(None, "Badge lost").await;
    let reason = desk
        .js(
            "return document.querySelector('[data-testid=revoke-reason]').value;",
            vec![],
        )
        .await;
    assert_eq!(reason, "Badge lost", "the keys went into the reason");

    // Esc closes the dialog only; the panel stays.
    desk.keys(None, ESCAPE).await;
    desk.eventually_gone("confirm-revoke-pass").await;
    desk.text_until("permit-panel-pass", |t| t == pass).await;
    // `?` is the shortcut sheet above the panel: Esc closes the sheet, then the panel.
    desk.keys(None, "?").await;
    let sheet = desk.text("shortcuts").await;
    assert!(
        sheet.contains("Shift+Delete") && sheet.contains("F6"),
        "{sheet}"
    );
    desk.screenshot("shortcuts").await;
    desk.keys(None, ESCAPE).await;
    desk.eventually_gone("shortcuts").await;
    desk.text_until("permit-panel-pass", |t| t == pass).await;
    desk.keys(None, ESCAPE).await;
    desk.eventually_gone("permit-panel-pass").await;
    assert!(
        desk.texts("permit-row").await.len() == 1,
        "the search is kept"
    );

    // The row checkboxes are out of the Tab order: Tab from the search reaches the filters.
    desk.keys(None, "/").await;
    desk.keys(None, TAB).await;
    let next = desk
        .js(
            "return document.activeElement?.dataset.testid ?? null;",
            vec![],
        )
        .await;
    assert_eq!(next, "filter-status");
    let picks = desk
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=permit-pick]')).every(c => c.tabIndex === -1);",
            vec![],
        )
        .await;
    assert_eq!(picks, true);

    // The contractor queue is one Tab stop: one row takes the focus, the others -1.
    desk.js("document.activeElement?.blur();", vec![]).await;
    desk.keys(Some(Key::Control), "1").await;
    desk.testid("contractor-row").await;
    let stops = desk
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=contractor-row]')).filter(r => r.tabIndex === 0).length;",
            vec![],
        )
        .await;
    assert_eq!(stops, 1);
    desk.close().await;
}
