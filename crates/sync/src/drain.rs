//! The outbox drain: queued actions go out in order, each one once.
//!
//! - Before a request leaves, its row is marked `sending` (for a reissue, with the access code
//!   the server had just then). A row found `sending` or `ambiguous` is resolved by reading its
//!   target first: if the action took effect it is settled as applied, otherwise it is sent
//!   again. So a reissue whose answer was lost never mints a second code.
//! - 400/404/409: refused with the server's message; the optimistic state is rolled back (from
//!   the server's current copy) and the queue moves on.
//! - 429: waits as told (a few times), then stops until the next round.
//! - A dropped connection, 5xx or an unreadable answer: the row is ambiguous; it is read back at
//!   once and, if it did not apply, sent once more in this drain.
//! - A timeout: the request may still be running on the server, so the row stays ambiguous and
//!   the drain stops; the next drain reads the target before deciding.
//! - 401: stops; nothing can go out until the key is fixed.

use std::collections::BTreeMap;
use std::time::Duration;

use gatehouse_buzzin::{Contractor, Permit, StatusName};
use gatehouse_cache::Before;
use gatehouse_cache::{ActionKind, OutboxEntry, OutboxState, Outcome};
use gatehouse_client::ClientError;
use serde::Serialize;

use crate::{Engine, Phase, SyncError};

/// What one drain did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DrainReport {
    pub applied: u64,
    pub refused: u64,
    /// Messages of the refused actions, in order.
    pub refusals: Vec<String>,
}

impl DrainReport {
    pub fn merge(&mut self, other: DrainReport) {
        self.applied += other.applied;
        self.refused += other.refused;
        self.refusals.extend(other.refusals);
    }
}

/// Sends of one action within one drain whose outcome was unclear and turned out not applied.
const SENDS_PER_DRAIN: u32 = 2;

/// Waits for 429s within one drain before leaving it to the next round.
const RATE_LIMIT_WAITS: u32 = 3;

type Docs = (Vec<Contractor>, Vec<Permit>);

impl Engine {
    /// Sends every open action, oldest first. Stops at the first sign of an outage (the rest
    /// wait, in order, for the next round) and returns that error.
    pub async fn drain(&self) -> Result<DrainReport, SyncError> {
        let mut report = DrainReport::default();
        // Sends per action in this drain, and how the last one failed.
        let mut sends: BTreeMap<String, (u32, ClientError)> = BTreeMap::new();
        let mut waits = 0;
        let total = self.cache.outbox_counts().await?.0;
        while let Some(entry) = self.cache.next_open().await? {
            self.report(Phase::Outbox, report.applied + report.refused, total);
            if matches!(entry.state, OutboxState::Sending | OutboxState::Ambiguous) {
                match self.read_back(&entry).await {
                    Ok(Some((contractors, permits))) => {
                        self.cache
                            .settle(
                                &entry.id,
                                Outcome::Applied {
                                    contractors,
                                    permits,
                                    detail: Some("confirmed by reading it back".into()),
                                },
                            )
                            .await?;
                        report.applied += 1;
                        continue;
                    }
                    Ok(None)
                        if sends
                            .get(&entry.id)
                            .is_some_and(|(n, _)| *n >= SENDS_PER_DRAIN) =>
                    {
                        // Sent and not applied, twice in this drain: leave it for the next round.
                        let (_, error) = sends.remove(&entry.id).expect("counted above");
                        self.cache.settle(&entry.id, Outcome::retry(&error)).await?;
                        return Err(error.into());
                    }
                    Ok(None) => {} // not applied: send it
                    Err(e) => {
                        if entry.state == OutboxState::Sending {
                            self.cache.settle(&entry.id, Outcome::ambiguous(&e)).await?;
                        }
                        return self
                            .stop_or_reject(&entry, e, &mut report)
                            .await
                            .map(|()| report);
                    }
                }
            }
            // A reissue records the code it is about to kill, to recognise its own effect later.
            let sent_code = if entry.kind == ActionKind::ReissuePass {
                match self.client.permit(&entry.target_id).await {
                    Ok(p) => p.access_code,
                    Err(e) => {
                        self.stop_or_reject(&entry, e, &mut report).await?;
                        continue;
                    }
                }
            } else {
                None
            };
            self.cache
                .mark_sending(&entry.id, sent_code.as_deref())
                .await?;
            match self.send(&entry).await {
                Ok(()) => {
                    let (contractors, permits) = self.refreshed(&entry).await;
                    self.cache
                        .settle(
                            &entry.id,
                            Outcome::Applied {
                                contractors,
                                permits,
                                detail: None,
                            },
                        )
                        .await?;
                    report.applied += 1;
                }
                Err(ClientError::RateLimited { retry_after }) if waits < RATE_LIMIT_WAITS => {
                    waits += 1;
                    self.cache
                        .settle(&entry.id, Outcome::retry("rate limited"))
                        .await?;
                    let wait = retry_after
                        .unwrap_or(Duration::from_secs(1))
                        .min(Duration::from_secs(30));
                    tokio::time::sleep(wait).await;
                }
                Err(e @ ClientError::Timeout(_)) => {
                    // It may still be running on the server: reading it back now could miss its
                    // effect and send it twice. The next drain reads it back instead.
                    self.cache.settle(&entry.id, Outcome::ambiguous(&e)).await?;
                    return Err(e.into());
                }
                Err(e) if e.may_have_been_applied() => {
                    self.cache.settle(&entry.id, Outcome::ambiguous(&e)).await?;
                    // The next turn of the loop reads it back: a lost answer is usually a
                    // one-off, so it may be sent once more in this drain if it did not apply.
                    let count = sends.get(&entry.id).map_or(0, |(n, _)| *n);
                    sends.insert(entry.id.clone(), (count + 1, e));
                }
                Err(e) => {
                    self.cache.settle(&entry.id, Outcome::retry(&e)).await?;
                    self.stop_or_reject(&entry, e, &mut report).await?;
                }
            }
        }
        Ok(report)
    }

