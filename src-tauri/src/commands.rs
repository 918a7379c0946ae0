//! Tauri commands: adapters over `gatehouse-app`. Each returns `Result<T, gatehouse_app::Error>`,
//! which reaches the webview as `{code, message}`.

use std::sync::Arc;

use gatehouse_app::alert_times::AlertTimes;
use std::num::NonZeroU32;

use gatehouse_app::panels::{
    CrewIdentifier, CrewInput, DoorsOnPanel, PanelAddRequest, PanelDrain, PanelIdentifierRow,
    PanelStatus, PanelSweep,
};
use gatehouse_app::places::{PlaceEdit, PlaceOption, PlaceRow, PlacesExport, PlacesView};
use gatehouse_app::vocabulary::ContractorState;
use gatehouse_app::{
    ActionView, ActivityExport, ActivityPage, ActivityQuery, AlertList, AppInfo, CheckRequest,
    CheckVerdict, ConnectRequest, ContractorDetail, ContractorList, DesktopPrefs, Error,
    OutboxView, PermitDetail, PermitFilter, PermitPageView, PrintCandidate, PrintOutcome,
    PrintRequest, Session, SnoozedView, StatusView,
};
use tauri::State;

#[tauri::command]
pub fn app_info(session: State<'_, Arc<Session>>) -> Result<AppInfo, Error> {
    Ok(gatehouse_app::app_info(session.paths()))
}

/// Connects a Buzz-In account (the key goes to the OS keychain) and opens its community.
#[tauri::command]
pub async fn connect(
    session: State<'_, Arc<Session>>,
    request: ConnectRequest,
) -> Result<StatusView, Error> {
    session.connect(request).await
}

#[tauri::command]
pub async fn status(session: State<'_, Arc<Session>>) -> Result<StatusView, Error> {
    session.community().await.status().await
}

#[tauri::command]
pub async fn contractors(
    session: State<'_, Arc<Session>>,
    tab: ContractorState,
    search: String,
    licence_soon: bool,
) -> Result<ContractorList, Error> {
    session
        .community()
        .await
        .contractors(tab, &search, licence_soon)
        .await
}

#[tauri::command]
pub async fn contractor(
    session: State<'_, Arc<Session>>,
    id: String,
) -> Result<ContractorDetail, Error> {
    session.community().await.contractor(&id).await
}

#[tauri::command]
pub async fn approve_contractor(
    session: State<'_, Arc<Session>>,
    id: String,
    reason: Option<String>,
) -> Result<ActionView, Error> {
    session
        .community()
        .await
        .approve_contractor(&id, reason.as_deref())
        .await
}

#[tauri::command]
pub async fn revoke_contractor(
    session: State<'_, Arc<Session>>,
    id: String,
    reason: String,
) -> Result<ActionView, Error> {
    session
        .community()
        .await
        .revoke_contractor(&id, &reason)
        .await
}

#[tauri::command]
pub async fn permits(
    session: State<'_, Arc<Session>>,
    filter: PermitFilter,
    page: u32,
) -> Result<PermitPageView, Error> {
    session.community().await.permits(&filter, page).await
}

#[tauri::command]
pub async fn permit(session: State<'_, Arc<Session>>, id: String) -> Result<PermitDetail, Error> {
    session.community().await.permit(&id).await
}

#[tauri::command]
pub async fn retry_now(session: State<'_, Arc<Session>>) -> Result<(), Error> {
    session.community().await.retry_now();
    Ok(())
}

#[tauri::command]
pub async fn reissue_pass(
    session: State<'_, Arc<Session>>,
    id: String,
) -> Result<ActionView, Error> {
    session.community().await.reissue_pass(&id).await
}

#[tauri::command]
pub async fn revoke_pass(
    session: State<'_, Arc<Session>>,
    id: String,
    reason: String,
) -> Result<ActionView, Error> {
    session.community().await.revoke_pass(&id, &reason).await
}

#[tauri::command]
pub async fn outbox(session: State<'_, Arc<Session>>) -> Result<OutboxView, Error> {
    session.community().await.outbox().await
}

#[tauri::command]
pub async fn retry_action(
    session: State<'_, Arc<Session>>,
    id: String,
) -> Result<ActionView, Error> {
    session.community().await.retry_action(&id).await
}

