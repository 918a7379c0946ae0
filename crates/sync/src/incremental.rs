//! Incremental sync: records changed since the last `updatedAt` watermark, then the events feed
//! from the durable cursor, each page stored with the documents it touched and the new cursor in
//! one transaction; and the rotating reconciliation.

use std::collections::BTreeSet;

use gatehouse_buzzin::{Contractor, EventName, Permit, Timestamp, inf};
use gatehouse_cache::Batch;
use gatehouse_client::{ClientError, ListQuery};
use serde::{Deserialize, Serialize};

use crate::{Engine, PAGE, Phase, SyncError, keys};

#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub events: u64,
    pub contractors: u64,
    pub permits: u64,
    /// Ids in the feed that fail the id rule, skipped.
    pub skipped_ids: u64,
}

/// What the feed held that could not be used: ids that fail the id rule (`inf::is_id`). They
/// are skipped and counted, and the cursor moves on, so that one odd event cannot stop every
/// later one (a revocation, say) from reaching the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub ids: u64,
    /// The last one skipped, cut to 80 characters.
    pub last: Option<String>,
}

impl Engine {
    pub(crate) async fn incremental(&self) -> Result<Applied, SyncError> {
        let mut out = Applied::default();
        let Some(mut cursor) = self.cache.state::<u64>(keys::CURSOR).await? else {
            return Ok(out); // never filled: a first sync comes first
        };
        let mut seen_permits = BTreeSet::new();
        let mut seen_contractors = BTreeSet::new();
        out.contractors = self.pull_contractors(&mut seen_contractors).await?;
        out.permits = self.pull_permits(&mut seen_permits).await?;

        loop {
            let mut page = self.client.events_after(cursor, PAGE).await?;
            // The timeline keeps each event but not its QR image: passes are drawn from the
            // access code, and the image would be most of the stored bytes.
            for e in &mut page.data {
                if let Some(data) = e.envelope.data.as_object_mut() {
                    data.remove("qrImageBase64");
                }
            }
            let Some(last) = page.data.last().map(|e| e.cursor) else {
                break;
            };
            // Every cursor after the one asked for, each after the one before: a server that
            // ignores `cursor[$gt]` would otherwise be read round and round.
            let mut prev = cursor;
            for e in &page.data {
                if e.cursor <= prev {
                    return Err(ClientError::Protocol(format!(
                        "the events feed asked for after cursor {cursor} gave cursor {} after {prev}: the server ignores cursor[$gt]",
                        e.cursor
                    ))
                    .into());
                }
                prev = e.cursor;
            }
            let mut permit_ids = BTreeSet::new();
            let mut contractor_ids = BTreeSet::new();
            for e in &page.data {
                let data = &e.envelope.data;
                let field = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                if let Some(id) = field("permitId") {
                    permit_ids.insert(id);
                }
                if !e.envelope.event.is_permit_event()
                    && let Some(id) = field("communityContractorId")
                {
                    contractor_ids.insert(id);
                }
                if e.envelope.event == EventName::ContractorRemoved
                    && let Some(ids) = data.get("archivedPermitIds").and_then(|v| v.as_array())
                {
                    permit_ids.extend(ids.iter().filter_map(|v| v.as_str()).map(str::to_owned));
                }
            }
            let mut skipped = Vec::new();
            for ids in [&mut permit_ids, &mut contractor_ids] {
                ids.retain(|id| {
                    let ok = inf::is_id(id);
                    if !ok {
                        skipped.push(id.chars().take(80).collect::<String>());
                    }
                    ok
                });
            }
            let mut state = vec![(keys::CURSOR.to_owned(), Some(last.into()))];
            if let Some(odd) = skipped.last() {
                tracing::warn!(count = skipped.len(), last = %odd, "feed ids outside the id rule skipped");
                let before = self
                    .cache
                    .state::<Skipped>(keys::SKIPPED)
                    .await?
                    .unwrap_or_default();
                let now = Skipped {
                    ids: before.ids + skipped.len() as u64,
                    last: Some(odd.clone()),
                };
                out.skipped_ids += skipped.len() as u64;
                state.push((
                    keys::SKIPPED.to_owned(),
                    Some(serde_json::to_value(now).expect("serialises")),
                ));
            }
            // Documents already pulled in this round are current.
            let permit_ids: Vec<String> = permit_ids.difference(&seen_permits).cloned().collect();
            let contractor_ids: Vec<String> = contractor_ids
                .difference(&seen_contractors)
                .cloned()
                .collect();
            let permits = self.client.permits_by_ids(&permit_ids).await?;
            let contractors = self.client.contractors_by_ids(&contractor_ids).await?;
            seen_permits.extend(permit_ids);
            seen_contractors.extend(contractor_ids);
            out.permits += permits.len() as u64;
            out.contractors += contractors.len() as u64;
            out.events += page.data.len() as u64;
            let total = out.events + page.total.saturating_sub(page.data.len() as u64);
            let n = page.data.len() as u64;
            // `total` counts what matched after the cursor: this page was all of it.
            let more = n == PAGE && page.total > n;
            self.cache
                .store(Batch {
                    contractors,
                    permits,
                    events: page.data,
                    state,
                })
                .await?;
            cursor = last;
            self.report(Phase::Events, out.events, total);
            if !more {
                break;
            }
        }
        Ok(out)
    }

