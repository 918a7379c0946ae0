//! One permit's detail panel: the entry verdict at its top, its crew, contractor, NOCs, timeline
//! and the actions on it.

use gatehouse_buzzin::{Permit, PermitAction, Timestamp, community_time, inf};
use gatehouse_cache::{ActionKind, may_act_on_permit, may_queue_beside};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::ActionView;
use crate::entry::{EntryFacts, EntryVerdict, entry_verdict};
use crate::rows::{ContractorRow, PermitRow, wire};
use crate::validate::check_id;
use crate::{Community, Error};

/// A NOC attached to a permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NocView {
    pub number: Option<String>,
    pub issue_date: Option<String>,
    pub expiry_date: Option<String>,
    pub document_url: Option<String>,
    /// When it was replaced by a newer one (ISO-8601 UTC).
    pub replaced_at: Option<String>,
}

/// One line of a permit's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TimelineItem {
    /// ISO-8601 UTC.
    pub at: String,
    /// `issued`, `updated`, `reissued`, `revoked`, `expiring`, `expired`, `scanned`, `door
    /// opened`, `door refused`, … or the API's own word for what happened.
    pub what: String,
    pub detail: Option<String>,
}

/// Everything the detail panel of a permit shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PermitDetail {
    pub permit: PermitRow,
    /// Daily window, `HH:mm` in the community's time.
    pub time_in: Option<String>,
    pub time_out: Option<String>,
    pub representative: Option<String>,
    pub representative_contact: Option<String>,
    pub employees: u32,
    /// The crew, with their documents masked.
    pub crew: Vec<CrewMember>,
    /// Whole: the panel shows its last four characters until the desk reveals it.
    pub access_code: Option<String>,
    /// May the crew enter now, and until when; or why not (the pass check's rules).
    pub verdict: EntryVerdict,
    pub contractor: Option<ContractorRow>,
    pub noc: Option<NocView>,
    pub noc_history: Vec<NocView>,
    /// Oldest first.
    pub timeline: Vec<TimelineItem>,
    /// Actions on this permit, or on its contractor, waiting for the server or refused by it.
    pub actions: Vec<ActionView>,
    /// The pass can be reissued (it is ACCEPTED and no queued action decides it already).
    pub can_reissue: bool,
    pub can_revoke: bool,
    /// Where its crew's identifiers stand on each gate panel (empty: none provisioned).
    pub doors: Vec<crate::panels::DoorsOnPanel>,
    /// Each of its crew's identifiers, once for all panels, with where it stands.
    pub door_crew: Vec<crate::panels::DoorCrewLine>,
    /// The profile's panels that serve its tower: where a crew given doors now would go.
    pub door_panels: Vec<String>,
}

/// How close Buzz-In's time of an action and the time this desk saw it applied must be for
/// the timeline to name this desk's actor.
const LOCAL_MATCH_SECS: i64 = 300;

/// One of a permit's crew, as the panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CrewMember {
    pub name: String,
    /// The document number's last four digits ("•••• 4567"), never the whole number.
    pub document: Option<String>,
}

/// A document number as the panel shows it: its last four digits.
fn masked(document: &str) -> Option<String> {
    let digits: Vec<char> = document.chars().filter(char::is_ascii_digit).collect();
    let tail: String = if digits.is_empty() {
        let all: Vec<char> = document.trim().chars().collect();
        all[all.len().saturating_sub(4)..].iter().collect()
    } else {
        digits[digits.len().saturating_sub(4)..].iter().collect()
    };
    (!tail.is_empty()).then(|| format!("•••• {tail}"))
}

fn noc(n: &gatehouse_buzzin::StoredNoc) -> NocView {
    NocView {
        number: n.noc_number.clone(),
        issue_date: n.issue_date.clone(),
        expiry_date: n.expiry_date.clone(),
        document_url: n.document.as_ref().map(|d| d.public_url.clone()),
        replaced_at: wire(n.replaced_at),
    }
}

