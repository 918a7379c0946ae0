//! When a profile's expiry alerts are told, in the words a desk types: `72h, 24h, 2h`, `90m`,
//! `3d`. The CLI's `profile add --alerts` and the window's Settings read them here, and
//! Settings changes them for the open community while it runs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Error, Profiles, Session};

/// `90m`, `24h`, `3d` as minutes.
pub fn parse_one(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("\"{s}\" needs a unit: 90m, 24h or 3d"))?;
    let (n, unit) = s.split_at(split);
    let n: u32 = n
        .parse()
        .map_err(|_| format!("\"{s}\" must start with a whole number, like 24h"))?;
    let per = match unit.trim() {
        "m" | "min" => 1,
        "h" => 60,
        "d" => 24 * 60,
        _ => return Err(format!("unknown unit in \"{s}\": use m, h or d")),
    };
    match n.checked_mul(per) {
        Some(m) if m > 0 => Ok(m),
        _ => Err(format!("\"{s}\" must be a positive length of time")),
    }
}

/// `72h, 24h, 2h` as minutes; an empty text is `None` (the defaults).
pub fn parse(text: &str) -> Result<Option<Vec<u32>>, Error> {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    parts
        .iter()
        .map(|p| parse_one(p))
        .collect::<Result<Vec<u32>, String>>()
        .map(Some)
        .map_err(|e| Error::invalid_input(format!("Alert times: {e}.")))
}

/// Minutes as a desk types them, longest first: `72h, 24h, 90m`.
pub fn words(minutes: &[u32]) -> String {
    let mut m = minutes.to_vec();
    m.sort_unstable_by(|a, b| b.cmp(a));
    m.iter()
        .map(|&m| {
            if m % (24 * 60) == 0 && m >= 7 * 24 * 60 {
                format!("{}d", m / (24 * 60))
            } else if m % 60 == 0 {
                format!("{}h", m / 60)
            } else {
                format!("{m}m")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The open community's alert times, as Settings shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AlertTimes {
    /// Before a permit ends, longest first: `72h, 24h, 2h`.
    pub text: String,
    /// Whether they are the profile's own (not the defaults).
    pub custom: bool,
    /// Whether they can be changed here: a connected account's profile (the demo's are the
    /// defaults).
    pub editable: bool,
}

/// The defaults, in minutes.
const DEFAULT_MINUTES: [u32; 3] = [72 * 60, 24 * 60, 2 * 60];

impl Session {
    /// The open community's alert times.
    pub async fn alert_times(&self) -> Result<AlertTimes, Error> {
        let community = self.community().await;
        let profile = match community.profile_name() {
            Some(name) => Profiles::load(self.paths())?.get(name).ok().cloned(),
            None => None,
        };
        let own = profile.as_ref().and_then(|p| p.alert_minutes.clone());
        Ok(AlertTimes {
            text: words(own.as_deref().unwrap_or(&DEFAULT_MINUTES)),
            custom: own.is_some(),
            editable: profile.is_some(),
        })
    }

    /// Sets the open community's alert times from `text` (empty: the defaults), in its profile
    /// and for the alerts told from now on. Times that do not read change nothing.
    pub async fn set_alert_times(&self, text: &str) -> Result<AlertTimes, Error> {
        let community = self.community().await;
        let Some(name) = community.profile_name() else {
            return Err(Error::invalid_input(
                "The demo community tells at the default times; connect an account to set its own.",
            ));
        };
        let minutes = parse(text)?;
        let mut profiles = Profiles::load(self.paths())?;
        let profile = profiles.get(name)?.clone().with_alert_minutes(minutes)?;
        let thresholds = profile.alert_thresholds();
        profiles.add(profile)?;
        profiles.save(self.paths())?;
        community.set_thresholds(thresholds);
        self.alert_times().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_of_time_read_as_minutes() {
        assert_eq!(parse_one("90m"), Ok(90));
        assert_eq!(parse_one("24h"), Ok(1440));
        assert_eq!(parse_one("3d"), Ok(4320));
        assert_eq!(parse_one(" 2 h "), Ok(120));
        for bad in ["soon", "24", "0h", "h", "5w", "99999999d"] {
            assert!(parse_one(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn alert_times_read_and_read_back() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse(" 2h, 90m ,14d").unwrap(), Some(vec![120, 90, 20160]));
        assert_eq!(words(&[120, 4320, 90, 20160]), "14d, 72h, 2h, 90m");
        let err = parse("24h, soon").unwrap_err();
        assert!(
            err.message.contains("\"soon\" must start"),
            "{}",
            err.message
        );
    }
}
