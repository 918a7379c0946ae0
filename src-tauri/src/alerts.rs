//! Expiry alerts in the app: `gatehouse-app` tells them (`Session::tell_alerts`); this shows the
//! window when one is clicked and hands its permits to the webview. A click, or a second launch
//! with `--open-permits`, leaves the permits here and emits `OPEN_PERMITS_EVENT`; the webview takes
//! them with the `take_permits_to_open` command (also once at start-up, for a first launch that
//! carried them).

use std::sync::{Arc, Mutex};

use gatehouse_app::{Notifier, OPEN_PERMITS_EVENT, Session};
use tauri::{AppHandle, Emitter, Manager};

/// The permits a click or a launch asked to open, until the webview takes them.
#[derive(Default)]
pub struct ToOpen(pub Mutex<Option<Vec<String>>>);

/// When alerts are held back (the tray's "Pause alerts for 1 h").
pub struct Pause(pub tokio::sync::watch::Sender<Option<std::time::Instant>>);

/// Starts telling alerts for as long as the app runs.
pub fn start(app: &AppHandle, session: Arc<Session>) {
    let handle = app.clone();
    let notifier = Notifier::new(move |ids| open_permits(&handle, ids));
    let (pause, paused) = tokio::sync::watch::channel(None);
    app.manage(Pause(pause));
    app.manage(notifier.clone());
    tauri::async_runtime::spawn(async move { session.tell_alerts(notifier, paused).await });
}

/// Brings the window to the front on these permits.
pub fn open_permits(app: &AppHandle, ids: Vec<String>) {
    if let Some(to_open) = app.try_state::<ToOpen>() {
        *to_open.0.lock().expect("not poisoned") = Some(ids);
    }
    show_window(app);
    let _ = app.emit(OPEN_PERMITS_EVENT, ());
}

/// Shows the main window: unminimized, shown, focused (in that order: Windows gives focus only
/// to a window that is not minimized).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// A word from the app as a notification (nothing waits on it).
pub fn say(app: &AppHandle, title: &'static str, body: &'static str) {
    let notifier = app.state::<Notifier>().inner().clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = notifier.say(title, body).await {
            tracing::info!("{e}");
        }
    });
}
