//! A card (or UKEY) number as one value: a canonical integer with its byte length, written in a
//! panel's representation only when it is sent. Never a bare string whose meaning depends on the
//! mode: `44` is card 44 on a decimal panel and card 68 on a hex one [DOC].

use gatehouse_basip::{Representation, inf};

/// A card number: the integer the card carries and how many bytes it spans (a 7-byte UID keeps
/// its leading zero bytes: `00-00-00-1a-2b-3c-4d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardNumber {
    value: u64,
    bytes: u8,
}

/// How a card number is written where it was read from (a card's print, a spreadsheet, a
/// panel). Bare digits are ambiguous; the form says how to read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenForm {
    /// Hex bytes, joined by `-` or `:` or not at all: `1c-3b-4a`, `1C:3B:4A`, `1C3B4A`.
    Hex,
    /// The card's number in decimal: `1850186`, `0001850186`.
    Decimal,
    /// Wiegand-26 facility code and card number: `028,15178` or `028/15178` (not `:`, which
    /// joins hex bytes).
    FacilityCard,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("a card number cannot be empty")]
    Empty,
    #[error(
        "“{0}” is not a card number: use hex bytes (1c-3b-4a), decimal (1850186) or facility,card (028,15178)"
    )]
    Unreadable(String),
    #[error("“{0}” is {1} bytes; a card number is at most 8")]
    TooLong(String, usize),
    #[error("facility code {0} is over 255 or card {1} over 65535 (a Wiegand-26 card)")]
    FacilityRange(u64, u64),
    #[error("card {0} has more than {max} decimal digits, which a panel in decimal mode cannot take: set the panel to hex", max = inf::DECIMAL_DIGITS_MAX)]
    TooLongForDecimal(u64),
    #[error(
        "the panel reads numbers in “{0}”, which Gatehouse does not know: set it to hex or decimal"
    )]
    UnknownRepresentation(String),
}

impl CardNumber {
    /// The card with this value, spanning at least `bytes` bytes (more if the value needs them).
    pub fn new(value: u64, bytes: u8) -> CardNumber {
        let needed = (8 - value.leading_zeros() / 8).max(1) as u8;
        CardNumber {
            value,
            bytes: bytes.clamp(1, 8).max(needed),
        }
    }

    pub fn value(&self) -> u64 {
        self.value
    }

    pub fn bytes(&self) -> u8 {
        self.bytes
    }

    /// Reads a number written in `form`.
    pub fn parse(written: &str, form: WrittenForm) -> Result<CardNumber, NumberError> {
        let s = written.trim();
        if s.is_empty() {
            return Err(NumberError::Empty);
        }
        let bad = || NumberError::Unreadable(s.to_owned());
        match form {
            WrittenForm::Hex => {
                let groups: Vec<&str> = if s.contains(['-', ':']) {
                    s.split(['-', ':']).collect()
                } else if s.len().is_multiple_of(2) {
                    (0..s.len())
                        .step_by(2)
                        .map(|i| s.get(i..i + 2).unwrap_or(""))
                        .collect()
                } else {
                    return Err(bad());
                };
                if groups
                    .iter()
                    .any(|g| g.len() != 2 || !g.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    return Err(bad());
                }
                if groups.len() > 8 {
                    return Err(NumberError::TooLong(s.to_owned(), groups.len()));
                }
                let value = groups.iter().fold(0u64, |v, g| {
                    (v << 8) | u64::from(u8::from_str_radix(g, 16).unwrap_or(0))
                });
                Ok(CardNumber::new(value, groups.len() as u8))
            }
            WrittenForm::Decimal => {
                if !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let value: u64 = s
                    .parse()
                    .map_err(|_| NumberError::TooLong(s.to_owned(), 9))?;
                Ok(CardNumber::new(value, inf::DECIMAL_MIN_BYTES))
            }
            WrittenForm::FacilityCard => {
                let (fc, cn) = s.split_once([',', '/']).ok_or_else(bad)?;
                let (fc, cn) = (fc.trim(), cn.trim());
                let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
                if !digits(fc) || !digits(cn) || fc.len() > 5 || cn.len() > 7 {
                    return Err(bad());
                }
                let (fc, cn): (u64, u64) = (
                    fc.parse().map_err(|_| bad())?,
                    cn.parse().map_err(|_| bad())?,
                );
                if fc > 0xFF || cn > 0xFFFF {
                    return Err(NumberError::FacilityRange(fc, cn));
                }
                Ok(CardNumber::new((fc << 16) | cn, 3))
            }
        }
    }

    /// Reads a number in whichever form it is plainly written: hex bytes when joined by `-` or
    /// `:` or holding a hex letter, facility,card with a comma or slash, decimal otherwise (bare
    /// digits read as decimal, as BAS-IP Link asks for them [DOC]).
    pub fn parse_any(written: &str) -> Result<CardNumber, NumberError> {
        let s = written.trim();
        let form = if s.contains([',', '/']) {
            WrittenForm::FacilityCard
        } else if s.contains(['-', ':']) || s.bytes().any(|b| b.is_ascii_alphabetic()) {
            WrittenForm::Hex
        } else {
            WrittenForm::Decimal
        };
        CardNumber::parse(s, form)
    }

