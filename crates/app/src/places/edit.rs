//! Places named one by one (Settings): every tower and unit the directory or the cached permits
//! know, with how each reads now, and a name given to one of them; the directory exported as
//! its CSV into the profile's exports folder.

use std::collections::HashMap;
use std::path::PathBuf;

use gatehouse_buzzin::inf;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{PLACE_TEXT_MAX, Places};
use crate::community::storage;
use crate::{Community, Error};

gatehouse_buzzin::closed_enum! {
    /// A tower (a Buzz-In property) or a unit (a flat) in it.
    #[derive(TS)]
    pub enum PlaceKind {
        Tower = "tower",
        Unit = "unit",
    }
}

/// A place as Settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlaceRow {
    pub kind: PlaceKind,
    pub id: String,
    /// The tower's id; for a tower, its own.
    pub tower_id: String,
    /// DAMAC's id, from the directory or a permit ("" when neither has one).
    pub external_id: String,
    /// The directory's name ("" when it has none).
    pub name: String,
    /// How it reads everywhere now: "Marina Tower 2 · 1004", or its external or short id.
    pub text: String,
    /// How many cached permits are for it.
    pub permits: u32,
}

/// A name for one place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct PlaceEdit {
    pub kind: Option<PlaceKind>,
    pub id: String,
    /// For a unit: its tower's id.
    pub tower_id: Option<String>,
    /// DAMAC's id, kept with the name ("" keeps the one known).
    pub external_id: String,
    /// The name; "" takes the name away (the place reads by its external id again).
    pub name: String,
}

/// The directory's CSV, written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PlacesExport {
    pub path: String,
    pub towers: u32,
    pub units: u32,
    /// Why the file could not be shown in the desk's file manager.
    pub open_error: Option<String>,
}

#[derive(Default)]
struct Known {
    tower_id: String,
    external_id: String,
    name: String,
    permits: u32,
}

fn checked_text<'a>(what: &str, text: &'a str) -> Result<&'a str, Error> {
    let text = text.trim();
    if text.chars().count() > PLACE_TEXT_MAX {
        return Err(Error::invalid_input(format!(
            "A place's {what} is at most {PLACE_TEXT_MAX} characters."
        )));
    }
    if text.chars().any(gatehouse_buzzin::inert::is_unsafe) {
        return Err(Error::invalid_input(format!(
            "A place's {what} cannot hold control or direction characters."
        )));
    }
    Ok(text)
}

fn checked_id<'a>(what: &str, id: &'a str) -> Result<&'a str, Error> {
    let id = id.trim();
    if inf::is_id(id) {
        Ok(id)
    } else {
        Err(Error::invalid_input(format!(
            "{} is not a {what} id.",
            crate::validate::quoted(id)
        )))
    }
}

