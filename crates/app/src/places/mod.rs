//! Names for places. Buzz-In names no towers or units [GAP]: permits carry `propertyId` and
//! `flatId` (and, where they do, DAMAC's external ids). Each profile keeps a directory of its
//! towers and units, `places.csv` beside its cache, imported from and exported to the CSV below,
//! and every place shown (tables, panels, passes, the CLI) reads like "Marina Tower 2 · 1004",
//! falling back to the external id, then to a short id.
//!
//! The CSV: a header line, then one row per unit with its tower (a row with only the tower
//! columns names a tower without units):
//!
//! ```text
//! tower_id,tower_external_id,tower_name,unit_id,unit_external_id,unit_name
//! 670000000000000000000001,DAMAC-TWR-01,Marina Tower 1,670000000000000000000002,UNIT-0101,0101
//! ```
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Error;

mod csv;
mod edit;
mod file;

pub use csv::{PLACE_TEXT_MAX, PLACES_COLUMNS, PLACES_FILE_MAX, PLACES_MAX};
pub use edit::{PlaceEdit, PlaceKind, PlaceRow, PlacesExport};
pub(crate) use file::open;

/// The directory's file, in the profile's folder.
pub const PLACES_FILE: &str = "places.csv";
/// A place as it is shown: its words, and its ids for a hover.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlaceLabel {
    /// "Marina Tower 2 · 1004", or external ids, or short ids.
    pub text: String,
    /// "tower 6700…0034 · unit 6700…0035": the full ids.
    pub ids: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Named {
    external_id: String,
    name: String,
}

/// A profile's directory of towers and units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    towers: HashMap<String, Named>,
    /// Units by id, with their tower's id.
    units: HashMap<String, (String, Named)>,
}
/// The last `n` characters of an id after an ellipsis: `…000034`.
fn short(id: &str) -> String {
    let n = id.chars().count();
    if n <= 8 {
        id.to_owned()
    } else {
        format!("…{}", id.chars().skip(n - 6).collect::<String>())
    }
}

