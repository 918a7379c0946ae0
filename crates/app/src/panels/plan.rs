//! What a permit's crew puts on the panels: for each panel serving the permit's tower, one grant
//! per crew identifier, valid exactly for the permit's window (opened
//! [`inf::FROM_EARLY_MINUTES`] early, so a panel whose clock runs a little fast does not turn the
//! crew away), at most `max_passes` times when the admin sets it, opening the panel's lock, and
//! tagged as Gatehouse's with the pass number so it is found again.

use std::num::NonZeroU32;

use gatehouse_basip::{IdentifierType, Lock, Owner, OwnerType, PassRule, TimeRule, ValidRule, inf};
use gatehouse_buzzin::{Permit, StatusName, Timestamp};
use gatehouse_panels::{Grant, checked};

use super::PanelRecord;
use crate::Error;

/// The longest owner name written [INF: the docs give no limit; kept short enough for a panel's
/// screen].
pub const OWNER_NAME_MAX: usize = 64;

/// One identifier of the crew, as the admin typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrewIdentifier {
    pub kind: IdentifierType,
    /// As written: a card in any of its forms, a PIN, a plate.
    pub written: String,
    /// Whose it is (a worker's name, a vehicle).
    pub holder: String,
}

/// The grants one panel receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelPlan {
    pub panel: String,
    pub grants: Vec<Grant>,
}