impl Community {
    /// Every tower and unit the directory names or a cached permit is for, each tower followed
    /// by its units, in the order they read.
    pub async fn place_rows(&self) -> Result<Vec<PlaceRow>, Error> {
        let places = self.places();
        let seen = self.cache().places_seen().await.map_err(storage)?;
        let mut towers: HashMap<String, Known> = HashMap::new();
        let mut units: HashMap<String, Known> = HashMap::new();
        for (id, external_id, name) in places.towers() {
            towers.insert(
                id.to_owned(),
                Known {
                    tower_id: id.to_owned(),
                    external_id: external_id.to_owned(),
                    name: name.to_owned(),
                    permits: 0,
                },
            );
        }
        for (id, tower_id, external_id, name) in places.units() {
            units.insert(
                id.to_owned(),
                Known {
                    tower_id: tower_id.to_owned(),
                    external_id: external_id.to_owned(),
                    name: name.to_owned(),
                    permits: 0,
                },
            );
        }
        for s in seen {
            if s.property_id.is_empty() {
                continue;
            }
            let t = towers
                .entry(s.property_id.clone())
                .or_insert_with(|| Known {
                    tower_id: s.property_id.clone(),
                    ..Known::default()
                });
            t.permits += s.permits;
            if t.external_id.is_empty() {
                t.external_id = s.property_external_id.clone().unwrap_or_default();
            }
            if s.flat_id.is_empty() {
                continue;
            }
            let u = units.entry(s.flat_id.clone()).or_insert_with(|| Known {
                tower_id: s.property_id.clone(),
                ..Known::default()
            });
            u.permits += s.permits;
            if u.external_id.is_empty() {
                u.external_id = s.flat_external_id.clone().unwrap_or_default();
            }
        }
        let tower_ext = |id: &str| towers.get(id).map(|t| t.external_id.as_str());
        let row = |kind, id: &str, k: &Known| {
            let text = match kind {
                PlaceKind::Tower => places.label(id, "", Some(&k.external_id), None).text,
                PlaceKind::Unit => {
                    places
                        .label(
                            &k.tower_id,
                            id,
                            tower_ext(&k.tower_id),
                            Some(&k.external_id),
                        )
                        .text
                }
            };
            PlaceRow {
                kind,
                id: id.to_owned(),
                tower_id: k.tower_id.clone(),
                external_id: k.external_id.clone(),
                name: k.name.clone(),
                text,
                permits: k.permits,
            }
        };
        let mut tower_rows: Vec<PlaceRow> = towers
            .iter()
            .map(|(id, k)| row(PlaceKind::Tower, id, k))
            .collect();
        tower_rows.sort_by(|a, b| (&a.text, &a.id).cmp(&(&b.text, &b.id)));
        let mut by_tower: HashMap<&str, Vec<PlaceRow>> = HashMap::new();
        for (id, k) in &units {
            by_tower
                .entry(k.tower_id.as_str())
                .or_default()
                .push(row(PlaceKind::Unit, id, k));
        }
        let mut out = Vec::with_capacity(towers.len() + units.len());
        for t in tower_rows {
            let mut us = by_tower.remove(t.id.as_str()).unwrap_or_default();
            us.sort_by(|a, b| (&a.text, &a.id).cmp(&(&b.text, &b.id)));
            out.push(t);
            out.extend(us);
        }
        Ok(out)
    }

    /// Names one place (or takes its name away), on disk at once.
    pub fn name_place(&self, edit: &PlaceEdit) -> Result<(), Error> {
        let kind = edit
            .kind
            .ok_or_else(|| Error::invalid_input("Say whether the place is a tower or a unit."))?;
        let id = checked_id(kind.as_str(), &edit.id)?;
        let name = checked_text("name", &edit.name)?;
        let external = checked_text("DAMAC id", &edit.external_id)?;
        let tower = match kind {
            PlaceKind::Tower => id,
            PlaceKind::Unit => checked_id("tower", edit.tower_id.as_deref().unwrap_or(""))?,
        };
        self.update_places(|p: &mut Places| {
            match kind {
                PlaceKind::Tower => {
                    let known = p.tower(id).map(|(e, _)| e.to_owned()).unwrap_or_default();
                    let ext = if external.is_empty() {
                        known.as_str()
                    } else {
                        external
                    };
                    p.set_tower(id, ext, name);
                }
                PlaceKind::Unit => {
                    let known = p.unit(id).map(|(_, e, _)| e.to_owned()).unwrap_or_default();
                    let ext = if external.is_empty() {
                        known.as_str()
                    } else {
                        external
                    };
                    p.set_unit(tower, id, ext, name);
                    // A unit's tower is in the directory too, with no name if it has none.
                    if p.tower(tower).is_none() {
                        p.set_tower(tower, "", "");
                    }
                }
            }
            Ok(())
        })
    }

    /// The directory as its CSV, written private to the profile's exports folder.
    pub fn export_places_file(&self) -> Result<(PathBuf, u32, u32), Error> {
        let places = self.places();
        let (towers, units) = places.counts();
        let stamp = gatehouse_buzzin::Timestamp::now().0.format("%Y%m%d-%H%M%S");
        let path = self
            .private_folder("exports")?
            .join(format!("places-{stamp}.csv"));
        let csv = places.to_csv();
        gatehouse_cache::files::write_private(&path, |w| w.write_all(&csv))
            .map_err(|e| Error::storage(format!("Cannot write {}: {e}.", path.display())))?;
        Ok((path, towers as u32, units as u32))
    }
}
