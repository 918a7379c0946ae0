//! A plain cache (written by a Gatehouse before the cache was encrypted) encrypted in place on
//! its first open.
//!
//! The steps, each of which a crash may cut short:
//! 1. the plain file is made whole: its write-ahead log checkpointed into it and switched off,
//!    so that no log of the plain file is left to be replayed into anything else;
//! 2. SQLCipher's `sqlcipher_export` copies it, every table (outbox and audit log among them),
//!    into `<file>.encrypting`, encrypted with the key; that copy is synced;
//! 3. the key check is written, and the copy renamed over the plain file (one atomic step:
//!    before it the plain file is whole, after it the encrypted one is);
//! 4. the plain file's bytes, which the rename let go, are overwritten with zeros.
//!
//! A copy left by a crash before step 3 is deleted at the next open, which starts over.
//! Two processes opening the same plain file at once take turns through `<file>.lock`, and the
//! second finds the file already encrypted.

use std::io::{Read, Write};
use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::files::sibling;
use crate::{CacheError, CacheKey, keying};

/// The first 16 bytes of every plain SQLite file; an encrypted one begins with its random salt.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` is a plain SQLite database (a missing or empty one is not).
pub(crate) fn is_plain(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => {
            let mut read = 0;
            while read < head.len() {
                match f.read(&mut head[read..])? {
                    0 => break,
                    n => read += n,
                }
            }
            Ok(read == head.len() && &head == PLAIN_HEADER)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `path` holds something other than a plain SQLite file: an encrypted cache, or a
/// damaged file (a missing or empty file holds nothing).
pub fn holds_encrypted_data(path: &Path) -> std::io::Result<bool> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > 0 => Ok(!is_plain(path)?),
        Ok(_) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Encrypts the cache at `path` with `key` if it is plain; returns whether it was.
pub(crate) async fn encrypt_in_place(path: &Path, key: &CacheKey) -> Result<bool, CacheError> {
    let io = |p: &Path| {
        let p = p.to_owned();
        move |e: std::io::Error| CacheError::io(&p, e)
    };
    let lock_path = sibling(path, ".lock");
    if !is_plain(path).map_err(io(path))? {
        // A lock file left by a process killed after its rename. Whoever may still wait on it
        // holds it open, and looks again once it has the lock.
        let _ = std::fs::remove_file(&lock_path);
        return Ok(false);
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    let done = encrypt_locked(path, key).await;
    drop(lock);
    // Whoever waited on the lock finds the file encrypted, whichever lock file it holds.
    let _ = std::fs::remove_file(&lock_path);
    done
}

async fn encrypt_locked(path: &Path, key: &CacheKey) -> Result<bool, CacheError> {
    let temp = sibling(path, ".encrypting");
    for leftover in [
        temp.clone(),
        sibling(&temp, "-journal"),
        sibling(&temp, "-wal"),
        sibling(&temp, "-shm"),
    ] {
        match std::fs::remove_file(&leftover) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(CacheError::io(&leftover, e));
            }
            _ => {}
        }
    }
    // Another process may have encrypted it while this one waited.
    if !is_plain(path).map_err(|e| CacheError::io(path, e))? {
        return Ok(false);
    }
    let Some(temp_name) = temp.to_str() else {
        return Err(CacheError::Io {
            path: temp.clone(),
            detail: "the folder's name is not valid Unicode".into(),
        });
    };
    let sql = |e: sqlx::Error| CacheError::classify(path, e);
    // The plain file is there; `create` is for the copy, which ATTACH opens with these flags.
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .connect()
        .await
        .map_err(sql)?;
    let exported = async {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(&mut conn)
            .await?;
        sqlx::query("ATTACH DATABASE ?1 AS encrypted KEY ?2")
            .bind(temp_name)
            .bind(key.bound_value().as_str())
            .execute(&mut conn)
            .await?;
        sqlx::query("SELECT sqlcipher_export('encrypted')")
            .execute(&mut conn)
            .await?;
        sqlx::query("DETACH DATABASE encrypted")
            .execute(&mut conn)
            .await?;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    let closed = conn.close().await;
    if let Err(e) = exported.and(closed) {
        let _ = std::fs::remove_file(&temp);
        return Err(sql(e));
    }
    std::fs::File::open(&temp)
        .and_then(|f| f.sync_all())
        .map_err(|e| CacheError::io(&temp, e))?;
    keying::write_check(path, key).map_err(|e| CacheError::io(path, e))?;
    // Held across the rename: the plain file's bytes, to be overwritten once it is replaced.
    let plain = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| CacheError::io(path, e))?;
    std::fs::rename(&temp, path).map_err(|e| CacheError::io(path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync_dir(dir);
    }
    wipe(plain);
    Ok(true)
}

/// Makes a rename in `dir` durable (Unix; elsewhere the rename is left to the OS).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Overwrites a let-go plain file with zeros, so that its pages do not linger in free blocks of
/// a file system that writes in place (a copy-on-write one or an SSD's wear levelling may still
/// keep them: the encrypted file is the protection, this only narrows what is left).
fn wipe(mut plain: std::fs::File) {
    let Ok(len) = plain.metadata().map(|m| m.len()) else {
        return;
    };
    let zeros = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        if plain.write_all(&zeros[..n]).is_err() {
            return;
        }
        left -= n as u64;
    }
    let _ = plain.sync_all();
}
