//! `app_info`: what the About box and the status bar show about this installation.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Paths;

/// Facts about this installation of Gatehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppInfo {
    /// The app's version, e.g. `0.1.0`.
    pub version: String,
    /// The folder holding the local cache and settings.
    pub data_dir: String,
    /// The operating system, as Rust names it: `linux`, `macos`, `windows`.
    pub os: String,
}

pub fn app_info(paths: &Paths) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: paths.data_dir().display().to_string(),
        os: std::env::consts::OS.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_resolved_data_dir_and_this_version() {
        let tmp = tempfile::tempdir().unwrap();
        let info = app_info(&Paths::at(tmp.path()).unwrap());
        assert_eq!(info.data_dir, tmp.path().display().to_string());
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        let json = serde_json::to_value(&info).unwrap();
        assert!(
            json.get("dataDir").is_some(),
            "camelCase on the wire: {json}"
        );
    }
}
