//! How WebKitGTK draws on Linux machines without a GPU.
//!
//! Where Linux has no GPU render node (`/dev/dri/renderD*`: virtual machines, thin clients,
//! remote desktops), WebKitGTK's accelerated compositing runs on Mesa's software OpenGL and every
//! scrolled frame goes through it: there a frame of the permits table took about two display
//! frames (28–37 ms), and even a 100 px box of plain text took 23 ms. Drawing without
//! compositing, the same scroll keeps to the display's 16 ms (BENCHMARKS.md, "The window").
//! So without a render node the window's hardware acceleration policy is "never".
//! `GATEHOUSE_COMPOSITING=on` or `off` overrides the guess.

use std::path::Path;

/// `GATEHOUSE_COMPOSITING`: what the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compositing {
    /// Unset: off where there is no GPU render node, WebKit's default elsewhere.
    Auto,
    /// `on`: WebKit's default even without a GPU.
    On,
    /// `off`: never composite.
    Off,
}

impl Compositing {
    /// Reads the variable's value; anything but `on` or `off` (or nothing) is `Auto`.
    pub fn from_env_value(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("on") => Self::On,
            Some(v) if v.eq_ignore_ascii_case("off") => Self::Off,
            _ => Self::Auto,
        }
    }

    /// Whether the window should draw without compositing.
    pub fn disables(self, has_render_node: bool) -> bool {
        match self {
            Self::Auto => !has_render_node,
            Self::On => false,
            Self::Off => true,
        }
    }
}

/// Whether `dir` (normally `/dev/dri`) holds a GPU render node.
pub fn has_render_node(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// Applies the rule to the window's web view.
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
pub fn configure(window: &tauri::WebviewWindow) {
    let asked = Compositing::from_env_value(std::env::var("GATEHOUSE_COMPOSITING").ok().as_deref());
    let off = asked.disables(has_render_node(Path::new("/dev/dri")));
    tracing::info!(?asked, off, "compositing");
    if !off || !cfg!(target_os = "linux") {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let applied = window.with_webview(|webview| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = WebViewExt::settings(&webview.inner()) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(err) = applied {
            tracing::warn!(%err, "could not set the hardware acceleration policy");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compositing_goes_off_without_a_gpu_unless_asked_for() {
        let auto = Compositing::from_env_value(None);
        assert_eq!(auto, Compositing::Auto);
        assert!(auto.disables(false));
        assert!(!auto.disables(true));
        let on = Compositing::from_env_value(Some(" ON "));
        assert!(!on.disables(false) && !on.disables(true));
        let off = Compositing::from_env_value(Some("off"));
        assert!(off.disables(false) && off.disables(true));
        assert_eq!(
            Compositing::from_env_value(Some("maybe")),
            Compositing::Auto
        );
    }

    #[test]
    fn a_render_node_is_found_by_its_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()));
        assert!(!has_render_node(&dir.path().join("missing")));
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
