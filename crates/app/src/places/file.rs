//! The directory's file, `places.csv` beside the profile's cache, written private.

use std::path::Path;

use super::Places;
use crate::Error;

impl Places {
    /// The profile's directory, empty when it has none yet.
    pub fn load(path: &Path) -> Result<Places, Error> {
        match std::fs::read(path) {
            Ok(bytes) => Places::parse(&bytes).map_err(|e| {
                Error::invalid_input(format!("{} is damaged: {}", path.display(), e.message))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Places::default()),
            Err(e) => Err(Error::storage(format!(
                "Cannot read {}: {e}.",
                path.display()
            ))),
        }
    }

    /// Writes the directory, private, replacing the file whole.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let csv = self.to_csv();
        gatehouse_cache::files::write_private(path, |w| w.write_all(&csv))
            .map_err(|e| Error::storage(format!("Cannot write {}: {e}.", path.display())))
    }
}

/// The directory at `path`; one that cannot be read is set aside (kept, as
/// `places.csv.unreadable-<unix seconds>`), an empty one is used, and why is returned.
pub(crate) fn open(path: &Path) -> (std::sync::Arc<Places>, Option<String>) {
    match Places::load(path) {
        Ok(p) => (std::sync::Arc::new(p), None),
        Err(e) => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let aside = path.with_extension(format!("csv.unreadable-{secs}"));
            let why = match std::fs::rename(path, &aside) {
                Ok(()) => format!("{} It was kept as {}.", e.message, aside.display()),
                Err(_) => e.message,
            };
            tracing::warn!(problem = %why, "the places file was not read");
            (std::sync::Arc::new(Places::default()), Some(why))
        }
    }
}
