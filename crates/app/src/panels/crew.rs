//! A permit's crew as the window and the CLI name it for the doors: what kind each identifier is
//! (in the words the window shows), a PIN left blank made here (fresh on the profile's panels,
//! never a run or a repeat), and each identifier of the permit read back from its rows with
//! where it stands.

use std::collections::{BTreeMap, HashSet};

use gatehouse_basip::{IdentifierType, inf};
use gatehouse_cache::GrantState;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::CrewIdentifier;
use crate::{Community, Error};

/// The kinds of identifier a crew is given, as the window names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DoorKind {
    Card,
    Ukey,
    Pin,
    Plate,
    Qr,
}

impl DoorKind {
    /// In the order the window offers them: a PIN first (nothing to carry), then a card.
    pub const ALL: &[DoorKind] = &[
        DoorKind::Pin,
        DoorKind::Card,
        DoorKind::Plate,
        DoorKind::Ukey,
        DoorKind::Qr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DoorKind::Card => "card",
            DoorKind::Ukey => "ukey",
            DoorKind::Pin => "pin",
            DoorKind::Plate => "plate",
            DoorKind::Qr => "qr",
        }
    }

    /// In words, as the window and the CLI print it.
    pub fn label(self) -> &'static str {
        match self {
            DoorKind::Card => "Card",
            DoorKind::Ukey => "UKEY",
            DoorKind::Pin => "PIN",
            DoorKind::Plate => "Plate",
            DoorKind::Qr => "QR code",
        }
    }

    pub fn identifier_type(self) -> IdentifierType {
        match self {
            DoorKind::Card => IdentifierType::Card,
            DoorKind::Ukey => IdentifierType::Ukey,
            DoorKind::Pin => IdentifierType::InputCode,
            DoorKind::Plate => IdentifierType::LicensePlate,
            DoorKind::Qr => IdentifierType::Qr,
        }
    }

    /// The kind of a row's wire type; `None` for one Gatehouse never writes.
    pub fn of(kind: &IdentifierType) -> Option<DoorKind> {
        Some(match kind {
            IdentifierType::Card => DoorKind::Card,
            IdentifierType::Ukey => DoorKind::Ukey,
            IdentifierType::InputCode => DoorKind::Pin,
            IdentifierType::LicensePlate => DoorKind::Plate,
            IdentifierType::Qr => DoorKind::Qr,
            _ => return None,
        })
    }
}

/// One identifier of the crew as typed in the window.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CrewInput {
    pub kind: DoorKind,
    /// A card in any written form, a PIN (blank: one is made), a plate, a QR UUID.
    pub written: String,
    /// Whose it is: a worker's name, a vehicle.
    pub holder: String,
}

impl From<&CrewInput> for CrewIdentifier {
    fn from(c: &CrewInput) -> Self {
        CrewIdentifier {
            kind: c.kind.identifier_type(),
            written: c.written.clone(),
            holder: c.holder.clone(),
        }
    }
}

/// One identifier of a permit's crew and where it stands on the panels of its tower.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DoorCrewLine {
    pub kind: DoorKind,
    /// The number as the rows keep it: a card's value in decimal, a PIN's digits, a plate.
    pub number: String,
    pub holder: String,
    /// On how many panels it is, waits to be sent or taken off, and has been taken off.
    pub placed: u32,
    pub waiting: u32,
    pub removed: u32,
}

/// A PIN left blank (or written `auto`): one is made.
pub(super) fn wants_pin(c: &CrewIdentifier) -> bool {
    c.kind == IdentifierType::InputCode && matches!(c.written.trim(), "" | "auto")
}

/// A PIN of [`inf::PIN_GENERATED_DIGITS`] digits that is not in `taken`, not one digit
/// repeated and not a run up or down (`123456`, `654321`): drawn at random, and when a thousand
/// draws find none, the first free one from a random start; `None` when every one is taken.
pub fn fresh_pin(taken: &HashSet<String>) -> Option<String> {
    let digits = inf::PIN_GENERATED_DIGITS;
    let all = 10u32.pow(digits as u32);
    let text = |n: u32| format!("{n:0digits$}");
    let free = |pin: &String| !guessable(pin) && !taken.contains(pin);
    let mut rng = rand::rng();
    let start = rng.random_range(0..all);
    (0..1_000)
        .map(|_| text(rng.random_range(0..all)))
        .chain((0..all).map(|i| text((start + i) % all)))
        .find(free)
}

