//! Drives the real Gatehouse window: a private X server (Xvfb), a private D-Bus session,
//! tauri-driver in front of WebKitWebDriver, and the built app binary, all torn down on drop.
//!
//! Each `Desktop` is fully isolated (own display, bus, HOME, data folder and ports), so tests in
//! one binary run in parallel. Missing tools fail the test with the command that installs them:
//! `cargo xtask test` installs all of them.

#![allow(dead_code)] // each test file and bench uses a different part of the harness

pub mod steps;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use gatehouse_testkit::desktop::{Bus, Display, Notifications, TrayHost};
use gatehouse_testkit::{
    Client as ApiClient, Control, Sandbox, Seed, eventually, eventually_blocking, eventually_true,
    within_blocking,
};
use tempfile::TempDir;

/// How long a page element may take to appear.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// The app binary `cargo test` built for this package.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gatehouse-desktop"))
}

/// Where tests leave screenshots for people to look at: `target/artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../artifacts");
    std::fs::create_dir_all(&dir).expect("create target/artifacts");
    dir
}

/// Child processes that are stopped with SIGTERM (never SIGKILL: a killed tauri-driver leaves
/// WebKitWebDriver holding its port) in reverse start order when dropped, even on panic.
#[derive(Default)]
struct Processes(Vec<(&'static str, Child)>);

impl Processes {
    fn push(&mut self, name: &'static str, child: Child) {
        self.0.push((name, child));
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        while let Some((_name, mut child)) = self.0.pop() {
            if matches!(child.try_wait(), Ok(Some(_))) {
                continue;
            }
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = within_blocking(Duration::from_secs(5), || match child.try_wait() {
                Ok(Some(_)) => Ok(()),
                _ => Err("running".into()),
            });
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

fn which(tool: &str, extra_dirs: &[PathBuf]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra_dirs.iter().cloned())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

fn require(tool: &str, extra_dirs: &[PathBuf], install: &str) -> PathBuf {
    which(tool, extra_dirs).unwrap_or_else(|| {
        panic!("`{tool}` is not installed; the window tests need it. Install it with `{install}`, or run `cargo xtask test`, which installs every tool the tests use.")
    })
}

fn cargo_bin_dir() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    home.map(|h| vec![h.join("bin")]).unwrap_or_default()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    eventually_blocking(
        &format!("{what} listens on port {port}"),
        Duration::from_secs(20),
        || {
            TcpStream::connect(("127.0.0.1", port))
                .map(drop)
                .map_err(|e| e.to_string())
        },
    );
}

/// Starts gnome-keyring's Secret Service, unlocked, on the session bus in `env`; it stops with
/// the bus.
fn start_keychain(env: &[(String, String)]) {
    use std::io::Write;
    let daemon = require(
        "gnome-keyring-daemon",
        &[],
        "apt-get install gnome-keyring libsecret-tools",
    );
    let home = env
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| PathBuf::from(v))
        .expect("HOME in the app's environment");
    let mut child = Command::new(daemon)
        .args(["--unlock", "--components=secrets", "--daemonize"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("XDG_RUNTIME_DIR", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gnome-keyring-daemon");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"window-test-password")
        .unwrap();
    assert!(
        child.wait().unwrap().success(),
        "gnome-keyring-daemon did not start"
    );
    let bus = env
        .iter()
        .find(|(k, _)| k == "DBUS_SESSION_BUS_ADDRESS")
        .map(|(_, v)| v.as_str())
        .expect("a session bus in the app's environment");
    gatehouse_testkit::desktop::wait_for_bus_name(bus, "org.freedesktop.secrets");
}

/// What the OS keychain holds for Gatehouse under this profile name, read with `secret-tool`
/// in the app's session.
pub fn keychain_secret(env: &[(String, String)], profile: &str) -> Option<String> {
    let tool = require("secret-tool", &[], "apt-get install libsecret-tools");
    let out = Command::new(tool)
        .args([
            "lookup",
            "service",
            gatehouse_app::profiles::KEYCHAIN_SERVICE,
            "username",
            profile,
        ])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run secret-tool");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// One running Gatehouse window and a WebDriver client attached to it.
/// What a window test adds to the app's session.
#[derive(Default)]
struct Extras {
    /// An unlocked gnome-keyring.
    keychain: bool,
    /// dunst, and dbus-monitor recording.
    notifications: bool,
    /// A tray host's name on the bus.
    tray_host: bool,
    /// Arguments the app is started with.
    args: Vec<String>,
    /// Listen to what the app asks the window manager for, from before it starts.
    wm_requests: bool,
}

/// The cache key of a profile the tests write, given by the environment as on a desk with no
/// keychain.
pub const TEST_CACHE_KEY: &str = "5f0c2a9e41d7b3860c1e9f4a2d6b8e07c3a5f1d9e2b4c6a8f0e1d3c5b7a9e2f4";

pub struct Desktop {
    pub client: Client,
    /// The app's data folder (`GATEHOUSE_DATA_DIR`), unique to this window.
    pub data_dir: PathBuf,
    /// The environment the app runs in, for launching further processes into the same session.
    pub env: Vec<(String, String)>,
    /// tauri-driver's pid: the app and its web processes are its descendants.
    driver_pid: u32,
    procs: Processes,
    /// The notification daemon on the app's bus, when the test reads notifications.
    pub notifications: Option<Notifications>,
    /// The tray host on the app's bus, when the test has one.
    pub tray_host: Option<TrayHost>,
    /// What the app asked the window manager for since before it started, when the test
    /// listens.
    pub wm_requests: Option<gatehouse_testkit::desktop::WmRequests>,
    pub bus: Bus,
    pub display: Display,
    _home: TempDir,
}

impl Desktop {
    /// Starts a display, a session bus and tauri-driver, then opens the app (on the demo
    /// community) through WebDriver.
    pub async fn launch() -> Desktop {
        Self::launch_with(|_| Vec::new()).await
    }

    /// Opens the app on `community`: a profile pointing at its sandbox is written into the
    /// app's data folder before it starts, and the API key is in its environment.
    pub async fn launch_on(community: &ServedCommunity) -> Desktop {
        Self::launch_on_cached(community, None).await
    }

    /// Like [`Desktop::launch_on`], with the profile's cache copied from `cache` first (a cache
    /// already synced, for measuring a launch over cached data).
    pub async fn launch_on_cached(community: &ServedCommunity, cache: Option<&Path>) -> Desktop {
        Self::launch_at(community.base_url(), community.key.clone(), cache).await
    }

    /// Opens the app with a profile pointing at `url` (a community, or a proxy in front of one)
    /// and `key` in its environment; its cache copied from `cache` first, if given.
    pub async fn launch_at(url: String, key: String, cache: Option<&Path>) -> Desktop {
        Self::launch_at_env(url, key, cache, Vec::new()).await
    }

    /// Like [`Desktop::launch_at`], with `env` added to the app's environment.
    pub async fn launch_at_env(
        url: String,
        key: String,
        cache: Option<&Path>,
        env: Vec<(String, String)>,
    ) -> Desktop {
        Self::launch_at_extras(url, key, cache, env, Extras::default()).await
    }

    /// Like [`Desktop::launch_at`], with an unlocked OS keychain (gnome-keyring's Secret
    /// Service) on the app's session bus.
    pub async fn launch_at_with_keychain(url: String, key: String) -> Desktop {
        let extras = Extras {
            keychain: true,
            ..Extras::default()
        };
        Self::launch_at_extras(url, key, None, Vec::new(), extras).await
    }

    async fn launch_at_extras(
        url: String,
        key: String,
        cache: Option<&Path>,
        env: Vec<(String, String)>,
        extras: Extras,
    ) -> Desktop {
        let cache = cache.map(Path::to_owned);
        let keychain = extras.keychain;
        let prepare = move |data_dir: &Path| {
            let paths = gatehouse_app::Paths::at(data_dir).expect("the data folder");
            if let Some(cache) = &cache {
                let to = data_dir.join("profiles/marina-gate/cache.sqlite3");
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(cache, &to).expect("copy the cache");
            }
            let mut profiles = gatehouse_app::Profiles::default();
            profiles
                .add(
                    gatehouse_app::Profile::new("marina-gate", url)
                        .with_actor(Some("desk-test".into())),
                )
                .unwrap();
            profiles.use_profile("marina-gate").unwrap();
            profiles.save(&paths).unwrap();
            let mut env = env;
            env.push((gatehouse_app::API_KEY_ENV.to_owned(), key));
            // With a keychain the app makes the cache key there; without one, as on a headless
            // desk, the environment gives it.
            if !keychain {
                env.push((
                    gatehouse_app::CACHE_KEY_ENV.to_owned(),
                    TEST_CACHE_KEY.to_owned(),
                ));
            }
            env
        };
        Self::start(prepare, extras).await
    }

    /// Like [`Desktop::launch`], after `prepare` has set up the data folder; it returns extra
    /// environment variables for the app.
    pub async fn launch_with(prepare: impl FnOnce(&Path) -> Vec<(String, String)>) -> Desktop {
        Self::start(prepare, Extras::default()).await
    }

    /// Opens the app on the demo community with a notification daemon (dunst) on its session
    /// bus, read back through [`Desktop::notifications`], and a tray host if `tray_host`.
    pub async fn launch_with_notifications(tray_host: bool) -> Desktop {
        let extras = Extras {
            notifications: true,
            tray_host,
            ..Extras::default()
        };
        Self::start(|_| Vec::new(), extras).await
    }

    /// Starts the app as a login start does (`--hidden`), on the demo community, with a tray
    /// host on its bus if `tray_host`.
    pub async fn launch_at_login(tray_host: bool) -> Desktop {
        let extras = Extras {
            tray_host,
            args: vec!["--hidden".into()],
            wm_requests: true,
            ..Extras::default()
        };
        Self::start(|_| Vec::new(), extras).await
    }

    /// Opens the app on the demo community with an unlocked OS keychain (gnome-keyring's
    /// Secret Service) on its session bus.
    pub async fn launch_with_keychain() -> Desktop {
        let extras = Extras {
            keychain: true,
            ..Extras::default()
        };
        Self::start(|_| Vec::new(), extras).await
    }

    async fn start(
        prepare: impl FnOnce(&Path) -> Vec<(String, String)>,
        extras: Extras,
    ) -> Desktop {
        let webkit_driver = require("WebKitWebDriver", &[], "apt-get install webkit2gtk-driver");
        let tauri_driver = require(
            "tauri-driver",
            &cargo_bin_dir(),
            "cargo install tauri-driver --version '^2' --locked",
        );

        let mut procs = Processes::default();
        // A private X display and session bus (single-instance and notifications speak D-Bus),
        // and on them a notification daemon when the test reads notifications.
        let display = Display::start();
        let bus = Bus::start();
        let notifications = extras
            .notifications
            .then(|| Notifications::start(&display, &bus));
        let tray_host = match extras.tray_host {
            true => Some(TrayHost::on(&bus).await),
            false => None,
        };
        let wm_requests = extras
            .wm_requests
            .then(|| display.wm_requests().expect("listen to the display's root"));

        let home = tempfile::tempdir().expect("temp HOME");
        let data_dir = home.path().join("gatehouse-data");
        let mut env: Vec<(String, String)> = vec![
            ("DISPLAY".into(), display.name.clone()),
            ("DBUS_SESSION_BUS_ADDRESS".into(), bus.address.clone()),
            ("HOME".into(), home.path().display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                home.path().join("config").display().to_string(),
            ),
            (
                "XDG_DATA_HOME".into(),
                home.path().join("data").display().to_string(),
            ),
            (
                "XDG_CACHE_HOME".into(),
                home.path().join("cache").display().to_string(),
            ),
            ("GATEHOUSE_DATA_DIR".into(), data_dir.display().to_string()),
        ];
        std::fs::create_dir_all(&data_dir).expect("create the data folder");
        env.extend(prepare(&data_dir));
        if extras.keychain {
            start_keychain(&env);
        }

        let port = free_port();
        let native_port = free_port();
        let driver = Command::new(tauri_driver)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .arg("--native-driver")
            .arg(webkit_driver)
            .env_remove("WAYLAND_DISPLAY")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver");
        let driver_pid = driver.id();
        procs.push("tauri-driver", driver);
        wait_for_port(port, "tauri-driver");

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary(), "args": extras.args }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("open a WebDriver session on the Gatehouse window");

        Desktop {
            client,
            data_dir,
            env,
            driver_pid,
            procs,
            notifications,
            tray_host,
            wm_requests,
            bus,
            display,
            _home: home,
        }
    }

    /// The app's `HOME` (a private folder): its XDG data and config folders are under it.
    pub fn home(&self) -> &Path {
        self._home.path()
    }

    /// Waits for the element with this `data-testid` and returns it.
    pub async fn testid(&self, id: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no element with data-testid={id}: {e}"))
    }

    /// Runs `op` on the element with this `data-testid`. A view may replace the element between
    /// finding it and using it (a live status re-rendering): then it is found again.
    async fn on_element<T, Fut>(
        &self,
        id: &str,
        what: &str,
        op: impl Fn(fantoccini::elements::Element) -> Fut,
    ) -> T
    where
        Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let mut tries = 0;
        loop {
            match op(self.testid(id).await).await {
                Ok(value) => return value,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference
                        && tries < 20 =>
                {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
                Err(e) => panic!("{what} data-testid={id}: {e}"),
            }
        }
    }

    /// The trimmed text of the element with this `data-testid` (found again if a re-render
    /// replaced it).
    pub async fn text(&self, id: &str) -> String {
        let text = self
            .on_element(id, "reading", |el| async move { el.text().await })
            .await;
        text.trim().to_owned()
    }

    /// Waits until the element's text satisfies `ok`, returning it; fails with the last text seen.
    pub async fn text_until(&self, id: &str, ok: impl Fn(&str) -> bool) -> String {
        eventually(&format!("data-testid={id}"), UI_TIMEOUT, || async {
            let text = self.text(id).await;
            if ok(&text) {
                Ok(text)
            } else {
                Err(format!("{text:?}"))
            }
        })
        .await
    }

    /// Clicks the element with this `data-testid` (found again if a re-render replaced it).
    pub async fn click(&self, id: &str) {
        self.on_element(id, "clicking", |el| async move { el.click().await })
            .await
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Types `text` into the field with this `data-testid` the way an input method delivers it:
    /// the value changes and `input` and `change` events fire. (WebKitWebDriver refuses
    /// fantoccini's send_keys body.)
    pub async fn type_into(&self, id: &str, text: &str) {
        self.testid(id).await;
        self.js(
            "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
             el.focus();
             el.value = arguments[1];
             el.dispatchEvent(new InputEvent('input', { bubbles: true }));
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![id.into(), text.into()],
        )
        .await;
    }

    /// Presses keys as a keyboard would (WebDriver key actions): each of `text`'s characters,
    /// with `chord` (e.g. `Key::Control`) held down through them when given. A USB scanner is
    /// such a keyboard.
    pub async fn keys(&self, chord: Option<fantoccini::key::Key>, text: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut keys = KeyActions::new("keyboard".into());
        if let Some(k) = chord {
            keys = keys.then(KeyAction::Down { value: k.into() });
        }
        for c in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        if let Some(k) = chord {
            keys = keys.then(KeyAction::Up { value: k.into() });
        }
        self.client
            .perform_actions(keys)
            .await
            .unwrap_or_else(|e| panic!("pressing {text:?}: {e}"));
    }

    /// Picks `value` in the `<select>` with this `data-testid`.
    pub async fn select(&self, id: &str, value: &str) {
        self.testid(id).await;
        self.js(
            "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
             el.value = arguments[1];
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![id.into(), value.into()],
        )
        .await;
    }

    /// The text content of every element with this `data-testid`, trimmed, in page order.
    pub async fn texts(&self, id: &str) -> Vec<String> {
        let v = self
            .js(
                "return Array.from(document.querySelectorAll(`[data-testid=\"${arguments[0]}\"]`))
                   .map(e => e.textContent.trim());",
                vec![id.into()],
            )
            .await;
        serde_json::from_value(v).unwrap()
    }

    /// Waits until no element has this `data-testid`.
    pub async fn eventually_gone(&self, id: &str) {
        eventually(&format!("data-testid={id} gone"), UI_TIMEOUT, || async {
            let left = self.texts(id).await;
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!("{left:?}"))
            }
        })
        .await
    }

    /// Waits until `ok` holds for the texts of every element with this `data-testid`.
    pub async fn texts_until(&self, id: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
        eventually(&format!("data-testid={id}"), UI_TIMEOUT, || async {
            let texts = self.texts(id).await;
            if ok(&texts) {
                Ok(texts)
            } else {
                Err(format!("{texts:?}"))
            }
        })
        .await
    }

    /// Clicks the element with this `data-testid` whose `data-id` is `data_id`, scrolled into
    /// view first. (WebKitWebDriver calls table rows not interactable; the click event is the
    /// one a mouse would fire.)
    pub async fn click_row(&self, id: &str, data_id: &str) {
        let css = format!("[data-testid=\"{id}\"][data-id=\"{data_id}\"]");
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("no {id} with data-id={data_id}: {e}"));
        self.js(
            "const el = document.querySelector(arguments[0]);
             el.scrollIntoView({ block: 'nearest' });
             el.click();",
            vec![css.into()],
        )
        .await;
    }

    /// The environments of WebKit's web and network processes the app started: pid, command
    /// name, and the `NAME=value` entries.
    pub fn web_process_environments(&self) -> Vec<(u32, String, Vec<String>)> {
        self.processes()
            .into_iter()
            .filter(|(_, comm)| {
                comm.starts_with("WebKitWebProces") || comm.starts_with("WebKitNetwork")
            })
            .filter_map(|(pid, comm)| {
                let raw = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
                let vars = raw
                    .split(|b| *b == 0)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .collect();
                Some((pid, comm, vars))
            })
            .collect()
    }

    /// The app's processes (descendants of tauri-driver): pid and command name.
    pub fn processes(&self) -> Vec<(u32, String)> {
        let mut parent_of = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: comm may hold spaces, so split at the last ')'.
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let comm = stat[open + 1..close].to_owned();
            let ppid = stat[close + 2..]
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0);
            parent_of.push((pid, ppid, comm));
        }
        let mut tree = vec![self.driver_pid];
        let mut out = Vec::new();
        while let Some(parent) = tree.pop() {
            for (pid, ppid, comm) in &parent_of {
                if *ppid == parent {
                    tree.push(*pid);
                    out.push((*pid, comm.clone()));
                }
            }
        }
        out
    }

    /// Saves a PNG of the window to `target/artifacts/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // The picture is the last frame painted, which can lag the DOM on a busy machine: wait
        // until two frames have been painted since this call.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await
            .expect("waiting for a painted frame");
        // Drawing without compositing (display.rs, on a machine without a GPU), WebKit's
        // snapshot waits for the page's next paint, and an idle page may not paint for a minute:
        // a pixel of the corner flickers between two invisible tints while the picture is taken.
        self.js(
            "const tick = document.createElement('div');
             tick.id = 'gatehouse-screenshot-tick';
             tick.style.cssText = 'position:fixed;inset-block-start:0;inset-inline-start:0;inline-size:1px;block-size:1px;pointer-events:none';
             document.body.appendChild(tick);
             let k = 0;
             window.__gatehouseTick = setInterval(() => { tick.style.background = k++ % 2 ? 'transparent' : 'rgba(0,0,0,0.004)'; }, 20);",
            vec![],
        )
        .await;
        let png = self.client.screenshot().await;
        self.js(
            "clearInterval(window.__gatehouseTick); document.getElementById('gatehouse-screenshot-tick')?.remove();",
            vec![],
        )
        .await;
        let png = png.expect("WebDriver screenshot");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the WebDriver session (closing the window) and stops every process.
    pub async fn close(self) {
        let Desktop { client, procs, .. } = self;
        let _ = client.close().await;
        drop(procs);
    }
}

/// A community served by a sandbox in the test process over HTTP, kept on disk so it can be
/// stopped (an outage) and started again on the same port with the same data.
pub struct ServedCommunity {
    sandbox: Option<Sandbox>,
    seed: Seed,
    hostile: bool,
    addr: std::net::SocketAddr,
    pub key: String,
    /// A client of its API, for checking what the sandbox holds.
    pub api: ApiClient,
    store: TempDir,
}

impl ServedCommunity {
    /// The demo seed (400 permits, 60 contractors); `hostile` adds names built to break a UI.
    pub async fn start(hostile: bool) -> ServedCommunity {
        Self::start_seeded(Seed::Demo, hostile).await
    }

    pub async fn start_seeded(seed: Seed, hostile: bool) -> ServedCommunity {
        let store = tempfile::tempdir().expect("a sandbox folder");
        let sandbox = Self::sandbox(seed.clone(), hostile, &store, None).await;
        ServedCommunity {
            addr: sandbox.addr(),
            key: sandbox.api_key().to_owned(),
            api: sandbox.client(),
            sandbox: Some(sandbox),
            seed,
            hostile,
            store,
        }
    }

    async fn sandbox(
        seed: Seed,
        hostile: bool,
        store: &TempDir,
        addr: Option<std::net::SocketAddr>,
    ) -> Sandbox {
        let mut b = Sandbox::builder()
            .seed(seed)
            .data_dir(store.path())
            .config(|c| {
                // A key that cannot be mistaken for any other text on the page or on disk.
                c.api_keys = vec!["gk-window-7f3a9c2e51d0".into()];
                c.hostile = hostile;
            });
        if let Some(addr) = addr {
            b = b.at(addr);
        }
        b.start().await
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An outage: the port stops answering.
    pub async fn stop(&mut self) {
        if let Some(sb) = self.sandbox.take() {
            sb.stop().await;
        }
    }

    /// The API is back, on the same port, with the same data.
    pub async fn restart(&mut self) {
        assert!(self.sandbox.is_none(), "already running");
        // The port may take a moment to be free again.
        eventually_true("the port is free", Duration::from_secs(10), || async {
            std::net::TcpListener::bind(self.addr).is_ok()
        })
        .await;
        self.sandbox = Some(
            Self::sandbox(
                self.seed.clone(),
                self.hostile,
                &self.store,
                Some(self.addr),
            )
            .await,
        );
    }

    /// Presents `access_code` at the sandbox's gate: whether it opens, and if not, why.
    pub async fn gate(&self, access_code: &str) -> (bool, String) {
        let answer = Control::new(self.base_url(), self.key.clone())
            .scan(access_code, serde_json::json!({}))
            .await;
        (
            answer["accepted"]
                .as_bool()
                .unwrap_or_else(|| panic!("the gate answered {answer}")),
            answer["reason"].as_str().unwrap_or_default().to_owned(),
        )
    }
}

/// Resident memory of a process, in MB.
pub fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Resident memory of a process split by kind, in MB: (anonymous, file-backed incl. the mmap'd
/// database, shared memory).
pub fn rss_parts_mb(pid: u32) -> (f64, f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("RssAnon:"), field("RssFile:"), field("RssShmem:"))
}
