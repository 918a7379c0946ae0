//! `cargo xtask deps`: what the build and the tests need, installed only when missing: Debian
//! packages, the npm packages of package-lock.json, and cargo tools.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, on_path, root, sh, sh_env};

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
    // xdg-open: printed passes open in the desk's PDF viewer through it (and it asks `file`
    // what a file is).
    "xdg-utils",
    "file",
];

/// Extra packages the tests need: a virtual display, a session bus, the WebKit WebDriver, a
/// PDF renderer.
const APT_TEST: &[&str] = &[
    "xvfb",
    "xauth",
    "dbus",
    "dbus-x11",
    "webkit2gtk-driver",
    // A Secret Service for the keychain test (the keyring crate's store on Linux).
    "gnome-keyring",
    "libsecret-tools",
    // A notification daemon with a scriptable click (dunstctl): the alerts tests read the
    // notifications back from the bus and click them. dbus-monitor comes with dbus.
    "dunst",
    // pdftoppm, pdftotext and pdfinfo: the passes tests read printed passes with them.
    "poppler-utils",
    // qpdf --check: the structure of a batch joined from parts.
    "qpdf",
    // A real print system and a printer that writes PDFs: `gatehouse print --printer` is tested
    // through them.
    "cups",
    "printer-driver-cups-pdf",
];

/// The oldest Node.js that Vite 8 runs on.
const NODE_MIN: (u32, u32) = (20, 19);

pub(crate) fn deps(with_test_tools: bool) -> Result {
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
