//! How the app lives on this computer (`gatehouse_app::DesktopPrefs`): closing the window keeps
//! it in the tray unless the admin turned that off, and "Start at login" registers it with the
//! OS (tauri-plugin-autostart: an XDG autostart entry, a LaunchAgent, the HKCU Run key) to start
//! with `--hidden`, in the tray. The setting is the admin's; the registration is the OS's and is
//! brought in line with it at every start (an installer or a cleanup tool may have changed it).

use std::sync::Mutex;

use gatehouse_app::{DesktopPrefs, Error, Paths};
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt as _;

/// The argument a login start carries: the app starts in the tray, its window hidden.
pub const HIDDEN_ARG: &str = "--hidden";

/// The preferences as they stand.
pub struct Prefs(pub Mutex<DesktopPrefs>);

/// The plugin that registers the login start (a LaunchAgent on macOS, the builder's default:
/// the AppleScript launcher would ask the user for control of System Events).
pub fn autostart_plugin() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    tauri_plugin_autostart::Builder::new()
        .args([HIDDEN_ARG])
        .build()
}

/// Reads the preferences (the defaults, said in the log, when the file does not read) and
/// brings the login registration in line with them.
pub fn start(app: &AppHandle, paths: &Paths) {
    let prefs = DesktopPrefs::load(paths).unwrap_or_else(|e| {
        tracing::warn!("{}", e.message);
        DesktopPrefs::default()
    });
    if let Err(e) = register(app, prefs.start_at_login) {
        tracing::warn!("{}", e.message);
    }
    app.manage(Prefs(Mutex::new(prefs)));
}

pub fn get(app: &AppHandle) -> DesktopPrefs {
    *app.state::<Prefs>().0.lock().expect("not poisoned")
}

/// Saves `prefs` and applies them; a login registration the OS refuses changes nothing.
pub fn set(app: &AppHandle, paths: &Paths, prefs: DesktopPrefs) -> Result<DesktopPrefs, Error> {
    let before = get(app);
    if prefs.start_at_login != before.start_at_login {
        register(app, prefs.start_at_login)?;
    }
    if let Err(e) = prefs.save(paths) {
        let _ = register(app, before.start_at_login);
        return Err(e);
    }
    *app.state::<Prefs>().0.lock().expect("not poisoned") = prefs;
    Ok(prefs)
}

/// Registers the login start, or takes it away, unless it is so already.
fn register(app: &AppHandle, on: bool) -> Result<(), Error> {
    let launch = app.autolaunch();
    let fail = |e: tauri_plugin_autostart::Error| {
        Error::internal(format!(
            "The system did not take the login start ({e}); start Gatehouse by hand."
        ))
    };
    if launch.is_enabled().map_err(fail)? == on {
        return Ok(());
    }
    if on {
        launch.enable().map_err(fail)
    } else {
        launch.disable().map_err(fail)
    }
}