fn first_non_empty<'a>(choices: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    choices.into_iter().map(str::trim).find(|s| !s.is_empty())
}
impl Places {
    pub fn len(&self) -> usize {
        self.towers.len() + self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many towers and units it names.
    pub fn counts(&self) -> (usize, usize) {
        (self.towers.len(), self.units.len())
    }

    /// A tower's external id and name, if the directory has it.
    pub fn tower(&self, id: &str) -> Option<(&str, &str)> {
        self.towers
            .get(id)
            .map(|t| (t.external_id.as_str(), t.name.as_str()))
    }

    /// A unit's tower id, external id and name, if the directory has it.
    pub fn unit(&self, id: &str) -> Option<(&str, &str, &str)> {
        self.units
            .get(id)
            .map(|(t, u)| (t.as_str(), u.external_id.as_str(), u.name.as_str()))
    }

    /// Every tower: id, external id, name.
    pub fn towers(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.towers
            .iter()
            .map(|(id, t)| (id.as_str(), t.external_id.as_str(), t.name.as_str()))
    }

    /// Every unit: id, tower id, external id, name.
    pub fn units(&self) -> impl Iterator<Item = (&str, &str, &str, &str)> {
        self.units.iter().map(|(id, (t, u))| {
            (
                id.as_str(),
                t.as_str(),
                u.external_id.as_str(),
                u.name.as_str(),
            )
        })
    }

    /// Adds (or renames) a tower.
    pub fn set_tower(&mut self, id: &str, external_id: &str, name: &str) {
        self.towers.insert(
            id.to_owned(),
            Named {
                external_id: external_id.trim().to_owned(),
                name: name.trim().to_owned(),
            },
        );
    }

    /// Adds (or renames) a unit of `tower_id`.
    pub fn set_unit(&mut self, tower_id: &str, id: &str, external_id: &str, name: &str) {
        self.units.insert(
            id.to_owned(),
            (
                tower_id.to_owned(),
                Named {
                    external_id: external_id.trim().to_owned(),
                    name: name.trim().to_owned(),
                },
            ),
        );
    }

    /// How a place reads: the directory's name, else an external id (the directory's, else the
    /// permit's own), else a short id; the full ids for a hover.
    pub fn label(
        &self,
        property_id: &str,
        flat_id: &str,
        property_external_id: Option<&str>,
        flat_external_id: Option<&str>,
    ) -> PlaceLabel {
        let tower = self.towers.get(property_id);
        let unit = self.units.get(flat_id).map(|(_, u)| u);
        let part = |named: Option<&Named>, ext: Option<&str>, id: &str| -> Option<String> {
            first_non_empty([
                named.map_or("", |n| n.name.as_str()),
                named.map_or("", |n| n.external_id.as_str()),
                ext.unwrap_or(""),
            ])
            .map(str::to_owned)
            .or_else(|| (!id.trim().is_empty()).then(|| short(id)))
        };
        let text = [
            part(tower, property_external_id, property_id),
            part(unit, flat_external_id, flat_id),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        let ids = [("tower", property_id), ("unit", flat_id)]
            .into_iter()
            .filter(|(_, id)| !id.is_empty())
            .map(|(what, id)| format!("{what} {id}"))
            .collect::<Vec<_>>()
            .join(" · ");
        PlaceLabel { text, ids }
    }
}

impl Places {
    /// A sandbox's towers and units: its names, with a unit named by its number (the sandbox
    /// names units "Marina Tower 2 1004").
    pub fn of_sandbox(properties: &[gatehouse_sandbox::Property]) -> Places {
        let mut places = Places::default();
        for p in properties {
            places.set_tower(&p.id, &p.external_id, &p.name);
            for f in &p.flats {
                let number = f
                    .name
                    .strip_prefix(p.name.as_str())
                    .map_or(f.name.as_str(), str::trim);
                places.set_unit(&p.id, &f.id, &f.external_id, number);
            }
        }
        places
    }
}
/// A tower or a unit the permits filter can be narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlaceOption {
    /// The tower's id; for a unit, its tower's.
    pub property_id: String,
    /// The unit's id; `None` for a tower.
    pub flat_id: Option<String>,
    /// How it reads: "Aykon Heights", "Aykon Heights · 0101".
    pub text: String,
    /// Its external ids, for a search by them: "DAMAC-TWR-02 UNIT-0101".
    pub external: String,
}

impl Places {
    /// Every tower, each followed by its units, in the order they read: what the place picker
    /// offers.
    pub fn options(&self) -> Vec<PlaceOption> {
        let mut towers: Vec<PlaceOption> = self
            .towers
            .iter()
            .map(|(tid, t)| PlaceOption {
                property_id: tid.clone(),
                flat_id: None,
                text: self.label(tid, "", None, None).text,
                external: t.external_id.clone(),
            })
            .collect();
        towers.sort_by(|a, b| (&a.text, &a.property_id).cmp(&(&b.text, &b.property_id)));
        let mut out = Vec::with_capacity(self.len());
        for tower in towers {
            let tower_ext = self
                .towers
                .get(&tower.property_id)
                .map_or("", |t| t.external_id.as_str());
            let mut units: Vec<PlaceOption> = self
                .units
                .iter()
                .filter(|(_, (tid, _))| *tid == tower.property_id)
                .map(|(uid, (tid, u))| PlaceOption {
                    property_id: tid.clone(),
                    flat_id: Some(uid.clone()),
                    text: self.label(tid, uid, None, None).text,
                    external: format!("{tower_ext} {}", u.external_id).trim().to_owned(),
                })
                .collect();
            units.sort_by(|a, b| (&a.text, &a.flat_id).cmp(&(&b.text, &b.flat_id)));
            out.push(tower);
            out.extend(units);
        }
        out
    }
}

/// What the profile's directory holds, as Settings and `gatehouse places` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlacesView {
    pub towers: u32,
    pub units: u32,
    /// Why the places file could not be read (it was set aside), if it could not.
    pub problem: Option<String>,
}

impl crate::Community {
    pub fn places_view(&self) -> PlacesView {
        let (towers, units) = self.places().counts();
        PlacesView {
            towers: u32::try_from(towers).unwrap_or(u32::MAX),
            units: u32::try_from(units).unwrap_or(u32::MAX),
            problem: self.places_problem(),
        }
    }

    /// Makes the directory in `csv` the profile's, replacing the one it had. A file with a bad
    /// row changes nothing.
    pub fn import_places(&self, csv: &[u8]) -> Result<PlacesView, Error> {
        self.set_places(Places::parse(csv)?)?;
        Ok(self.places_view())
    }

    /// The towers and units the permits filter offers.
    pub fn place_options(&self) -> Vec<PlaceOption> {
        self.places().options()
    }

    /// The profile's directory as its CSV.
    pub fn export_places(&self) -> Vec<u8> {
        self.places().to_csv()
    }
}
