//! A permit's crew at the doors: provisioning (the plan recorded as wanted on each panel),
//! revoking (every panel's rows to be removed), and the drain that carries both to the panels
//! over the LAN, independent of Buzz-In. Each panel gets its share in batches of one identifier
//! type, at most 50; each item's result is recorded; a removal is done only when the panel no
//! longer finds it. The rows are states, so a drain killed at any point resumes without doubling
//! anything.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use gatehouse_basip::{IdentifierType, Lock, Owner, OwnerType, PassRule, TimeRule, ValidRule, inf};
use gatehouse_buzzin::Timestamp;
use gatehouse_cache::{GrantOutcome, GrantRow, GrantState, WantedGrant};
use gatehouse_panels::{CardNumber, Checked, Grant, PanelClient, PanelError, WrittenForm, checked};
use serde::Serialize;
use ts_rs::TS;

use super::{CrewIdentifier, PanelRecord, plan};
use crate::{Community, Error};

/// Where a permit's identifiers stand on one panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DoorsOnPanel {
    pub panel: String,
    pub placed: u32,
    pub removed: u32,
    /// Still to be put or removed (the panel was away, or refused them: see `problem`).
    pub waiting: u32,
    pub problem: Option<String>,
}

/// What one drain did on one panel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PanelDrain {
    pub panel: String,
    pub placed: u32,
    pub removed: u32,
    pub failed: u32,
    pub problem: Option<String>,
}

/// The canonical number a row keeps: a card's value in decimal, else the checked text.
pub(super) fn canonical(id: &Checked) -> String {
    match id {
        Checked::Card(c) | Checked::Ukey(c) => c.value().to_string(),
        other => other
            .on_wire(&gatehouse_basip::Representation::Hex)
            .unwrap_or_default(),
    }
}

/// A number as a panel writes it (a card's in the panel's representation), in the canonical
/// form the rows keep, with the card it is.
pub(super) fn canonical_from_panel(
    kind: &IdentifierType,
    number: &str,
    rep: &gatehouse_basip::Representation,
) -> (String, Option<CardNumber>) {
    let card = matches!(kind, IdentifierType::Card | IdentifierType::Ukey)
        .then(|| CardNumber::from_panel(number, rep).ok())
        .flatten();
    let canonical = match card {
        Some(c) => c.value().to_string(),
        None => checked(kind, number)
            .ok()
            .map_or_else(|| number.trim().to_owned(), |id| canonical(&id)),
    };
    (canonical, card)
}

/// A row's identifier, checked again from its canonical number.
fn identifier(r: &WantedGrant) -> Option<Checked> {
    let kind = IdentifierType::parse(&r.kind);
    match kind {
        IdentifierType::Card => CardNumber::parse(&r.number, WrittenForm::Decimal)
            .ok()
            .map(Checked::Card),
        IdentifierType::Ukey => CardNumber::parse(&r.number, WrittenForm::Decimal)
            .ok()
            .map(Checked::Ukey),
        _ => checked(&kind, &r.number).ok(),
    }
}

fn grant_of(r: &WantedGrant) -> Option<Grant> {
    Some(Grant {
        id: identifier(r)?,
        owner: Owner {
            name: r.owner.clone(),
            kind: OwnerType::Guest,
        },
        lock: Lock::parse(&r.lock),
        valid: ValidRule {
            time: TimeRule::window(r.valid_from, r.valid_to).ok()?,
            passes: r
                .max_passes
                .and_then(|n| u32::try_from(n).ok())
                .and_then(NonZeroU32::new)
                .map_or(PassRule::Unlimited, PassRule::AtMost),
        },
    })
}

/// Whether what the panel holds under a row's number is that row's: the same owner tag, or a tag
/// of the same pass (`GH WP-000123 …`: the holder renamed). The building's own identifiers and
/// another permit's are not.
fn held_for(row: &WantedGrant, held: &gatehouse_basip::Identifier) -> bool {
    let owner = held.owner_name();
    if owner == row.owner {
        return true;
    }
    let pass_tag = |o: &str| {
        o.strip_prefix(inf::OWNER_PREFIX)
            .and_then(|rest| rest.split(' ').next())
            .filter(|pass| !pass.is_empty())
            .map(str::to_owned)
    };
    pass_tag(owner).is_some_and(|p| Some(p) == pass_tag(&row.owner))
}

