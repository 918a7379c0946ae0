//! dunst and dbus-monitor on a private display and bus: the notifications sent, read back from
//! the bus, and a click as a user makes it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Bus, Display, Owned, require};

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
