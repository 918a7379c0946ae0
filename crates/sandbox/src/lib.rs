//! The sandbox: a local Buzz-In Work Permit API over HTTP, following `shared/api/buzzin-api.md`.
//!
//! It is the demo community behind `cargo xtask run`, the server every test and benchmark talks
//! to over HTTP, and a product feature: `gatehouse sandbox` lets a Buzz-In customer try Gatehouse
//! without touching production. What it assumes where the API is undocumented is listed in the
//! README section "The sandbox" and marked [INF] in the code; the assumptions shared with the
//! client live in `gatehouse_buzzin::inf`.

mod error;
mod http;
pub mod panel;
mod qr;
mod query;
mod seed;
pub mod server;
mod store;
mod webhooks;
mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::ApiError;
pub use panel::{PanelConfig, PanelListing, RunningPanel, start_panel};
pub use seed::Seed;
use server::auth::Keys;
pub use server::body::{MAX_BODY, MAX_BODY_WITH_FILES};
use server::faults::Faults;
pub use server::faults::{Fault, FaultKind};
use server::transactor::Transactor;
pub use webhooks::{Attempt, Delivery, WebhookConfig, WebhookTarget};
pub use world::{DEFAULT_COMMUNITY_ID, Flat, Property, ScanRequest, ScanResult, World};

/// How to start a sandbox.
#[derive(Clone)]
pub struct Config {
    /// Keys that are accepted; the first is the one printed on start.
    pub api_keys: Vec<String>,
    /// Only accept the key in this header (bare). `None`: `Authorization: Bearer` or `x-api-key`.
    pub auth_header: Option<String>,
    pub seed: Seed,
    /// Makes the seeded data (and the codes minted later) repeatable.
    pub seed_number: u64,
    /// Adds names built to break a UI.
    pub hostile: bool,
    /// Where events are delivered as webhooks.
    pub webhooks: WebhookConfig,
    /// Codes to use for statuses, over `inf::STATUS_CODES` (only ACCEPTED = 1 and DRAFT = 10
    /// are documented; the others are placeholders).
    pub status_codes: Vec<(gatehouse_buzzin::StatusName, i64)>,
    /// Serve the `/__sandbox` control endpoints (on by default).
    pub control: bool,
    /// Keep the state in this folder across restarts; in memory only when `None`. A folder that
    /// already holds a sandbox is resumed as it was, and `seed` is not used.
    pub data_dir: Option<PathBuf>,
    /// BAS-IP panels to simulate beside Buzz-In, each on its own loopback port.
    pub panels: Vec<PanelConfig>,
}

/// The keys print as `***`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("api_keys", &vec!["***"; self.api_keys.len()])
            .field("auth_header", &self.auth_header)
            .field("seed", &self.seed)
            .field("seed_number", &self.seed_number)
            .field("hostile", &self.hostile)
            .field("webhooks", &self.webhooks)
            .field("status_codes", &self.status_codes)
            .field("control", &self.control)
            .field("data_dir", &self.data_dir)
            .field("panels", &self.panels.len())
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_keys: vec![DEFAULT_KEY.into()],
            auth_header: None,
            seed: Seed::Demo,
            seed_number: 2026,
            hostile: false,
            webhooks: WebhookConfig::default(),
            data_dir: None,
            status_codes: Vec::new(),
            control: true,
            panels: Vec::new(),
        }
    }
}

/// The well-known key of [`Config::default`], printed in the README: fine on loopback, refused
/// by `gatehouse sandbox` on any other address.
pub const DEFAULT_KEY: &str = "sandbox-key";

/// A fresh random API key (32 letters and digits), for a sandbox no one else should drive.
pub fn random_key() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 32)
}

/// A sandbox serving on a loopback port until dropped or [`Running::stop`]ped.
pub struct Running {
    pub addr: SocketAddr,
    pub api_key: String,
    /// Whether an existing `--data` folder was resumed (rather than seeded).
    pub resumed: bool,
    /// The community's towers and their units (they do not change while it runs).
    pub properties: Vec<Property>,
    /// The simulated panels, each on its own port.
    pub panels: Vec<RunningPanel>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Runs until the server fails or stops.
    pub async fn wait(mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Builds the seeded world and serves it on `addr` (port 0 picks a free one).
pub async fn start(config: Config, addr: SocketAddr) -> std::io::Result<Running> {
    if config.api_keys.is_empty() || config.api_keys.iter().any(|k| k.trim().is_empty()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the sandbox needs a non-empty API key",
        ));
    }
    let invalid = |e: String| std::io::Error::other(e);
    let build = || {
        seed::build(
            &config.seed,
            config.seed_number,
            config.hostile,
            &config.status_codes,
        )
        .map_err(invalid)
    };
    let (world, store, resumed) = match &config.data_dir {
        None => (build()?, None, false),
        Some(dir) => {
            let store = store::Store::open(dir).await.map_err(invalid)?;
            match store.load().await.map_err(invalid)? {
                Some(saved) => {
                    let mut world = World::restore(saved, config.seed_number);
                    world
                        .set_status_codes(&config.status_codes)
                        .map_err(invalid)?;
                    world.track_changes_from_now();
                    (world, Some(store), true)
                }
                None => {
                    let mut world = build()?;
                    world.track_changes();
                    let everything = world.take_unsaved();
                    store
                        .write_first(&world.community_id, &world.properties, &everything)
                        .await
                        .map_err(invalid)?;
                    (world, Some(store), false)
                }
            }
        }
    };
    let properties = world.properties.clone();
    let deliveries = Arc::new(webhooks::Deliveries::default());
    let webhooks = webhooks::spawn(config.webhooks.clone(), deliveries.clone());
    let world = Arc::new(match store {
        Some(store) => Transactor::saved_by(world, store, webhooks),
        None => Transactor::in_memory(world, webhooks),
    });
    // Time passes without requests too: expiring/expired fire within a second of their moment.
    world.tick_every_second();
    let mut panels = Vec::new();
    for (i, p) in config.panels.iter().enumerate() {
        if config.panels[..i].iter().any(|q| q.name == p.name) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("two panels are named \"{}\"", p.name),
            ));
        }
        let at = SocketAddr::new(addr.ip(), 0);
        panels.push(start_panel(p.clone(), at, config.data_dir.as_deref()).await?);
    }
    let shared = Arc::new(http::Shared {
        world,
        keys: Arc::new(Keys {
            api_keys: config.api_keys.clone(),
            header: config.auth_header.map(|h| h.to_ascii_lowercase()),
            loopback_host: addr.ip().is_loopback(),
        }),
        faults: Arc::new(Faults::default()),
        deliveries,
        panels: panels.iter().map(RunningPanel::listing).collect(),
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = http::router(shared, config.control);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    Ok(Running {
        addr,
        api_key: config.api_keys[0].clone(),
        resumed,
        properties,
        panels,
        stop: Some(tx),
        task,
    })
}