    /// Reads a number as a panel in `representation` means it (what it lists, or what it would
    /// make of this string if it were sent).
    pub fn from_panel(
        text: &str,
        representation: &Representation,
    ) -> Result<CardNumber, NumberError> {
        match representation {
            Representation::Hex => CardNumber::parse(text, WrittenForm::Hex),
            Representation::Decimal => CardNumber::parse(text, WrittenForm::Decimal),
            Representation::Unknown(r) => Err(NumberError::UnknownRepresentation(r.clone())),
        }
    }

    /// The number as a panel in `representation` must be sent it: hex bytes (at least two, as
    /// the pattern asks) lower case and joined by `-`, or decimal digits.
    pub fn on_wire(&self, representation: &Representation) -> Result<String, NumberError> {
        match representation {
            Representation::Hex => Ok(self.hex()),
            Representation::Decimal => {
                let d = self.value.to_string();
                if d.len() > inf::DECIMAL_DIGITS_MAX {
                    Err(NumberError::TooLongForDecimal(self.value))
                } else {
                    Ok(d)
                }
            }
            Representation::Unknown(r) => Err(NumberError::UnknownRepresentation(r.clone())),
        }
    }

    /// Hex bytes, lower case, joined by `-`: `1c-3b-4a`.
    pub fn hex(&self) -> String {
        let n = usize::from(self.bytes).max(*inf::HEX_BYTES.start());
        (0..n)
            .rev()
            .map(|i| format!("{:02x}", (self.value >> (8 * i)) & 0xFF))
            .collect::<Vec<_>>()
            .join(&inf::HEX_SEPARATOR.to_string())
    }

    /// Facility code and card number, when the card is a 24-bit (Wiegand-26) one: `028,15178`.
    pub fn facility_card(&self) -> Option<String> {
        (self.value <= 0xFF_FFFF)
            .then(|| format!("{:03},{:05}", self.value >> 16, self.value & 0xFFFF))
    }
}

impl std::fmt::Display for CardNumber {
    /// Both ways a desk reads a card: `1850186 (1c-3b-4a)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.value, self.hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_references_example_is_one_card_in_every_form() {
        let card = CardNumber::parse_any("1c-3b-4a").unwrap();
        assert_eq!(card.value(), 1_850_186);
        for written in [
            "1850186",
            "0001850186",
            "028,15178",
            "28/15178",
            "1C:3B:4A",
            "1C3B4A",
            " 1c-3b-4a ",
        ] {
            assert_eq!(
                CardNumber::parse_any(written).unwrap().value(),
                1_850_186,
                "{written}"
            );
        }
        assert_eq!(card.on_wire(&Representation::Hex).unwrap(), "1c-3b-4a");
        assert_eq!(card.on_wire(&Representation::Decimal).unwrap(), "1850186");
        assert_eq!(card.facility_card().as_deref(), Some("028,15178"));
        assert_eq!(card.to_string(), "1850186 (1c-3b-4a)");
    }

    #[test]
    fn forty_four_is_card_44_in_decimal_mode_and_card_68_in_hex_mode() {
        let dec = CardNumber::from_panel("44", &Representation::Decimal).unwrap();
        let hex = CardNumber::from_panel("44", &Representation::Hex).unwrap();
        assert_eq!((dec.value(), hex.value()), (44, 68));
        // Sent to each panel in its own mode, card 68 is two different strings.
        let card = CardNumber::parse("68", WrittenForm::Decimal).unwrap();
        assert_eq!(card.on_wire(&Representation::Decimal).unwrap(), "68");
        assert_eq!(card.on_wire(&Representation::Hex).unwrap(), "00-00-44");
        assert!(CardNumber::from_panel("44", &Representation::Unknown("oct".into())).is_err());
    }

    #[test]
    fn long_uids_keep_their_bytes_and_go_as_hex() {
        let uid = CardNumber::parse_any("00-00-00-1A-2B-3C-4D").unwrap();
        assert_eq!(uid.bytes(), 7);
        assert_eq!(
            uid.on_wire(&Representation::Hex).unwrap(),
            "00-00-00-1a-2b-3c-4d"
        );
        let big = CardNumber::parse_any("04-a2-19-8c-7f-61-80").unwrap();
        assert!(matches!(
            big.on_wire(&Representation::Decimal),
            Err(NumberError::TooLongForDecimal(_))
        ));
        assert_eq!(big.facility_card(), None);
        // A one-byte card still goes as two hex bytes: the pattern asks for at least two.
        assert_eq!(CardNumber::new(5, 1).hex(), "00-05");
    }

    #[test]
    fn what_is_not_a_card_number_is_said_before_anything_is_sent() {
        for bad in [
            "",
            "  ",
            "1c-3b-4",
            "1c-3g-4a",
            "1C3B4",
            "12a",
            "0x1c3b4a",
            "256,1",
            "1,65536",
            "1,",
            ",5",
            "12-34-56-78-9a-bc-de-f0-11",
        ] {
            let err = CardNumber::parse_any(bad).unwrap_err();
            assert!(!err.to_string().is_empty(), "{bad}");
        }
        assert!(matches!(
            CardNumber::parse_any("99999999999999999999999"),
            Err(NumberError::TooLong(..))
        ));
    }
}