/// The grants for `permit`'s crew on every panel that serves its tower, checked whole before
/// anything is sent: a permit that is not ACCEPTED, has ended, has no window or no tower, a
/// tower no panel serves, or an identifier in the wrong form is refused with a sentence.
pub fn plan(
    permit: &Permit,
    panels: &[PanelRecord],
    crew: &[CrewIdentifier],
    max_passes: Option<NonZeroU32>,
    now: Timestamp,
) -> Result<Vec<PanelPlan>, Error> {
    let pass = permit
        .pass_number
        .clone()
        .unwrap_or_else(|| permit.id.clone());
    if permit.status_name() != Some(StatusName::Accepted) {
        return Err(Error::refused(format!(
            "{pass} is {}, not ACCEPTED: only a live pass opens doors.",
            permit
                .status_name()
                .map_or("without a status".to_owned(), |s| s.to_string())
        )));
    }
    let (Some(from), Some(till)) = (permit.valid_from, permit.valid_till) else {
        return Err(Error::refused(format!("{pass} has no validity window.")));
    };
    if till.0 <= now.0 {
        return Err(Error::refused(format!("{pass} has ended.")));
    }
    let from = from.0.timestamp() - inf::FROM_EARLY_MINUTES * 60;
    let time = TimeRule::window(from, till.0.timestamp())
        .map_err(|e| Error::refused(format!("{pass}: {e}.")))?;
    let tower = permit
        .property_id
        .as_deref()
        .ok_or_else(|| Error::refused(format!("{pass} names no tower.")))?;
    let serving: Vec<&PanelRecord> = panels
        .iter()
        .filter(|p| p.towers.iter().any(|t| t == tower))
        .collect();
    if serving.is_empty() {
        return Err(Error::refused(format!(
            "No panel serves the tower of {pass} ({tower}): add one with `gatehouse panels add … --tower {tower}`."
        )));
    }
    if crew.is_empty() {
        return Err(Error::invalid_input(format!(
            "Name at least one card, PIN or plate for {pass}'s crew."
        )));
    }
    let ids = crew
        .iter()
        .map(|c| {
            checked(&c.kind, &c.written).map(|id| (id, c)).map_err(|e| {
                Error::invalid_input(format!("{} for {}: {e}.", c.written.trim(), c.holder))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let valid = ValidRule {
        time,
        passes: max_passes.map_or(PassRule::Unlimited, PassRule::AtMost),
    };
    Ok(serving
        .into_iter()
        .map(|p| PanelPlan {
            panel: p.name.clone(),
            grants: ids
                .iter()
                .map(|(id, c)| Grant {
                    id: id.clone(),
                    owner: Owner {
                        name: owner_name(&pass, &c.holder),
                        kind: OwnerType::Guest,
                    },
                    lock: Lock::parse(&p.lock),
                    valid,
                })
                .collect(),
        })
        .collect())
}

/// `GH WP-000123 Ali Hassan`, cut to [`OWNER_NAME_MAX`] characters.
fn owner_name(pass: &str, holder: &str) -> String {
    let holder = holder.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}{pass} {holder}", inf::OWNER_PREFIX)
        .trim_end()
        .chars()
        .take(OWNER_NAME_MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn permit(status: &str) -> Permit {
        serde_json::from_value(json!({
            "_id": "6a00000000000000000000aa", "passNumber": "WP-000123", "statusName": status,
            "propertyId": "tower-2", "validFrom": "2026-12-03T06:00:00.000Z", "validTill": "2026-12-05T14:00:00.000Z"
        }))
        .unwrap()
    }

    fn panel(name: &str, towers: &[&str], lock: &str) -> PanelRecord {
        PanelRecord {
            name: name.into(),
            url: "http://127.0.0.1:1".into(),
            username: "admin".into(),
            towers: towers.iter().map(|t| t.to_string()).collect(),
            lock: lock.into(),
            basic_auth: false,
        }
    }

    fn crew(kind: IdentifierType, written: &str, holder: &str) -> CrewIdentifier {
        CrewIdentifier {
            kind,
            written: written.into(),
            holder: holder.into(),
        }
    }

    fn now() -> Timestamp {
        Timestamp::parse("2026-12-03T08:00:00Z").unwrap()
    }

    #[test]
    fn each_panel_of_the_tower_gets_the_crew_for_exactly_the_window() {
        let panels = [
            panel("east", &["tower-2"], "first"),
            panel("west", &["tower-2", "tower-3"], "all"),
            panel("far", &["tower-9"], "first"),
        ];
        let crew = [
            crew(IdentifierType::Card, "028,15178", "Ali  Hassan"),
            crew(IdentifierType::InputCode, "4821", "Ravi"),
        ];
        let plans = plan(
            &permit("ACCEPTED"),
            &panels,
            &crew,
            NonZeroU32::new(20),
            now(),
        )
        .unwrap();
        assert_eq!(
            plans.iter().map(|p| p.panel.as_str()).collect::<Vec<_>>(),
            ["east", "west"]
        );
        let g = &plans[1].grants[0];
        assert_eq!(g.owner.name, "GH WP-000123 Ali Hassan");
        assert_eq!(g.lock, Lock::All);
        let from = Timestamp::parse("2026-12-03T06:00:00Z")
            .unwrap()
            .0
            .timestamp()
            - 5 * 60;
        let to = Timestamp::parse("2026-12-05T14:00:00Z")
            .unwrap()
            .0
            .timestamp();
        assert_eq!(g.valid.time, TimeRule::Window { from, to });
        assert_eq!(
            g.valid.passes,
            PassRule::AtMost(NonZeroU32::new(20).unwrap())
        );
        assert_eq!(plans[0].grants.len(), 2);
        assert_eq!(
            owner_name("WP-1", &"x".repeat(200)).chars().count(),
            OWNER_NAME_MAX
        );
    }

    #[test]
    fn what_cannot_open_a_door_is_refused_whole_with_a_sentence() {
        let panels = [panel("east", &["tower-2"], "first")];
        let ok = [crew(IdentifierType::Card, "1c-3b-4a", "Ali")];
        for (p, panels, crew, says) in [
            (permit("REVOKED"), &panels[..], &ok[..], "not ACCEPTED"),
            (permit("ACCEPTED"), &[][..], &ok[..], "No panel serves"),
            (permit("ACCEPTED"), &panels[..], &[][..], "at least one"),
            (
                permit("ACCEPTED"),
                &panels[..],
                &[crew(IdentifierType::InputCode, "12", "Ravi")][..],
                "12 for Ravi",
            ),
        ] {
            let err = plan(&p, panels, crew, None, now()).unwrap_err();
            assert!(err.message.contains(says), "{}", err.message);
        }
        let late = Timestamp::parse("2026-12-06T00:00:00Z").unwrap();
        assert!(
            plan(&permit("ACCEPTED"), &panels, &ok, None, late)
                .unwrap_err()
                .message
                .contains("has ended")
        );
    }
}
