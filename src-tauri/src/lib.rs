//! The desktop shell: one window, the plugins, and commands that adapt `gatehouse-app` to IPC.
//! Logic lives in `crates/`; a command here is a few lines of argument passing.

#[macro_use]
mod command_list;
mod alerts;
mod commands;
mod display;
mod events;
mod prefs;
mod tray;

macro_rules! handlers {
    ($($command:ident),* $(,)?) => {
        tauri::generate_handler![$(commands::$command),*]
    };
}

macro_rules! names {
    ($($command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

/// The commands the window may call (`command_list.rs`).
pub const COMMANDS: &[&str] = with_commands!(names);

use std::sync::Arc;

use tauri::Manager;

/// Where diagnostics go: stderr, filtered by `GATEHOUSE_LOG` (e.g. `info`, `gatehouse=debug`);
/// warnings only by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The environment's API keys, read once by `gatehouse-app`; the names of their variables.
pub fn capture_env_keys() -> Vec<String> {
    gatehouse_app::profiles::capture_env_keys()
}

pub fn run() {
    init_logging();
    let started = std::time::Instant::now();
    let paths = match gatehouse_app::Paths::from_env() {
        Ok(paths) => paths,
        Err(err) => {
            eprintln!("Gatehouse cannot start: {err}");
            std::process::exit(1);
        }
    };

    tauri::Builder::default()
        // Must be the first plugin: a second launch hands over to the running one and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            match gatehouse_app::permits_to_open(&argv) {
                Some(ids) => alerts::open_permits(app, ids),
                None => alerts::show_window(app),
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(prefs::autostart_plugin())
        .setup(move |app| {
            if let Some(window) = app.get_webview_window("main") {
                display::configure(&window);
            }
            // The community (the demo one until a profile exists) opens before the window
            // shows anything, and syncs in the background from then on.
            let session = tauri::async_runtime::block_on(gatehouse_app::Session::open(paths))
                .map_err(|e| format!("Gatehouse cannot open its community: {e}"))?;
            let session = Arc::new(session);
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "community open"
            );
            events::forward(app.handle().clone(), session.clone());
            prefs::start(app.handle(), session.paths());
            let args: Vec<String> = std::env::args().collect();
            app.manage(alerts::ToOpen(std::sync::Mutex::new(
                gatehouse_app::permits_to_open(&args),
            )));
            alerts::start(app.handle(), session.clone());
            let doors = session.clone();
            tauri::async_runtime::spawn(async move { doors.keep_doors().await });
            tray::build(app.handle(), session.clone())?;
            if args.iter().any(|a| a == prefs::HIDDEN_ARG) {
                tray::start_hidden(app.handle());
            }
            app.manage(session);
            Ok(())
        })
        .on_page_load(move |_webview, payload| {
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                event = ?payload.event(),
                "page load"
            );
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && tray::on_close(window.app_handle(), window)
            {
                api.prevent_close();
            }
        })
        .invoke_handler(with_commands!(handlers))
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("Gatehouse stopped: {err}");
            std::process::exit(1);
        });
}
