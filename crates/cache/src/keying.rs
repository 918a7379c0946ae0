//! The key a cache file is encrypted with, and its check value.
//!
//! The cache is SQLCipher 4 (AES-256 pages with an HMAC each). Its key is 32 random bytes given
//! to SQLCipher as a raw key (`x'…'`): there is no passphrase to stretch, so no connection pays
//! for a key derivation. Where it is kept (the OS keychain, or `GATEHOUSE_CACHE_KEY` on a desk
//! with none) is the app's business, not this crate's.
//!
//! SQLCipher answers a wrong key with SQLite's error 26, "file is not a database", the same code
//! a damaged file gives. The check value tells the two apart before anything is moved: beside
//! the file is `<file>.keycheck`, an HMAC of a fixed text under the key, which says whether the
//! key in hand is the one the file was written with without saying anything about the key.

use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// How many bytes a key has (AES-256).
pub const KEY_BYTES: usize = 32;

// The key's length is written out in the messages below.
const _: () = assert!(KEY_BYTES == 32);

/// A cache key: wiped from memory when dropped, never printed.
#[derive(Clone)]
pub struct CacheKey(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(…)")
    }
}

/// Why a written key was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a cache key is 64 hexadecimal characters (make one with `openssl rand -hex 32`); this one {0}"
)]
pub struct KeyFormatError(String);

impl CacheKey {
    /// A new key from the OS's random source.
    pub fn random() -> CacheKey {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        rand::fill(&mut bytes[..]);
        CacheKey(bytes)
    }

    /// A key written as 64 hexadecimal characters (surrounding spaces ignored).
    pub fn from_hex(text: &str) -> Result<CacheKey, KeyFormatError> {
        let text = text.trim();
        if text.len() != KEY_BYTES * 2 {
            return Err(KeyFormatError(format!(
                "has {} characters",
                text.chars().count()
            )));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        hex::decode_to_slice(text, &mut bytes[..])
            .map_err(|_| KeyFormatError("has a character that is not 0-9 or a-f".into()))?;
        Ok(CacheKey(bytes))
    }

    /// The key as 64 lowercase hexadecimal characters, for the keychain.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&self.0[..]))
    }

    /// The value of `PRAGMA key` (and of `ATTACH … KEY`): SQLCipher's raw-key form.
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", self.to_hex().as_str()))
    }

    /// The raw-key form as a bound value (`ATTACH … KEY ?`), without the SQL quotes.
    pub(crate) fn bound_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", self.to_hex().as_str()))
    }

    /// Options that open the file at `path` with this key and nothing else set: for tests and
    /// tools that look into a cache file as SQL.
    pub fn connect_options(&self, path: &Path) -> sqlx::sqlite::SqliteConnectOptions {
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .pragma("key", self.pragma_value().to_string())
    }

    /// The check value kept beside the file.
    fn check(&self) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("HMAC takes a key of any length");
        mac.update(b"gatehouse cache key check, version 1");
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The check file of the cache at `path`.
pub(crate) fn check_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".keycheck");
    PathBuf::from(p)
}

/// What the check file says of `key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyCheck {
    /// It is the key the file was written with.
    Matches,
    /// It is not.
    Differs,
    /// There is no check file (or it cannot be read): the key may be right or wrong.
    Unknown,
}

pub(crate) fn check_key(path: &Path, key: &CacheKey) -> KeyCheck {
    match std::fs::read_to_string(check_path(path)) {
        Ok(kept) if kept.trim() == key.check() => KeyCheck::Matches,
        Ok(_) => KeyCheck::Differs,
        Err(_) => KeyCheck::Unknown,
    }
}

/// Writes the check file of `key` beside the cache at `path`.
pub(crate) fn write_check(path: &Path, key: &CacheKey) -> std::io::Result<()> {
    let check = key.check();
    crate::files::write_private(&check_path(path), |w| {
        w.write_all(check.as_bytes())?;
        w.write_all(b"\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_from_hex_or_say_why_not_and_never_print() {
        let key = CacheKey::random();
        let back = CacheKey::from_hex(&format!("  {}\n", key.to_hex().as_str())).unwrap();
        assert_eq!(back.to_hex(), key.to_hex());
        assert_ne!(CacheKey::random().to_hex(), key.to_hex(), "random");
        assert_eq!(format!("{key:?}"), "CacheKey(…)");
        let short = CacheKey::from_hex("abcd").unwrap_err().to_string();
        assert!(
            short.contains("64 hexadecimal") && short.contains("has 4"),
            "{short}"
        );
        let odd = CacheKey::from_hex(&"g".repeat(64)).unwrap_err().to_string();
        assert!(odd.contains("not 0-9 or a-f"), "{odd}");
        let pragma = key.pragma_value();
        assert_eq!(pragma.as_str(), format!("\"x'{}'\"", key.to_hex().as_str()));
    }

    #[test]
    fn the_check_tells_the_key_apart_without_showing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite3");
        let key = CacheKey::random();
        assert_eq!(check_key(&path, &key), KeyCheck::Unknown);
        write_check(&path, &key).unwrap();
        assert_eq!(check_key(&path, &key), KeyCheck::Matches);
        assert_eq!(check_key(&path, &CacheKey::random()), KeyCheck::Differs);
        let kept = std::fs::read_to_string(check_path(&path)).unwrap();
        assert!(!kept.contains(key.to_hex().as_str()));
    }
}