fn now_wire() -> String {
    Timestamp::now().to_wire()
}

impl Community {
    /// Puts a permit's crew on every panel of its tower for exactly its window: recorded first
    /// (durable), then sent. A PIN left blank is made (see `door_crew` for what it became). Returns where they stand on each panel.
    pub async fn provision_doors(
        &self,
        permit: &str,
        crew: &[CrewIdentifier],
        max_passes: Option<NonZeroU32>,
    ) -> Result<Vec<DoorsOnPanel>, Error> {
        let p = self.permit_document(permit).await?;
        let panels = self.panel_records()?;
        let crew = self.with_fresh_pins(crew).await?;
        let plans = plan(&p, &panels, &crew, max_passes, Timestamp::now())?;
        let mut rows = Vec::new();
        for pl in &plans {
            for g in &pl.grants {
                let (from, to) = match g.valid.time {
                    TimeRule::Window { from, to } => (from, to),
                    TimeRule::Permanent => (0, i64::MAX),
                };
                rows.push(WantedGrant {
                    panel: pl.panel.clone(),
                    kind: g.id.kind().as_str().to_owned(),
                    number: canonical(&g.id),
                    permit_id: p.id.clone(),
                    owner: g.owner.name.clone(),
                    lock: g.lock.as_str().to_owned(),
                    valid_from: from,
                    valid_to: to,
                    max_passes: match g.valid.passes {
                        PassRule::AtMost(n) => Some(i64::from(n.get())),
                        PassRule::Unlimited => None,
                    },
                });
            }
        }
        self.cache().want_grants(&rows, &now_wire()).await?;
        self.drain_panels().await?;
        self.doors_of(&p.id).await
    }

    /// Takes a permit's crew off every panel: recorded first, then sent.
    pub async fn revoke_doors(&self, permit: &str) -> Result<Vec<DoorsOnPanel>, Error> {
        let p = self.permit_document(permit).await?;
        self.cache().remove_grants_of(&p.id, &now_wire()).await?;
        self.drain_panels().await?;
        self.doors_of(&p.id).await
    }

    /// A permit by id or pass number, as the cache holds it.
    async fn permit_document(&self, key: &str) -> Result<gatehouse_buzzin::Permit, Error> {
        crate::validate::check_id(key, "permit id")?;
        self.cache()
            .permit_by_id_or_pass(key)
            .await?
            .ok_or_else(|| Error::not_found(format!("No permit {key} here.")))
    }

    /// Where a permit's identifiers stand, panel by panel.
    pub async fn doors_of(&self, permit_id: &str) -> Result<Vec<DoorsOnPanel>, Error> {
        let rows = self.cache().grants_of_permit(permit_id).await?;
        let mut by: BTreeMap<String, DoorsOnPanel> = BTreeMap::new();
        for r in rows {
            let d = by
                .entry(r.grant.panel.clone())
                .or_insert_with(|| DoorsOnPanel {
                    panel: r.grant.panel.clone(),
                    placed: 0,
                    removed: 0,
                    waiting: 0,
                    problem: None,
                });
            match r.state {
                GrantState::Placed => d.placed += 1,
                GrantState::Removed => d.removed += 1,
                GrantState::Wanted | GrantState::Removing => {
                    d.waiting += 1;
                    if d.problem.is_none() {
                        d.problem = r.last_error.clone();
                    }
                }
            }
        }
        Ok(by.into_values().collect())
    }

