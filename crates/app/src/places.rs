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
use std::path::Path;

use gatehouse_buzzin::inf;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Error;

/// The directory's file, in the profile's folder.
pub const PLACES_FILE: &str = "places.csv";

/// The CSV's columns, in order.
pub const PLACES_COLUMNS: [&str; 6] = [
    "tower_id",
    "tower_external_id",
    "tower_name",
    "unit_id",
    "unit_external_id",
    "unit_name",
];

/// The longest name or external id kept, in characters.
pub const PLACE_TEXT_MAX: usize = 80;

/// The most rows a directory holds.
pub const PLACES_MAX: usize = 100_000;

/// The largest places CSV taken, in bytes.
pub const PLACES_FILE_MAX: usize = 16 * 1024 * 1024;

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

#[derive(Debug, Default, Serialize, Deserialize)]
struct Row {
    #[serde(default)]
    tower_id: String,
    #[serde(default)]
    tower_external_id: String,
    #[serde(default)]
    tower_name: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    unit_external_id: String,
    #[serde(default)]
    unit_name: String,
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

    /// Reads a directory from its CSV. Every row is checked; the first bad one is named with its
    /// line and nothing is taken.
    pub fn parse(csv_text: &[u8]) -> Result<Places, Error> {
        if csv_text.len() > PLACES_FILE_MAX {
            return Err(Error::invalid_input(format!(
                "The places file is larger than {} MB.",
                PLACES_FILE_MAX / (1024 * 1024)
            )));
        }
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(csv_text);
        let headers = reader
            .headers()
            .map_err(|e| Error::invalid_input(format!("The places file cannot be read: {e}.")))?
            .clone();
        let missing: Vec<&str> = ["tower_id", "unit_id"]
            .into_iter()
            .filter(|c| !headers.iter().any(|h| h == *c))
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid_input(format!(
                "The places file has no {} column: its header must be {}.",
                missing.join(" or "),
                PLACES_COLUMNS.join(",")
            )));
        }
        let mut places = Places::default();
        for (i, row) in reader.deserialize::<Row>().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| {
                Error::invalid_input(format!("Line {line} of the places file: {e}."))
            })?;
            if i >= PLACES_MAX {
                return Err(Error::invalid_input(format!(
                    "The places file has more than {PLACES_MAX} rows."
                )));
            }
            check_row(&row, line)?;
            if let Some((tower, _)) = places.units.get(&row.unit_id)
                && !row.unit_id.is_empty()
                && tower != &row.tower_id
            {
                return Err(Error::invalid_input(format!(
                    "Line {line} of the places file puts unit {} in tower {}, an earlier line in tower {tower}.",
                    row.unit_id, row.tower_id
                )));
            }
            let known = places
                .towers
                .get(&row.tower_id)
                .cloned()
                .unwrap_or_default();
            places.set_tower(
                &row.tower_id,
                first_non_empty([row.tower_external_id.as_str(), &known.external_id]).unwrap_or(""),
                first_non_empty([row.tower_name.as_str(), &known.name]).unwrap_or(""),
            );
            if !row.unit_id.is_empty() {
                places.set_unit(
                    &row.tower_id,
                    &row.unit_id,
                    &row.unit_external_id,
                    &row.unit_name,
                );
            }
        }
        Ok(places)
    }

    /// The directory as its CSV: towers in name order, each with its units in name order.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut towers: Vec<(&String, &Named)> = self.towers.iter().collect();
        towers.sort_by(|a, b| (&a.1.name, a.0).cmp(&(&b.1.name, b.0)));
        for (tid, t) in towers {
            let mut units: Vec<(&String, &Named)> = self
                .units
                .iter()
                .filter(|(_, (tower, _))| tower == tid)
                .map(|(id, (_, u))| (id, u))
                .collect();
            units.sort_by(|a, b| (&a.1.name, a.0).cmp(&(&b.1.name, b.0)));
            let tower_row = |unit: Option<(&String, &Named)>| Row {
                tower_id: tid.clone(),
                tower_external_id: t.external_id.clone(),
                tower_name: t.name.clone(),
                unit_id: unit.map(|u| u.0.clone()).unwrap_or_default(),
                unit_external_id: unit.map(|u| u.1.external_id.clone()).unwrap_or_default(),
                unit_name: unit.map(|u| u.1.name.clone()).unwrap_or_default(),
            };
            if units.is_empty() {
                w.serialize(tower_row(None)).expect("a row serialises");
            }
            for u in units {
                w.serialize(tower_row(Some(u))).expect("a row serialises");
            }
        }
        if self.towers.is_empty() {
            w.write_record(PLACES_COLUMNS).expect("a header writes");
        }
        w.into_inner().expect("writing to memory")
    }

    /// The profile's directory, empty when it has none yet.
    pub fn load(path: &Path) -> Result<Places, Error> {
        match std::fs::read(path) {
            Ok(bytes) => Places::parse(&bytes).map_err(|e| {
                Error::invalid_input(format!("{} is damaged: {}", path.display(), e.message))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Places::default()),
            Err(e) => Err(Error::storage(format!(
                "Cannot read {}: {e}.",
                path.display()
            ))),
        }
    }

    /// Writes the directory, private, replacing the file whole.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let csv = self.to_csv();
        gatehouse_cache::files::write_private(path, |w| w.write_all(&csv))
            .map_err(|e| Error::storage(format!("Cannot write {}: {e}.", path.display())))
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

/// The directory at `path`; one that cannot be read is set aside (kept, as
/// `places.csv.unreadable-<unix seconds>`), an empty one is used, and why is returned.
pub(crate) fn open(path: &Path) -> (std::sync::Arc<Places>, Option<String>) {
    match Places::load(path) {
        Ok(p) => (std::sync::Arc::new(p), None),
        Err(e) => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let aside = path.with_extension(format!("csv.unreadable-{secs}"));
            let why = match std::fs::rename(path, &aside) {
                Ok(()) => format!("{} It was kept as {}.", e.message, aside.display()),
                Err(_) => e.message,
            };
            tracing::warn!(problem = %why, "the places file was not read");
            (std::sync::Arc::new(Places::default()), Some(why))
        }
    }
}