/// One digit repeated, or each digit one more (or one less) than the one before.
fn guessable(pin: &str) -> bool {
    let d: Vec<i16> = pin.bytes().map(|b| i16::from(b) - 48).collect();
    let steps: HashSet<i16> = d.windows(2).map(|w| w[1] - w[0]).collect();
    steps.len() <= 1 && steps.iter().all(|s| s.abs() <= 1)
}

/// The holder a row's owner tag names: `GH WP-000123 Ali Hassan` → `Ali Hassan`.
fn holder_of(owner: &str) -> String {
    owner
        .strip_prefix(inf::OWNER_PREFIX)
        .and_then(|rest| rest.split_once(' '))
        .map_or(owner, |(_, holder)| holder)
        .to_owned()
}

impl Community {
    /// The crew with each blank PIN filled by a fresh one, unused by any identifier this profile
    /// keeps on its panels (or by another of the crew).
    pub(super) async fn with_fresh_pins(
        &self,
        crew: &[CrewIdentifier],
    ) -> Result<Vec<CrewIdentifier>, Error> {
        if !crew.iter().any(wants_pin) {
            return Ok(crew.to_vec());
        }
        let mut taken = self.cache().pins_in_use().await?;
        taken.extend(crew.iter().map(|c| c.written.trim().to_owned()));
        crew.iter()
            .map(|c| {
                let mut c = c.clone();
                if wants_pin(&c) {
                    c.written = fresh_pin(&taken).ok_or_else(|| {
                        Error::refused(
                            "Every PIN of this length is in use on the panels: type one.",
                        )
                    })?;
                    taken.insert(c.written.clone());
                }
                Ok(c)
            })
            .collect()
    }

    /// Each identifier of a permit's crew, once for all panels, with where it stands.
    pub async fn door_crew(&self, permit_id: &str) -> Result<Vec<DoorCrewLine>, Error> {
        let rows = self.cache().grants_of_permit(permit_id).await?;
        let mut by: BTreeMap<(String, String), DoorCrewLine> = BTreeMap::new();
        for r in rows {
            let Some(kind) = DoorKind::of(&IdentifierType::parse(&r.grant.kind)) else {
                continue;
            };
            let line = by
                .entry((r.grant.kind.clone(), r.grant.number.clone()))
                .or_insert_with(|| DoorCrewLine {
                    kind,
                    number: r.grant.number.clone(),
                    holder: holder_of(&r.grant.owner),
                    placed: 0,
                    waiting: 0,
                    removed: 0,
                });
            match r.state {
                GrantState::Placed => line.placed += 1,
                GrantState::Removed => line.removed += 1,
                GrantState::Wanted | GrantState::Removing => line.waiting += 1,
            }
        }
        Ok(by.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_pin_has_the_digits_and_is_neither_taken_nor_guessable() {
        for pin in ["111111", "123456", "654321", "000000", "987654"] {
            assert!(guessable(pin), "{pin}");
        }
        for pin in ["482193", "112233", "135790", "121212"] {
            assert!(!guessable(pin), "{pin}");
        }
        // With all but one six-digit PIN taken or guessable, that one is made.
        let taken: HashSet<String> = (0..1_000_000)
            .map(|n| format!("{n:06}"))
            .filter(|p| p != "482193")
            .collect();
        assert_eq!(fresh_pin(&taken).as_deref(), Some("482193"));
        let mut all = taken;
        all.insert("482193".into());
        assert_eq!(fresh_pin(&all), None);
        let pin = fresh_pin(&HashSet::new()).unwrap();
        assert_eq!(pin.len(), inf::PIN_GENERATED_DIGITS);
        assert!(pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    }

    #[test]
    fn a_blank_or_auto_pin_is_made_and_a_typed_one_kept() {
        let c = |kind, written: &str| CrewIdentifier {
            kind,
            written: written.into(),
            holder: "Ravi".into(),
        };
        assert!(wants_pin(&c(IdentifierType::InputCode, "")));
        assert!(wants_pin(&c(IdentifierType::InputCode, " auto ")));
        assert!(!wants_pin(&c(IdentifierType::InputCode, "4821")));
        assert!(!wants_pin(&c(IdentifierType::Card, "")));
    }

    #[test]
    fn the_holder_is_read_from_the_owner_tag() {
        assert_eq!(holder_of("GH WP-000123 Ali Hassan"), "Ali Hassan");
        assert_eq!(holder_of("Concierge"), "Concierge");
    }
}
