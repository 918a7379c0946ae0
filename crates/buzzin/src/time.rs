//! Timestamps as Buzz-In writes them: ISO-8601 UTC with milliseconds, `2026-07-01T06:00:00.000Z`
//! [DOC]. Any RFC 3339 time is accepted on input; output is always that exact form.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now())
    }

    /// Parses any RFC 3339 timestamp; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| Self(t.with_timezone(&Utc)))
    }

    pub fn from_millis(ms: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(ms).map(Self)
    }

    pub fn millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The canonical wire form, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn to_wire(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

/// A time as the community reads it, in its own zone ([`crate::inf::COMMUNITY_UTC_OFFSET_SECS`]):
/// `22 Nov 2026 18:00`.
pub fn community_time(t: Timestamp) -> String {
    let zone = chrono::FixedOffset::east_opt(crate::inf::COMMUNITY_UTC_OFFSET_SECS)
        .expect("a valid offset");
    t.0.with_timezone(&zone)
        .format("%-d %b %Y %H:%M")
        .to_string()
}

/// The time of day as the community reads it: `18:00`.
pub fn community_clock(t: Timestamp) -> String {
    let zone = chrono::FixedOffset::east_opt(crate::inf::COMMUNITY_UTC_OFFSET_SECS)
        .expect("a valid offset");
    t.0.with_timezone(&zone).format("%H:%M").to_string()
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Timestamp::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not an ISO-8601 timestamp")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_milliseconds_and_z() {
        let t = Timestamp::parse("2026-07-01T10:00:00+04:00").unwrap();
        assert_eq!(t.to_wire(), "2026-07-01T06:00:00.000Z");
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        assert!(Timestamp::parse("2026-07-01").is_none());
        assert!(serde_json::from_str::<Timestamp>("\"tomorrow\"").is_err());
    }
}
