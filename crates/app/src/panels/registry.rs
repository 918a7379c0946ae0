//! The registry of the profile's BAS-IP panels: where each is, how to log in, which towers it
//! serves and which lock its identifiers open. The list is `panels.json` beside the profile's cache (no secrets in
//! it); each panel's password is in the OS keychain under [`crate::APP_IDENTIFIER`] and
//! `<profile>/panel/<name>`, or, for scripts, in `GATEHOUSE_PANEL_PASSWORD_<NAME>`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_basip::{Representation, inf};
use gatehouse_panels::{PanelClient, PanelError, PanelSettings};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Community, Error};

/// The panels file, beside the profile's cache.
pub const PANELS_FILE: &str = "panels.json";
/// A panel's password given by the environment: this prefix and the panel's name (upper case,
/// `-` as `_`).
pub const PANEL_PASSWORD_ENV: &str = "GATEHOUSE_PANEL_PASSWORD";

/// One registered panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelRecord {
    pub name: String,
    pub url: String,
    pub username: String,
    /// The towers (property ids) whose permits' crews it opens for.
    pub towers: Vec<String>,
    /// `first`, `second` or `all`.
    pub lock: String,
    #[serde(default)]
    pub basic_auth: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct PanelsFile {
    panels: Vec<PanelRecord>,
}

/// What `add_panel` is given.
#[derive(Debug, Clone)]
pub struct PanelAdd {
    pub record: PanelRecord,
    /// The password to file in the keychain; `None` when the environment gives it.
    pub password: Option<String>,
}

/// A panel as the window's Add panel form gives it; the password goes to the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PanelAddRequest {
    pub name: String,
    pub url: String,
    pub username: String,
    pub password: String,
    /// The towers (property ids) whose crews it opens for.
    pub towers: Vec<String>,
    /// `first`, `second` or `all`.
    pub lock: String,
}

impl From<PanelAddRequest> for PanelAdd {
    fn from(r: PanelAddRequest) -> Self {
        PanelAdd {
            record: PanelRecord {
                name: r.name.trim().to_owned(),
                url: r.url.trim().to_owned(),
                username: r.username.trim().to_owned(),
                towers: r
                    .towers
                    .iter()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect(),
                lock: r.lock,
                basic_auth: false,
            },
            password: Some(r.password),
        }
    }
}

/// A panel as the Gate panels list shows it: what it is and how it answers now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PanelStatus {
    pub name: String,
    pub url: String,
    pub towers: Vec<String>,
    pub lock: String,
    pub reachable: bool,
    /// Why it could not be reached or logged into, in a sentence.
    pub problem: Option<String>,
    pub api_version: Option<String>,
    pub device: Option<String>,
    pub representation: Option<String>,
    /// How far its clock is from this computer's (seconds; positive: ahead).
    #[ts(type = "number | null")]
    pub drift_secs: Option<i64>,
    /// The drift is past [`inf::DRIFT_WARNING_SECS`]: passes may open early or late.
    pub drift_warning: bool,
    /// Identifiers this profile still has to put on it or take off it.
    pub waiting: u32,
}

/// The panel passwords the environment gives, by variable name, read once (the desktop app then
/// takes them out of its environment, which WebKit's processes inherit, as it does the API keys).
static ENV_PASSWORDS: std::sync::OnceLock<std::collections::BTreeMap<String, String>> =
    std::sync::OnceLock::new();

pub(crate) fn env_passwords() -> &'static std::collections::BTreeMap<String, String> {
    ENV_PASSWORDS.get_or_init(|| {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, v)| k.starts_with(&format!("{PANEL_PASSWORD_ENV}_")) && !v.is_empty())
            .collect()
    })
}

fn env_name(panel: &str) -> String {
    format!(
        "{PANEL_PASSWORD_ENV}_{}",
        panel.to_ascii_uppercase().replace('-', "_")
    )
}

fn check_record(r: &PanelRecord) -> Result<(), Error> {
    crate::profiles::validate_name(&r.name)?;
    if !(r.url.starts_with("http://") || r.url.starts_with("https://"))
        || url::Url::parse(&r.url).is_err()
    {
        return Err(Error::invalid_input(format!(
            "A panel's address is http:// or https:// and its host, such as http://192.168.1.40, not \"{}\".",
            r.url
        )));
    }
    if r.username.trim().is_empty() {
        return Err(Error::invalid_input(
            "A panel needs the user name it is logged into with.",
        ));
    }
    if !["first", "second", "all"].contains(&r.lock.as_str()) {
        return Err(Error::invalid_input(format!(
            "The lock is first, second or all, not \"{}\".",
            r.lock
        )));
    }
    if r.towers.is_empty() {
        return Err(Error::invalid_input(
            "Name the towers the panel serves (their property ids, as the places directory lists them).",
        ));
    }
    Ok(())
}

