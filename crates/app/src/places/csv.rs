//! The directory's CSV: a header line, then one row per unit with its tower. Every row is
//! checked; a file with a bad one is refused whole, naming its line.

use gatehouse_buzzin::inf;
use serde::{Deserialize, Serialize};

use super::{Named, Places, first_non_empty};
use crate::Error;

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
impl Places {
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
    fn the_picker_offers_each_tower_then_its_units_by_name() {
        let places = Places::parse(CSV.as_bytes()).unwrap();
        let texts: Vec<String> = places.options().into_iter().map(|o| o.text).collect();
        assert_eq!(
            texts,
            [
                "DAMAC-TWR-03",
                "Marina Tower 2",
                "Marina Tower 2 · 1004",
                "Marina Tower 2 · UNIT-1005"
            ]
        );
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