/// The API's event names, in the words of the timeline.
fn event_word(event: &str) -> String {
    let last = event.rsplit('.').next().unwrap_or(event);
    match last {
        "firstScanned" => "first scan".into(),
        "lastScanned" => "last scan".into(),
        other => other.to_owned(),
    }
}

/// A permit audit `action` (the PATCH action that made it), as a timeline word.
fn audit_word(action: &PermitAction) -> String {
    match action {
        PermitAction::Revoke => "revoked".into(),
        PermitAction::ReissuePass => "reissued".into(),
        PermitAction::Submit => "submitted".into(),
        PermitAction::Approve => "approved".into(),
        PermitAction::Reject => "rejected".into(),
        PermitAction::Unknown(other) => other.clone(),
    }
}

impl Community {
    /// One permit, by id or pass number, with its contractor, NOCs, timeline and actions.
    pub async fn permit(&self, key: &str) -> Result<PermitDetail, Error> {
        check_id(key, "permit id")?;
        let p = self
            .cache()
            .permit_by_id_or_pass(key)
            .await?
            .ok_or_else(|| Error::not_found(format!("No permit {key} here.")))?;
        let queued = self.queued_targets().await?;
        let row = self
            .rows_marked(std::slice::from_ref(&p), &queued)
            .await?
            .remove(0);
        let contractor = match &p.community_contractor_id {
            Some(id) => self.contractor_row(id, &queued).await?,
            None => None,
        };
        let mut timeline: Vec<TimelineItem> = Vec::new();
        for e in self.cache().events_of(&p.id).await? {
            let data: gatehouse_buzzin::PermitEventData =
                serde_json::from_value(e.envelope.data.clone()).unwrap_or_default();
            let detail = match (&data.scan, &data.reason, &data.status_name) {
                (Some(scan), _, _) => Some(match &scan.gate {
                    Some(gate) => format!("{} at {gate}", scan.direction),
                    None => scan.direction.clone(),
                }),
                (None, Some(reason), _) => Some(reason.clone()),
                (None, None, Some(s)) => Some(s.to_string()),
                _ => None,
            };
            timeline.push(TimelineItem {
                at: e.envelope.created_at.to_wire(),
                what: event_word(e.envelope.event.as_str()),
                detail,
            });
        }
        // What the gate panels' doors logged for its crew.
        for d in self.cache().door_events_of(&p.id).await? {
            let Some(at) = chrono::DateTime::from_timestamp(d.at, 0) else {
                continue;
            };
            let (what, detail) = crate::panels::timeline_words(&d);
            timeline.push(TimelineItem {
                at: Timestamp(at).to_wire(),
                what,
                detail: Some(detail),
            });
        }
        // Who did it: Buzz-In names the API key; an action sent from here names its desk.
        let done = self.cache().done_on(&p.id).await?;
        let local = |action: &PermitAction, at: Timestamp| {
            done.iter()
                .filter(|e| {
                    matches!(
                        (e.kind, action),
                        (ActionKind::RevokePass, PermitAction::Revoke)
                            | (ActionKind::ReissuePass, PermitAction::ReissuePass)
                    )
                })
                .find(|e| {
                    Timestamp::parse(&e.updated_at)
                        .is_some_and(|u| (u.0 - at.0).num_seconds().abs() <= LOCAL_MATCH_SECS)
                })
                .map(|e| format!("{} at this desk", e.actor))
        };
        for a in p.audit.iter().flatten() {
            // The permit's own audit (reissues, revokes): said once even if an event said it too.
            let what = audit_word(&a.action);
            let at = a.at.to_wire();
            if timeline.iter().any(|t| t.at == at && t.what == what) {
                continue;
            }
            let who = local(&a.action, a.at).or_else(|| a.actor.clone());
            let by = who.map(|who| format!("by {who}"));
            let detail = match (by, &a.reason) {
                (Some(by), Some(r)) => Some(format!("{by}: {r}")),
                (Some(by), None) => Some(by),
                (None, r) => r.clone(),
            };
            timeline.push(TimelineItem { at, what, detail });
        }
        // Its creation stays in the story after a reissue issues it again.
        if let Some(created) = p.created_at {
            let at = created.to_wire();
            if !timeline
                .iter()
                .any(|t| t.at == at && (t.what == "issued" || t.what == "created"))
            {
                timeline.push(TimelineItem {
                    at,
                    what: "created".into(),
                    detail: None,
                });
            }
        }
        timeline.sort_by(|a, b| a.at.cmp(&b.at));
        // Its own actions, and its contractor's (a revoke archives it).
        let mut targets = vec![p.id.as_str()];
        targets.extend(p.community_contractor_id.as_deref());
        let actions = self.actions_on(&targets).await?;
        let open: Vec<(ActionKind, bool, i64)> = actions
            .iter()
            .filter(|a| a.open)
            .map(|a| (a.kind, a.target_id == p.id, i64::from(a.seq)))
            .collect();
        let may = |kind| {
            may_act_on_permit(kind, &p).is_ok()
                && may_queue_beside(kind, &row.pass_number, &open).is_ok()
        };
        let (can_reissue, can_revoke) = (may(ActionKind::ReissuePass), may(ActionKind::RevokePass));
        let verdict = self.entry_of(&p, &actions).await?;
        let damac = p.integrations.as_ref().and_then(|i| i.damac.as_ref());
        Ok(PermitDetail {
            time_in: p.time_in.clone(),
            time_out: p.time_out.clone(),
            representative: p.representative_name.clone(),
            representative_contact: p.representative_contact.clone(),
            employees: p.employees.as_ref().map_or(0, |e| e.len() as u32),
            crew: p
                .employees
                .iter()
                .flatten()
                .map(|e| CrewMember {
                    name: e.name.clone().unwrap_or_default(),
                    document: e.document_id.as_deref().and_then(masked),
                })
                .collect(),
            verdict,
            access_code: p.access_code.clone(),
            contractor,
            noc: damac.and_then(|d| d.noc.as_ref()).map(noc),
            noc_history: damac
                .and_then(|d| d.noc_history.as_ref())
                .map(|h| h.iter().map(noc).collect())
                .unwrap_or_default(),
            timeline,
            doors: self.doors_of(&p.id).await?,
            door_crew: self.door_crew(&p.id).await?,
            door_panels: self.panels_serving(p.property_id.as_deref()),
            can_reissue,
            can_revoke,
            actions,
            permit: row,
        })
    }