#[tauri::command]
pub async fn discard_action(
    session: State<'_, Arc<Session>>,
    id: String,
) -> Result<ActionView, Error> {
    session.community().await.discard_action(&id).await
}

#[tauri::command]
pub async fn check_pass(
    session: State<'_, Arc<Session>>,
    request: CheckRequest,
) -> Result<CheckVerdict, Error> {
    session.community().await.check_pass(&request).await
}

#[tauri::command]
pub async fn print_preview(
    session: State<'_, Arc<Session>>,
    permits: Vec<String>,
) -> Result<Vec<PrintCandidate>, Error> {
    session.community().await.print_preview(&permits).await
}

/// Prints into the profile's passes folder and opens the PDF in the desk's viewer, from which
/// the desk prints; or, with a printer named, sends it to that CUPS printer instead.
#[tauri::command]
pub async fn print_passes(
    session: State<'_, Arc<Session>>,
    request: PrintRequest,
) -> Result<PrintOutcome, Error> {
    let request = PrintRequest {
        output: None,
        ..request
    };
    let mut outcome = session.community().await.print_passes(&request).await?;
    // Sent to a printer, it is not opened as well: one pass, one print.
    if let (Some(path), None) = (&outcome.path, &request.printer) {
        outcome.open_error = tauri_plugin_opener::open_path(path, None::<&str>)
            .err()
            .map(|e| format!("{path} was written but could not be opened: {e}."));
    }
    Ok(outcome)
}

/// The CUPS printers the Print queue may send to; none where CUPS is absent (Windows).
#[tauri::command]
pub async fn printers() -> Result<Vec<String>, Error> {
    match tauri::async_runtime::spawn_blocking(gatehouse_app::printers)
        .await
        .map_err(|e| Error::internal(format!("asking CUPS stopped: {e}")))?
    {
        Err(e) if e.code == gatehouse_app::ErrorCode::NotFound => Ok(Vec::new()),
        other => other,
    }
}

#[tauri::command]
pub async fn activity(
    session: State<'_, Arc<Session>>,
    query: ActivityQuery,
) -> Result<ActivityPage, Error> {
    session.community().await.activity(&query).await
}

/// Shows a file just written in the desk's file manager; why not, if it cannot.
fn shown_in_folder(path: &std::path::Path) -> Option<String> {
    tauri_plugin_opener::reveal_item_in_dir(path)
        .err()
        .map(|e| {
            format!(
                "{} was written but could not be shown: {e}.",
                path.display()
            )
        })
}

/// Writes the lines the view's filter picks as CSV into the profile's exports folder, and shows
/// the file in the desk's file manager.
#[tauri::command]
pub async fn export_activity(
    session: State<'_, Arc<Session>>,
    query: ActivityQuery,
) -> Result<ActivityExport, Error> {
    let (path, lines) = session.community().await.export_activity(&query).await?;
    let open_error = shown_in_folder(&path);
    Ok(ActivityExport {
        path: path.display().to_string(),
        lines,
        open_error,
    })
}

#[tauri::command]
pub async fn places(session: State<'_, Arc<Session>>) -> Result<PlacesView, Error> {
    Ok(session.community().await.places_view())
}

#[tauri::command]
pub async fn import_places(
    session: State<'_, Arc<Session>>,
    csv: String,
) -> Result<PlacesView, Error> {
    session.community().await.import_places(csv.as_bytes())
}

#[tauri::command]
pub async fn place_rows(session: State<'_, Arc<Session>>) -> Result<Vec<PlaceRow>, Error> {
    session.community().await.place_rows().await
}

#[tauri::command]
pub async fn name_place(
    session: State<'_, Arc<Session>>,
    edit: PlaceEdit,
) -> Result<PlacesView, Error> {
    let community = session.community().await;
    community.name_place(&edit)?;
    Ok(community.places_view())
}

/// Writes the directory's CSV into the profile's exports folder and shows it in the desk's file
/// manager.
#[tauri::command]
pub async fn export_places(session: State<'_, Arc<Session>>) -> Result<PlacesExport, Error> {
    let (path, towers, units) = session.community().await.export_places_file()?;
    let open_error = shown_in_folder(&path);
    Ok(PlacesExport {
        path: path.display().to_string(),
        towers,
        units,
        open_error,
    })
}

