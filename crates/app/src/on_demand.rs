//! A community opened for one command (the CLI): everything is read from the cache, and the API
//! is contacted only when the command asks, to sync or to send the action it queued. No loop
//! runs in the background, and the API key is looked up only then.

use std::sync::Arc;

use gatehouse_cache::{Cache, CacheError, CacheKey, OutboxState};
use gatehouse_client::Client;
use gatehouse_sync::Engine;
use serde::Serialize;
use ts_rs::TS;

use crate::actions::ActionView;
use crate::community::Link;
use crate::{Community, Error, ErrorCode, Paths, Profile, Profiles, SyncProgress};

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SyncReport {
    /// Documents stored by a first or full sync (0 when none ran).
    pub first_sync_documents: u64,
    pub events: u64,
    pub updated_contractors: u64,
    pub updated_permits: u64,
    /// Queued actions the server applied.
    pub applied: u64,
    /// The server's words for each queued action it refused.
    pub refused: Vec<String>,
}

/// Where an action stands after a command tried to send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub action: ActionView,
    /// Why it is still waiting (the API unreachable, `--offline`, no key, or an earlier action
    /// ahead of it); `None` once it is done or refused.
    pub waiting_because: Option<String>,
}

impl Community {
    /// Opens a profile's community (the one named, else the current one) for one command.
    /// Returns why the cache had to be rebuilt, if it was (it is kept aside, and the next sync
    /// fills the new one). With `offline`, the API is never contacted.
    pub async fn open_for_command(
        paths: &Paths,
        profile: Option<&str>,
        offline: bool,
    ) -> Result<(Community, Option<String>), Error> {
        let profile = Profiles::load(paths)?.pick(profile)?.clone();
        let opened = profile.open_cache(paths).await?;
        Ok(Self::for_command(profile, opened, offline))
    }

    /// [`Community::open_for_command`] over a cache opened with `cache_key` (used, not stored):
    /// for a test that reads, in its own process, a cache the CLI wrote.
    pub async fn open_for_command_with_cache_key(
        paths: &Paths,
        profile: Option<&str>,
        offline: bool,
        cache_key: CacheKey,
    ) -> Result<(Community, Option<String>), Error> {
        let profile = Profiles::load(paths)?.pick(profile)?.clone();
        let opened = profile.open_cache_with(paths, cache_key).await?;
        Ok(Self::for_command(profile, opened, offline))
    }

    fn for_command(
        profile: Profile,
        (cache, rebuilt): (Cache, Option<CacheError>),
        offline: bool,
    ) -> (Community, Option<String>) {
        let actor = profile.actor_name();
        let name = profile.name.clone();
        let rules = profile.clone();
        let link = Link::OnDemand {
            profile: Box::new(profile),
            offline,
            engine: tokio::sync::OnceCell::new(),
        };
        let community = Community::assemble(name, cache, actor, link).following(&rules);
        (community, rebuilt.map(|e| e.to_string()))
    }

    /// The sync engine: the running one, or (on demand) one made now with the profile's key.
    async fn engine(&self) -> Result<Arc<Engine>, Error> {
        match self.link() {
            Link::Running(engine) => Ok(engine.clone()),
            Link::Unlinked(why) => Err(Error::not_found(why.clone())),
            Link::OnDemand { offline: true, .. } => Err(Error::new(
                ErrorCode::Unreachable,
                "--offline: the API is not contacted.",
            )),
            Link::OnDemand {
                profile, engine, ..
            } => engine
                .get_or_try_init(|| async {
                    let key = profile.api_key_async().await?;
                    let client = Client::new(profile.settings(key))
                        .map_err(|e| Error::internal(e.to_string()))?;
                    Ok(Arc::new(Engine::new(client, self.cache().clone())))
                })
                .await
                .cloned(),
        }
    }

    /// Sends what is queued, then brings the cache up to date (the first time, or with `full`,
    /// reads everything). `on_progress` hears each step.
    pub async fn sync_now(
        &self,
        full: bool,
        on_progress: impl Fn(SyncProgress) + Send + 'static,
    ) -> Result<SyncReport, Error> {
        let engine = self.engine().await?;
        let mut progress = engine.progress();
        let watcher = tokio::spawn(async move {
            while progress.changed().await.is_ok() {
                if let Some(p) = SyncProgress::of(*progress.borrow_and_update()) {
                    on_progress(p);
                }
            }
        });
        let result = engine.sync(full).await;
        watcher.abort();
        let r = result?;
        Ok(SyncReport {
            first_sync_documents: r.first_sync_documents,
            events: r.events,
            updated_contractors: r.updated_contractors,
            updated_permits: r.updated_permits,
            applied: r.drained.applied,
            refused: r.drained.refusals,
        })
    }

    /// Sends the queue now, and says where `action` stands after that.
    pub async fn deliver(&self, action: &ActionView) -> Result<Delivery, Error> {
        let sent = match self.engine().await {
            Ok(engine) => engine.send_queued().await.map(|_| ()).map_err(Error::from),
            Err(e) => Err(e),
        };
        let now = self.action(&action.id).await?;
        let waiting_because = match now.state {
            OutboxState::Done | OutboxState::Refused => None,
            _ => Some(
                sent.err()
                    .map(|e| e.message)
                    .or_else(|| now.message.clone())
                    .unwrap_or_else(|| "an earlier action is still waiting".into()),
            ),
        };
        Ok(Delivery {
            action: now,
            waiting_because,
        })
    }
}
