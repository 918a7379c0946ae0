//! Admin actions: queued in the outbox (the sync engine sends them as soon as it can; the rows
//! keep the server's state and a mark of what is queued), and the outbox as the panel of actions
//! sent to Buzz-In shows it: waiting, refused, and done this shift.

use gatehouse_buzzin::inf::REVOKE_REASON_MAX;
use gatehouse_buzzin::{Timestamp, community_clock};
use gatehouse_cache::{ActionKind, AuditRow, NewAction, OutboxEntry, OutboxState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::marks::Queue;
use crate::validate::{check_id, check_len};
use crate::{Community, Error};

/// One queued action, as the pending/refused panel and the detail panels show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ActionView {
    /// Generated on this machine when the action was queued.
    pub id: String,
    pub seq: u32,
    pub kind: ActionKind,
    /// What it does, in words: "Revoke pass WP-000123".
    pub title: String,
    pub target_id: String,
    pub reason: Option<String>,
    pub actor: String,
    pub state: OutboxState,
    /// Still waiting for the server.
    pub open: bool,
    pub attempts: u32,
    /// The server's refusal, or why the last attempt did not get through.
    pub message: Option<String>,
    /// ISO-8601 UTC.
    pub queued_at: String,
    /// When Buzz-In applied or refused it (ISO-8601 UTC); none while it waits.
    pub settled_at: Option<String>,
    /// Once applied, what it did at the gates, for the desk: "WP-010010 revoked at Buzz-In
    /// 12:38: the pass no longer opens the gates."
    pub outcome: Option<String>,
}

/// How long "sent this shift" looks back.
pub const SHIFT_HOURS: u32 = 12;

/// The panel of actions sent to Buzz-In: those waiting and those refused in queue order, and
/// those applied within the last [`SHIFT_HOURS`], newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OutboxView {
    pub pending: Vec<ActionView>,
    pub refused: Vec<ActionView>,
    pub sent: Vec<ActionView>,
}

/// What an applied action did, in the desk's words.
fn outcome(kind: ActionKind, label: &str, at: &str) -> String {
    let at = Timestamp::parse(at)
        .map(community_clock)
        .unwrap_or_default();
    match kind {
        ActionKind::RevokePass => {
            format!("{label} revoked at Buzz-In {at}: the pass no longer opens the gates.")
        }
        ActionKind::ReissuePass => format!(
            "{label} reissued at Buzz-In {at}: the old code no longer opens the gates; print the new pass."
        ),
        ActionKind::RevokeContractor => {
            format!("{label} revoked at Buzz-In {at}: their passes no longer open the gates.")
        }
        ActionKind::ApproveContractor => format!("{label} approved at Buzz-In {at}."),
    }
}

fn verb(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::ApproveContractor => "Approve contractor",
        ActionKind::RevokeContractor => "Revoke contractor",
        ActionKind::RevokePass => "Revoke pass",
        ActionKind::ReissuePass => "Reissue pass",
    }
}

pub(crate) fn view(e: &OutboxEntry) -> ActionView {
    ActionView {
        id: e.id.clone(),
        seq: e.seq.clamp(0, u32::MAX as i64) as u32,
        kind: e.kind,
        title: format!("{} {}", verb(e.kind), e.label),
        target_id: e.target_id.clone(),
        reason: e.reason.clone(),
        actor: e.actor.clone(),
        state: e.state,
        open: e.state.is_open(),
        attempts: e.attempts.clamp(0, u32::MAX as i64) as u32,
        message: e.last_error.clone(),
        queued_at: e.created_at.clone(),
        settled_at: matches!(e.state, OutboxState::Done | OutboxState::Refused)
            .then(|| e.updated_at.clone()),
        outcome: (e.state == OutboxState::Done).then(|| outcome(e.kind, &e.label, &e.updated_at)),
    }
}

impl Community {
    async fn queue(
        &self,
        kind: ActionKind,
        target_id: &str,
        reason: Option<String>,
    ) -> Result<ActionView, Error> {
        let what = if kind.on_permit() {
            "permit id"
        } else {
            "contractor id"
        };
        check_id(target_id, what)?;
        if let Some(r) = &reason {
            check_len(r, REVOKE_REASON_MAX, "A reason")?;
        }
        // The engine wakes on the outbox change and sends it at once when online.
        let entry = self
            .cache()
            .enqueue(NewAction {
                kind,
                target_id: target_id.to_owned(),
                reason,
                actor: self.actor().to_owned(),
            })
            .await?;
        Ok(view(&entry))
    }

    /// Approves a pending contractor. One whose trade licence has expired is approved only with
    /// a reason (kept in the audit log): the desk says why it lets them in anyway.
    pub async fn approve_contractor(
        &self,
        id: &str,
        reason: Option<&str>,
    ) -> Result<ActionView, Error> {
        check_id(id, "contractor id")?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(c) = self.cache().contractor(id).await? {
            let expiry = c
                .company
                .as_ref()
                .and_then(|co| co.trade_license_expiry_date.clone());
            if crate::rows::days_until(expiry.as_deref()).is_some_and(|d| d < 0) {
                let name = c.name.as_deref().unwrap_or(id);
                let on = expiry.unwrap_or_default();
                if self.refuses_expired_licence() {
                    return Err(Error::refused(format!(
                        "{name}'s trade licence expired on {on}, and this community approves no contractor with an expired licence: ask them for the renewed one."
                    )));
                }
                if reason.is_none() {
                    return Err(Error::invalid_input(format!(
                        "{name}'s trade licence expired on {on}: say why they are approved anyway."
                    )));
                }
            }
        }
        self.queue(ActionKind::ApproveContractor, id, reason.map(str::to_owned))
            .await
    }

