//! Opening a cache file: encrypted with its key (an older Gatehouse's plain file encrypted in
//! place first), private, its schema brought up to date; a damaged one set aside, a wrong key
//! told apart from damage before anything is moved.

use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::files::side_files;
use crate::keying::{self, KeyCheck};
use crate::{Cache, CacheError, CacheKey, encrypt, files};

/// Makes the database and its side files private (SQLite creates the side files with the
/// database's mode; this catches files left by an older Gatehouse).
fn make_private(path: &Path) -> Result<(), CacheError> {
    for file in std::iter::once(path.to_owned()).chain(side_files(path)) {
        files::private_file(&file).map_err(|e| CacheError::io(&file, e))?;
    }
    Ok(())
}

impl Cache {
    /// Opens (creating if needed) the cache at `path`, encrypted with `key`, and brings its
    /// schema up to date. A plain cache (written by a Gatehouse before encryption) is encrypted
    /// in place first, its outbox and audit log with the rest. A file that `key` does not open is
    /// [`CacheError::WrongKey`] when its key check says so, [`CacheError::Corrupt`] when the key
    /// is the right one and the file is damaged.
    pub async fn open(path: &Path, key: &CacheKey) -> Result<Cache, CacheError> {
        Self::open_with(path, Some(key)).await
    }

    /// Opens a plain (unencrypted) cache: for the benchmarks that measure what encryption costs,
    /// and for tests. The app never opens one.
    pub async fn open_plain(path: &Path) -> Result<Cache, CacheError> {
        Self::open_with(path, None).await
    }

    async fn open_with(path: &Path, key: Option<&CacheKey>) -> Result<Cache, CacheError> {
        // Before SQLCipher's first use of OpenSSL: OpenSSL set up without the clean-up it would
        // run at exit, while connection threads (closing when their pool is dropped as the
        // process ends) may still be using it. The OS takes its memory back instead.
        openssl_sys::init();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::private_dir(dir).map_err(|e| CacheError::io(dir, e))?;
        }
        if let Some(key) = key {
            encrypt::encrypt_in_place(path, key).await?;
        }
        // Created private before SQLite opens it, so that its side files are private too.
        let mut create = std::fs::OpenOptions::new();
        create.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut create, files::FILE_MODE);
        match create.open(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(CacheError::io(path, e)),
        }
        let mut options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // 32 MiB of page cache per connection (and reads through mmap where the file is
            // plain; SQLCipher reads pages itself): filters and counts over 100k permits stay
            // in memory instead of copying pages from the OS.
            .pragma("cache_size", "-32768")
            .pragma("mmap_size", "268435456")
            // Checkpoint the WAL every 32 MiB rather than every 4: a sync's burst of writes is
            // not interrupted by checkpoints (each of which syncs the file to disk).
            .pragma("wal_autocheckpoint", "8192");
        if let Some(key) = key {
            // sqlx sends `key` before every other pragma, as SQLCipher requires.
            options = options.pragma("key", key.pragma_value().to_string());
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| refused(path, key, e))?;
        make_private(path)?;
        if let Some(key) = key {
            // The key opened it (connecting set the journal mode, which reads the header).
            if keying::check_key(path, key) != KeyCheck::Matches {
                keying::write_check(path, key).map_err(|e| CacheError::io(path, e))?;
            }
        }
        Cache::ready(pool, path).await
    }

    /// Opens the cache; one that is damaged or from a newer Gatehouse is set aside (see
    /// [`Cache::set_aside`]) and a fresh one is created, to be refilled from the server. Returns
    /// the reason when that happened. A wrong key is returned as the error it is: nothing is
    /// moved, since the file may hold queued actions that its right key would read.
    pub async fn open_or_rebuild(
        path: &Path,
        key: &CacheKey,
    ) -> Result<(Cache, Option<CacheError>), CacheError> {
        match Cache::open(path, key).await {
            Ok(cache) => Ok((cache, None)),
            Err(reason @ (CacheError::Corrupt { .. } | CacheError::TooNew { .. })) => {
                Cache::set_aside(path)?;
                Ok((Cache::open(path, key).await?, Some(reason)))
            }
            Err(other) => Err(other),
        }
    }

    /// Moves the cache file at `path` aside, kept private as `<file>.unreadable-<unix seconds>`
    /// with its key check, so that a fresh one can be made there. Returns where it went, or
    /// `None` when there was no file.
    pub fn set_aside(path: &Path) -> Result<Option<PathBuf>, CacheError> {
        if !path.exists() {
            return Ok(None);
        }
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let aside = path.with_extension(format!("unreadable-{stamp}"));
        std::fs::rename(path, &aside).map_err(|e| CacheError::io(path, e))?;
        files::private_file(&aside).map_err(|e| CacheError::io(&aside, e))?;
        let check = keying::check_path(path);
        if check.exists() {
            std::fs::rename(&check, keying::check_path(&aside))
                .map_err(|e| CacheError::io(&check, e))?;
        }
        for side in side_files(path) {
            let _ = std::fs::remove_file(side);
        }
        Ok(Some(aside))
    }
}

/// Why a file did not open. SQLite's "file is not a database" is damage only when the key is
/// known to be the file's own; otherwise it may be the key, and nothing is to be moved.
fn refused(path: &Path, key: Option<&CacheKey>, e: sqlx::Error) -> CacheError {
    match (CacheError::classify(path, e), key) {
        (corrupt @ CacheError::Corrupt { .. }, Some(key)) => match keying::check_key(path, key) {
            KeyCheck::Matches => corrupt,
            KeyCheck::Differs => CacheError::WrongKey {
                path: path.to_owned(),
                sure: true,
            },
            KeyCheck::Unknown => CacheError::WrongKey {
                path: path.to_owned(),
                sure: false,
            },
        },
        (other, _) => other,
    }
}
