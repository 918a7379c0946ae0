//! Community profiles: which Buzz-In API each one talks to, and where its key and cache live.
//!
//! The list is `profiles.json` in the data directory (no secrets in it). A profile's API key is
//! in the OS keychain (Keychain on macOS, Credential Manager on Windows, the Secret Service on
//! Linux) under the service [`KEYCHAIN_SERVICE`] and the profile's name. For scripts and CI the
//! environment may give it instead, for one profile only: `GATEHOUSE_API_KEY_<NAME>` for the
//! profile NAME, or `GATEHOUSE_API_KEY` when there is exactly one profile (a key exported for one
//! community is never sent to another). Each profile has its own cache database, encrypted with
//! a key of its own (see `cache_key.rs`).
//!
//! A profile's address must be https, unless its host is a loopback address (the sandbox and the
//! demo); an address with a user name or password in it is refused.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{Error, Paths};

/// The keychain service name the keys are filed under.
pub const KEYCHAIN_SERVICE: &str = crate::APP_IDENTIFIER;
/// An API key given by the environment wins over the keychain: this variable for the only
/// profile, or this name, `_` and the profile's name (upper case, `-` as `_`) for that profile.
pub const API_KEY_ENV: &str = "GATEHOUSE_API_KEY";
/// The environment variable that gives the cache key of the only profile (see `cache_key.rs`);
/// this name, `_` and the profile's name (upper case, `-` as `_`) gives one profile's.
pub const CACHE_KEY_ENV: &str = "GATEHOUSE_CACHE_KEY";

/// The keys the environment gives, by variable name, read once (the desktop app reads them and
/// then takes them out of its environment, which WebKit's processes inherit).
static ENV_KEYS: OnceLock<BTreeMap<String, String>> = OnceLock::new();

/// Reads the environment's API keys (see [`API_KEY_ENV`]) and panel passwords (see
/// [`crate::panels::PANEL_PASSWORD_ENV`]) once and for all, and returns the names of the
/// variables that hold them.
pub fn capture_env_keys() -> Vec<String> {
    env_keys()
        .keys()
        .chain(crate::panels::registry_env_passwords().keys())
        .cloned()
        .collect()
}

fn env_keys() -> &'static BTreeMap<String, String> {
    ENV_KEYS.get_or_init(|| {
        let ours = |k: &str| {
            [API_KEY_ENV, CACHE_KEY_ENV]
                .iter()
                .any(|base| k == *base || k.starts_with(&format!("{base}_")))
        };
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, v)| ours(k) && !v.trim().is_empty())
            .map(|(k, v)| (k, v.trim().to_owned()))
            .collect()
    })
}

/// The variable that gives the key of the profile `name` alone.
pub fn profile_key_env(name: &str) -> String {
    named_env(API_KEY_ENV, name)
}

/// `base`, `_` and the profile's name, upper case, `-` as `_`.
pub(crate) fn named_env(base: &str, name: &str) -> String {
    format!("{base}_{}", name.to_ascii_uppercase().replace('-', "_"))
}

