//! Tauri commands: adapters over `gatehouse-app`. Each returns `Result<T, gatehouse_app::Error>`,
//! which reaches the webview as `{code, message}`.

use gatehouse_app::{AppInfo, Error, Paths};
use tauri::State;

#[tauri::command]
pub fn app_info(paths: State<'_, Paths>) -> Result<AppInfo, Error> {
    Ok(gatehouse_app::app_info(&paths))
}
