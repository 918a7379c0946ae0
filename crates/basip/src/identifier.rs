//! An identifier as a panel holds it (read leniently) and as Gatehouse writes it (strictly).

use std::num::NonZeroU32;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal $(| $alias:literal)*),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)*
            /// A value this build does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The documented spellings, in order.
            pub const KNOWN: &[$name] = &[$($name::$variant),*];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unknown(s) => s,
                }
            }

            pub fn parse(s: &str) -> $name {
                match s {
                    $($text $(| $alias)* => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::parse(&String::deserialize(d)?))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// What kind of identifier [DOC]. The lift controller spells the PIN `input_code`.
    IdentifierType {
        Card = "card",
        Ukey = "ukey",
        InputCode = "inputCode" | "input_code",
        FaceId = "face_id",
        Qr = "qr",
        LicensePlate = "license_plate",
    }
}

wire_enum! {
    /// Which lock an identifier opens [DOC].
    Lock {
        First = "first",
        Second = "second",
        All = "all",
    }
}

wire_enum! {
    /// Whose an identifier is [DOC].
    OwnerType {
        Owner = "owner",
        Guest = "guest",
    }
}

/// An identifier number as panels send it: a string or an integer [DOC: "may be a string or an
/// integer"], kept as text. What it means depends on the panel's representation mode.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct WireNumber(pub String);

impl<'de> Deserialize<'de> for WireNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Whole(u64),
        }
        Ok(WireNumber(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Whole(n) => n.to_string(),
        }))
    }
}

impl std::fmt::Display for WireNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The owner of an identifier [DOC: `name` and `type` required on write].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default = "guest")]
    pub kind: OwnerType,
}

fn guest() -> OwnerType {
    OwnerType::Guest
}

/// `valid.time` as read: any of its fields may be missing or `null` (drivers send
/// `{"from": null, "is_permanent": true, "to": null}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOnWire {
    #[serde(default)]
    pub is_permanent: Option<bool>,
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
}

impl TimeOnWire {
    /// The rule this reads as, if it is one of the documented shapes.
    pub fn rule(&self) -> Option<TimeRule> {
        match (self.is_permanent, self.from, self.to) {
            (Some(true), _, _) => Some(TimeRule::Permanent),
            (Some(false), Some(from), Some(to)) => TimeRule::window(from, to).ok(),
            _ => None,
        }
    }
}

/// `valid.passes` as read. A `time` misplaced inside it by some drivers is not read: a panel
/// ignores it too [research, correction 4].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassesOnWire {
    #[serde(default)]
    pub is_permanent: Option<bool>,
    #[serde(default)]
    pub max_passes: Option<i64>,
}

impl PassesOnWire {
    pub fn rule(&self) -> Option<PassRule> {
        match (self.is_permanent, self.max_passes) {
            (Some(true), _) => Some(PassRule::Unlimited),
            (Some(false), Some(n)) => u32::try_from(n)
                .ok()
                .and_then(NonZeroU32::new)
                .map(PassRule::AtMost),
            _ => None,
        }
    }
}

/// `valid` as read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidOnWire {
    #[serde(default)]
    pub time: Option<TimeOnWire>,
    #[serde(default)]
    pub passes: Option<PassesOnWire>,
}

/// When an identifier opens, as Gatehouse sends it: only the two documented shapes
/// [DOC oneOf: `{is_permanent:true}` or `{is_permanent:false, from, to}`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRule {
    Permanent,
    /// Unix seconds; `to` is after `from`.
    Window {
        from: i64,
        to: i64,
    },
}

impl TimeRule {
    /// A window, refused unless it ends after it starts [DOC: `to` > `from`].
    pub fn window(from: i64, to: i64) -> Result<TimeRule, &'static str> {
        if to > from {
            Ok(TimeRule::Window { from, to })
        } else {
            Err("a window must end after it starts")
        }
    }
}

impl Serialize for TimeRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            TimeRule::Permanent => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("is_permanent", &true)?;
                m.end()
            }
            TimeRule::Window { from, to } => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("is_permanent", &false)?;
                m.serialize_entry("from", &from)?;
                m.serialize_entry("to", &to)?;
                m.end()
            }
        }
    }
}

/// How many times an identifier opens, as Gatehouse sends it [DOC oneOf: `{is_permanent:true}`
/// or `{is_permanent:false, max_passes ≥ 1}`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassRule {
    Unlimited,
    AtMost(NonZeroU32),
}

impl Serialize for PassRule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            PassRule::Unlimited => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("is_permanent", &true)?;
                m.end()
            }
            PassRule::AtMost(n) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("is_permanent", &false)?;
                m.serialize_entry("max_passes", &n.get())?;
                m.end()
            }
        }
    }
}

/// `valid` as Gatehouse sends it: both rules, always at their documented place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ValidRule {
    pub time: TimeRule,
    pub passes: PassRule,
}

