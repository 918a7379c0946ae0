//! The device: what it is, its login, its clock and its card representation.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::inf;

/// `GET /api/info`, served without login [CODE]. Every field is optional: models differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub firmware_version: Option<String>,
    #[serde(default)]
    pub framework_version: Option<String>,
    #[serde(default)]
    pub frontend_version: Option<String>,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default)]
    pub device_type: Option<String>,
    #[serde(default)]
    pub device_model: Option<String>,
    #[serde(default)]
    pub device_serial_number: Option<String>,
}

impl Info {
    /// The major number of `api_version` ("2.10.1" → 2), which picks the adapter.
    pub fn api_major(&self) -> Option<u32> {
        let v = self.api_version.as_deref()?.trim();
        let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
        v.split('.').next()?.parse().ok()
    }
}

/// The login answer [DOC: `{"token", "account_type"}`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub token: String,
    #[serde(default)]
    pub account_type: Option<String>,
}

/// `GET …/device/time` [CODE: `{time_unix, timezone}`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceTime {
    #[serde(default)]
    pub time_unix: Option<i64>,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// How a panel reads and writes card and UKEY numbers: the same string is a different card in
/// each mode (`44` is card 44 in decimal, card 68 in hex) [DOC].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Representation {
    Hex,
    Decimal,
    Unknown(String),
}

impl Representation {
    pub fn as_str(&self) -> &str {
        match self {
            Representation::Hex => inf::REPRESENTATION_HEX,
            Representation::Decimal => inf::REPRESENTATION_DEC,
            Representation::Unknown(s) => s,
        }
    }

    pub fn parse(s: &str) -> Representation {
        if s.eq_ignore_ascii_case(inf::REPRESENTATION_HEX) {
            Representation::Hex
        } else if s == inf::REPRESENTATION_DEC || inf::REPRESENTATION_DEC_ALIASES.contains(&s) {
            Representation::Decimal
        } else {
            Representation::Unknown(s.to_owned())
        }
    }
}

impl std::fmt::Display for Representation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Representation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Representation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Representation::parse(&String::deserialize(d)?))
    }
}

/// `…/access/general/wiegand/type` [CODE: `{"identifier_representation": "hex", "type":
/// "wiegand_58"}`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WiegandSetting {
    #[serde(default)]
    pub identifier_representation: Option<Representation>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub wiegand_type: Option<String>,
}

impl WiegandSetting {
    /// The setting Gatehouse writes before a card or UKEY write or delete.
    pub fn pinned(r: Representation) -> WiegandSetting {
        WiegandSetting {
            identifier_representation: Some(r),
            wiegand_type: Some(inf::WIEGAND_TYPE.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_api_major_picks_the_adapter_and_representations_read_leniently() {
        let info = |v: serde_json::Value| serde_json::from_value::<Info>(v).unwrap().api_major();
        assert_eq!(
            info(json!({"api_version": "2.10.1", "commit": "x"})),
            Some(2)
        );
        assert_eq!(info(json!({"api_version": "v1.8"})), Some(1));
        assert_eq!(info(json!({"api_version": "soon"})), None);
        assert_eq!(info(json!({})), None);
        let w: WiegandSetting =
            serde_json::from_value(json!({"identifier_representation": "HEX"})).unwrap();
        assert_eq!(w.identifier_representation, Some(Representation::Hex));
        let w: WiegandSetting = serde_json::from_value(
            json!({"identifier_representation": "decimal", "type": "wiegand_26"}),
        )
        .unwrap();
        assert_eq!(w.identifier_representation, Some(Representation::Decimal));
        assert_eq!(
            serde_json::to_value(WiegandSetting::pinned(Representation::Hex)).unwrap(),
            json!({"identifier_representation": "hex", "type": "wiegand_58"})
        );
    }
}
