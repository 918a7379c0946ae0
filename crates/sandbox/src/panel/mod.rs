//! Simulated BAS-IP panels: each on its own loopback port with its own credentials, API version
//! and representation mode, served with what every simulated device shares (`crate::server`:
//! faults, one transaction per request, the clock), and kept in `<data>/panels/<name>.json` when
//! the sandbox keeps its state. The Buzz-In port lists them at `GET /__sandbox/panels`.

mod answer;
mod control;
mod device;
mod numbers;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::server::faults::Faults;
use crate::server::transactor::{Saver, Transactor};
use device::{Panel, Saved};

/// How one simulated panel is set up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelConfig {
    pub name: String,
    pub username: String,
    pub password: String,
    /// `2.x` serves under `/api/v1`, `1.x` under `/api/v0` [DOC].
    pub api_version: String,
    /// `hex` or `dec`: how the panel reads and shows card numbers when it starts.
    pub representation: String,
    /// How many identifiers it holds before `number_of_identifiers_exceeded`.
    pub capacity: usize,
    /// Accepts `Authorization: Basic` with the plain password too (the Android FB line).
    pub basic_auth: bool,
    /// Tokens stop working after this long (the real lifetime is unknown [GAP]); never if `None`.
    pub token_ttl_secs: Option<u64>,
    /// How far the panel's clock runs ahead of the sandbox's (behind when negative).
    pub clock_skew_secs: i64,
}

impl PanelConfig {
    /// The `i`-th of the panels `gatehouse sandbox --panels N` starts (from 1): hex and decimal
    /// panels in turn, API 2.x and 1.x in turn, each with its own password.
    pub fn numbered(i: usize) -> PanelConfig {
        PanelConfig {
            name: format!("panel-{i}"),
            username: "admin".into(),
            password: format!("gate-{i}-{:04}", (i * 7919) % 10_000),
            api_version: if i.is_multiple_of(3) {
                "1.8.0"
            } else {
                "2.10.1"
            }
            .into(),
            representation: if i.is_multiple_of(2) { "dec" } else { "hex" }.into(),
            capacity: 20_000,
            basic_auth: false,
            token_ttl_secs: None,
            clock_skew_secs: 0,
        }
    }

    /// The API base the panel serves under.
    pub fn base(&self) -> &'static str {
        if self.api_version.starts_with('1') {
            "/api/v0"
        } else {
            "/api/v1"
        }
    }
}

/// A running panel, as `GET /__sandbox/panels` and the start-up lines list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelListing {
    pub name: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub representation: String,
    pub api_version: String,
}

/// A panel serving until dropped or stopped.
pub struct RunningPanel {
    pub addr: SocketAddr,
    pub config: PanelConfig,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningPanel {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn listing(&self) -> PanelListing {
        PanelListing {
            name: self.config.name.clone(),
            url: self.url(),
            username: self.config.username.clone(),
            password: self.config.password.clone(),
            representation: self.config.representation.clone(),
            api_version: self.config.api_version.clone(),
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningPanel {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Saves a panel as one JSON file, written whole and renamed into place.
struct FileSaver(PathBuf);

impl Saver<Saved> for FileSaver {
    async fn save(&self, unsaved: &Saved) -> Result<(), String> {
        let json = serde_json::to_vec(unsaved).map_err(|e| e.to_string())?;
        let tmp = self.0.with_extension("json.tmp");
        tokio::fs::write(&tmp, json)
            .await
            .map_err(|e| e.to_string())?;
        tokio::fs::rename(&tmp, &self.0)
            .await
            .map_err(|e| e.to_string())
    }
}

/// Starts one panel on `addr` (port 0 picks a free one); with `data_dir`, its state is read from
/// and kept in `<data_dir>/panels/<name>.json`.
pub async fn start_panel(
    config: PanelConfig,
    addr: SocketAddr,
    data_dir: Option<&std::path::Path>,
) -> std::io::Result<RunningPanel> {
    if config.name.is_empty()
        || !config
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "a panel name is letters, digits, - and _, not \"{}\"",
                config.name
            ),
        ));
    }
    let panel = match data_dir {
        None => Transactor::in_memory(Panel::new(config.clone(), None), None),
        Some(dir) => {
            let dir = dir.join("panels");
            tokio::fs::create_dir_all(&dir).await?;
            let file = dir.join(format!("{}.json", config.name));
            let saved = match tokio::fs::read(&file).await {
                Ok(bytes) => Some(serde_json::from_slice::<Saved>(&bytes).map_err(|e| {
                    std::io::Error::other(format!("{} is not a saved panel: {e}", file.display()))
                })?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            Transactor::saved_by(Panel::new(config.clone(), saved), FileSaver(file), None)
        }
    };
    let shared = Arc::new(answer::Shared {
        panel: Arc::new(panel),
        faults: Arc::new(Faults::default()),
    });
    let app = routes::router(shared, config.base());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningPanel {
        addr,
        config,
        stop: Some(tx),
        task,
    })
}
