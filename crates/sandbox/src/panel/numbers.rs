//! The simulator's reading of identifier numbers (its own reading of the reference, never the
//! client's): a card or UKEY number means a different card in each representation mode, as a
//! panel does it [DOC §2.4: `44` is card 44 in decimal mode, card 68 in hex mode].

use serde::{Deserialize, Serialize};

/// How the panel reads and renders card numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Hex,
    Dec,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s.to_ascii_lowercase().as_str() {
            "hex" => Some(Mode::Hex),
            "dec" | "decimal" => Some(Mode::Dec),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Hex => "hex",
            Mode::Dec => "dec",
        }
    }
}

/// What the panel holds a number as: cards by their value, the rest by their text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Key {
    Card(u64),
    Text(String),
}

fn is_card(kind: &str) -> bool {
    kind == "card" || kind == "ukey"
}

/// Reads `text` as a number of `kind` on a panel in `mode`; `None` is the panel's "bad number
/// format".
pub fn read(kind: &str, text: &str, mode: Mode) -> Option<Key> {
    let t = text.trim();
    if is_card(kind) {
        let grouped = t.contains(['-', ':']);
        return match mode {
            Mode::Dec => {
                (!grouped && (1..=10).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| t.parse().ok())
                    .flatten()
                    .map(Key::Card)
            }
            Mode::Hex if grouped => {
                let groups: Vec<&str> = t.split(['-', ':']).collect();
                let ok = (2..=8).contains(&groups.len())
                    && groups
                        .iter()
                        .all(|g| g.len() == 2 && g.bytes().all(|b| b.is_ascii_hexdigit()));
                ok.then(|| hex::decode(groups.concat()).ok())
                    .flatten()
                    .map(|bytes| {
                        Key::Card(bytes.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
                    })
            }
            // Bare digits in hex mode are hex digits: the trap of the reference.
            Mode::Hex => ((1..=10).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| u64::from_str_radix(t, 16).ok())
                .flatten()
                .map(Key::Card),
        };
    }
    match kind {
        "inputCode" => ((1..=16).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Key::Text(t.to_owned())),
        "qr" => uuid::Uuid::parse_str(t)
            .ok()
            .map(|u| Key::Text(u.hyphenated().to_string())),
        "license_plate" => {
            (!t.is_empty() && t.chars().count() <= 100).then(|| Key::Text(t.to_owned()))
        }
        _ => None,
    }
}

/// The number as the panel shows it in `mode`: hex bytes (at least three) joined by `-`, or
/// decimal digits.
pub fn render(key: &Key, mode: Mode) -> String {
    match (key, mode) {
        (Key::Card(v), Mode::Dec) => v.to_string(),
        (Key::Card(v), Mode::Hex) => {
            let bytes = v.to_be_bytes();
            let first = bytes.iter().position(|b| *b != 0).unwrap_or(7).min(5);
            bytes[first..]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join("-")
        }
        (Key::Text(t), _) => t.clone(),
    }
}

/// The identifier types a panel knows [DOC].
pub const TYPES: &[&str] = &[
    "card",
    "ukey",
    "inputCode",
    "face_id",
    "qr",
    "license_plate",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_string_is_another_card_in_the_other_mode() {
        assert_eq!(read("card", "44", Mode::Dec), Some(Key::Card(44)));
        assert_eq!(read("card", "44", Mode::Hex), Some(Key::Card(68)));
        assert_eq!(
            read("card", "1c-3b-4a", Mode::Hex),
            Some(Key::Card(1_850_186))
        );
        assert_eq!(
            read("card", "1850186", Mode::Dec),
            Some(Key::Card(1_850_186))
        );
        assert_eq!(
            read("card", "1c-3b-4a", Mode::Dec),
            None,
            "hex bytes on a decimal panel"
        );
        assert_eq!(read("card", "1c-3b", Mode::Hex), Some(Key::Card(0x1c3b)));
        assert_eq!(
            read("card", "1c", Mode::Hex),
            None,
            "a bare hex letter is not a number"
        );
        assert_eq!(render(&Key::Card(1_850_186), Mode::Hex), "1c-3b-4a");
        assert_eq!(render(&Key::Card(68), Mode::Hex), "00-00-44");
        assert_eq!(read("qr", "not", Mode::Hex), None);
        assert_eq!(
            read("inputCode", "4821", Mode::Hex),
            Some(Key::Text("4821".into()))
        );
    }
}
