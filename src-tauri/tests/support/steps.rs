//! Steps the window tests share: the window opened on a served community and checked, a row's
//! id, the first ACCEPTED permit opened, a permit's live code on the server.

use super::{Desktop, ServedCommunity};

/// The window on `community`, its first sync done, the API key kept out of WebKit's processes.
pub async fn opened(community: &ServedCommunity) -> Desktop {
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

/// The `data-id`s of the rows with this test id, in order.
pub async fn row_ids(desk: &Desktop, testid: &str) -> Vec<String> {
    let v = desk
        .js(
            "return Array.from(document.querySelectorAll(`[data-testid=\"${arguments[0]}\"]`))
               .map(e => e.dataset.id);",
            vec![testid.into()],
        )
        .await;
    serde_json::from_value(v).unwrap()
}

/// A permit's code as the server has it now.
pub async fn code_on_server(community: &ServedCommunity, permit_id: &str) -> Option<String> {
    community.api.permit(permit_id).await.unwrap().access_code
}

/// Opens the permits view filtered to ACCEPTED and the detail of its first row.
pub async fn first_accepted_permit(desk: &Desktop) -> String {
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
