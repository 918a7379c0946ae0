//! The app's small JSON files in the data folder (`profiles.json`, `desktop.json`): read with
//! the defaults when there is none and a clear error naming a file that does not read (left as
//! it is), written atomically and private (a crash leaves the old file or the new one).

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;

pub(crate) fn load<T: DeserializeOwned + Default>(file: &Path) -> Result<T, Error> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::storage(format!(
                "{} cannot be read ({e}); fix or remove it.",
                file.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(Error::storage(format!(
            "Cannot read {}: {e}.",
            file.display()
        ))),
    }
}

pub(crate) fn save<T: Serialize>(file: &Path, value: &T) -> Result<(), Error> {
    let text = serde_json::to_vec_pretty(value).expect("the app's files serialise");
    gatehouse_cache::files::write_private(file, |w| w.write_all(&text))
        .map_err(|e| Error::storage(format!("Cannot write {}: {e}.", file.display())))
}