    /// Settles a refusal as refused and carries on (`Ok`), or reports an outage (`Err`).
    async fn stop_or_reject(
        &self,
        entry: &OutboxEntry,
        e: ClientError,
        report: &mut DrainReport,
    ) -> Result<(), SyncError> {
        match e {
            ClientError::NotFound(_) | ClientError::Conflict(_) | ClientError::Refused { .. } => {
                let message = match &e {
                    ClientError::Refused { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                let fresh = self.current(entry).await.ok();
                self.cache
                    .settle(
                        &entry.id,
                        Outcome::Refused {
                            message: message.clone(),
                            fresh,
                        },
                    )
                    .await?;
                report.refused += 1;
                report.refusals.push(format!("{}: {message}", entry.label));
                Ok(())
            }
            other => Err(other.into()),
        }
    }

    async fn send(&self, e: &OutboxEntry) -> Result<(), ClientError> {
        let id = e.target_id.as_str();
        match e.kind {
            ActionKind::ApproveContractor => self.client.approve_contractor(id).await.map(|_| ()),
            ActionKind::RevokeContractor => self.client.revoke_contractor(id).await.map(|_| ()),
            ActionKind::RevokePass => self.client.revoke_pass(id, e.reason.as_deref()).await,
            ActionKind::ReissuePass => self.client.reissue_pass(id).await,
        }
    }

    /// The target and what the action touched, as the server has them now.
    async fn current(&self, e: &OutboxEntry) -> Result<Before, ClientError> {
        let mut docs = Before::default();
        if e.kind.on_permit() {
            docs.permits.push(self.client.permit(&e.target_id).await?);
        } else {
            docs.contractors
                .push(self.client.contractor(&e.target_id).await?);
            let ids: Vec<String> = e.before.permits.iter().map(|p| p.id.clone()).collect();
            docs.permits = self.client.permits_by_ids(&ids).await?;
        }
        Ok(docs)
    }

    /// After a success: the server's copies, or (if that read fails) the optimistic state stays
    /// until the next sync brings them.
    async fn refreshed(&self, e: &OutboxEntry) -> Docs {
        match self.current(e).await {
            Ok(d) => (d.contractors, d.permits),
            Err(err) => {
                tracing::debug!(error = %err, "could not re-read after an applied action");
                (Vec::new(), Vec::new())
            }
        }
    }

    /// Whether an action whose answer was lost took effect: `Some(current documents)` if so.
    async fn read_back(&self, e: &OutboxEntry) -> Result<Option<Docs>, ClientError> {
        let now = match self.current(e).await {
            Ok(d) => d,
            // The target is gone: sending again gives the server's refusal.
            Err(ClientError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        let applied = match e.kind {
            ActionKind::ApproveContractor => now.contractors.first().is_some_and(|c| c.approved),
            ActionKind::RevokeContractor => now.contractors.first().is_some_and(|c| {
                let was = e
                    .before
                    .contractors
                    .first()
                    .map(|b| b.communities_ids.len());
                c.is_removed() || was.is_some_and(|n| c.communities_ids.len() < n)
            }),
            ActionKind::RevokePass => now
                .permits
                .first()
                .is_some_and(|p| p.status_name() == Some(StatusName::Revoked)),
            ActionKind::ReissuePass => now.permits.first().is_some_and(|p| {
                let old = e.sent_code.as_ref().or_else(|| {
                    e.before
                        .permits
                        .first()
                        .and_then(|b| b.access_code.as_ref())
                });
                p.access_code.is_some() && p.access_code.as_ref() != old
            }),
        };
        Ok(applied.then_some((now.contractors, now.permits)))
    }
}
