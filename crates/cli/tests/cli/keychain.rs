//! The API key goes to the OS keychain and nowhere else: `gatehouse profile add --key-stdin`
//! against a real Secret Service (gnome-keyring on a private D-Bus session), read back by
//! `secret-tool` and by `gatehouse sync` with no key in the environment. Without a keychain the
//! command says so in one sentence.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use gatehouse_testkit::Sandbox;

struct Session {
    bus: Child,
    address: String,
    home: tempfile::TempDir,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn found(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A private session bus with an unlocked gnome-keyring on it.
fn keyring_session() -> Session {
    for tool in ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"] {
        assert!(
            found(tool),
            "{tool} is missing: apt-get install dbus gnome-keyring libsecret-tools (cargo xtask deps)"
        );
    }
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(bus.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let session = Session {
        bus,
        address: line.trim().to_owned(),
        home: tempfile::tempdir().unwrap(),
    };
    let mut daemon = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets", "--daemonize"])
        .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
        .env("HOME", session.home.path())
        .env("XDG_DATA_HOME", session.home.path().join("data"))
        .env("XDG_RUNTIME_DIR", session.home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    daemon
        .stdin
        .take()
        .unwrap()
        .write_all(b"keyring-test-password")
        .unwrap();
    assert!(
        daemon.wait().unwrap().success(),
        "gnome-keyring-daemon did not start"
    );
    gatehouse_testkit::desktop::wait_for_bus_name(&session.address, "org.freedesktop.secrets");
    session
}

fn gatehouse(session: Option<&Session>, data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    cmd.args(args)
        .env("GATEHOUSE_DATA_DIR", data)
        .env_remove("GATEHOUSE_API_KEY")
        .env_remove("GATEHOUSE_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match session {
        Some(s) => {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", &s.address)
                .env("HOME", s.home.path())
                .env("XDG_RUNTIME_DIR", s.home.path());
        }
        None => {
            // No session bus at all: no keychain.
            cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        }
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_goes_to_the_keychain_and_nowhere_else() {
    let sb = Sandbox::builder()
        .config(|c| c.api_keys = vec!["k-7f3a9c-keychain".into()])
        .start()
        .await;
    let session = keyring_session();
    let data = tempfile::tempdir().unwrap();

    let out = gatehouse(
        Some(&session),
        data.path(),
        &[
            "profile",
            "add",
            "demo",
            "--url",
            &sb.base_url(),
            "--key-stdin",
        ],
        "k-7f3a9c-keychain\n",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");

    // In the Secret Service, under the app's service name and the profile's name.
    let lookup = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "ae.gatehouse.desktop",
            "username",
            "demo",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&lookup.stdout), "k-7f3a9c-keychain");

    // Nowhere in the data folder.
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(b"k-7f3a9c".len()).any(|w| w == b"k-7f3a9c"),
            "the key is written in {}",
            entry.display()
        );
    }

    // And it is what the CLI uses, with no key in the environment.
    let out = gatehouse(Some(&session), data.path(), &["sync", "--quiet"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The cache is encrypted with a key of the profile's own, made in the keychain at the
    // first open and found nowhere in the data folder.
    let secret = |account: &str| {
        let out = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                "ae.gatehouse.desktop",
                "username",
                account,
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cache_key = secret("demo/cache-key");
    assert!(
        cache_key.len() == 64 && cache_key.bytes().all(|b| b.is_ascii_hexdigit()),
        "{cache_key:?}"
    );
    let raw = hex_bytes(&cache_key);
    let cache = data.path().join("profiles/demo/cache.sqlite3");
    assert!(
        !std::fs::read(&cache)
            .unwrap()
            .starts_with(b"SQLite format 3")
    );
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in [cache_key.as_bytes(), &raw[..]] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "the cache key is written in {}",
                entry.display()
            );
        }
    }
    // The next open finds it there.
    let out = gatehouse(
        Some(&session),
        data.path(),
        &["permits", "list", "--json"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(secret("demo/cache-key"), cache_key, "the same key");

    // Its key gone from the keychain: one sentence that says what to do, and the file kept as
    // it was (it may hold actions not yet sent).
    let before = std::fs::read(&cache).unwrap();
    let cleared = Command::new("secret-tool")
        .args([
            "clear",
            "service",
            "ae.gatehouse.desktop",
            "username",
            "demo/cache-key",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
        .status()
        .unwrap();
    assert!(cleared.success());
    let out = gatehouse(Some(&session), data.path(), &["permits", "list"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("encrypted, and its key is not in the OS keychain")
            && err.contains("gatehouse profile reset-cache demo"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read(&cache).unwrap(),
        before,
        "the file is kept as it was"
    );
    assert_eq!(secret("demo/cache-key"), "", "no new key made over it");

    // The user agrees to a fresh cache: the old one is set aside, and the next sync refills a
    // new one under a new key.
    let out = gatehouse(
        Some(&session),
        data.path(),
        &["profile", "reset-cache", "demo"],
        "",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("set aside") && said.contains("unreadable-"),
        "{said}"
    );
    let out = gatehouse(Some(&session), data.path(), &["sync", "--quiet"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let renewed = secret("demo/cache-key");
    assert!(renewed.len() == 64 && renewed != cache_key, "{renewed:?}");

    // Without a keychain: one clear sentence, and nothing saved.
    let bare = tempfile::tempdir().unwrap();
    let out = gatehouse(
        None,
        bare.path(),
        &[
            "profile",
            "add",
            "demo",
            "--url",
            &sb.base_url(),
            "--key-stdin",
        ],
        "k-other\n",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("keychain is not available") && err.contains("GATEHOUSE_API_KEY"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!bare.path().join("profiles.json").exists(), "nothing saved");
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
