//! Tauri commands: adapters over `gatehouse-app`. Each returns `Result<T, gatehouse_app::Error>`,
//! which reaches the webview as `{code, message}`.

use std::sync::Arc;

use gatehouse_app::{AppInfo, Community, Error, Paths, StatusView};
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
) -> Result<gatehouse_app::ContractorList, Error> {
    community.contractors(&tab, &search).await
}
