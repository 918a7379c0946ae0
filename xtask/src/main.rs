//! Project tasks, in plain Rust so they work wherever cargo does.
//!
//! - `cargo xtask run`: installs what is missing, builds the UI and runs the app.
//! - `cargo xtask test`: installs what is missing, then every check CI runs, with timings.
//! - `cargo xtask ui`: builds the UI into ui/dist (the app binary embeds it).
//! - `cargo xtask bindings`: regenerates the TypeScript bindings of the IPC types.
//! - `cargo xtask deps`: only the installs.
//!
//! Installs are idempotent: apt packages (Debian/Ubuntu) only when one is missing, `npm ci` only
//! when node_modules is older than package-lock.json, cargo tools only when not on PATH.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Debian/Ubuntu packages the app needs to build and run (WebKitGTK 4.1 and friends).
const APT_BUILD: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
    "libgl1-mesa-dri",
    "fonts-dejavu-core",
];

/// Extra packages the tests need: a virtual display, a session bus, the WebKit WebDriver.
const APT_TEST: &[&str] = &[
    "xvfb",
    "xauth",
    "dbus",
    "dbus-x11",
    "webkit2gtk-driver",
    // A Secret Service for the keychain test (the keyring crate's store on Linux).
    "gnome-keyring",
    "libsecret-tools",
];

/// The oldest Node.js that Vite 8 runs on.
const NODE_MIN: (u32, u32) = (20, 19);

