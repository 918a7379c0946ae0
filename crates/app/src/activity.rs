//! The Activity view over the local audit log: every approve, revoke, reissue, print and pass
//! check taken here (who, when, what, online or offline, the outcome), filtered, newest first,
//! and exported as the CLI's CSV.

use std::path::PathBuf;

use gatehouse_cache::{ActionKind, AuditFilter, AuditRow};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::community::storage;
use crate::validate::SEARCH_MAX;
use crate::{Community, Error};

gatehouse_buzzin::closed_enum! {
    /// One filter of the Activity view.
    #[derive(TS)]
    pub enum ActivityKind {
        Approvals = "approvals",
        Revokes = "revokes",
        Reissues = "reissues",
        /// Passes printed (not the refused): the printed-passes history.
        Printed = "printed",
        Checks = "checks",
    }
}

impl ActivityKind {
    /// The view's word for it.
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Approvals => "Approvals",
            ActivityKind::Revokes => "Revokes",
            ActivityKind::Reissues => "Reissues",
            ActivityKind::Printed => "Printed passes",
            ActivityKind::Checks => "Pass checks",
        }
    }

    fn filter(self) -> (Vec<String>, Option<String>) {
        let kinds = |ks: &[ActionKind]| ks.iter().map(|k| k.as_str().to_owned()).collect();
        match self {
            ActivityKind::Approvals => (kinds(&[ActionKind::ApproveContractor]), None),
            ActivityKind::Revokes => (
                kinds(&[ActionKind::RevokeContractor, ActionKind::RevokePass]),
                None,
            ),
            ActivityKind::Reissues => (kinds(&[ActionKind::ReissuePass]), None),
            ActivityKind::Printed => (vec!["print".into()], Some("printed".into())),
            ActivityKind::Checks => (vec!["check".into()], None),
        }
    }
}

/// What the Activity view asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct ActivityQuery {
    /// Every kind of line when `None`.
    pub kind: Option<ActivityKind>,
    /// Text in the actor, the target, the reason or the detail.
    pub text: Option<String>,
    /// At most this many lines (500 when `None`, at most 5,000).
    pub limit: Option<u32>,
}

/// One line as the view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ActivityRow {
    #[ts(type = "number")]
    pub seq: i64,
    /// ISO-8601 UTC.
    pub at: String,
    pub actor: String,
    /// The stored action word (`revokePass`, `print`, `check`, …).
    pub action: String,
    /// What was done, in words: "Revoke pass", "Print pass", "Pass check".
    pub what: String,
    pub target_id: String,
    /// `queued`, `applied`, `refused`, `printed`, `valid`, …
    pub result: String,
    pub reason: Option<String>,
    pub detail: Option<String>,
    /// Whether the API answered then (`None`: not recorded, for the outbox's own lines).
    pub online: Option<bool>,
}

/// A page of the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ActivityPage {
    pub rows: Vec<ActivityRow>,
    /// How many lines match in all.
    pub total: u32,
}

/// The CSV written, and whether its folder could be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ActivityExport {
    pub path: String,
    pub lines: u32,
    /// Why the file could not be shown in the desk's file manager (the window shows it).
    pub open_error: Option<String>,
}

pub const ACTIVITY_PAGE: u32 = 500;
pub const ACTIVITY_MAX: u32 = 5000;

/// What an action word means, in the view's words.
fn what(action: &str) -> String {
    match ActionKind::parse(action) {
        Some(ActionKind::ApproveContractor) => "Approve contractor".into(),
        Some(ActionKind::RevokeContractor) => "Revoke contractor".into(),
        Some(ActionKind::RevokePass) => "Revoke pass".into(),
        Some(ActionKind::ReissuePass) => "Reissue pass".into(),
        None => match action {
            "print" => "Print pass".into(),
            "check" => "Pass check".into(),
            other => other.to_owned(),
        },
    }
}

fn row(a: AuditRow) -> ActivityRow {
    ActivityRow {
        what: what(&a.action),
        seq: a.seq,
        at: a.at,
        actor: a.actor,
        action: a.action,
        target_id: a.target_id,
        result: a.result,
        reason: a.reason,
        detail: a.detail,
        online: a.online,
    }
}

fn filter_of(q: &ActivityQuery) -> Result<AuditFilter, Error> {
    let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = text
        && t.chars().count() > SEARCH_MAX
    {
        return Err(Error::invalid_input(format!(
            "Search for at most {SEARCH_MAX} characters."
        )));
    }
    let (actions, result) = q.kind.map(ActivityKind::filter).unwrap_or_default();
    Ok(AuditFilter {
        actions,
        result,
        text: text.map(str::to_owned),
        newest_first: true,
        limit: None,
    })
}

impl Community {
    /// The audit lines the view asks for, newest first.
    pub async fn activity(&self, q: &ActivityQuery) -> Result<ActivityPage, Error> {
        let limit = q.limit.unwrap_or(ACTIVITY_PAGE);
        if !(1..=ACTIVITY_MAX).contains(&limit) {
            return Err(Error::invalid_input(format!(
                "Show 1 to {ACTIVITY_MAX} lines at a time."
            )));
        }
        let filter = AuditFilter {
            limit: Some(limit),
            ..filter_of(q)?
        };
        let (rows, total) = self.cache().audit_lines(&filter).await.map_err(storage)?;
        Ok(ActivityPage {
            rows: rows.into_iter().map(row).collect(),
            total: total.min(u64::from(u32::MAX)) as u32,
        })
    }

    /// Every line the view's filter picks (no limit), oldest first, as the CLI's CSV, written
    /// private to the profile's exports folder.
    pub async fn export_activity(&self, q: &ActivityQuery) -> Result<(PathBuf, u32), Error> {
        let filter = AuditFilter {
            newest_first: false,
            ..filter_of(q)?
        };
        let (rows, _) = self.cache().audit_lines(&filter).await.map_err(storage)?;
        let name = match q.kind {
            Some(k) => format!("activity-{k}"),
            None => "activity".into(),
        };
        let stamp = gatehouse_buzzin::Timestamp::now().0.format("%Y%m%d-%H%M%S");
        let path = self
            .private_folder("exports")?
            .join(format!("{name}-{stamp}.csv"));
        gatehouse_cache::files::write_private(&path, |w| crate::export::write_csv(&rows, w))
            .map_err(|e| Error::storage(format!("Cannot write {}: {e}.", path.display())))?;
        Ok((path, rows.len() as u32))
    }
}