impl Community {
    /// The panels file, in the profile's folder beside the cache.
    fn panels_path(&self) -> PathBuf {
        self.cache()
            .path()
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(PANELS_FILE)
    }

    /// The registered panels.
    pub fn panel_records(&self) -> Result<Vec<PanelRecord>, Error> {
        Ok(crate::json_file::load::<PanelsFile>(&self.panels_path())?.panels)
    }

    fn keychain_account(&self, panel: &str) -> String {
        format!("{}/panel/{panel}", self.name())
    }

    /// A panel's password: the environment's, else the keychain's. Blocking.
    fn panel_password(&self, panel: &str) -> Result<String, Error> {
        if let Some(p) = env_passwords().get(&env_name(panel)) {
            return Ok(p.clone());
        }
        let entry = keyring::Entry::new(crate::APP_IDENTIFIER, &self.keychain_account(panel))
            .map_err(|e| keychain(panel, e))?;
        entry.get_password().map_err(|e| match e {
            keyring::Error::NoEntry => Error::not_found(format!(
                "No password for the panel \"{panel}\" in the OS keychain: add the panel again with its password, or set {}.",
                env_name(panel)
            )),
            other => keychain(panel, other),
        })
    }

    /// A logged-in client for the panel: the one kept for it (see `pool.rs`), else a new one.
    pub(crate) async fn panel_client(
        &self,
        r: &PanelRecord,
    ) -> Result<Arc<PanelClient>, PanelError> {
        if let Some(kept) = self.panel_clients().get(r) {
            return Ok(kept);
        }
        // The keychain answers over a local bus in milliseconds: asked in place.
        let password = self
            .panel_password(&r.name)
            .map_err(|e| PanelError::Invalid(e.message))?;
        let client = PanelClient::connect(settings(r, &password)).await?;
        Ok(self.panel_clients().keep(r, client))
    }

    /// The names of the panels that serve `tower` (none when the panels file does not read:
    /// the Gate panels view says why).
    pub fn panels_serving(&self, tower: Option<&str>) -> Vec<String> {
        let Some(tower) = tower else {
            return Vec::new();
        };
        self.panel_records()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.towers.iter().any(|t| t == tower))
            .map(|p| p.name)
            .collect()
    }

    /// Registers a panel once it answers and takes the login; its password goes to the OS
    /// keychain. Towers must be in the places directory when the directory names any.
    pub async fn add_panel(&self, add: PanelAdd) -> Result<PanelStatus, Error> {
        let mut r = add.record;
        r.url = r.url.trim_end_matches('/').to_owned();
        check_record(&r)?;
        let places = self.places();
        if !places.is_empty()
            && let Some(t) = r.towers.iter().find(|t| places.tower(t).is_none())
        {
            return Err(Error::invalid_input(format!(
                "The places directory has no tower {t}: `gatehouse places show` lists them."
            )));
        }
        let mut all = self.panel_records()?;
        if all.iter().any(|p| p.name == r.name) {
            return Err(Error::refused(format!(
                "There is a panel named \"{}\" already.",
                r.name
            )));
        }
        let password = match add.password {
            Some(p) => p,
            None => self.panel_password(&r.name)?,
        };
        let client = PanelClient::connect(settings(&r, &password))
            .await
            .map_err(panel_error(&r.name))?;
        let status = status_of(&r, &client).await;
        if let Some(problem) = &status.problem {
            return Err(Error::refused(problem.clone()));
        }
        if !env_passwords().contains_key(&env_name(&r.name)) {
            let entry = keyring::Entry::new(crate::APP_IDENTIFIER, &self.keychain_account(&r.name))
                .map_err(|e| keychain(&r.name, e))?;
            entry
                .set_password(&password)
                .map_err(|e| keychain(&r.name, e))?;
        }
        all.push(r);
        crate::json_file::save(&self.panels_path(), &PanelsFile { panels: all })?;
        Ok(status)
    }

    /// Takes a panel off the list (what it holds stays on it; its password leaves the keychain).
    pub fn remove_panel(&self, name: &str) -> Result<(), Error> {
        let mut all = self.panel_records()?;
        let before = all.len();
        all.retain(|p| p.name != name);
        if all.len() == before {
            return Err(Error::not_found(format!("No panel named \"{name}\".")));
        }
        crate::json_file::save(&self.panels_path(), &PanelsFile { panels: all })?;
        self.panel_clients().forget(name);
        if let Ok(entry) = keyring::Entry::new(crate::APP_IDENTIFIER, &self.keychain_account(name))
        {
            let _ = entry.delete_credential();
        }
        Ok(())
    }

    /// Every registered panel and how it answers now (each asked at once, 5 s at most).
    pub async fn panels(&self) -> Result<Vec<PanelStatus>, Error> {
        let records = self.panel_records()?;
        let asks = records.iter().map(|r| async move {
            let mut status = match self.panel_client(r).await {
                Ok(c) => status_of(r, &c).await,
                Err(e) => unreachable_status(r, &e),
            };
            status.waiting = self.cache().open_grant_count(&r.name).await?;
            Ok(status)
        });
        futures_util::future::join_all(asks)
            .await
            .into_iter()
            .collect()
    }

    /// A registered panel by name.
    pub(crate) fn panel_record(&self, name: &str) -> Result<PanelRecord, Error> {
        self.panel_records()?
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::not_found(format!("No panel named \"{name}\".")))
    }
}

