//! The desk's pass check: a scanned code against the cache, online or offline, with the verdict
//! a gate would give ([`crate::gate`]) and how old the data is. Every check is audited.

use std::collections::HashMap;

use gatehouse_buzzin::{Timestamp, inf};
use gatehouse_cache::LocalRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::actions::pending_kill;
use crate::community::storage;
use crate::gate::{self, GateFacts, GateRefusal, community_time};
use crate::rows::{PermitRow, names_of, permit_row};
use crate::{Community, Error};

/// The longest scan read (a QR payload is about 60 characters).
pub const SCAN_MAX: usize = 512;

/// A code to check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(rename_all = "camelCase")]
pub struct CheckRequest {
    /// What the scanner typed: the QR's payload or the bare access code.
    pub scanned: String,
    /// When to check it for (ISO-8601); now when `None`.
    pub at: Option<String>,
}

/// What the desk sees after a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CheckVerdict {
    /// The code, as read from the scan.
    pub code: String,
    pub valid: bool,
    pub refusal: Option<GateRefusal>,
    /// The refusal in one sentence.
    pub reason: Option<String>,
    /// The moment checked for (ISO-8601 UTC).
    pub at: String,
    /// The permit that has (or had) the code.
    pub permit: Option<PermitRow>,
    /// Daily window, `HH:mm` community time.
    pub time_in: Option<String>,
    pub time_out: Option<String>,
    pub workers: u32,
    /// When the data checked against was last brought up to date (ISO-8601 UTC).
    pub data_as_of: Option<String>,
    /// Whether the API answered at the last try (and may be contacted).
    pub online: bool,
    /// Something the desk should know although the gate decides otherwise: an action queued here
    /// that has not reached Buzz-In yet.
    pub warning: Option<String>,
}

impl Community {
    /// Checks a scanned pass against the cache, and writes the check to the audit log.
    pub async fn check_pass(&self, req: &CheckRequest) -> Result<CheckVerdict, Error> {
        let verdict = self.verdict_of(req).await?;
        let target = match &verdict.permit {
            Some(p) => p.id.clone(),
            // An unknown code is not written down whole: a code is what opens the gate.
            None => format!("code {}…", verdict.code.chars().take(4).collect::<String>()),
        };
        let pass = verdict
            .permit
            .as_ref()
            .map(|p| format!("{}: ", p.pass_number))
            .unwrap_or_default();
        let detail = match &verdict.reason {
            Some(r) => format!("{pass}{r}"),
            None => format!("{pass}valid at {}", community_time(parse_at(&verdict.at)?)),
        };
        self.cache()
            .record_local(&[LocalRecord {
                actor: self.actor().to_owned(),
                action: "check",
                target_id: target,
                result: if verdict.valid { "valid" } else { "refused" },
                detail: Some(detail),
                online: verdict.online,
            }])
            .await
            .map_err(storage)?;
        Ok(verdict)
    }

    async fn verdict_of(&self, req: &CheckRequest) -> Result<CheckVerdict, Error> {
        if req.scanned.len() > SCAN_MAX {
            return Err(Error::invalid_input(format!(
                "That scan is {} characters long; a pass's code is at most {SCAN_MAX}.",
                req.scanned.len()
            )));
        }
        let code = inf::code_in_scan(&req.scanned).ok_or_else(|| {
            Error::invalid_input("That is not a Buzz-In pass: scan its QR or type its access code.")
        })?;
        if code.chars().any(char::is_control) {
            return Err(Error::invalid_input(
                "A pass's code has no control characters; scan it again.",
            ));
        }
        let at = match req.at.as_deref() {
            Some(at) => parse_at(at)?,
            None => Timestamp::now(),
        };
        let cache = self.cache();
        // The three reads at once, each on a connection of its own: a scanner waits on them.
        let (freshness, found, open) = tokio::try_join!(
            gatehouse_sync::freshness(cache),
            async { cache.look_up_code(&code).await.map_err(Into::into) },
            async { cache.outbox(true).await.map_err(Into::into) },
        )
        .map_err(storage)?;
        let (online, data_as_of) = freshness;
        let online = online && self.may_reach_api();
        let (known, permit, contractor) = match found {
            Some(f) => (Some(f.known), f.permit, f.contractor),
            None => (None, None, None),
        };
        let contractor_id = permit
            .as_ref()
            .and_then(|p| p.community_contractor_id.clone())
            .unwrap_or_default();
        let facts = GateFacts {
            permit: permit.as_ref(),
            superseded_at: known
                .as_ref()
                .and_then(|k| k.superseded_at.as_deref())
                .and_then(Timestamp::parse),
            contractor_removed: contractor
                .as_ref()
                .is_some_and(|c| inf::contractor_removed(&c.communities_ids)),
        };
        let outcome = gate::verdict(&facts, at, self.gate_grace());
        let warning = match (&outcome, &permit) {
            (Ok(()), Some(p)) => pending_kill(&open, &p.id, &contractor_id).map(|e| {
                format!(
                    "{} was queued here at {} and has not reached Buzz-In yet: until it does, the gate lets this code in.",
                    crate::actions::view(e).title,
                    community_time(Timestamp::parse(&e.created_at).unwrap_or(at))
                )
            }),
            _ => None,
        };
        let mut reason = outcome.as_ref().err().map(|r| r.sentence.clone());
        if permit.is_none()
            && let Some(p) = cache.permit_by_id_or_pass(&code).await.map_err(storage)?
        {
            reason = Some(format!(
                "{} is a pass number, not its code: scan the pass's QR.",
                p.pass_number.unwrap_or(code.clone())
            ));
        }
        let queued = crate::marks::Queue::of(&open);
        // The row from the contractor read with the code (no second read: a scanner waits).
        let names: HashMap<String, (String, String)> = contractor
            .iter()
            .map(|c| (c.id.clone(), names_of(c)))
            .collect();
        let row = permit
            .as_ref()
            .map(|p| permit_row(p, &names, &queued, &self.places()));
        Ok(CheckVerdict {
            valid: outcome.is_ok(),
            refusal: outcome.as_ref().err().map(|r| r.why),
            reason,
            at: at.to_wire(),
            permit: row,
            time_in: permit.as_ref().and_then(|p| p.time_in.clone()),
            time_out: permit.as_ref().and_then(|p| p.time_out.clone()),
            workers: permit
                .as_ref()
                .and_then(|p| p.employees.as_ref())
                .map_or(0, |e| e.len() as u32),
            data_as_of,
            online,
            warning,
            code,
        })
    }
}

pub(crate) fn parse_at(at: &str) -> Result<Timestamp, Error> {
    Timestamp::parse(at.trim()).ok_or_else(|| {
        Error::invalid_input(format!(
            "{} is not a time: give it as 2026-12-01T09:30:00+04:00.",
            crate::validate::quoted(at)
        ))
    })
}
