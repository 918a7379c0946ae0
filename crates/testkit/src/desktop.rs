//! A private desktop for tests: a virtual display ([`Display`], Xvfb), a session bus ([`Bus`],
//! dbus-daemon), and a real notification daemon on it ([`Notifications`]: dunst, with
//! dbus-monitor recording every `Notify` call and action signal on the bus). Nothing here is
//! the developer's own session: each test gets its own, and everything stops when it drops.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child process killed when this drops.
struct Owned(Child);

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn require(tool: &str, install: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "{tool} is missing: {install} (cargo xtask deps)");
}

/// Starts `cmd` and returns it with the first line it prints on stdout (its display or bus
/// address), waiting at most 15 s.
fn first_line(mut cmd: Command, what: &str) -> (Owned, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let out = child.stdout.take().unwrap();
    let child = Owned(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(15))
        .unwrap_or_else(|_| panic!("{what} did not start within 15 s"));
    assert!(!line.trim().is_empty(), "{what} said nothing and stopped");
    (child, line.trim().to_owned())
}

/// A virtual X display (Xvfb).
pub struct Display {
    _x: Owned,
    /// `:N`, for `DISPLAY`.
    pub name: String,
}

impl Display {
    pub fn start() -> Display {
        require("Xvfb", "apt-get install xvfb xauth");
        let mut cmd = Command::new("Xvfb");
        // -displayfd prints the number it chose once it is ready.
        cmd.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ]);
        let (x, n) = first_line(cmd, "Xvfb");
        Display {
            _x: x,
            name: format!(":{n}"),
        }
    }
}

/// A private session bus.
pub struct Bus {
    _daemon: Owned,
    /// For `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl Bus {
    pub fn start() -> Bus {
        require("dbus-daemon", "apt-get install dbus");
        let mut cmd = Command::new("dbus-daemon");
        cmd.args(["--session", "--nofork", "--print-address=1"]);
        let (daemon, address) = first_line(cmd, "dbus-daemon");
        Bus {
            _daemon: daemon,
            address,
        }
    }
}

/// One `Notify` call as the bus carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// (identifier, label) pairs.
    pub actions: Vec<(String, String)>,
    /// The `urgency` hint: 0 low, 1 normal, 2 critical.
    pub urgency: Option<u8>,
    /// The `desktop-entry` hint.
    pub desktop_entry: Option<String>,
    /// Milliseconds; -1 the daemon's default, 0 never.
    pub timeout: i32,
}

/// dunst on a private display and bus, and dbus-monitor recording the notifications' traffic.
pub struct Notifications {
    _daemon: Owned,
    _monitor: Owned,
    log: PathBuf,
    bus: String,
    display: String,
    _dir: tempfile::TempDir,
}

