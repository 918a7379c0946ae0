//! What a panel holds, as the Gate panels view and the sweep read it: every identifier of the
//! types Gatehouse provisions, its number in both representations and in the canonical form the
//! rows keep, and where it stands against this profile's rows for the panel (in step, a change
//! waiting, being taken off, an orphan, or not Gatehouse's).

use std::collections::BTreeMap;

use gatehouse_basip::{IdentifierType, TimeRule, inf};
use gatehouse_cache::GrantState;
use gatehouse_panels::{PanelClient, PanelError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::registry::panel_error;
use crate::{Community, Error};

/// Where an identifier a panel holds stands against this profile's rows for that panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HeldState {
    /// As Gatehouse wants it there.
    InStep,
    /// Gatehouse has a change for it not sent yet (a new window, a lock).
    Waiting,
    /// To be taken off (its permit ended or was revoked, or it is an orphan on its way out).
    Removing,
    /// Tagged as Gatehouse's, and no row of this profile explains it.
    Orphan,
    /// Not tagged as Gatehouse's: the building's own.
    NotOurs,
}

impl HeldState {
    pub const ALL: &[HeldState] = &[
        HeldState::InStep,
        HeldState::Waiting,
        HeldState::Removing,
        HeldState::Orphan,
        HeldState::NotOurs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HeldState::InStep => "inStep",
            HeldState::Waiting => "waiting",
            HeldState::Removing => "removing",
            HeldState::Orphan => "orphan",
            HeldState::NotOurs => "notOurs",
        }
    }

    /// In words, as the Gate panels view shows it.
    pub fn label(self) -> &'static str {
        match self {
            HeldState::InStep => "in step",
            HeldState::Waiting => "change waiting",
            HeldState::Removing => "being taken off",
            HeldState::Orphan => "orphan",
            HeldState::NotOurs => "not Gatehouse’s",
        }
    }
}

/// One identifier on a panel, its number in both representations.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PanelIdentifierRow {
    pub kind: String,
    /// As the panel shows it.
    pub number: String,
    /// As the panel's rows keep it: a card's value in decimal, else the number checked.
    pub canonical: String,
    /// Card and UKEY numbers: decimal and hex.
    pub decimal: Option<String>,
    pub hex: Option<String>,
    pub owner: String,
    /// Tagged as Gatehouse's ([`inf::OWNER_PREFIX`]).
    pub ours: bool,
    pub lock: String,
    /// Unix seconds; `None` when permanent.
    #[ts(type = "number | null")]
    pub from: Option<i64>,
    #[ts(type = "number | null")]
    pub to: Option<i64>,
    /// Where it stands against this profile's rows for the panel.
    pub state: HeldState,
    /// The permit whose crew it is, when a row of this profile says so.
    pub permit_id: Option<String>,
}

/// Every identifier a panel holds, of every type Gatehouse provisions, with each number also in
/// the canonical form the panel's rows keep.
pub(super) async fn listed(c: &PanelClient) -> Result<Vec<PanelIdentifierRow>, PanelError> {
    let mut rows = Vec::new();
    for kind in [
        IdentifierType::Card,
        IdentifierType::Ukey,
        IdentifierType::InputCode,
        IdentifierType::Qr,
        IdentifierType::LicensePlate,
    ] {
        let (list, rep) = c.all(&kind).await?;
        for i in list {
            let number = i.identifier_number.clone().map(|n| n.0).unwrap_or_default();
            let (canonical, card) = super::doors::canonical_from_panel(&kind, &number, &rep);
            let (from, to) = match i.time_rule() {
                Some(TimeRule::Window { from, to }) => (Some(from), Some(to)),
                _ => (None, None),
            };
            rows.push(PanelIdentifierRow {
                kind: kind.as_str().to_owned(),
                number,
                canonical,
                decimal: card.map(|c| c.value().to_string()),
                hex: card.map(|c| c.hex()),
                owner: i.owner_name().to_owned(),
                ours: i.owner_name().starts_with(inf::OWNER_PREFIX),
                lock: i
                    .lock
                    .as_ref()
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_default(),
                from,
                to,
                state: HeldState::NotOurs,
                permit_id: None,
            });
        }
    }
    Ok(rows)
}

impl Community {
    /// What one panel holds, every identifier type Gatehouse provisions, each with where it
    /// stands against this profile's rows for the panel.
    pub async fn panel_identifiers(&self, name: &str) -> Result<Vec<PanelIdentifierRow>, Error> {
        let r = self.panel_record(name)?;
        let c = self.panel_client(&r).await.map_err(panel_error(&r.name))?;
        let mut held = listed(&c).await.map_err(panel_error(&r.name))?;
        let rows: BTreeMap<(String, String), (GrantState, String)> = self
            .cache()
            .grants_on(&r.name)
            .await?
            .into_iter()
            .map(|g| ((g.grant.kind, g.grant.number), (g.state, g.grant.permit_id)))
            .collect();
        for i in &mut held {
            let row = rows.get(&(i.kind.clone(), i.canonical.clone()));
            i.state = held_state(i.ours, row.map(|(state, _)| *state));
            i.permit_id = row
                .map(|(_, p)| p.clone())
                .filter(|p| !p.is_empty() && p != gatehouse_cache::ORPHAN);
        }
        Ok(held)
    }
}

/// An identifier's state from whether it is tagged as ours and the row this profile has for it.
fn held_state(ours: bool, row: Option<GrantState>) -> HeldState {
    match (ours, row) {
        (_, Some(GrantState::Placed)) => HeldState::InStep,
        (_, Some(GrantState::Wanted)) => HeldState::Waiting,
        (_, Some(GrantState::Removing)) => HeldState::Removing,
        // Read back gone once, and on the panel again: nothing here explains it.
        (true, Some(GrantState::Removed) | None) => HeldState::Orphan,
        (false, Some(GrantState::Removed) | None) => HeldState::NotOurs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_identifier_stands_as_its_row_says_and_untagged_ones_are_not_ours() {
        assert_eq!(
            held_state(true, Some(GrantState::Placed)),
            HeldState::InStep
        );
        assert_eq!(
            held_state(true, Some(GrantState::Wanted)),
            HeldState::Waiting
        );
        assert_eq!(
            held_state(true, Some(GrantState::Removing)),
            HeldState::Removing
        );
        assert_eq!(
            held_state(true, Some(GrantState::Removed)),
            HeldState::Orphan
        );
        assert_eq!(held_state(true, None), HeldState::Orphan);
        assert_eq!(held_state(false, None), HeldState::NotOurs);
    }
}