    /// Brings the rows in line with the permits as the cache now holds them: the crew of a
    /// permit that is no longer ACCEPTED or has ended is to be removed; that of a permit whose
    /// window moved is wanted again with the new window. Says how many permits changed.
    pub async fn retire_dead_grants(&self) -> Result<u32, Error> {
        let now = Timestamp::now();
        let at = now_wire();
        let mut changed = 0;
        for id in self.cache().permits_at_doors().await? {
            let permit = self.cache().permit(&id).await?;
            let live = permit.as_ref().is_some_and(|p| {
                p.status_name() == Some(gatehouse_buzzin::StatusName::Accepted)
                    && p.valid_till.is_some_and(|t| t.0 > now.0)
            });
            if !live {
                if self.cache().remove_grants_of(&id, &at).await? > 0 {
                    changed += 1;
                }
                continue;
            }
            let p = permit.expect("live");
            let (Some(from), Some(till)) = (p.valid_from, p.valid_till) else {
                continue;
            };
            let window = (
                from.0.timestamp() - inf::FROM_EARLY_MINUTES * 60,
                till.0.timestamp(),
            );
            let moved: Vec<WantedGrant> = self
                .cache()
                .grants_of_permit(&id)
                .await?
                .into_iter()
                .filter(|r| matches!(r.state, GrantState::Wanted | GrantState::Placed))
                .filter(|r| (r.grant.valid_from, r.grant.valid_to) != window)
                .map(|r| WantedGrant {
                    valid_from: window.0,
                    valid_to: window.1,
                    ..r.grant
                })
                .collect();
            if !moved.is_empty() {
                self.cache().want_grants(&moved, &at).await?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Sends every panel its waiting share (the panels at once; each panel's batches in
    /// order), after taking the crews of dead permits off ([`Community::retire_dead_grants`]).
    /// A panel that is away keeps its share for the next drain.
    pub async fn drain_panels(&self) -> Result<Vec<PanelDrain>, Error> {
        self.retire_dead_grants().await?;
        let records = self.panel_records()?;
        // Each panel at once: one that is away costs its timeout once, not once per panel.
        futures_util::future::join_all(records.iter().map(|r| self.drain_panel(r)))
            .await
            .into_iter()
            .collect()
    }

    pub(super) async fn drain_panel(&self, r: &PanelRecord) -> Result<PanelDrain, Error> {
        let mut report = PanelDrain {
            panel: r.name.clone(),
            ..PanelDrain::default()
        };
        let mut client: Option<std::sync::Arc<PanelClient>> = None;
        loop {
            let open = self
                .cache()
                .open_grants(&r.name, inf::BATCH_CHUNK as u32 * 4)
                .await?;
            if open.is_empty() {
                break;
            }
            if client.is_none() {
                match self.panel_client(r).await {
                    Ok(c) => client = Some(c),
                    Err(e) => {
                        self.fail_all(&open, &e).await?;
                        report.failed += open.len() as u32;
                        report.problem = Some(e.to_string());
                        break;
                    }
                }
            }
            let c = client.as_ref().expect("connected above");
            // One batch: the first row's state and type, up to 50 rows.
            let (state, kind) = (open[0].state, open[0].grant.kind.clone());
            let batch: Vec<GrantRow> = open
                .into_iter()
                .filter(|g| g.state == state && g.grant.kind == kind)
                .take(inf::BATCH_CHUNK)
                .collect();
            let settled = self.send_batch(c, &batch).await;
            let stop = settled
                .iter()
                .any(|(_, o)| matches!(o, GrantOutcome::Failed { .. }));
            for (_, o) in &settled {
                match o {
                    GrantOutcome::Placed => report.placed += 1,
                    GrantOutcome::Removed => report.removed += 1,
                    GrantOutcome::Failed { error, .. } => {
                        report.failed += 1;
                        report.problem.get_or_insert_with(|| error.clone());
                    }
                }
            }
            self.cache().settle_grants(&settled, &now_wire()).await?;
            if stop {
                break; // what failed waits for the next drain
            }
        }
        Ok(report)
    }

    async fn fail_all(&self, rows: &[GrantRow], e: &PanelError) -> Result<(), Error> {
        let settled: Vec<(GrantRow, GrantOutcome)> = rows
            .iter()
            .map(|g| {
                (
                    g.clone(),
                    GrantOutcome::Failed {
                        error: e.to_string(),
                        uncertain: g.uncertain,
                    },
                )
            })
            .collect();
        self.cache().settle_grants(&settled, &now_wire()).await?;
        Ok(())
    }

    /// One batch of one state and type: a put (an upsert, so sending it again after an unknown
    /// outcome doubles nothing), or a delete followed by a read-back of each number.
    async fn send_batch(
        &self,
        c: &PanelClient,
        batch: &[GrantRow],
    ) -> Vec<(GrantRow, GrantOutcome)> {
        let failed = |e: &PanelError| GrantOutcome::Failed {
            error: e.to_string(),
            uncertain: e.may_have_applied(),
        };
        let removing = batch[0].state == GrantState::Removing;
        let unsendable = |g: &GrantRow| GrantOutcome::Failed {
            error: format!(
                "{} {} cannot be sent as it is recorded",
                g.grant.kind, g.grant.number
            ),
            uncertain: false,
        };
        let mut out = Vec::new();
        if removing {
            // A removal needs only the identifier (an orphan's row has no window).
            let mut rows: Vec<(GrantRow, Checked)> = Vec::new();
            for g in batch {
                let Some(id) = identifier(&g.grant) else {
                    out.push((g.clone(), unsendable(g)));
                    continue;
                };
                // What the panel holds under the number now: nothing, or someone else's (never
                // ours, or given to another since), is not deleted; it counts as gone.
                match c.find(&id).await {
                    Ok(Some(held)) if held_for(&g.grant, &held) => rows.push((g.clone(), id)),
                    Ok(_) => out.push((g.clone(), GrantOutcome::Removed)),
                    Err(e) => out.push((g.clone(), failed(&e))),
                }
            }
            if rows.is_empty() {
                return out;
            }
            let ids: Vec<Checked> = rows.iter().map(|(_, id)| id.clone()).collect();
            if let Err(e) = c.delete(&ids).await {
                out.extend(rows.into_iter().map(|(g, _)| (g, failed(&e))));
                return out;
            }
            // Done only when the panel no longer finds it.
            for (g, id) in rows {
                let o = match c.find(&id).await {
                    Ok(None) => GrantOutcome::Removed,
                    Ok(Some(_)) => GrantOutcome::Failed {
                        error: "the panel still holds it after the delete".into(),
                        uncertain: false,
                    },
                    Err(e) => failed(&e),
                };
                out.push((g, o));
            }
            return out;
        }
        let mut rows: Vec<GrantRow> = Vec::new();
        let mut grants: Vec<Grant> = Vec::new();
        for g in batch {
            let Some(gr) = grant_of(&g.grant) else {
                out.push((g.clone(), unsendable(g)));
                continue;
            };
            // A put is an upsert: a number the panel holds for someone else (the building's own
            // card or PIN, another permit's) would be taken over, and later deleted with ours.
            match c.find(&gr.id).await {
                Ok(Some(held)) if !held_for(&g.grant, &held) => out.push((
                    g.clone(),
                    GrantOutcome::Failed {
                        error: format!(
                            "the panel already holds {} {} for someone else (\"{}\"): not overwritten; give the crew another",
                            g.grant.kind,
                            g.grant.number,
                            held.owner_name()
                        ),
                        uncertain: false,
                    },
                )),
                Ok(_) => {
                    rows.push(g.clone());
                    grants.push(gr);
                }
                Err(e) => out.push((g.clone(), failed(&e))),
            }
        }
        if rows.is_empty() {
            return out;
        }
        match c.put(&grants).await {
            Ok(results) => {
                for (g, res) in rows.into_iter().zip(results) {
                    let o = if res.success {
                        GrantOutcome::Placed
                    } else {
                        let why = match res.extended_info.as_deref() {
                            Some(inf::FULL_INFO) => {
                                "it is full (number_of_identifiers_exceeded): free some room on it"
                            }
                            Some(other) => other,
                            None => "no reason given",
                        };
                        GrantOutcome::Failed {
                            error: format!(
                                "the panel refused {} {}: {why}",
                                g.grant.kind, g.grant.number
                            ),
                            uncertain: false,
                        }
                    };
                    out.push((g, o));
                }
            }
            Err(e) => out.extend(rows.into_iter().map(|g| (g, failed(&e)))),
        }
        out
    }
}