impl Notifications {
    /// Starts dunst on `display` and `bus`, once the monitor listens.
    pub fn start(display: &Display, bus: &Bus) -> Notifications {
        for (tool, install) in [
            ("dunst", "apt-get install dunst"),
            ("dunstctl", "apt-get install dunst"),
            ("dbus-monitor", "apt-get install dbus"),
        ] {
            require(tool, install);
        }
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("bus.log");
        let monitor = Command::new("dbus-monitor")
            .args([
                "--address",
                &bus.address,
                "interface='org.freedesktop.Notifications'",
            ])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-monitor");
        let monitor = Owned(monitor);
        // Its first lines (NameAcquired) say it is on the bus and listening.
        crate::within_blocking(Duration::from_secs(10), || {
            let n = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
            if n > 0 {
                Ok(())
            } else {
                Err("an empty log".into())
            }
        })
        .expect("dbus-monitor listens");
        // A config of its own: no dmenu or browser, and nothing from the developer's ~/.config.
        let config = dir.path().join("dunstrc");
        std::fs::write(
            &config,
            "[global]\n    dmenu = /bin/false\n    browser = /bin/false\n",
        )
        .unwrap();
        let daemon = Command::new("dunst")
            .args(["-config", &config.display().to_string()])
            .env("DISPLAY", &display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dunst");
        let n = Notifications {
            _daemon: Owned(daemon),
            _monitor: monitor,
            log,
            bus: bus.address.clone(),
            display: display.name.clone(),
            _dir: dir,
        };
        crate::within_blocking(Duration::from_secs(10), || {
            n.dunstctl(&["is-paused"])
                .map(drop)
                .map_err(|e| format!("dunst does not answer: {e}"))
        })
        .expect("dunst is on the bus");
        n
    }

    /// `DISPLAY` and `DBUS_SESSION_BUS_ADDRESS` for a program that notifies.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DISPLAY".into(), self.display.clone()),
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.bus.clone()),
        ]
    }

    /// Where dbus-monitor writes what it saw.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Every `Notify` call the bus carried so far, in order.
    pub fn sent(&self) -> Vec<Notify> {
        parse_notify_calls(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// The `ActionInvoked` signals the bus carried so far: (notification id, action).
    pub fn invoked(&self) -> Vec<(u32, String)> {
        parse_action_invoked(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// Waits until at least `n` notifications were sent and returns them all.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Notify> {
        crate::eventually(&format!("{n} notifications on the bus"), within, || async {
            let sent = self.sent();
            if sent.len() >= n {
                Ok(sent)
            } else {
                Err(format!("{} sent: {sent:?}", sent.len()))
            }
        })
        .await
    }

    /// Clicks the topmost notification on screen, as a user would: dunst invokes its default
    /// action and tells the sender over the bus.
    pub fn click_topmost(&self) {
        self.dunstctl(&["action", "0"])
            .unwrap_or_else(|e| panic!("dunstctl action 0: {e}"));
    }

    /// How many notifications dunst shows now.
    pub fn displayed(&self) -> usize {
        self.dunstctl(&["count", "displayed"])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn dunstctl(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

/// The quoted value of a dbus-monitor `string "…"` line.
fn string_value(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("string \"")?;
    Some(rest.strip_suffix('"').unwrap_or(rest).to_owned())
}

fn scalar<T: std::str::FromStr>(line: &str, kind: &str) -> Option<T> {
    line.trim().strip_prefix(kind)?.trim().parse().ok()
}

/// The `Notify` method calls in a dbus-monitor log. Its argument lines, in order: app_name
/// (string), replaces_id (uint32), app_icon (string), summary (string), body (string), actions
/// (array of strings), hints (array of dict entries), expire_timeout (int32). A body of more
/// than one line is not expected: the alerts' bodies are one line.
pub fn parse_notify_calls(log: &str) -> Vec<Notify> {
    let mut out = Vec::new();
    let mut lines = log.lines().peekable();
    while let Some(line) = lines.next() {
        if !(line.starts_with("method call") && line.contains("member=Notify")) {
            continue;
        }
        let mut args: Vec<&str> = Vec::new();
        while let Some(next) = lines.peek() {
            if !next.starts_with(' ') {
                break;
            }
            args.push(lines.next().unwrap());
        }
        let strings: Vec<String> = args.iter().filter_map(|l| string_value(l)).collect();
        // app_name, app_icon, summary, body, then the actions' strings, then the hints' keys
        // and string values.
        let Some(hints_at) = args
            .iter()
            .position(|l| l.trim().starts_with("array ["))
            .and_then(|first| {
                args.iter()
                    .skip(first + 1)
                    .position(|l| l.trim().starts_with("array ["))
                    .map(|p| p + first + 1)
            })
        else {
            continue;
        };
        let actions_at = args
            .iter()
            .position(|l| l.trim().starts_with("array ["))
            .unwrap();
        let action_strings: Vec<String> = args[actions_at..hints_at]
            .iter()
            .filter_map(|l| string_value(l))
            .collect();
        let hints = &args[hints_at..];
        let hint_after = |key: &str| -> Option<&str> {
            let at = hints
                .iter()
                .position(|l| string_value(l).as_deref() == Some(key))?;
            hints.get(at + 1).copied()
        };
        let urgency = hint_after("urgency").and_then(|l| {
            let v = l.trim().strip_prefix("variant")?.trim();
            scalar::<u8>(v, "byte")
        });
        let desktop_entry = hint_after("desktop-entry").and_then(|l| {
            let v = l.trim().strip_prefix("variant")?.trim();
            string_value(v)
        });
        let timeout = args
            .iter()
            .rev()
            .find_map(|l| scalar::<i32>(l, "int32"))
            .unwrap_or(-1);
        if strings.len() < 4 {
            continue;
        }
        out.push(Notify {
            app_name: strings[0].clone(),
            summary: strings[2].clone(),
            body: strings[3].clone(),
            actions: action_strings
                .chunks(2)
                .filter(|c| c.len() == 2)
                .map(|c| (c[0].clone(), c[1].clone()))
                .collect(),
            urgency,
            desktop_entry,
            timeout,
        });
    }
    out
}

/// The `ActionInvoked` signals in a dbus-monitor log.
pub fn parse_action_invoked(log: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if !(line.starts_with("signal") && line.contains("member=ActionInvoked")) {
            continue;
        }
        let id = lines.next().and_then(|l| scalar::<u32>(l, "uint32"));
        let action = lines.next().and_then(string_value);
        if let (Some(id), Some(action)) = (id, action) {
            out.push((id, action));
        }
    }
    out
}

impl Display {
    /// The top-level windows titled `title` that take the window manager's close
    /// (WM_DELETE_WINDOW in their WM_PROTOCOLS).
    fn windows_titled(
        &self,
        title: &str,
    ) -> Result<(impl x11rb::connection::Connection, Vec<u32>, [u32; 2]), String> {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};
        let e = |e: &dyn std::fmt::Display| format!("X on {}: {e}", self.name);
        let (conn, screen) = x11rb::connect(Some(&self.name)).map_err(|x| e(&x))?;
        let root = conn.setup().roots[screen].root;
        let atom = |name: &str| -> Result<u32, String> {
            Ok(conn
                .intern_atom(false, name.as_bytes())
                .map_err(|x| e(&x))?
                .reply()
                .map_err(|x| e(&x))?
                .atom)
        };
        let (protocols, delete) = (atom("WM_PROTOCOLS")?, atom("WM_DELETE_WINDOW")?);
        let mut found = Vec::new();
        let mut stack = vec![root];
        while let Some(w) = stack.pop() {
            let name = conn
                .get_property(false, w, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
                .map_err(|x| e(&x))?
                .reply()
                .map_err(|x| e(&x))?;
            if name.value == title.as_bytes() {
                let takes = conn
                    .get_property(false, w, protocols, AtomEnum::ATOM, 0, 32)
                    .map_err(|x| e(&x))?
                    .reply()
                    .map_err(|x| e(&x))?;
                if takes.value32().is_some_and(|mut a| a.any(|a| a == delete)) {
                    found.push(w);
                }
            }
            stack.extend(
                conn.query_tree(w)
                    .map_err(|x| e(&x))?
                    .reply()
                    .map_err(|x| e(&x))?
                    .children,
            );
        }
        Ok((conn, found, [protocols, delete]))
    }

    /// Presses the close button of the window titled `title`, as a window manager does: sends it
    /// WM_DELETE_WINDOW, and the app decides what closing means.
    pub fn close_window(&self, title: &str) -> Result<(), String> {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask};
        let (conn, windows, [protocols, delete]) = self.windows_titled(title)?;
        if windows.is_empty() {
            return Err(format!("no window titled {title:?} on {}", self.name));
        }
        for w in windows {
            let event = ClientMessageEvent::new(32, w, protocols, [delete, 0, 0, 0, 0]);
            conn.send_event(false, w, EventMask::NO_EVENT, event)
                .map_err(|e| e.to_string())?;
        }
        conn.flush().map_err(|e| e.to_string())
    }

    /// Whether a window titled `title` is on screen (mapped and viewable).
    pub fn window_shown(&self, title: &str) -> Result<bool, String> {
        use x11rb::protocol::xproto::{ConnectionExt as _, MapState};
        let (conn, windows, _) = self.windows_titled(title)?;
        for w in windows {
            let a = conn
                .get_window_attributes(w)
                .map_err(|e| e.to_string())?
                .reply()
                .map_err(|e| e.to_string())?;
            if a.map_state == MapState::VIEWABLE {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A tray host on a session bus: a StatusNotifierWatcher (the service KDE's panel, GNOME's
/// AppIndicator extension and most Linux panels run) that records the tray items apps register
/// with it. Nothing draws them: a headless display has no panel.
pub struct TrayHost {
    conn: zbus::Connection,
    items: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

struct Watcher {
    items: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // An item names its object path, or its bus name (then at the usual path).
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        let item = if service.starts_with('/') {
            format!("{sender}{service}")
        } else {
            service
        };
        self.items.lock().unwrap().push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

impl TrayHost {
    pub const NAME: &str = "org.kde.StatusNotifierWatcher";

    pub async fn on(bus: &Bus) -> TrayHost {
        let items = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let conn = zbus::connection::Builder::address(bus.address.as_str())
            .name(Self::NAME)
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    items: items.clone(),
                },
            )
            .build()
            .await
            .expect("serve the tray host on the test bus");
        TrayHost { conn, items }
    }

    /// The tray items registered so far: `bus-name/path` or a bus name.
    pub fn items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    /// The labels of an item's menu (com.canonical.dbusmenu, as libayatana-appindicator
    /// exports it), top level, in order; `None` if it has no menu that answers.
    pub async fn menu_labels(&self, item: &str) -> Option<Vec<String>> {
        use zbus::{OwnedVariant as OwnedValue, Variant as Value};
        let (dest, path) = match item.find('/') {
            Some(i) => (&item[..i], &item[i..]),
            None => (item, "/StatusNotifierItem"),
        };
        let menu: zbus::OwnedObjectPath = self
            .conn
            .call_method(
                Some(dest),
                path,
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.kde.StatusNotifierItem", "Menu"),
            )
            .await
            .ok()?
            .body()
            .deserialize::<OwnedValue>()
            .ok()?
            .try_into()
            .ok()?;
        type Layout = (
            i32,
            std::collections::HashMap<String, OwnedValue>,
            Vec<OwnedValue>,
        );
        let (_, (_, _, children)): (u32, Layout) = self
            .conn
            .call_method(
                Some(dest),
                menu.as_str(),
                Some("com.canonical.dbusmenu"),
                "GetLayout",
                &(0i32, 1i32, Vec::<String>::new()),
            )
            .await
            .ok()?
            .body()
            .deserialize()
            .ok()?;
        let labels = children
            .into_iter()
            .filter_map(|child| {
                let Value::Structure(s) = &*child else {
                    return None;
                };
                let props = s.fields().get(1)?;
                let Value::Dict(d) = props else {
                    return None;
                };
                let label: Option<String> = d.get(&Value::from("label")).ok().flatten();
                Some(label.unwrap_or_else(|| "—".into()))
            })
            .collect();
        Some(labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = r#"signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.1 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.1"
method call time=2.0 sender=:1.3 -> destination=org.freedesktop.Notifications serial=5 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Gatehouse"
   uint32 0
   string ""
   string "WP-000100 expires within 2 h"
   string "Valid until 14:00 GST."
   array [
      string "default"
      string "Open"
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 2
      )
      dict entry(
         string "desktop-entry"
         variant             string "gatehouse-desktop"
      )
   ]
   int32 0
signal time=3.0 sender=:1.2 -> destination=:1.3 serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=ActionInvoked
   uint32 1
   string "default"
"#;

    #[test]
    fn a_monitor_log_reads_back() {
        assert_eq!(
            parse_notify_calls(LOG),
            [Notify {
                app_name: "Gatehouse".into(),
                summary: "WP-000100 expires within 2 h".into(),
                body: "Valid until 14:00 GST.".into(),
                actions: vec![("default".into(), "Open".into())],
                urgency: Some(2),
                desktop_entry: Some("gatehouse-desktop".into()),
                timeout: 0,
            }]
        );
        assert_eq!(parse_action_invoked(LOG), [(1, "default".into())]);
    }
}