#[tauri::command]
pub async fn place_options(session: State<'_, Arc<Session>>) -> Result<Vec<PlaceOption>, Error> {
    Ok(session.community().await.place_options())
}

#[tauri::command]
pub async fn alerts(session: State<'_, Arc<Session>>) -> Result<AlertList, Error> {
    session.community().await.alerts().await
}

/// Marks these alerts read (every unread one when `ids` is empty).
#[tauri::command]
pub async fn mark_alerts_read(
    session: State<'_, Arc<Session>>,
    ids: Vec<i64>,
) -> Result<(), Error> {
    session.community().await.mark_alerts_read(&ids).await
}

/// Puts off these permits' alerts until each one's next threshold.
#[tauri::command]
pub async fn snooze_alerts(
    session: State<'_, Arc<Session>>,
    permits: Vec<String>,
) -> Result<Vec<SnoozedView>, Error> {
    session
        .community()
        .await
        .snooze_alerts(&permits, None)
        .await
}

/// How the app lives on this computer: closing to the tray, starting at login.
#[tauri::command]
pub fn desktop_prefs(app: tauri::AppHandle) -> DesktopPrefs {
    crate::prefs::get(&app)
}

#[tauri::command]
pub fn set_desktop_prefs(
    app: tauri::AppHandle,
    session: State<'_, Arc<Session>>,
    prefs: DesktopPrefs,
) -> Result<DesktopPrefs, Error> {
    crate::prefs::set(&app, session.paths(), prefs)
}

/// When the open community's expiry alerts are told.
#[tauri::command]
pub async fn alert_times(session: State<'_, Arc<Session>>) -> Result<AlertTimes, Error> {
    session.alert_times().await
}

/// Sets them (`72h, 24h, 2h`; empty: the defaults).
#[tauri::command]
pub async fn set_alert_times(
    session: State<'_, Arc<Session>>,
    text: String,
) -> Result<AlertTimes, Error> {
    session.set_alert_times(&text).await
}

/// The permits a clicked alert (or a launch with `--open-permits`) asks to open, once.
#[tauri::command]
pub fn take_permits_to_open(to_open: State<'_, crate::alerts::ToOpen>) -> Option<Vec<String>> {
    to_open.0.lock().expect("not poisoned").take()
}

#[tauri::command]
pub async fn panels(session: State<'_, Arc<Session>>) -> Result<Vec<PanelStatus>, Error> {
    session.community().await.panels().await
}

#[tauri::command]
pub async fn panel_identifiers(
    session: State<'_, Arc<Session>>,
    name: String,
) -> Result<Vec<PanelIdentifierRow>, Error> {
    session.community().await.panel_identifiers(&name).await
}

#[tauri::command]
pub async fn sweep_panels(session: State<'_, Arc<Session>>) -> Result<Vec<PanelSweep>, Error> {
    session.community().await.sweep_panels().await
}

#[tauri::command]
pub async fn remove_orphans(
    session: State<'_, Arc<Session>>,
    panel: String,
) -> Result<PanelDrain, Error> {
    session.community().await.remove_orphans(&panel).await
}

#[tauri::command]
pub async fn drain_panels(session: State<'_, Arc<Session>>) -> Result<Vec<PanelDrain>, Error> {
    session.community().await.drain_panels().await
}

#[tauri::command]
pub async fn add_panel(
    session: State<'_, Arc<Session>>,
    panel: PanelAddRequest,
) -> Result<PanelStatus, Error> {
    session.community().await.add_panel(panel.into()).await
}

#[tauri::command]
pub async fn remove_panel(session: State<'_, Arc<Session>>, name: String) -> Result<(), Error> {
    session.community().await.remove_panel(&name)
}

#[tauri::command]
pub async fn provision_doors(
    session: State<'_, Arc<Session>>,
    permit: String,
    crew: Vec<CrewInput>,
    max_passes: Option<NonZeroU32>,
) -> Result<Vec<DoorsOnPanel>, Error> {
    let crew: Vec<CrewIdentifier> = crew.iter().map(Into::into).collect();
    session
        .community()
        .await
        .provision_doors(&permit, &crew, max_passes)
        .await
}

#[tauri::command]
pub async fn revoke_doors(
    session: State<'_, Arc<Session>>,
    permit: String,
) -> Result<Vec<DoorsOnPanel>, Error> {
    session.community().await.revoke_doors(&permit).await
}
