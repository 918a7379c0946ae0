//! How the desktop app lives on this computer, whatever community it shows: whether closing the
//! window keeps it running in the tray (on by default: alerts keep coming), and whether it
//! starts at login, hidden in the tray (off until the admin opts in). Kept in `desktop.json` in
//! the data folder; the shell applies them (the OS's login items are the shell's).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Paths};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct DesktopPrefs {
    /// Closing the window keeps the app in the tray (where the desktop has one).
    pub close_to_tray: bool,
    /// Start at login, hidden in the tray.
    pub start_at_login: bool,
}

impl Default for DesktopPrefs {
    fn default() -> Self {
        DesktopPrefs {
            close_to_tray: true,
            start_at_login: false,
        }
    }
}

impl DesktopPrefs {
    fn file(paths: &Paths) -> PathBuf {
        paths.data_dir().join("desktop.json")
    }

    /// The saved preferences; the defaults when there are none. A file that does not read is
    /// an error that names it (it is left as it is).
    pub fn load(paths: &Paths) -> Result<DesktopPrefs, Error> {
        crate::json_file::load(&Self::file(paths))
    }

    pub fn save(&self, paths: &Paths) -> Result<(), Error> {
        crate::json_file::save(&Self::file(paths), self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_default_save_and_refuse_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path()).unwrap();
        assert_eq!(DesktopPrefs::load(&paths).unwrap(), DesktopPrefs::default());
        let mine = DesktopPrefs {
            close_to_tray: false,
            start_at_login: true,
        };
        mine.save(&paths).unwrap();
        assert_eq!(DesktopPrefs::load(&paths).unwrap(), mine);
        // A field it does not know is ignored; one it misses is the default.
        std::fs::write(
            dir.path().join("desktop.json"),
            br#"{"startAtLogin":true,"x":1}"#,
        )
        .unwrap();
        assert_eq!(
            DesktopPrefs::load(&paths).unwrap(),
            DesktopPrefs {
                close_to_tray: true,
                start_at_login: true
            }
        );
        std::fs::write(dir.path().join("desktop.json"), b"{oops").unwrap();
        let err = DesktopPrefs::load(&paths).unwrap_err();
        assert!(
            err.message.contains("desktop.json cannot be read"),
            "{}",
            err.message
        );
        assert_eq!(
            std::fs::read(dir.path().join("desktop.json")).unwrap(),
            b"{oops"
        );
    }
}
