//! Desktop notifications of told alerts, through notify-rust, each one clickable: a click (the
//! body, or its "Open" button) hands the alert's permits to whoever made the [`Notifier`]: the
//! window opens Permits filtered to them, the headless runner starts the app on them.
//!
//! Each notification is shown on a thread of its own that then keeps its handle and waits for
//! the click (on Windows the toast must stay alive on the thread that raised it, or its click is
//! lost; on Linux the click comes back on the handle's D-Bus connection). At most
//! [`WAITING_MAX`] wait at once; past that, a notification is shown without a click. The
//! notification is an extra signal: the alert is already in the alerts list when it is shown.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::alerts::{AlertUrgency, AlertView};

/// The name notifications carry.
pub const APP_NAME: &str = "Gatehouse";

/// Linux: the desktop entry the .deb installs (`gatehouse-desktop.desktop`, from
/// `mainBinaryName`): daemons take the app's icon and per-app settings from it.
#[cfg(all(unix, not(target_os = "macos")))]
const DESKTOP_ENTRY: &str = "gatehouse-desktop";

/// Notifications waited on for a click at once (each wait holds a thread).
pub const WAITING_MAX: usize = 16;

/// The action a click sends: `default` for the body (XDG, Windows, macOS alike), `open` for the
/// button (Windows), `Open` (macOS answers with a button's label).
const OPEN_ACTION: &str = "open";
const OPEN_LABEL: &str = "Open";

fn opens(action: &str) -> bool {
    matches!(action, "default" | OPEN_ACTION | OPEN_LABEL)
}

type OnOpen = dyn Fn(Vec<String>) + Send + Sync;

/// Shows alerts as desktop notifications; a click calls `on_open` with the alert's permit ids.
#[derive(Clone)]
pub struct Notifier {
    on_open: Arc<OnOpen>,
    waiting: Arc<AtomicUsize>,
}

impl Notifier {
    pub fn new(on_open: impl Fn(Vec<String>) + Send + Sync + 'static) -> Notifier {
        identify();
        Notifier {
            on_open: Arc::new(on_open),
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Shows `alert` and returns once the OS took it (or refused: no notification service, which
    /// is said in one sentence). The click is waited for in the background.
    pub async fn show(&self, alert: &AlertView) -> Result<(), String> {
        let note = build(alert);
        let ids = alert.permit_ids.clone();
        let on_open = self.on_open.clone();
        let waiting = self.waiting.clone();
        let (shown, outcome) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("gatehouse-notification".into())
            .spawn(move || match note.show() {
                Err(e) => {
                    let _ = shown.send(Err(format!(
                        "The desktop did not take the notification ({e}): the alert is in the alerts list."
                    )));
                }
                Ok(handle) => {
                    let _ = shown.send(Ok(()));
                    if waiting.fetch_add(1, Ordering::SeqCst) >= WAITING_MAX {
                        waiting.fetch_sub(1, Ordering::SeqCst);
                        return;
                    }
                    handle.wait_for_action(|action| {
                        if opens(action) {
                            on_open(ids);
                        }
                    });
                    waiting.fetch_sub(1, Ordering::SeqCst);
                }
            })
            .map_err(|e| format!("No thread for the notification: {e}"))?;
        outcome
            .await
            .unwrap_or_else(|_| Err("The notification thread stopped.".into()))
    }

    /// Shows a plain notification that nothing waits on: a word from the app itself.
    pub async fn say(&self, title: &str, body: &str) -> Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME).summary(title).body(body);
        tokio::task::spawn_blocking(move || n.show().map(drop).map_err(|e| e.to_string()))
            .await
            .map_err(|e| e.to_string())?
    }
}

fn build(alert: &AlertView) -> notify_rust::Notification {
    let mut n = notify_rust::Notification::new();
    n.appname(APP_NAME).summary(&alert.title).body(&alert.body);
    let critical = alert.urgency == AlertUrgency::Critical;
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        n.hint(notify_rust::Hint::DesktopEntry(DESKTOP_ENTRY.into()))
            .urgency(if critical {
                notify_rust::Urgency::Critical
            } else {
                notify_rust::Urgency::Normal
            })
            // A click on the body is reported only when the notification has a default action.
            .action("default", OPEN_LABEL);
    }
    #[cfg(target_os = "windows")]
    {
        // Critical is Windows' "reminder" scenario, which it ignores on a toast with no button.
        n.urgency(if critical {
            notify_rust::Urgency::Critical
        } else {
            notify_rust::Urgency::Normal
        })
        .action(OPEN_ACTION, OPEN_LABEL);
        if let Some(id) = installed_app_id() {
            n.app_id(id);
        }
    }
    #[cfg(target_os = "macos")]
    {
        let _ = critical;
        n.action(OPEN_ACTION, OPEN_LABEL);
    }
    if critical {
        // Stays until dismissed (dunst and GNOME keep critical ones anyway).
        n.timeout(notify_rust::Timeout::Never);
    }
    n
}