fn check_row(row: &Row, line: usize) -> Result<(), Error> {
    let bad = |what: String| {
        Err(Error::invalid_input(format!(
            "Line {line} of the places file: {what}."
        )))
    };
    if !inf::is_id(&row.tower_id) {
        return bad(format!(
            "{} is not a tower id",
            crate::validate::quoted(&row.tower_id)
        ));
    }
    if !row.unit_id.is_empty() && !inf::is_id(&row.unit_id) {
        return bad(format!(
            "{} is not a unit id",
            crate::validate::quoted(&row.unit_id)
        ));
    }
    for (column, text) in [
        ("tower_external_id", &row.tower_external_id),
        ("tower_name", &row.tower_name),
        ("unit_external_id", &row.unit_external_id),
        ("unit_name", &row.unit_name),
    ] {
        if text.chars().count() > PLACE_TEXT_MAX {
            return bad(format!(
                "{column} is longer than {PLACE_TEXT_MAX} characters"
            ));
        }
        if text.chars().any(gatehouse_buzzin::inert::is_unsafe) {
            return bad(format!("{column} holds control or direction characters"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "tower_id,tower_external_id,tower_name,unit_id,unit_external_id,unit_name\n\
        T1,DAMAC-TWR-02,Marina Tower 2,U1,UNIT-1004,1004\n\
        T1,,,U2,UNIT-1005,\n\
        T2,DAMAC-TWR-03,,,,\n";

    #[test]
    fn a_place_reads_by_name_then_external_id_then_short_id() {
        let places = Places::parse(CSV.as_bytes()).unwrap();
        assert_eq!(places.counts(), (2, 2));
        let l = places.label("T1", "U1", None, None);
        assert_eq!(l.text, "Marina Tower 2 · 1004");
        assert_eq!(l.ids, "tower T1 · unit U1");
        assert_eq!(
            places.label("T1", "U2", None, None).text,
            "Marina Tower 2 · UNIT-1005"
        );
        assert_eq!(places.label("T2", "", None, None).text, "DAMAC-TWR-03");
        let unknown = places.label(
            "670000000000000000000034",
            "670000000000000000000035",
            None,
            Some("UNIT-0712"),
        );
        assert_eq!(unknown.text, "…000034 · UNIT-0712");
        assert!(unknown.ids.contains("670000000000000000000035"));
    }

    #[test]
    fn export_then_import_gives_the_same_directory() {
        let places = Places::parse(CSV.as_bytes()).unwrap();
        let again = Places::parse(&places.to_csv()).unwrap();
        assert_eq!(again, places);
        assert_eq!(
            Places::parse(&Places::default().to_csv()).unwrap(),
            Places::default()
        );
    }

    #[test]
    fn a_bad_row_is_named_by_its_line_and_nothing_is_taken() {
        let cases = [
            ("name,id\nx,y\n", "no tower_id or unit_id column"),
            ("tower_id,unit_id\nT1,U1\nT 2,U2\n", "Line 3"),
            (
                "tower_id,unit_id\nT1,U1\nT2,U1\n",
                "earlier line in tower T1",
            ),
            (
                "tower_id,unit_id,unit_name\nT1,U1,a\u{202e}b\n",
                "direction characters",
            ),
            ("tower_id,unit_id\nT1,U1,extra\n", "Line 2"),
        ];
        for (csv, says) in cases {
            let err = Places::parse(csv.as_bytes()).unwrap_err();
            assert!(err.message.contains(says), "{csv:?}: {}", err.message);
        }
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

    /// The profile's directory as its CSV.
    pub fn export_places(&self) -> Vec<u8> {
        self.places().to_csv()
    }
}
