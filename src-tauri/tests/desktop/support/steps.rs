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

/// Makes the desk's "PDF viewer" a script that copies the file it is given to `copy`: a
/// `.desktop` handler for `application/pdf` in the app's private XDG folders, so that opening a
/// pass goes through the real `xdg-open`.
pub fn pdf_viewer_copying_to(desk: &Desktop, copy: &std::path::Path) {
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
