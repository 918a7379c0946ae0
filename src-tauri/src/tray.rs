//! The tray: an icon with a menu (Open Gatehouse; "N permits expire within 24 h", which opens
//! them; Pause alerts for 1 h; Quit), the count also in the tooltip (Windows) and the title
//! (macOS). Closing the window keeps the app in the tray (unless Settings turned that off, when
//! it quits); where Linux has no tray host, closing minimizes instead and says so once. A login
//! start (`--hidden`) puts the window away at once the same way. The words and the count come
//! from `gatehouse-app`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gatehouse_app::{Session, TrayView};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};

use crate::alerts::{Pause, open_permits, show_window};

/// How long "Pause alerts" holds them.
const PAUSE_FOR: Duration = Duration::from_secs(3600);

struct Items {
    expiring: MenuItem<Wry>,
    pause: MenuItem<Wry>,
}

/// The tray's state: the permits its line opens, and whether a tray host shows it.
pub struct Tray {
    icon: TrayIcon<Wry>,
    items: Items,
    expiring: std::sync::Mutex<Vec<String>>,
    /// Asked of the session bus at start and every minute (a panel may start after the app, at
    /// login), never in the close itself, which runs on the window's thread.
    hosted: AtomicBool,
    said_no_host: AtomicBool,
}

pub fn build(app: &AppHandle, session: Arc<Session>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Gatehouse", true, None::<&str>)?;
    let expiring = MenuItem::with_id(
        app,
        "expiring",
        TrayView::default().expiring_line(),
        false,
        None::<&str>,
    )?;
    let pause = MenuItem::with_id(app, "pause", "Pause alerts for 1 h", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Gatehouse", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &expiring,
            &PredefinedMenuItem::separator(app)?,
            &pause,
            &quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip("Gatehouse")
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app),
            "expiring" => {
                let ids = app
                    .state::<Tray>()
                    .expiring
                    .lock()
                    .expect("not poisoned")
                    .clone();
                if !ids.is_empty() {
                    open_permits(app, ids);
                }
            }
            "pause" => toggle_pause(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    app.manage(Tray {
        icon,
        items: Items { expiring, pause },
        expiring: Default::default(),
        // Until the bus has answered, a close minimizes: the window is never lost.
        hosted: AtomicBool::new(!cfg!(target_os = "linux")),
        said_no_host: AtomicBool::new(false),
    });
    follow(app.clone(), session);
    Ok(())
}

fn paused(app: &AppHandle) -> bool {
    app.state::<Pause>()
        .0
        .borrow()
        .is_some_and(|until| Instant::now() < until)
}

fn toggle_pause(app: &AppHandle) {
    let until = (!paused(app)).then(|| Instant::now() + PAUSE_FOR);
    app.state::<Pause>().0.send_replace(until);
    let tray = app.state::<Tray>();
    let _ = tray.items.pause.set_text(if until.is_some() {
        "Resume alerts"
    } else {
        "Pause alerts for 1 h"
    });
}

/// Keeps the count current: at once, after each change to the permits, and every minute (a
/// permit leaves the day's window by the clock alone).
fn follow(app: AppHandle, session: Arc<Session>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let community = session.community().await;
            let mut feed = community.change_feed();
            loop {
                #[cfg(target_os = "linux")]
                app.state::<Tray>()
                    .hosted
                    .store(has_tray_host().await, Ordering::SeqCst);
                match community.tray().await {
                    Ok(view) => show(&app, &view),
                    Err(e) => tracing::warn!("tray: {}", e.message),
                }
                tokio::select! {
                    _ = tokio::time::sleep(gatehouse_app::ALERT_TICK) => {}
                    c = feed.next() => match c {
                        Some(c) if c.permits => tokio::time::sleep(Duration::from_millis(500)).await,
                        Some(_) => continue,
                        None => break,
                    },
                }
            }
        }
    });
}

fn show(app: &AppHandle, view: &TrayView) {
    let tray = app.state::<Tray>();
    *tray.expiring.lock().expect("not poisoned") = view.expiring.clone();
    let _ = tray.items.expiring.set_text(view.expiring_line());
    let _ = tray.items.expiring.set_enabled(view.total > 0);
    let paused = paused(app);
    #[cfg(not(target_os = "linux"))]
    let _ = tray.icon.set_tooltip(Some(view.tooltip(paused)));
    #[cfg(target_os = "macos")]
    let _ = tray
        .icon
        .set_title((view.total > 0).then(|| view.total.to_string()));
    #[cfg(target_os = "linux")]
    let _ = (&tray.icon, paused);
}

/// The window's close button: hide in the tray; where there is none, minimize the first time
/// and say so (a later close quits). With "keep running in the tray" off, it quits. Returns
/// whether the close is to be prevented.
pub fn on_close(app: &AppHandle, window: &tauri::Window) -> bool {
    let Some(tray) = app.try_state::<Tray>() else {
        return false;
    };
    if !crate::prefs::get(app).close_to_tray {
        return false;
    }
    let hosted = tray.hosted.load(Ordering::SeqCst);
    tracing::info!(hosted, "window closed");
    if hosted {
        let _ = window.hide();
        return true;
    }
    if tray.said_no_host.swap(true, Ordering::SeqCst) {
        return false;
    }
    let _ = window.minimize();
    crate::alerts::say(
        app,
        "Gatehouse keeps running",
        "This desktop has no tray, so the window was minimized and alerts still arrive. Close it again to quit.",
    );
    true
}

/// A login start: the window goes to the tray as soon as the bus says there is one, else it is
/// minimized (it is never out of reach).
pub fn start_hidden(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        #[cfg(target_os = "linux")]
        let hosted = has_tray_host().await;
        #[cfg(not(target_os = "linux"))]
        let hosted = true;
        if let Some(window) = app.get_webview_window("main") {
            let _ = if hosted {
                window.hide()
            } else {
                window.minimize()
            };
        }
    });
}

/// Whether a StatusNotifierWatcher (the tray host of KDE, of GNOME's AppIndicator extension,
/// of most Linux panels) is on the session bus: one call to the bus, a millisecond or two.
#[cfg(target_os = "linux")]
async fn has_tray_host() -> bool {
    async fn ask() -> zbus::Result<bool> {
        let bus = zbus::Connection::session().await?;
        let reply = bus
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "NameHasOwner",
                &("org.kde.StatusNotifierWatcher",),
            )
            .await?;
        reply.body().deserialize::<bool>()
    }
    ask().await.unwrap_or(false)
}
