//! What the panels' doors logged, copied into the cache on a cursor per panel (a panel's log can
//! be cleared there, so it is copied early), each access event joined to the permit whose
//! identifier it names: by the panel's row for that number, else by the pass number in the
//! owner tag. The permit's timeline shows them ("door opened: Tower 2 east door").

use gatehouse_basip::{IdentifierType, LogItem, inf};
use gatehouse_buzzin::Timestamp;
use gatehouse_cache::{DoorEvent, LogCursor};
use serde::Serialize;

use super::PanelRecord;
use super::doors::canonical_from_panel;
use super::registry::panel_error;
use crate::{Community, Error};

/// What one pull copied from one panel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoorLogPull {
    pub panel: String,
    /// Access events new to the cache.
    pub new: u32,
    /// Why the panel's log could not be read, in a sentence.
    pub problem: Option<String>,
}

/// The pass number in a Gatehouse owner tag (`GH <pass> <holder>`).
fn pass_in_owner(owner: &str) -> Option<&str> {
    owner
        .strip_prefix(inf::OWNER_PREFIX)?
        .split_whitespace()
        .next()
}

impl Community {
    /// Copies every panel's new access events (the panels at once). A panel that is away is
    /// read from the same cursor next time.
    pub async fn pull_door_logs(&self) -> Result<Vec<DoorLogPull>, Error> {
        let records = self.panel_records()?;
        futures_util::future::join_all(records.iter().map(|r| self.pull_door_log(r)))
            .await
            .into_iter()
            .collect()
    }

    async fn pull_door_log(&self, r: &PanelRecord) -> Result<DoorLogPull, Error> {
        let mut pull = DoorLogPull {
            panel: r.name.clone(),
            ..DoorLogPull::default()
        };
        let cursor = match self.cache().door_log_cursor(&r.name).await? {
            Some(c) => c,
            // Read first from the earliest window provisioned there: nothing before it is ours.
            None => LogCursor {
                at: self
                    .cache()
                    .grants_on(&r.name)
                    .await?
                    .iter()
                    .map(|g| g.grant.valid_from)
                    .filter(|t| *t > 0)
                    .min()
                    .unwrap_or_else(|| Timestamp::now().0.timestamp()),
                log_id: -1,
            },
        };
        let read = async {
            let c = self.panel_client(r).await?;
            let rep = c.representation().await?;
            Ok::<_, gatehouse_panels::PanelError>((c.log_since(cursor.at).await?, rep))
        };
        let (items, rep) = match read.await {
            Ok(x) => x,
            Err(e) => {
                pull.problem = Some(panel_error(&r.name)(e).message);
                return Ok(pull);
            }
        };
        let mut next = cursor;
        let mut events = Vec::new();
        for item in items {
            let (Some(at), id) = (item.time_unix, item.id.unwrap_or(0)) else {
                continue;
            };
            if at == cursor.at && id <= cursor.log_id {
                continue; // read before
            }
            if (at, id) > (next.at, next.log_id) {
                next = LogCursor { at, log_id: id };
            }
            if item.is_access() {
                events.push(self.door_event(&r.name, &item, at, id, &rep).await?);
            }
        }
        pull.new = self
            .cache()
            .keep_door_events(&r.name, &events, next)
            .await? as u32;
        Ok(pull)
    }

    async fn door_event(
        &self,
        panel: &str,
        item: &LogItem,
        at: i64,
        log_id: i64,
        rep: &gatehouse_basip::Representation,
    ) -> Result<DoorEvent, Error> {
        let kind = item.identifier_type();
        let number = match (&kind, item.identifier_number()) {
            (Some(k), Some(n)) => Some(canonical_from_panel(&IdentifierType::parse(k), &n, rep).0),
            (_, n) => n,
        };
        let owner = item.owner();
        // The owner tag's pass, when the panel's rows do not tell (the cache prefers them).
        let permit_id = match owner.as_deref().and_then(pass_in_owner) {
            Some(pass) => self.cache().permit_by_id_or_pass(pass).await?.map(|p| p.id),
            None => None,
        };
        Ok(DoorEvent {
            panel: panel.to_owned(),
            log_id,
            at,
            event: item.event.clone().unwrap_or_default(),
            granted: item.granted(),
            kind,
            number,
            door: item.door(),
            owner,
            permit_id,
        })
    }
}

/// A door event as a line of the permit's timeline: what happened, and where, with whose
/// identifier (never a PIN's or a card's number: the timeline is shown at the desk).
pub(crate) fn timeline_words(d: &DoorEvent) -> (String, String) {
    let what = if d.granted {
        "door opened"
    } else {
        "door refused"
    };
    let door = d.door.clone().unwrap_or_else(|| d.panel.clone());
    let kind = match d.kind.as_deref().map(IdentifierType::parse) {
        Some(IdentifierType::Card) => "card",
        Some(IdentifierType::Ukey) => "key",
        Some(IdentifierType::InputCode) => "PIN",
        Some(IdentifierType::Qr) => "QR code",
        Some(IdentifierType::LicensePlate) => "plate",
        _ => "",
    };
    let holder = d
        .owner
        .as_deref()
        .and_then(|o| o.strip_prefix(inf::OWNER_PREFIX))
        .and_then(|rest| rest.split_once(' '))
        .map(|(_, holder)| holder.trim())
        .filter(|h| !h.is_empty());
    let detail = match (holder, kind) {
        (Some(h), "") => format!("{door}, {h}"),
        (Some(h), k) => format!("{door}, {h}'s {k}"),
        (None, "") => door,
        (None, k) => format!("{door}, by {k}"),
    };
    (what.to_owned(), detail)
}