type Result<T = (), E = String> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let rest = &args[args.len().min(1)..];
    let result = match task {
        "run" => run(rest),
        "test" => test(),
        "ui" => deps(false).and_then(|()| ui_build()),
        "bindings" => bindings(),
        "deps" => deps(true),
        _ => {
            eprintln!(
                "usage: cargo xtask <run|test|ui|bindings|deps>\n  run       the app (extra args go to the app)\n  test      every test, as CI runs it\n  ui        build the UI into ui/dist\n  bindings  regenerate ui/src/lib/bindings from the Rust IPC types\n  deps      install what is missing"
            );
            return if task == "help" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs a command in the workspace root, failing with the command line when it fails.
fn sh(program: &str, args: &[&str]) -> Result {
    sh_env(program, args, &[])
}

fn sh_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result {
    let line = format!("{program} {}", args.join(" "));
    eprintln!("$ {line}");
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start `{line}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

/// Test counts gathered from the runners' own summary lines.
#[derive(Default)]
struct Tally {
    passed: Cell<u64>,
    failed: Cell<u64>,
}

impl Tally {
    /// Reads one line of runner output: cargo's `test result: ok. 3 passed; 1 failed; ...` or
    /// vitest's `Tests  7 passed (7)` / `Tests  1 failed | 6 passed (7)`.
    fn read(&self, line: &str) {
        let plain = strip_ansi(line);
        let line = plain.trim();
        let counted = if let Some(rest) = line.strip_prefix("test result:") {
            rest
        } else if let Some(rest) = line.strip_prefix("Tests ") {
            rest
        } else {
            return;
        };
        let words: Vec<&str> = counted
            .split(|c: char| c.is_whitespace() || c == ';' || c == '|' || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            if let Ok(n) = pair[0].parse::<u64>() {
                match pair[1] {
                    "passed" => self.passed.set(self.passed.get() + n),
                    "failed" => self.failed.set(self.failed.get() + n),
                    _ => {}
                }
            }
        }
    }
}

/// Removes terminal colour sequences (`ESC [ ... letter`), which some runners print regardless.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`sh_env`], streaming the command's stdout through while counting its test results.
fn sh_counted(program: &str, args: &[&str], env: &[(&str, &str)], tally: &Tally) -> Result {
    let line = format!("{program} {}", args.join(" "));
    eprintln!("$ {line}");
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{line}`: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut out = std::io::stdout().lock();
    for text in BufReader::new(stdout).lines() {
        let text = text.map_err(|e| format!("reading `{line}`: {e}"))?;
        tally.read(&text);
        let _ = writeln!(out, "{text}");
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for `{line}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

fn on_path(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|d| d.join(tool).is_file())
}

// ---------------------------------------------------------------------------------------------
// Installs

fn deps(with_test_tools: bool) -> Result {
    system_packages(with_test_tools)?;
    node_packages()?;
    if with_test_tools {
        cargo_tool("tauri-driver", "^2")?;
    }
    Ok(())
}

fn system_packages(with_test_tools: bool) -> Result {
    if !cfg!(target_os = "linux") {
        return Ok(()); // Windows (WebView2) and macOS (WKWebView) need nothing from here.
    }
    if !on_path("apt-get") || !on_path("dpkg-query") {
        eprintln!(
            "xtask: not a Debian/Ubuntu system; make sure WebKitGTK 4.1 development files are installed (see README)."
        );
        return Ok(());
    }
    let mut wanted: Vec<&str> = APT_BUILD.to_vec();
    if with_test_tools {
        wanted.extend_from_slice(APT_TEST);
    }
    let missing: Vec<&str> = wanted
        .into_iter()
        .filter(|pkg| {
            let out = Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", pkg])
                .output();
            !matches!(out, Ok(o) if String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing system packages: {}", missing.join(" "));
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let (program, prefix): (&str, Vec<&str>) = if is_root {
        ("apt-get", vec![])
    } else {
        ("sudo", vec!["apt-get"])
    };
    let mut update = prefix.clone();
    update.extend(["update", "-q"]);
    sh(program, &update)?;
    let mut install = prefix;
    install.extend(["install", "-y", "-q", "--no-install-recommends"]);
    install.extend(missing);
    sh_env(program, &install, &[("DEBIAN_FRONTEND", "noninteractive")])
}

fn node_packages() -> Result {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|_| {
            format!(
                "Node.js is not installed. Install Node.js {}.{} or newer (https://nodejs.org or your package manager), then run this again.",
                NODE_MIN.0, NODE_MIN.1
            )
        })?;
    let text = String::from_utf8_lossy(&version.stdout);
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    if (major, minor) < NODE_MIN {
        return Err(format!(
            "Node.js {} is too old: the UI's build tools need {}.{} or newer.",
            text.trim(),
            NODE_MIN.0,
            NODE_MIN.1
        ));
    }
    let root = root();
    let stamp = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let fresh = match (modified(&stamp), modified(&lock)) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    sh("npm", &["ci", "--no-audit", "--no-fund"])
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn cargo_tool(tool: &str, version: &str) -> Result {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin").join(tool));
    if on_path(tool) || cargo_bin.is_some_and(|p| p.is_file()) {
        return Ok(());
    }
    sh(
        &cargo(),
        &["install", tool, "--version", version, "--locked"],
    )
}

// ---------------------------------------------------------------------------------------------
// Tasks

fn ui_build() -> Result {
    sh("npm", &["run", "build", "--workspace", "ui"])
}

fn bindings() -> Result {
    sh_env(
        &cargo(),
        &["test", "-p", "gatehouse-app", "--test", "bindings"],
        &[("GATEHOUSE_WRITE_BINDINGS", "1")],
    )
}

fn run(app_args: &[String]) -> Result {
    deps(false)?;
    ui_build()?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err(
            "no display: run this from a desktop session, or under a virtual one with `xvfb-run -a cargo xtask run`.".into(),
        );
    }
    let mut args = vec!["run", "-p", "gatehouse-desktop", "--"];
    args.extend(app_args.iter().map(String::as_str));
    sh(&cargo(), &args)
}

fn test() -> Result {
    let mut stages: Vec<(&str, Duration)> = Vec::new();
    let started = Instant::now();
    let mut stage = |name: &'static str, f: &dyn Fn() -> Result| -> Result {
        eprintln!("\n==> {name}");
        let t = Instant::now();
        let r = f();
        let took = t.elapsed();
        stages.push((name, took));
        eprintln!(
            "<== {name}: {} in {:.1} s",
            if r.is_ok() { "ok" } else { "FAILED" },
            took.as_secs_f64()
        );
        r
    };
    let cargo = cargo();
    let tally = Tally::default();
    let result = (|| {
        stage("install what is missing", &|| deps(true))?;
        stage("rustfmt", &|| sh(&cargo, &["fmt", "--all", "--check"]))?;
        stage("ui build", &ui_build)?;
        stage("ui type check (svelte-check)", &|| {
            sh("npm", &["run", "check", "--workspace", "ui"])
        })?;
        stage("ui unit tests (vitest)", &|| {
            sh("npm", &["run", "test", "--workspace", "ui"])
        })?;
        stage("clippy", &|| {
            sh(
                &cargo,
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--locked",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        })?;
        stage("cargo test (crates, bindings, window)", &|| {
            sh_counted(&cargo, &["test", "--workspace", "--locked"], &[], &tally)
        })
    })();
    eprintln!("\nstage timings:");
    for (name, took) in &stages {
        eprintln!("  {:>7.1} s  {name}", took.as_secs_f64());
    }
    eprintln!("  {:>7.1} s  total", started.elapsed().as_secs_f64());
    // The plain closing line CI reads: every test the runners reported, Rust and UI together.
    println!(
        "tests: {} passed, {} failed",
        tally.passed.get(),
        tally.failed.get()
    );
    if result.is_ok() && tally.passed.get() == 0 {
        return Err("the runners reported no test at all".into());
    }
    result
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn counts_cargo_and_vitest_summary_lines() {
        let t = Tally::default();
        t.read("test result: ok. 9 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s");
        t.read("test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out");
        t.read("      Tests  1 failed | 6 passed (7)");
        t.read("      Tests  7 passed (7)");
        t.read("\u{1b}[2m      Tests \u{1b}[22m \u{1b}[1m\u{1b}[32m5 passed\u{1b}[39m\u{1b}[22m\u{1b}[90m (5)\u{1b}[39m");
        t.read("running 3 tests");
        t.read("test a_b ... ok");
        assert_eq!((t.passed.get(), t.failed.get()), (29, 2));
    }
}
