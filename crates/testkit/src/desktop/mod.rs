//! A private desktop for tests: a virtual display ([`Display`], Xvfb), a session bus ([`Bus`],
//! dbus-daemon), and a real notification daemon on it ([`Notifications`]: dunst, with
//! dbus-monitor recording every `Notify` call and action signal on the bus). Nothing here is
//! the developer's own session: each test gets its own, and everything stops when it drops.
//! The window manager's close button and a window's mapping are in `x.rs`; a tray host, served
//! on the bus, in `tray.rs`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod notifications;
mod tray;
mod x;

pub use notifications::{Notifications, Notify, parse_action_invoked, parse_notify_calls};
pub use tray::TrayHost;
pub use x::WmRequests;

/// A child process killed when this drops.
pub(crate) struct Owned(pub(crate) Child);

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn require(tool: &str, install: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "{tool} is missing: {install} (cargo xtask deps)");
}

/// Waits until `name` has an owner on the session bus at `address`: a daemon that forks
/// (gnome-keyring's `--daemonize`) returns before it has claimed its name, and a call made in
/// between finds no service.
pub fn wait_for_bus_name(address: &str, name: &str) {
    crate::eventually_blocking(
        &format!("{name} on the bus"),
        Duration::from_secs(20),
        || {
            let out = Command::new("dbus-send")
                .args([
                    &format!("--bus={address}"),
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    &format!("string:{name}"),
                ])
                .output()
                .map_err(|e| format!("dbus-send: {e}"))?;
            let reply = String::from_utf8_lossy(&out.stdout);
            if reply.contains("boolean true") {
                Ok(())
            } else {
                Err(reply.trim().to_owned())
            }
        },
    )
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
