//! A sandbox on loopback for a test: started with a seed (and optionally a data folder, an
//! address or any other setting), with a typed API client and control client at hand.

use std::net::SocketAddr;
use std::path::Path;

use gatehouse_buzzin::Permit;
use gatehouse_client::{Client, ListQuery, Settings};
use gatehouse_sandbox::{Config, Running, Seed};

use crate::Control;

/// Gatehouse's own API client for the API at `base_url`, with `key`.
pub fn client_at(base_url: &str, key: &str) -> Client {
    Client::new(Settings::new(base_url, key)).expect("an API client")
}

/// A running sandbox, stopped when dropped (or by [`Sandbox::stop`]).
pub struct Sandbox {
    running: Running,
}

/// How to start a [`Sandbox`]: the demo community on a free loopback port unless told.
pub struct SandboxBuilder {
    config: Config,
    addr: SocketAddr,
}

impl SandboxBuilder {
    pub fn seed(mut self, seed: Seed) -> Self {
        self.config.seed = seed;
        self
    }

    /// Keeps the sandbox's state in `dir`; a folder that holds one already is resumed.
    pub fn data_dir(mut self, dir: &Path) -> Self {
        self.config.data_dir = Some(dir.to_owned());
        self
    }

    /// Listens on this address (e.g. the one a stopped sandbox had) instead of a free port.
    pub fn at(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// With `n` simulated BAS-IP panels beside it, as `gatehouse sandbox --panels n` starts them
    /// (hex and decimal in turn, each with its own password).
    pub fn panels(self, n: usize) -> Self {
        self.config(|c| {
            c.panels = (1..=n)
                .map(gatehouse_sandbox::PanelConfig::numbered)
                .collect()
        })
    }

    /// Any other setting.
    pub fn config(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    pub async fn start(self) -> Sandbox {
        let running = gatehouse_sandbox::start(self.config, self.addr)
            .await
            .unwrap_or_else(|e| panic!("the sandbox cannot start on {}: {e}", self.addr));
        Sandbox { running }
    }
}

impl Sandbox {
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            config: Config::default(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }

    /// The demo community.
    pub async fn demo() -> Sandbox {
        Self::builder().start().await
    }

    /// A community of this seed.
    pub async fn seeded(seed: Seed) -> Sandbox {
        Self::builder().seed(seed).start().await
    }

    pub fn running(&self) -> &Running {
        &self.running
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.addr
    }

    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    pub fn api_key(&self) -> &str {
        &self.running.api_key
    }

    /// Whether a data folder was resumed rather than seeded.
    pub fn resumed(&self) -> bool {
        self.running.resumed
    }

    /// Gatehouse's own API client, pointed at this sandbox with its key.
    pub fn client(&self) -> Client {
        client_at(&self.base_url(), self.api_key())
    }

    /// Up to `limit` of the community's permits in `status`, as the API lists them.
    pub async fn permits_in(&self, status: &str, limit: u64) -> Vec<Permit> {
        self.client()
            .permits(&ListQuery::new().eq("statusName", status).limit(limit))
            .await
            .unwrap_or_else(|e| panic!("listing the {status} permits: {e}"))
            .data
    }

    /// The `/__sandbox` control endpoints.
    pub fn control(&self) -> Control {
        Control::new(self.base_url(), self.api_key().to_owned())
    }

    /// Stops serving (the port is free again once this returns).
    pub async fn stop(self) {
        self.running.stop().await;
    }
}
