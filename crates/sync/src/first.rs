//! First (and full) sync: every contractor and permit, paged by `_id`, resumable.

use gatehouse_buzzin::{Contractor, Page, Permit, Timestamp};
use gatehouse_cache::Batch;
use gatehouse_client::{ClientError, ListQuery, check_advanced};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::{Engine, PAGE, Phase, SyncError, keys};

/// The durable marker of a first sync under way, stored with every page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FirstSync {
    /// The feed's newest cursor when the sync began: incremental sync continues from there.
    head: u64,
    /// `updatedAt` watermarks taken when the sync began.
    contractors_since: Option<String>,
    permits_since: Option<String>,
    /// The last `_id` stored of each resource.
    contractors_after: Option<String>,
    contractors_done: bool,
    permits_after: Option<String>,
    /// Whether this sync fills an empty cache as a bulk load.
    bulk: bool,
    /// Documents stored, and expected, over both resources (what a resumed sync starts from).
    done: u64,
    total: u64,
    /// How many of `done` were contractors: the permits phase counts from there, so its figure
    /// is permits of permits and agrees with the permit count beside it.
    #[serde(default)]
    contractors_stored: u64,
}

/// Which resource a page walk reads.
#[derive(Clone, Copy)]
enum Resource {
    Contractors,
    Permits,
}

enum Docs {
    Contractors(Vec<Contractor>),
    Permits(Vec<Permit>),
}

impl Engine {
    /// Pages through contractors then permits. `restart` discards a sync under way and begins
    /// anew (a full resync); otherwise one under way resumes.
    pub(crate) async fn first_sync(&self, restart: bool) -> Result<u64, SyncError> {
        let mut st = match self.cache.state::<FirstSync>(keys::FIRST).await? {
            Some(st) if !restart => st,
            _ => {
                let st = FirstSync {
                    head: self.client.events_head().await?,
                    contractors_since: self.newest_update(Resource::Contractors).await?,
                    permits_since: self.newest_update(Resource::Permits).await?,
                    bulk: self.cache.count_permits().await? == 0,
                    ..FirstSync::default()
                };
                self.cache.set_state(keys::FIRST, Some(&st)).await?;
                st
            }
        };
        if st.bulk {
            self.cache.begin_bulk_load().await?;
        }
        let before = st.done;
        if !st.contractors_done {
            self.walk(Resource::Contractors, &mut st).await?;
            st.contractors_done = true;
            st.contractors_stored = st.done;
            self.save(&st, Batch::default()).await?;
        }
        self.walk(Resource::Permits, &mut st).await?;
        if st.bulk {
            // Building the search index has no count to show: it is one step.
            self.report(Phase::Indexing, 0, 0);
            self.cache.finish_bulk_load().await?;
        }
        let mut state = vec![
            (keys::CURSOR.to_owned(), Some(st.head.into())),
            (keys::FIRST.to_owned(), None),
        ];
        for (key, since, permits) in [
            (keys::CONTRACTORS_SINCE, &st.contractors_since, false),
            (keys::PERMITS_SINCE, &st.permits_since, true),
        ] {
            // What was stored at exactly the watermark came with this sync: the first `updatedAt`
            // pull need not bring it again.
            let since = match since {
                Some(at) => Some(
                    serde_json::to_value(crate::incremental::Since {
                        at: at.clone(),
                        ids: self.cache.ids_updated_at(permits, at).await?,
                    })
                    .expect("serialises"),
                ),
                None => None,
            };
            state.push((key.to_owned(), since));
        }
        self.cache
            .store(Batch {
                state,
                ..Batch::default()
            })
            .await?;
        Ok(st.done - before)
    }

    async fn save(&self, st: &FirstSync, mut batch: Batch) -> Result<(), SyncError> {
        batch.state.push((
            keys::FIRST.to_owned(),
            Some(serde_json::to_value(st).expect("state serialises")),
        ));
        self.cache.store(batch).await?;
        Ok(())
    }

    /// The newest `updatedAt` on the server (what later `updatedAt` pulls start from).
    async fn newest_update(&self, r: Resource) -> Result<Option<String>, ClientError> {
        let q = ListQuery::new().sort("updatedAt", false).limit(1);
        let newest = match r {
            Resource::Contractors => self
                .client
                .contractors(&q)
                .await?
                .data
                .first()
                .and_then(|c| c.updated_at),
            Resource::Permits => self
                .client
                .permits(&q)
                .await?
                .data
                .first()
                .and_then(|p| p.updated_at),
        };
        Ok(newest.map(|t: Timestamp| t.to_wire()))
    }

    /// Fetches pages in a task of their own while the previous page is being stored.
    async fn walk(&self, r: Resource, st: &mut FirstSync) -> Result<(), SyncError> {
        let after = match r {
            Resource::Contractors => st.contractors_after.clone(),
            Resource::Permits => st.permits_after.clone(),
        };
        let (tx, mut rx) = mpsc::channel::<Result<(u64, Docs), ClientError>>(2);
        let client = self.client.clone();
        let fetcher = tokio::spawn(async move {
            let mut after = after;
            loop {
                let mut q = ListQuery::new().sort("_id", true).limit(PAGE);
                if let Some(a) = &after {
                    q = q.op("_id", "$gt", a);
                }
                let page = match r {
                    Resource::Contractors => client.contractors(&q).await.map(|p: Page<_>| {
                        let last = p.data.last().map(|c: &Contractor| c.id.clone());
                        (p.total, p.data.len(), last, Docs::Contractors(p.data))
                    }),
                    Resource::Permits => client.permits(&q).await.map(|p: Page<_>| {
                        let last = p.data.last().map(|c: &Permit| c.id.clone());
                        (p.total, p.data.len(), last, Docs::Permits(p.data))
                    }),
                };
                let page = page.and_then(|(total, n, last, docs)| {
                    if let Some(last) = last {
                        check_advanced(after.as_deref(), &last)?;
                        after = Some(last);
                    }
                    Ok((total, n, docs))
                });
                let last = matches!(&page, Ok((_, n, _)) if (*n as u64) < PAGE) || page.is_err();
                if tx
                    .send(page.map(|(total, _, docs)| (total, docs)))
                    .await
                    .is_err()
                    || last
                {
                    return;
                }
            }
        });
        // Each phase counts its own resource: "permits 1,200 / 2,500", never permits beside a
        // total that holds the contractors too.
        let (phase, base) = match r {
            Resource::Contractors => (Phase::Contractors, 0),
            Resource::Permits => (Phase::Permits, st.contractors_stored),
        };
        let mut first = true;
        let result = async {
            while let Some(page) = rx.recv().await {
                let (remaining, docs) = page?;
                if first {
                    // `total` counts what is left after the cursor.
                    st.total = st.total.max(st.done + remaining);
                    first = false;
                }
                let mut batch = Batch::default();
                match docs {
                    Docs::Contractors(c) => {
                        st.done += c.len() as u64;
                        if let Some(last) = c.last() {
                            st.contractors_after = Some(last.id.clone());
                        }
                        batch.contractors = c;
                    }
                    Docs::Permits(p) => {
                        st.done += p.len() as u64;
                        if let Some(last) = p.last() {
                            st.permits_after = Some(last.id.clone());
                        }
                        batch.permits = p;
                    }
                }
                self.save(st, batch).await?;
                self.report(
                    phase,
                    st.done.saturating_sub(base),
                    st.total.saturating_sub(base),
                );
            }
            Ok::<(), SyncError>(())
        }
        .await;
        fetcher.abort();
        result
    }
}