/// What the environment gives the profile `name` under `base`: its own variable, or `base`
/// itself when it is the only profile (`only`). Returns the variable's name with the value.
pub(crate) fn env_value(base: &str, name: &str, only: bool) -> Option<(String, &'static str)> {
    let keys = env_keys();
    let own = named_env(base, name);
    if let Some(v) = keys.get(&own) {
        return Some((own, v.as_str()));
    }
    keys.get(base)
        .filter(|_| only)
        .map(|v| (base.to_owned(), v.as_str()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub base_url: String,
    /// Send the key in this header instead of `Authorization: Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_header: Option<String>,
    /// The name written in the audit log for actions taken here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The community's gates' grace after `validTill`, in seconds [GAP: the reference names "an
    /// optional grace period" but not its length]; `inf::GATE_GRACE_SECS` (none) when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_grace_secs: Option<u32>,
    /// When permits' expiry alerts are told, in minutes before `validTill` (72 h, 24 h and 2 h
    /// when unset); the alert at the end itself is always told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_minutes: Option<Vec<u32>>,
    /// Refuse to approve a contractor whose trade licence has expired, instead of asking for a
    /// reason [GAP: a community's compliance policy; the reference leaves it to the admin].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refuse_expired_licence: bool,
    /// Whether it is the only profile: then `GATEHOUSE_API_KEY` is its key.
    #[serde(skip)]
    pub(crate) only: bool,
}

/// The longest gate grace a profile may set: a day.
pub const GATE_GRACE_MAX_SECS: u32 = 24 * 3600;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profiles {
    #[serde(default)]
    pub current: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

impl Profiles {
    fn file(paths: &Paths) -> PathBuf {
        paths.data_dir().join("profiles.json")
    }

    pub fn load(paths: &Paths) -> Result<Self, Error> {
        let mut p: Profiles = crate::json_file::load(&Self::file(paths))?;
        p.mark_only();
        Ok(p)
    }

    /// Writes the list atomically and private (a crash leaves the old or the new file, never
    /// half of one).
    pub fn save(&self, paths: &Paths) -> Result<(), Error> {
        crate::json_file::save(&Self::file(paths), self)
    }

    fn mark_only(&mut self) {
        let only = self.profiles.len() == 1;
        for p in self.profiles.values_mut() {
            p.only = only;
        }
    }

    /// Adds or replaces a profile; the first one becomes current.
    pub fn add(&mut self, profile: Profile) -> Result<(), Error> {
        validate_name(&profile.name)?;
        validate_url(&profile.base_url)?;
        if let Some(h) = &profile.auth_header
            && (h.is_empty() || !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(Error::invalid_input(format!(
                "\"{h}\" is not a valid HTTP header name."
            )));
        }
        if self.current.is_none() {
            self.current = Some(profile.name.clone());
        }
        self.profiles.insert(profile.name.clone(), profile);
        self.mark_only();
        Ok(())
    }

    pub fn use_profile(&mut self, name: &str) -> Result<(), Error> {
        self.get(name)?;
        self.current = Some(name.to_owned());
        Ok(())
    }

    pub fn get(&self, name: &str) -> Result<&Profile, Error> {
        self.profiles.get(name).ok_or_else(|| {
            Error::not_found(format!(
                "There is no profile \"{name}\"; `gatehouse profile list` shows them."
            ))
        })
    }

    /// The profile named, or the current one.
    pub fn pick(&self, name: Option<&str>) -> Result<&Profile, Error> {
        match name.or(self.current.as_deref()) {
            Some(n) => self.get(n),
            None => Err(Error::not_found(
                "No profile yet: add one with `gatehouse profile add NAME --url URL --key-stdin`.",
            )),
        }
    }
}

pub fn validate_name(name: &str) -> Result<(), Error> {
    if name.is_empty()
        || name.len() > 40
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::invalid_input(format!(
            "A profile name is 1 to 40 letters, digits, '-' or '_', not \"{name}\"."
        )));
    }
    Ok(())
}

/// An API address: https, or http to a loopback host (the sandbox, the demo); no user name or
/// password in it (it would be stored in `profiles.json` and shown in messages).
pub fn validate_url(raw: &str) -> Result<(), Error> {
    let shown: String = raw.chars().take(80).collect();
    let url = url::Url::parse(raw)
        .map_err(|e| Error::invalid_input(format!("\"{shown}\" is not a URL ({e}).")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "The API address must not hold a user name or password: the key is given separately.",
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::invalid_input(format!(
            "The API address must be https:// (plain http:// is only for this computer's sandbox): \"{shown}\"."
        ))),
        _ => Err(Error::invalid_input(format!(
            "The API address must be an https:// URL, not \"{shown}\"."
        ))),
    }
}

/// The computer's user name, if the environment says it.
pub(crate) fn os_user() -> Option<String> {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl Profile {
    pub fn new(name: impl Into<String>, base_url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.into(),
            auth_header: None,
            actor: None,
            gate_grace_secs: None,
            refuse_expired_licence: false,
            alert_minutes: None,
            only: false,
        }
    }

    /// Sets the gates' grace after `validTill` (at most a day).
    /// Refuse approvals of contractors whose trade licence has expired (else: ask a reason).
    pub fn with_refuse_expired_licence(mut self, refuse: bool) -> Self {
        self.refuse_expired_licence = refuse;
        self
    }

    pub fn with_gate_grace(mut self, secs: Option<u32>) -> Result<Self, Error> {
        if let Some(s) = secs
            && s > GATE_GRACE_MAX_SECS
        {
            return Err(Error::invalid_input(format!(
                "A gate's grace after a permit ends is at most {GATE_GRACE_MAX_SECS} seconds (a day), not {s}."
            )));
        }
        self.gate_grace_secs = secs;
        Ok(self)
    }

    /// The gates' grace after `validTill`, in seconds: the profile's, else the reference's
    /// reading (`inf::GATE_GRACE_SECS`).
    pub fn gate_grace(&self) -> i64 {
        self.gate_grace_secs
            .map(|s| i64::from(s.min(GATE_GRACE_MAX_SECS)))
            .unwrap_or(gatehouse_buzzin::inf::GATE_GRACE_SECS)
    }

    /// Sets when permits' expiry alerts are told: minutes before `validTill` (one to six, a
    /// minute to 30 days each); the defaults when `None`.
    pub fn with_alert_minutes(mut self, minutes: Option<Vec<u32>>) -> Result<Self, Error> {
        if let Some(m) = &minutes {
            Self::thresholds_of(m).map_err(Error::invalid_input)?;
        }
        self.alert_minutes = minutes;
        Ok(self)
    }

    fn thresholds_of(minutes: &[u32]) -> Result<gatehouse_alerts::Thresholds, String> {
        gatehouse_alerts::Thresholds::new(minutes.iter().map(|m| u64::from(*m) * 60), true)
    }

    /// When this community's expiry alerts are told: the profile's times, else the defaults
    /// (a profile file edited by hand to odd times falls back to them, and says so in the log).
    pub fn alert_thresholds(&self) -> gatehouse_alerts::Thresholds {
        match &self.alert_minutes {
            None => gatehouse_alerts::Thresholds::default(),
            Some(m) => Self::thresholds_of(m).unwrap_or_else(|e| {
                tracing::warn!(profile = %self.name, "alert times: {e} The defaults are used.");
                gatehouse_alerts::Thresholds::default()
            }),
        }
    }

    /// Sends the key in this header instead of `Authorization: Bearer`.
    pub fn with_auth_header(mut self, header: Option<String>) -> Self {
        self.auth_header = header;
        self
    }

    /// Names `actor` in the audit log for actions taken here.
    pub fn with_actor(mut self, actor: Option<String>) -> Self {
        self.actor = actor;
        self
    }

    /// Who the audit log names for actions taken with this profile: its `actor`, else the
    /// computer's user name.
    pub fn actor_name(&self) -> String {
        self.actor
            .clone()
            .or_else(os_user)
            .unwrap_or_else(|| "gatehouse".into())
    }

    /// This profile's cache database.
    pub fn cache_path(&self, paths: &Paths) -> PathBuf {
        paths
            .data_dir()
            .join("profiles")
            .join(&self.name)
            .join("cache.sqlite3")
    }

    /// How the API client reaches this profile's API with `key`.
    pub(crate) fn settings(&self, key: String) -> gatehouse_client::Settings {
        let mut settings = gatehouse_client::Settings::new(&self.base_url, key);
        if let Some(h) = &self.auth_header {
            settings.auth = gatehouse_client::Auth::Header(h.clone());
        }
        settings
    }

    /// The API key, looked up off the async runtime's threads.
    pub(crate) async fn api_key_async(&self) -> Result<String, Error> {
        let p = self.clone();
        tokio::task::spawn_blocking(move || p.api_key())
            .await
            .map_err(|e| Error::internal(format!("the keychain lookup failed: {e}")))?
    }

    /// The key the environment gives this profile: its own variable, or `GATEHOUSE_API_KEY`
    /// when it is the only profile.
    pub fn env_key(&self) -> Option<&'static str> {
        env_value(API_KEY_ENV, &self.name, self.only).map(|(_, v)| v)
    }

    /// The API key: from the environment (see [`Profile::env_key`]), else the OS keychain.
    /// Blocking.
    pub fn api_key(&self) -> Result<String, Error> {
        if let Some(key) = self.env_key() {
            return Ok(key.to_owned());
        }
        let keychain = |e| self.keychain(e);
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &self.name).map_err(keychain)?;
        entry.get_password().map_err(|e| match e {
            keyring::Error::NoEntry => Error::not_found(format!(
                "No API key for \"{}\" in the OS keychain: add it with `gatehouse profile add {} --url {} --key-stdin`, or set {}{}.",
                self.name,
                self.name,
                self.base_url,
                profile_key_env(&self.name),
                if env_keys().contains_key(API_KEY_ENV) {
                    format!(" ({API_KEY_ENV} is set, but it is the key of the only profile, and there are several)")
                } else {
                    String::new()
                }
            )),
            other => keychain(other),
        })
    }

    /// Files the API key in the OS keychain. Blocking.
    pub fn store_api_key(&self, key: &str) -> Result<(), Error> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::invalid_input("The API key is empty."));
        }
        let keychain = |e| self.keychain(e);
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &self.name).map_err(keychain)?;
        entry.set_password(key).map_err(keychain)
    }

    fn keychain(&self, e: keyring::Error) -> Error {
        Error::storage(format!(
            "The OS keychain is not available ({e}); set {} instead.",
            profile_key_env(&self.name)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_round_trip_and_the_first_becomes_current() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path()).unwrap();
        let mut p = Profiles::load(&paths).unwrap();
        assert_eq!(p, Profiles::default());
        for name in ["marina", "hills"] {
            p.add(Profile::new(
                name,
                format!("https://{name}.example.com/api"),
            ))
            .unwrap();
        }
        assert_eq!(p.current.as_deref(), Some("marina"));
        p.use_profile("hills").unwrap();
        p.save(&paths).unwrap();
        let back = Profiles::load(&paths).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.pick(None).unwrap().name, "hills");
        assert_eq!(
            back.get("hills").unwrap().cache_path(&paths),
            dir.path().join("profiles/hills/cache.sqlite3")
        );
    }

    #[test]
    fn bad_names_urls_and_files_are_clear_errors() {
        let mut p = Profiles::default();
        let mut add = |name: &str, url: &str| p.add(Profile::new(name, url)).unwrap_err().message;
        assert!(add("../etc", "https://x.example").contains("profile name"));
        assert!(add("ok", "ftp://x.example").contains("https://"));
        assert!(add("ok", "http://buzzin.example.com/api").contains("https://"));
        assert!(add("ok", "http://10.0.0.5:8787").contains("https://"));
        let userinfo = add("ok", "https://desk:s3cret@buzzin.example.com");
        assert!(userinfo.contains("user name or password"), "{userinfo}");
        assert!(!userinfo.contains("s3cret"), "{userinfo}");
        assert!(add("ok", "not a url").contains("is not a URL"));
        assert!(p.pick(None).unwrap_err().message.contains("profile add"));
        assert!(
            p.use_profile("nope")
                .unwrap_err()
                .message
                .contains("no profile")
        );

        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path()).unwrap();
        std::fs::write(dir.path().join("profiles.json"), b"{oops").unwrap();
        assert!(
            Profiles::load(&paths)
                .unwrap_err()
                .message
                .contains("profiles.json")
        );
    }
}
