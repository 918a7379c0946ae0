//! Tauri commands: adapters over `gatehouse-app`. Each returns `Result<T, gatehouse_app::Error>`,
//! which reaches the webview as `{code, message}`.

use std::sync::Arc;

use gatehouse_app::{
    ActionView, AppInfo, Community, ContractorDetail, ContractorList, Error, OutboxView, Paths,
    PermitDetail, PermitFilter, PermitPageView, StatusView,
};
use tauri::State;

#[tauri::command]
pub fn app_info(paths: State<'_, Paths>) -> Result<AppInfo, Error> {
    Ok(gatehouse_app::app_info(&paths))
}

#[tauri::command]
pub async fn status(community: State<'_, Arc<Community>>) -> Result<StatusView, Error> {
    community.status().await
}

#[tauri::command]
pub async fn contractors(
    community: State<'_, Arc<Community>>,
    tab: String,
    search: String,
) -> Result<ContractorList, Error> {
    community.contractors(&tab, &search).await
}

#[tauri::command]
pub async fn contractor(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<ContractorDetail, Error> {
    community.contractor(&id).await
}

#[tauri::command]
pub async fn approve_contractor(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<ActionView, Error> {
    community.approve_contractor(&id).await
}

#[tauri::command]
pub async fn revoke_contractor(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<ActionView, Error> {
    community.revoke_contractor(&id).await
}

#[tauri::command]
pub async fn permits(
    community: State<'_, Arc<Community>>,
    filter: PermitFilter,
    page: u32,
) -> Result<PermitPageView, Error> {
    community.permits(&filter, page).await
}

#[tauri::command]
pub async fn permit(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<PermitDetail, Error> {
    community.permit(&id).await
}

#[tauri::command]
pub async fn reissue_pass(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<ActionView, Error> {
    community.reissue_pass(&id).await
}

#[tauri::command]
pub async fn revoke_pass(
    community: State<'_, Arc<Community>>,
    id: String,
    reason: String,
) -> Result<ActionView, Error> {
    community.revoke_pass(&id, &reason).await
}

#[tauri::command]
pub async fn outbox(community: State<'_, Arc<Community>>) -> Result<OutboxView, Error> {
    community.outbox().await
}

#[tauri::command]
pub async fn retry_action(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<ActionView, Error> {
    community.retry_action(&id).await
}

#[tauri::command]
pub async fn discard_action(
    community: State<'_, Arc<Community>>,
    id: String,
) -> Result<ActionView, Error> {
    community.discard_action(&id).await
}
