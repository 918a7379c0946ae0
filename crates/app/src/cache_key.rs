//! Each profile's cache key, and opening its cache with it.
//!
//! The cache is encrypted (see `gatehouse_cache::CacheKey`) with a random key per profile, kept
//! in the OS keychain beside the API key (service [`crate::APP_IDENTIFIER`], account
//! `<profile>/cache-key`) and made there on the profile's first open. Where there is no keychain
//! (CI, a headless desk runner), the environment gives it, for one profile only:
//! `GATEHOUSE_CACHE_KEY_<NAME>`, or `GATEHOUSE_CACHE_KEY` when there is one profile; 64
//! hexadecimal characters. With neither, the cache is not opened: it is never left in clear.

use gatehouse_cache::{Cache, CacheError, CacheKey};

use crate::profiles::{CACHE_KEY_ENV, env_value};
use crate::{Error, ErrorCode, Paths, Profile};

impl Profile {
    fn cache_key_account(&self) -> String {
        format!("{}/cache-key", self.name)
    }

    /// The variable that gives this profile's cache key alone.
    pub fn cache_key_env(&self) -> String {
        crate::profiles::named_env(CACHE_KEY_ENV, &self.name)
    }

    /// The cache key: the environment's, else the keychain's, made and filed there when the
    /// profile has none yet and no encrypted cache waits for one. Blocking.
    fn cache_key(&self, paths: &Paths) -> Result<CacheKey, Error> {
        if let Some((var, text)) = env_value(CACHE_KEY_ENV, &self.name, self.only) {
            return CacheKey::from_hex(text)
                .map_err(|e| Error::invalid_input(format!("{var}: {e}.")));
        }
        let no_keychain = |e: keyring::Error| {
            Error::storage(format!(
                "The OS keychain is not available ({e}), and the cache of \"{}\" is encrypted with a key kept there: set {} to a key of 64 hexadecimal characters (`openssl rand -hex 32`) to give it from the environment instead.",
                self.name,
                self.cache_key_env()
            ))
        };
        let entry = keyring::Entry::new(crate::APP_IDENTIFIER, &self.cache_key_account())
            .map_err(no_keychain)?;
        match entry.get_password() {
            Ok(text) => CacheKey::from_hex(&text).map_err(|e| {
                Error::storage(format!(
                    "The OS keychain's cache key of \"{}\" is not one: {e}.",
                    self.name
                ))
            }),
            Err(keyring::Error::NoEntry) => {
                let path = self.cache_path(paths);
                if gatehouse_cache::holds_encrypted_data(&path)
                    .map_err(|e| Error::storage(format!("Cannot read {}: {e}.", path.display())))?
                {
                    return Err(Error::new(
                        ErrorCode::Storage,
                        format!(
                            "The cache of \"{}\" is encrypted, and its key is not in the OS keychain. Put the key back in the keychain or in {}, or run `gatehouse profile reset-cache {}` to set the cache aside and refill it from Buzz-In (actions queued in it and not yet sent would then not be sent).",
                            self.name,
                            self.cache_key_env(),
                            self.name
                        ),
                    ));
                }
                let key = CacheKey::random();
                entry
                    .set_password(key.to_hex().as_str())
                    .map_err(no_keychain)?;
                Ok(key)
            }
            Err(other) => Err(no_keychain(other)),
        }
    }

    /// Opens this profile's cache with its key. A damaged cache is set aside and made anew (the
    /// reason is returned); a key that does not open it is an error that moves nothing.
    pub(crate) async fn open_cache(
        &self,
        paths: &Paths,
    ) -> Result<(Cache, Option<CacheError>), Error> {
        let key = {
            let (p, paths) = (self.clone(), paths.clone());
            tokio::task::spawn_blocking(move || p.cache_key(&paths))
                .await
                .map_err(|e| Error::internal(format!("the keychain lookup failed: {e}")))??
        };
        self.open_cache_with(paths, key).await
    }

    /// Opens this profile's cache with `key`, as [`Profile::open_cache`] does.
    pub(crate) async fn open_cache_with(
        &self,
        paths: &Paths,
        key: CacheKey,
    ) -> Result<(Cache, Option<CacheError>), Error> {
        Cache::open_or_rebuild(&self.cache_path(paths), &key)
            .await
            .map_err(|e| self.cache_refused(e))
    }

    /// A cache error said with what the user can do about it.
    fn cache_refused(&self, e: CacheError) -> Error {
        match e {
            CacheError::WrongKey { .. } => Error::storage(format!(
                "{}. Put its key back (in the OS keychain, or in {}), or run `gatehouse profile reset-cache {}` to set it aside and refill it from Buzz-In (actions queued in it and not yet sent would then not be sent).",
                capitalised(&e.to_string()),
                self.cache_key_env(),
                self.name
            )),
            other => Error::storage(other.to_string()),
        }
    }

    /// Sets this profile's cache aside (kept, as it is) so that the next open makes a fresh one,
    /// refilled from Buzz-In. Returns where it went. The user's answer to a cache that cannot
    /// be read.
    pub fn reset_cache(&self, paths: &Paths) -> Result<Option<std::path::PathBuf>, Error> {
        Cache::set_aside(&self.cache_path(paths)).map_err(|e| Error::storage(e.to_string()))
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
