//! Where Gatehouse keeps its data on this machine.
//!
//! The app and the CLI must agree on the folder, and the CLI has no Tauri path resolver, so the
//! rule lives here: `$GATEHOUSE_DATA_DIR` when set, else the OS data directory joined with the
//! app identifier (the same folder Tauri's `app_data_dir()` gives): `~/.local/share/ae.gatehouse.desktop`
//! on Linux, `~/Library/Application Support/ae.gatehouse.desktop` on macOS,
//! `%APPDATA%\ae.gatehouse.desktop` on Windows.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::Error;

/// The bundle identifier, also in `src-tauri/tauri.conf.json` (a test keeps the two equal).
pub const APP_IDENTIFIER: &str = "ae.gatehouse.desktop";

/// Overrides the data directory: for tests, portable installs and scripts.
pub const DATA_DIR_ENV: &str = "GATEHOUSE_DATA_DIR";

/// The folders Gatehouse uses, resolved once at start-up and created if missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    data_dir: PathBuf,
}

impl Paths {
    /// Resolves the data directory from the environment and the OS, and creates it.
    pub fn from_env() -> Result<Self, Error> {
        Self::resolve(std::env::var_os(DATA_DIR_ENV), dirs::data_dir())
    }

    /// The resolution rule, without touching the process environment: `override_dir` (the
    /// environment variable's value) wins when non-empty; otherwise `os_data_dir` joined with the
    /// app identifier.
    pub fn resolve(
        override_dir: Option<OsString>,
        os_data_dir: Option<PathBuf>,
    ) -> Result<Self, Error> {
        let data_dir = match override_dir.filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => os_data_dir
                .map(|d| d.join(APP_IDENTIFIER))
                .ok_or_else(|| {
                    Error::storage(format!(
                        "This system reports no user data directory; set {DATA_DIR_ENV} to a folder Gatehouse may write to."
                    ))
                })?,
        };
        Self::at(data_dir)
    }

    /// Uses `data_dir` as is, creating it if it does not exist; either way it is made private
    /// (`0700` on Unix: the cache in it holds live gate access codes).
    pub fn at(data_dir: impl Into<PathBuf>) -> Result<Self, Error> {
        let data_dir = data_dir.into();
        gatehouse_cache::files::private_dir(&data_dir).map_err(|e| {
            Error::storage(format!(
                "Cannot create the data directory {}: {e}.",
                data_dir.display()
            ))
        })?;
        if !std::fs::metadata(&data_dir).is_ok_and(|m| m.is_dir()) {
            return Err(Error::storage(format!(
                "The data directory {} is not a folder.",
                data_dir.display()
            )));
        }
        Ok(Self { data_dir })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_wins_and_is_created() {
        let tmp = tempfile::tempdir().unwrap();
        let want = tmp.path().join("nested").join("data");
        let paths = Paths::resolve(Some(want.clone().into()), Some("/nonexistent".into())).unwrap();
        assert_eq!(paths.data_dir(), want);
        assert!(want.is_dir());
    }

    #[test]
    fn without_override_the_os_dir_is_joined_with_the_identifier() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::resolve(Some(OsString::new()), Some(tmp.path().into())).unwrap();
        assert_eq!(paths.data_dir(), tmp.path().join(APP_IDENTIFIER));
        assert!(paths.data_dir().is_dir());
    }

    #[test]
    fn no_data_dir_at_all_is_a_clear_storage_error() {
        let err = Paths::resolve(None, None).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Storage);
        assert!(err.message.contains(DATA_DIR_ENV), "{}", err.message);
    }

    #[test]
    fn a_file_in_the_way_is_a_storage_error_naming_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("occupied");
        std::fs::write(&file, b"x").unwrap();
        let err = Paths::at(&file).unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Storage);
        assert!(err.message.contains("occupied"), "{}", err.message);
    }
}