    /// The verdict at the top of the panel, now.
    async fn entry_of(&self, p: &Permit, actions: &[ActionView]) -> Result<EntryVerdict, Error> {
        let contractor = match &p.community_contractor_id {
            Some(id) => self.cache().contractor(id).await?,
            None => None,
        };
        let (_, as_of) = gatehouse_sync::freshness(self.cache())
            .await
            .map_err(crate::community::storage)?;
        let queued = actions
            .iter()
            .find(|a| a.open && a.kind != ActionKind::ApproveContractor)
            .map(|a| {
                format!(
                    "{}, queued here at {}",
                    a.title,
                    Timestamp::parse(&a.queued_at)
                        .map(community_time)
                        .unwrap_or_default()
                )
            });
        let licence = contractor
            .as_ref()
            .and_then(|c| c.company.as_ref())
            .and_then(|co| co.trade_license_expiry_date.clone());
        Ok(entry_verdict(
            &EntryFacts {
                permit: p,
                contractor_removed: contractor
                    .as_ref()
                    .is_some_and(|c| inf::contractor_removed(&c.communities_ids)),
                licence_expiry: licence.as_deref(),
                data_as_of: as_of.as_deref().and_then(Timestamp::parse),
                queued,
            },
            Timestamp::now(),
            self.gate_grace(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_document_shows_its_last_four_digits_only() {
        assert_eq!(
            super::masked("784-1990-1234567-1").as_deref(),
            Some("•••• 5671")
        );
        assert_eq!(super::masked("P1234").as_deref(), Some("•••• 1234"));
        assert_eq!(super::masked("AB"), Some("•••• AB".into()));
        assert_eq!(super::masked("  "), None);
    }
}
