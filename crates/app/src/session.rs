//! The app's open community, which Settings can switch: connecting a real account checks the
//! address and key against the API, files the key in the OS keychain, saves the profile, and
//! opens its community in place of the current one (the demo, or another account).

use std::sync::Arc;

use gatehouse_client::{Client, ClientError, ListQuery, Settings};
use serde::{Deserialize, Serialize};
use tokio::sync::{RwLock, watch};
use ts_rs::TS;

use crate::profiles::{validate_name, validate_url};
use crate::{Community, Error, ErrorCode, Paths, Profile, Profiles, StatusView};

/// What Settings sends to connect an account. The key crosses IPC once, on its way to the
/// keychain; nothing sends it back.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ConnectRequest {
    /// The profile's name: 1 to 40 letters, digits, `-` or `_`.
    pub name: String,
    /// The Buzz-In API's base URL.
    pub base_url: String,
    pub api_key: String,
}

/// Prints the key as `***`: no log line or panic message carries it.
impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &"***")
            .finish()
    }
}

/// The longest API key accepted.
const MAX_KEY: usize = 4096;

pub struct Session {
    paths: Paths,
    current: RwLock<Arc<Community>>,
    switched: watch::Sender<u64>,
}

impl Session {
    /// Opens the current profile's community, or the demo one.
    pub async fn open(paths: Paths) -> Result<Session, Error> {
        let community = Community::open(&paths).await?;
        Ok(Session {
            paths,
            current: RwLock::new(Arc::new(community)),
            switched: watch::Sender::new(0),
        })
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// The community open now.
    pub async fn community(&self) -> Arc<Community> {
        self.current.read().await.clone()
    }

    /// Ticks each time another community is opened in place of the current one.
    pub fn switched(&self) -> watch::Receiver<u64> {
        self.switched.subscribe()
    }

    /// Connects an account: checks the address and key against the API, files the key in the
    /// OS keychain, saves the profile as the current one, and opens its community. Nothing is
    /// saved unless every step before it succeeded.
    pub async fn connect(&self, req: ConnectRequest) -> Result<StatusView, Error> {
        let name = req.name.trim().to_owned();
        validate_name(&name)?;
        let base_url = req.base_url.trim().trim_end_matches('/').to_owned();
        validate_url(&base_url)?;
        let key = req.api_key.trim().to_owned();
        if key.is_empty() {
            return Err(Error::invalid_input("Enter the API key."));
        }
        if key.chars().count() > MAX_KEY || key.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "That is not an API key: too long, or it holds control characters.",
            ));
        }

        probe(&base_url, &key).await?;

        let profile = Profile::new(name.clone(), base_url);
        {
            let (p, k) = (profile.clone(), key.clone());
            tokio::task::spawn_blocking(move || p.store_api_key(&k))
                .await
                .map_err(|e| Error::internal(format!("the keychain call failed: {e}")))??;
        }
        let mut profiles = Profiles::load(&self.paths)?;
        profiles.add(profile.clone())?;
        profiles.use_profile(&name)?;
        profiles.save(&self.paths)?;

        let community = Community::open_profile_with_key(&self.paths, profile, key).await?;
        let old = std::mem::replace(&mut *self.current.write().await, Arc::new(community));
        old.close();
        self.switched.send_modify(|n| *n += 1);
        self.community().await.status().await
    }
}

/// One small authenticated read, to tell a wrong address or key from a working one.
async fn probe(base_url: &str, key: &str) -> Result<(), Error> {
    let client =
        Client::new(Settings::new(base_url, key)).map_err(|e| Error::internal(e.to_string()))?;
    match client.contractors(&ListQuery::new().limit(1)).await {
        Ok(_) => Ok(()),
        Err(ClientError::Unauthorized(_)) => Err(Error::refused(
            "Buzz-In refused this API key. Check it, or ask Buzz-In for a new one.",
        )),
        Err(ClientError::NotFound(_)) => Err(Error::new(
            ErrorCode::InvalidInput,
            format!(
                "{base_url} does not serve the Buzz-In API (the contractors list is not there)."
            ),
        )),
        Err(
            e @ (ClientError::Unreachable(_) | ClientError::Timeout(_) | ClientError::Network(_)),
        ) => Err(Error::new(
            ErrorCode::Unreachable,
            format!("Cannot reach {base_url}. Check the address and this computer's network."),
        )
        .with_detail(format!("{e}."))),
        Err(e) => Err(
            Error::refused(format!("{base_url} answered, but not as Buzz-In does."))
                .with_detail(format!("{e}.")),
        ),
    }
}