/// Whether this is an installed build, not `cargo run` from `target/debug` or `target/release`:
/// the installers register the app's identity (the AUMID on the Start-menu shortcut, the
/// bundle id), which a developer's run does not have.
#[cfg(any(target_os = "windows", target_os = "macos"))]
fn installed() -> bool {
    let Ok(exe) = std::env::current_exe() else {
        return false;
    };
    let dir = exe.parent().and_then(|d| d.file_name());
    !matches!(dir.and_then(|d| d.to_str()), Some("debug" | "release"))
}

/// Windows: the AUMID that NSIS and MSI put on the Start-menu shortcut (tauri.conf.json's
/// `identifier`). Toasts under an AUMID nothing registered are dropped, so a developer's run
/// posts under PowerShell's (notify-rust's default) and its toasts say "Windows PowerShell".
#[cfg(target_os = "windows")]
fn installed_app_id() -> Option<&'static str> {
    installed().then_some(crate::APP_IDENTIFIER)
}

/// macOS: notifications post as the app's bundle id when it runs from its `.app`; a developer's
/// run posts as Terminal (and needs Terminal's permission).
fn identify() {
    #[cfg(target_os = "macos")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if installed() {
                let _ = notify_rust::set_application(crate::APP_IDENTIFIER);
            }
        });
    }
}

/// The desktop app's argument that opens Permits on these permits (comma-separated ids): how
/// the headless runner's notifications open the app, and how a second launch hands them to the
/// running one.
pub const OPEN_PERMITS_ARG: &str = "--open-permits";

/// The event the window hears when permits wait to be opened (a clicked notification, a second
/// launch with [`OPEN_PERMITS_ARG`]); it takes them with a command.
pub const OPEN_PERMITS_EVENT: &str = "gatehouse://open-permits";

/// The most permits one argument opens.
const OPEN_PERMITS_MAX: usize = 1000;

/// The permits `args` ask the app to open, if any: `--open-permits=ID,ID` or
/// `--open-permits ID,ID`. Ids that are not ids are left out.
pub fn permits_to_open<S: AsRef<str>>(args: &[S]) -> Option<Vec<String>> {
    let mut args = args.iter().map(AsRef::as_ref);
    let list = loop {
        let a = args.next()?;
        if a == OPEN_PERMITS_ARG {
            break args.next()?;
        }
        if let Some(list) = a
            .strip_prefix(OPEN_PERMITS_ARG)
            .and_then(|r| r.strip_prefix('='))
        {
            break list;
        }
    };
    let ids: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|id| gatehouse_buzzin::inf::is_id(id))
        .take(OPEN_PERMITS_MAX)
        .map(str::to_owned)
        .collect();
    (!ids.is_empty()).then_some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permits_an_argument_opens() {
        assert_eq!(
            permits_to_open(&["gatehouse-desktop", "--open-permits=p1,p2"]),
            Some(vec!["p1".into(), "p2".into()])
        );
        assert_eq!(
            permits_to_open(&["x", "--hidden", "--open-permits", "p3"]),
            Some(vec!["p3".into()])
        );
        assert_eq!(permits_to_open(&["x", "--open-permits"]), None);
        assert_eq!(permits_to_open(&["x", "--open-permits=,"]), None);
        assert_eq!(permits_to_open(&["x", "p1"]), None);
        assert!(opens("default") && opens("open") && opens("Open"));
        assert!(!opens("__closed"));
    }
}
