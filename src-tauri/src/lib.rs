//! The desktop shell: one window, the plugins, and commands that adapt `gatehouse-app` to IPC.
//! Logic lives in `crates/`; a command here is a few lines of argument passing.

mod commands;

use tauri::Manager;

pub fn run() {
    let paths = match gatehouse_app::Paths::from_env() {
        Ok(paths) => paths,
        Err(err) => {
            eprintln!("Gatehouse cannot start: {err}");
            std::process::exit(1);
        }
    };

    tauri::Builder::default()
        // Must be the first plugin: a second launch hands over to the running one and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .manage(paths)
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("Gatehouse stopped: {err}");
            std::process::exit(1);
        });
}