/// An identifier as a panel lists or returns it. Older firmware puts `time` and `passes` at the
/// top level instead of inside `valid`: both are read ([`Identifier::time_rule`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    #[serde(default, alias = "uid")]
    pub identifier_uid: Option<i64>,
    #[serde(default)]
    pub identifier_owner: Option<Owner>,
    #[serde(default)]
    pub identifier_type: Option<IdentifierType>,
    #[serde(default)]
    pub identifier_number: Option<WireNumber>,
    #[serde(default)]
    pub lock: Option<Lock>,
    #[serde(default)]
    pub valid: Option<ValidOnWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeOnWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passes: Option<PassesOnWire>,
    #[serde(default)]
    pub link_id: Option<String>,
}

impl Identifier {
    /// Its time rule, from `valid.time` or the top-level `time` of older firmware.
    pub fn time_rule(&self) -> Option<TimeRule> {
        self.valid
            .as_ref()
            .and_then(|v| v.time.as_ref())
            .or(self.time.as_ref())
            .and_then(TimeOnWire::rule)
    }

    /// Its pass rule, from `valid.passes` or the top level.
    pub fn pass_rule(&self) -> Option<PassRule> {
        self.valid
            .as_ref()
            .and_then(|v| v.passes.as_ref())
            .or(self.passes.as_ref())
            .and_then(PassesOnWire::rule)
    }

    /// The owner's name, or "" when the panel sent none.
    pub fn owner_name(&self) -> &str {
        self.identifier_owner
            .as_ref()
            .map_or("", |o| o.name.as_str())
    }
}

/// One identifier in a batch write [DOC: `identifier_number` required per item; the type is
/// the query's].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewIdentifier {
    pub identifier_number: String,
    pub identifier_owner: Owner,
    pub lock: Lock,
    pub valid: ValidRule,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_documented_valid_shapes_are_sent() {
        let valid = ValidRule {
            time: TimeRule::window(100, 200).unwrap(),
            passes: PassRule::AtMost(NonZeroU32::new(3).unwrap()),
        };
        assert_eq!(
            serde_json::to_value(valid).unwrap(),
            json!({"time": {"is_permanent": false, "from": 100, "to": 200},
                   "passes": {"is_permanent": false, "max_passes": 3}})
        );
        let open = ValidRule {
            time: TimeRule::Permanent,
            passes: PassRule::Unlimited,
        };
        assert_eq!(
            serde_json::to_value(open).unwrap(),
            json!({"time": {"is_permanent": true}, "passes": {"is_permanent": true}}),
            "no nulls beside a permanent rule"
        );
        assert!(TimeRule::window(200, 200).is_err());
        assert!(TimeRule::window(200, 100).is_err());
    }

    #[test]
    fn identifiers_decode_leniently_in_both_placements() {
        // The camdroid 0.6.0 example: `time` and `passes` at the top level, an integer number
        // elsewhere, unknown fields.
        let old: Identifier = serde_json::from_value(json!({
            "identifier_owner": {"name": "Sherlock Holmes", "type": "owner"},
            "identifier_type": "ukey", "identifier_number": "12345678", "lock": "first",
            "time": {"is_permanent": false, "from": 1540819272, "to": 1540819300},
            "passes": {"is_permanent": false, "max_passes": 3},
            "apartment": {"uid": 3}, "time_profiles": {"count": 0, "uid_items": []}
        }))
        .unwrap();
        assert_eq!(
            old.time_rule(),
            Some(TimeRule::Window {
                from: 1540819272,
                to: 1540819300
            })
        );
        assert_eq!(
            old.pass_rule(),
            Some(PassRule::AtMost(NonZeroU32::new(3).unwrap()))
        );
        let new: Identifier = serde_json::from_value(json!({
            "identifier_uid": 7, "identifier_type": "input_code", "identifier_number": 1850186,
            "lock": "sideways",
            "valid": {"time": {"from": null, "is_permanent": true, "to": null},
                      "passes": {"is_permanent": true, "max_passes": 0,
                                 "time": {"is_permanent": false, "from": 1, "to": 2}}}
        }))
        .unwrap();
        assert_eq!(new.identifier_type, Some(IdentifierType::InputCode));
        assert_eq!(new.identifier_number, Some(WireNumber("1850186".into())));
        assert_eq!(new.lock, Some(Lock::Unknown("sideways".into())));
        assert_eq!(new.time_rule(), Some(TimeRule::Permanent));
        assert_eq!(new.pass_rule(), Some(PassRule::Unlimited));
        // A bounded rule without its numbers, or a zero pass count, is no rule at all.
        let odd: Identifier = serde_json::from_value(json!({
            "valid": {"time": {"is_permanent": false}, "passes": {"is_permanent": false, "max_passes": 0}}
        }))
        .unwrap();
        assert_eq!((odd.time_rule(), odd.pass_rule()), (None, None));
        let empty: Identifier = serde_json::from_value(json!({})).unwrap();
        assert_eq!(empty.owner_name(), "");
    }
}