/// How a registered panel is reached: its record, its password, 5 s at most per call.
fn settings(r: &PanelRecord, password: &str) -> PanelSettings {
    let mut s = PanelSettings::new(&r.url, &r.username, password);
    s.basic_auth = r.basic_auth;
    s.timeout = Duration::from_secs(5);
    s
}

async fn status_of(r: &PanelRecord, c: &PanelClient) -> PanelStatus {
    let base = PanelStatus {
        name: r.name.clone(),
        url: r.url.clone(),
        towers: r.towers.clone(),
        lock: r.lock.clone(),
        reachable: true,
        problem: None,
        api_version: c.info().api_version.clone(),
        device: c
            .info()
            .device_model
            .clone()
            .or_else(|| c.info().device_name.clone()),
        representation: None,
        drift_secs: None,
        drift_warning: false,
        waiting: 0,
    };
    let clock = c.clock().await;
    let rep = c.representation().await;
    match (clock, rep) {
        (Ok((_, drift)), rep) => PanelStatus {
            drift_secs: Some(drift),
            drift_warning: drift.abs() > inf::DRIFT_WARNING_SECS,
            representation: rep.ok().map(|r| match r {
                Representation::Hex => "hex".to_owned(),
                Representation::Decimal => "decimal".to_owned(),
                Representation::Unknown(s) => s,
            }),
            ..base
        },
        (Err(e), _) => PanelStatus {
            problem: Some(panel_error(&r.name)(e).message),
            ..base
        },
    }
}

pub(super) fn unreachable_status(r: &PanelRecord, e: &PanelError) -> PanelStatus {
    PanelStatus {
        name: r.name.clone(),
        url: r.url.clone(),
        towers: r.towers.clone(),
        lock: r.lock.clone(),
        reachable: false,
        problem: Some(panel_error(&r.name)(e.clone()).message),
        api_version: None,
        device: None,
        representation: None,
        drift_secs: None,
        drift_warning: false,
        waiting: 0,
    }
}

fn keychain(panel: &str, e: keyring::Error) -> Error {
    Error::storage(format!(
        "The OS keychain is not available ({e}); set {} instead.",
        env_name(panel)
    ))
}

/// A panel's failure as the app's error, naming the panel.
pub(super) fn panel_error(name: &str) -> impl Fn(PanelError) -> Error + '_ {
    move |e| match &e {
        PanelError::WrongLogin(_) => Error::refused(format!(
            "The panel \"{name}\" refused the user name or password."
        )),
        PanelError::Unreachable(_) | PanelError::Timeout(_) | PanelError::Network(_) => Error::new(
            crate::ErrorCode::Unreachable,
            format!("The panel \"{name}\" cannot be reached."),
        )
        .with_detail(e.to_string()),
        PanelError::Invalid(m) => Error::invalid_input(m.clone()),
        _ => Error::refused(format!(
            "The panel \"{name}\" answered in a way Gatehouse cannot use."
        ))
        .with_detail(e.to_string()),
    }
}
