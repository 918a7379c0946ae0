//! What each identifier type accepts, checked before anything is sent, with a sentence a desk
//! can act on [DOC §2.2: card/UKEY hex or decimal; inputCode decimal digits; qr a UUID;
//! license_plate 1..100 characters].

use gatehouse_basip::{IdentifierType, Representation, inf};
use uuid::Uuid;

use crate::number::{CardNumber, NumberError};

/// An identifier's number, checked for its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Checked {
    Card(CardNumber),
    Ukey(CardNumber),
    /// A keypad PIN (`inputCode`).
    Pin(String),
    Qr(Uuid),
    /// A licence plate, trimmed, its spaces single, upper case.
    Plate(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error(transparent)]
    Number(#[from] NumberError),
    #[error("a PIN is {min} to {max} digits, nothing else", min = inf::PIN_DIGITS.start(), max = inf::PIN_DIGITS.end())]
    Pin,
    #[error("a QR identifier is a UUID (such as 91c615e3-1040-4815-8ecb-039a18b756b5)")]
    Qr,
    #[error("a licence plate is 1 to {max} letters, digits and spaces", max = inf::PLATE_CHARS.end())]
    Plate,
    #[error("Gatehouse does not provision {0} identifiers")]
    Unsupported(String),
}

/// Checks `written` as an identifier of `kind`.
pub fn checked(kind: &IdentifierType, written: &str) -> Result<Checked, IdentifierError> {
    let s = written.trim();
    match kind {
        IdentifierType::Card => Ok(Checked::Card(CardNumber::parse_any(s)?)),
        IdentifierType::Ukey => Ok(Checked::Ukey(CardNumber::parse_any(s)?)),
        IdentifierType::InputCode => {
            if inf::PIN_DIGITS.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
                Ok(Checked::Pin(s.to_owned()))
            } else {
                Err(IdentifierError::Pin)
            }
        }
        IdentifierType::Qr => Uuid::parse_str(s)
            .map(Checked::Qr)
            .map_err(|_| IdentifierError::Qr),
        IdentifierType::LicensePlate => {
            let plate = s
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase();
            let ok = inf::PLATE_CHARS.contains(&plate.chars().count())
                && plate
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == ' ' || c == '-');
            if ok {
                Ok(Checked::Plate(plate))
            } else {
                Err(IdentifierError::Plate)
            }
        }
        other @ (IdentifierType::FaceId | IdentifierType::Unknown(_)) => {
            Err(IdentifierError::Unsupported(other.as_str().to_owned()))
        }
    }
}

impl Checked {
    pub fn kind(&self) -> IdentifierType {
        match self {
            Checked::Card(_) => IdentifierType::Card,
            Checked::Ukey(_) => IdentifierType::Ukey,
            Checked::Pin(_) => IdentifierType::InputCode,
            Checked::Qr(_) => IdentifierType::Qr,
            Checked::Plate(_) => IdentifierType::LicensePlate,
        }
    }

    /// Whether the panel's representation decides how this number is written.
    pub fn needs_representation(&self) -> bool {
        matches!(self, Checked::Card(_) | Checked::Ukey(_))
    }

    /// The number as it is sent to a panel in `representation`.
    pub fn on_wire(&self, representation: &Representation) -> Result<String, NumberError> {
        match self {
            Checked::Card(c) | Checked::Ukey(c) => c.on_wire(representation),
            Checked::Pin(p) => Ok(p.clone()),
            Checked::Qr(u) => Ok(u.hyphenated().to_string()),
            Checked::Plate(p) => Ok(p.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_takes_its_own_forms_and_refuses_with_a_sentence() {
        let ok = |k: IdentifierType, s: &str| checked(&k, s).unwrap();
        assert_eq!(
            ok(IdentifierType::InputCode, " 4821 "),
            Checked::Pin("4821".into())
        );
        assert_eq!(
            ok(IdentifierType::LicensePlate, " dubai  a 12345 "),
            Checked::Plate("DUBAI A 12345".into())
        );
        let qr = ok(
            IdentifierType::Qr,
            "91C615E310404815-8ECB-039A18B756B5"
                .replace('-', "")
                .as_str(),
        );
        assert_eq!(
            qr.on_wire(&Representation::Hex).unwrap(),
            "91c615e3-1040-4815-8ecb-039a18b756b5"
        );
        assert_eq!(
            ok(IdentifierType::Ukey, "028,15178")
                .on_wire(&Representation::Hex)
                .unwrap(),
            "1c-3b-4a"
        );
        for (kind, bad) in [
            (IdentifierType::InputCode, "12"),
            (IdentifierType::InputCode, "12a4"),
            (IdentifierType::InputCode, "123456789"),
            (IdentifierType::Qr, "not-a-uuid"),
            (IdentifierType::LicensePlate, ""),
            (IdentifierType::LicensePlate, "A<script>"),
            (IdentifierType::Card, "1c-3b-4"),
            (IdentifierType::FaceId, "x"),
        ] {
            let err = checked(&kind, bad).unwrap_err();
            assert!(err.to_string().len() > 10, "{kind} {bad:?}: {err}");
        }
        assert!(!ok(IdentifierType::InputCode, "1234").needs_representation());
        assert!(ok(IdentifierType::Card, "44").needs_representation());
    }
}