    /// Contractors changed since the watermark (new ones come without an event).
    async fn pull_contractors(&self, seen: &mut BTreeSet<String>) -> Result<u64, SyncError> {
        let mut n = 0;
        loop {
            let since = self.cache.state::<Since>(keys::CONTRACTORS_SINCE).await?;
            let page = self
                .client
                .contractors(&updated_since(since.as_ref()))
                .await?;
            let last_page = (page.data.len() as u64) < PAGE || page.total <= page.data.len() as u64;
            let fresh: Vec<Contractor> = page
                .data
                .into_iter()
                .filter(|c| !seen.contains(&c.id) && !Since::covers(&since, c.updated_at, &c.id))
                .collect();
            if fresh.is_empty() {
                return Ok(n);
            }
            let next = Since::advance(since, fresh.iter().map(|c| (c.updated_at, c.id.as_str())));
            seen.extend(fresh.iter().map(|c| c.id.clone()));
            n += fresh.len() as u64;
            self.cache
                .store(Batch {
                    contractors: fresh,
                    state: vec![(keys::CONTRACTORS_SINCE.to_owned(), next)],
                    ..Batch::default()
                })
                .await?;
            if last_page {
                return Ok(n);
            }
        }
    }

    /// Permits changed since the watermark (a new draft comes without an event).
    async fn pull_permits(&self, seen: &mut BTreeSet<String>) -> Result<u64, SyncError> {
        let mut n = 0;
        loop {
            let since = self.cache.state::<Since>(keys::PERMITS_SINCE).await?;
            let page = self.client.permits(&updated_since(since.as_ref())).await?;
            let last_page = (page.data.len() as u64) < PAGE || page.total <= page.data.len() as u64;
            let fresh: Vec<Permit> = page
                .data
                .into_iter()
                .filter(|p| !seen.contains(&p.id) && !Since::covers(&since, p.updated_at, &p.id))
                .collect();
            if fresh.is_empty() {
                return Ok(n);
            }
            let next = Since::advance(since, fresh.iter().map(|p| (p.updated_at, p.id.as_str())));
            seen.extend(fresh.iter().map(|p| p.id.clone()));
            n += fresh.len() as u64;
            self.cache
                .store(Batch {
                    permits: fresh,
                    state: vec![(keys::PERMITS_SINCE.to_owned(), next)],
                    ..Batch::default()
                })
                .await?;
            if last_page {
                return Ok(n);
            }
        }
    }

    /// Re-reads up to `n` permits after the rotation's position and repairs any that differ
    /// from the server's copy. Returns how many were repaired.
    pub async fn reconcile(&self, n: u32) -> Result<u64, SyncError> {
        let after = self
            .cache
            .state::<String>(keys::RECONCILED_AFTER)
            .await?
            .unwrap_or_default();
        let mut ids = self.cache.permit_ids_after(&after, n).await?;
        if ids.is_empty() && !after.is_empty() {
            ids = self.cache.permit_ids_after("", n).await?; // wrap around
        }
        let Some(last) = ids.last().cloned() else {
            return Ok(0);
        };
        self.report(Phase::Reconcile, 0, 0); // one request: no count to show
        let server = self.client.permits_by_ids(&ids).await?;
        let mut drifted = Vec::new();
        for p in server {
            if self.cache.permit(&p.id).await?.as_ref() != Some(&p) {
                drifted.push(p);
            }
        }
        // Open outbox actions are laid over again by `store`, so they are not "drift".
        let open: BTreeSet<String> = self
            .cache
            .outbox(true)
            .await?
            .into_iter()
            .map(|e| e.target_id)
            .collect();
        drifted.retain(|p| {
            !open.contains(&p.id)
                && !p
                    .community_contractor_id
                    .as_ref()
                    .is_some_and(|c| open.contains(c))
        });
        let repaired = drifted.len() as u64;
        self.cache
            .store(Batch {
                permits: drifted,
                state: vec![(keys::RECONCILED_AFTER.to_owned(), Some(last.into()))],
                ..Batch::default()
            })
            .await?;
        self.report(Phase::Idle, 0, 0);
        Ok(repaired)
    }
}

/// An `updatedAt` watermark: the newest time stored, and the ids stored at exactly that time
/// (so that asking again with `$gte` does not bring them back, and one changed in the same
/// millisecond is not missed).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Since {
    pub at: String,
    #[serde(default)]
    pub ids: Vec<String>,
}

impl Since {
    fn covers(since: &Option<Since>, updated: Option<Timestamp>, id: &str) -> bool {
        since.as_ref().is_some_and(|s| {
            updated.is_some_and(|t| t.to_wire() == s.at) && s.ids.iter().any(|x| x == id)
        })
    }

    fn advance<'a>(
        since: Option<Since>,
        docs: impl Iterator<Item = (Option<Timestamp>, &'a str)> + Clone,
    ) -> Option<serde_json::Value> {
        let newest = docs.clone().filter_map(|(t, _)| t).max()?.to_wire();
        let mut ids = match since {
            Some(s) if s.at == newest => s.ids,
            _ => Vec::new(),
        };
        ids.extend(
            docs.filter(|(t, _)| t.is_some_and(|t| t.to_wire() == newest))
                .map(|(_, id)| id.to_owned()),
        );
        Some(serde_json::to_value(Since { at: newest, ids }).expect("serialises"))
    }
}

fn updated_since(since: Option<&Since>) -> ListQuery {
    let q = ListQuery::new().sort("updatedAt", true).limit(PAGE);
    match since {
        Some(s) => q.op("updatedAt", "$gte", &s.at),
        None => q,
    }
}