    /// Revokes (or, while pending, declines) a contractor, which archives its active permits
    /// (see [`Community::contractor`] for the list to confirm). A reason is required: Buzz-In
    /// takes none, so it is kept in the local audit log.
    pub async fn revoke_contractor(&self, id: &str, reason: &str) -> Result<ActionView, Error> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid_input(
                "Say why the contractor is revoked; the reason is kept in the audit log.",
            ));
        }
        self.queue(ActionKind::RevokeContractor, id, Some(reason.to_owned()))
            .await
    }

    /// Reissues an ACCEPTED pass: the server issues a new access code and the old one dies.
    pub async fn reissue_pass(&self, id: &str) -> Result<ActionView, Error> {
        self.queue(ActionKind::ReissuePass, id, None).await
    }

    /// Revokes a pass; a reason is required.
    pub async fn revoke_pass(&self, id: &str, reason: &str) -> Result<ActionView, Error> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid_input("Say why the pass is revoked."));
        }
        self.queue(ActionKind::RevokePass, id, Some(reason.to_owned()))
            .await
    }

    /// Actions waiting for the server, those it refused, and those it applied this shift.
    pub async fn outbox(&self) -> Result<OutboxView, Error> {
        let all = self.cache().outbox(false).await?;
        let since =
            Timestamp::from_millis(Timestamp::now().millis() - i64::from(SHIFT_HOURS) * 3_600_000)
                .map(|t| t.to_wire())
                .unwrap_or_default();
        let sent = self.cache().done_since(&since).await?;
        Ok(OutboxView {
            sent: sent.iter().map(view).collect(),
            pending: all.iter().filter(|e| e.state.is_open()).map(view).collect(),
            refused: all
                .iter()
                .filter(|e| e.state == OutboxState::Refused)
                .map(view)
                .collect(),
        })
    }

    /// Every action queued here, in queue order: those waiting for the server and those it
    /// refused, or (`all`) done and discarded ones too.
    pub async fn outbox_list(&self, all: bool) -> Result<Vec<ActionView>, Error> {
        Ok(self
            .cache()
            .outbox(false)
            .await?
            .iter()
            .filter(|e| all || e.state.is_open() || e.state == OutboxState::Refused)
            .map(view)
            .collect())
    }

    /// Queues a refused action again. `key` is its id, or `#seq`.
    pub async fn retry_action(&self, key: &str) -> Result<ActionView, Error> {
        let id = self.action_id(key).await?;
        Ok(view(&self.cache().retry(&id).await?))
    }

    /// Drops a pending or refused action. `key` is its id, or `#seq`.
    pub async fn discard_action(&self, key: &str) -> Result<ActionView, Error> {
        let id = self.action_id(key).await?;
        Ok(view(&self.cache().discard(&id).await?))
    }

    /// The id of the action `key` names: an id, or `#seq` as the outbox lists them.
    async fn action_id(&self, key: &str) -> Result<String, Error> {
        check_id(key.strip_prefix('#').unwrap_or(key), "queued action id")?;
        self.cache()
            .outbox_entry(key)
            .await?
            .map(|e| e.id)
            .ok_or_else(|| Error::not_found(format!("No queued action {key} here.")))
    }

    /// One action as it stands now.
    pub(crate) async fn action(&self, id: &str) -> Result<ActionView, Error> {
        self.cache()
            .outbox_entry(id)
            .await?
            .map(|e| view(&e))
            .ok_or_else(|| Error::internal(format!("The queued action {id} vanished.")))
    }

    /// The local audit log: every step of every action taken here, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditRow>, Error> {
        Ok(self.cache().audit_log().await?)
    }

    /// Open or refused actions on any of these targets, in queue order.
    pub(crate) async fn actions_on(&self, targets: &[&str]) -> Result<Vec<ActionView>, Error> {
        Ok(self
            .cache()
            .outbox(false)
            .await?
            .iter()
            .filter(|e| e.state.is_open() || e.state == OutboxState::Refused)
            .filter(|e| targets.contains(&e.target_id.as_str()))
            .map(view)
            .collect())
    }

    /// The actions waiting for the server, by target, for the rows' marks.
    pub(crate) async fn queued_targets(&self) -> Result<Queue, Error> {
        Ok(Queue::of(&self.cache().outbox(true).await?))
    }
}

/// The open action that will kill a permit's code when it reaches the API: a revoke or reissue
/// of the permit, or a revoke of its contractor.
pub(crate) fn pending_kill<'a>(
    open: &'a [OutboxEntry],
    permit_id: &str,
    contractor_id: &str,
) -> Option<&'a OutboxEntry> {
    open.iter().find(|e| match e.kind {
        ActionKind::RevokePass | ActionKind::ReissuePass => e.target_id == permit_id,
        ActionKind::RevokeContractor => !contractor_id.is_empty() && e.target_id == contractor_id,
        ActionKind::ApproveContractor => false,
    })
}
