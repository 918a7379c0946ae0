//! The sweep: each panel's identifiers listed and compared with what this profile recorded for
//! it. An identifier tagged as Gatehouse's (`gatehouse_basip::inf::OWNER_PREFIX`) that no row wanted, placed or
//! being removed explains is an orphan (planted by hand, left by a lost profile, or put back on
//! the panel after its removal); one click records each orphan to be removed and drains that
//! panel, so the removal is read back and retried like any other.

use std::collections::BTreeSet;

use gatehouse_cache::GrantState;
use serde::Serialize;
use ts_rs::TS;

use super::held::listed;
use super::registry::panel_error;
use super::{PanelDrain, PanelIdentifierRow, PanelRecord};
use crate::{Community, Error};

/// What the sweep found on one panel.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PanelSweep {
    pub panel: String,
    pub reachable: bool,
    /// Why it could not be listed, in a sentence.
    pub problem: Option<String>,
    /// Every identifier the panel holds.
    pub identifiers: u32,
    /// Those tagged as Gatehouse's.
    pub ours: u32,
    /// Tagged as Gatehouse's, explained by no row of this profile.
    pub orphans: Vec<PanelIdentifierRow>,
}

impl Community {
    /// Lists every panel (all at once) and finds its orphans. The crews of dead permits are
    /// marked for removal first, so that they count as on their way out, not as orphans.
    pub async fn sweep_panels(&self) -> Result<Vec<PanelSweep>, Error> {
        self.retire_dead_grants().await?;
        let records = self.panel_records()?;
        futures_util::future::join_all(records.iter().map(|r| self.sweep_panel(r)))
            .await
            .into_iter()
            .collect()
    }

    async fn sweep_panel(&self, r: &PanelRecord) -> Result<PanelSweep, Error> {
        let mut sweep = PanelSweep {
            panel: r.name.clone(),
            reachable: false,
            problem: None,
            identifiers: 0,
            ours: 0,
            orphans: Vec::new(),
        };
        let held = match self.panel_client(r).await {
            Ok(c) => listed(&c).await,
            Err(e) => Err(e),
        };
        let held = match held {
            Ok(h) => h,
            Err(e) => {
                sweep.problem = Some(panel_error(&r.name)(e).message);
                return Ok(sweep);
            }
        };
        let explained: BTreeSet<(String, String)> = self
            .cache()
            .grants_on(&r.name)
            .await?
            .into_iter()
            .filter(|g| g.state != GrantState::Removed)
            .map(|g| (g.grant.kind, g.grant.number))
            .collect();
        sweep.reachable = true;
        sweep.identifiers = held.len() as u32;
        for i in held {
            if !i.ours {
                continue;
            }
            sweep.ours += 1;
            if !explained.contains(&(i.kind.clone(), i.canonical.clone())) {
                sweep.orphans.push(i);
            }
        }
        Ok(sweep)
    }

    /// Takes a panel's orphans off it: the panel swept again (only what is an orphan now is
    /// touched), each recorded to be removed, then that panel drained.
    pub async fn remove_orphans(&self, panel: &str) -> Result<PanelDrain, Error> {
        let r = self.panel_record(panel)?;
        self.retire_dead_grants().await?;
        let sweep = self.sweep_panel(&r).await?;
        if let Some(problem) = sweep.problem {
            return Err(Error::new(crate::ErrorCode::Unreachable, problem));
        }
        let found: Vec<(String, String, String)> = sweep
            .orphans
            .into_iter()
            .map(|o| (o.kind, o.canonical, o.owner))
            .collect();
        let at = gatehouse_buzzin::Timestamp::now().to_wire();
        self.cache().remove_orphans(&r.name, &found, &at).await?;
        self.drain_panel(&r).await
    }
}
