//! The sandbox's community: contractors, permits, access codes and the event feed, with the
//! rules of the reference (`shared/api/buzzin-api.md`). Every operation checks everything before
//! it changes anything, so a request that fails leaves no trace.
//!
//! One `World`, its operations split by what they are about: `contractors`, `permits`,
//! `passes` (the pass actions), `scan` (the gate), `codes` (access codes, live and dead),
//! `events` (the feed), `clock` (time and what falls due), `changes` (what a store saves and
//! restores), and `rules` (the sandbox's own reading of the reference's limits and formats).

mod changes;
mod clock;
mod codes;
mod contractors;
mod events;
mod passes;
mod permits;
mod rules;
mod scan;

use std::collections::{BTreeSet, HashMap, HashSet};

use base64::Engine as _;
use chrono::{Duration, Timelike, Utc};
use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    AuditEntry, Company, CompanyInput, Contractor, ContractorActionKind, ContractorEventData,
    ContractorIntegrations, DamacContractor, DamacPermit, DocumentInput, Envelope, EventName,
    FeedItem, NewContractor, NewPermit, NocInput, PassAction, Permit, PermitAction,
    PermitEventData, PermitIntegrations, PermitPatch, PermitType, ScanInfo, StatusName,
    StoredDocument, StoredNoc, Timestamp,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

pub use changes::{Counters, FLAG_EXPIRING_SENT, FLAG_SCANNED, Saved, Unsaved};
// What the operations share, for each of them to see through `use super::*`.
pub use codes::DeadCode;
use codes::dead_reason;
use events::contractor_event_data;
use rules::{REVOKE_REASON_MAX, is_e164, parse_hhmm, parse_time, plain_date_ok, required};
pub use scan::{ScanRequest, ScanResult};

pub const DEFAULT_COMMUNITY_ID: &str = "6840270a99ca91002185fcd6";

/// Who the audit trail names for calls made with the API key (the key acts for a community
/// admin [DOC]).
pub const API_ACTOR: &str = "api-key";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Flat {
    pub id: String,
    pub external_id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    pub id: String,
    pub external_id: String,
    pub name: String,
    pub flats: Vec<Flat>,
}

/// Mints ObjectId-shaped ids (24 hex): 8 hex of seconds, 16 hex of a counter.
#[derive(Debug)]
struct Ids {
    epoch: u32,
    next: u64,
}

impl Ids {
    fn mint(&mut self) -> String {
        self.next += 1;
        format!("{:08x}{:016x}", self.epoch, self.next)
    }
}

pub struct World {
    pub community_id: String,
    pub properties: Vec<Property>,
    contractors: Vec<Contractor>,
    contractor_at: HashMap<String, usize>,
    permits: Vec<Permit>,
    permit_at: HashMap<String, usize>,
    permit_by_salesforce: HashMap<String, String>,
    live_codes: HashMap<String, String>,
    dead_codes: HashMap<String, (String, DeadCode)>,
    events: Vec<FeedItem>,
    /// How many of `events` have been handed to webhook delivery.
    published: usize,
    scanned: HashSet<String>,
    expiring_sent: HashSet<String>,
    ids: Ids,
    next_pass: u64,
    rng: ChaCha8Rng,
    clock_offset: Duration,
    /// Integer `status` codes by name: [`inf::STATUS_CODES`] unless configured otherwise.
    status_codes: Vec<(StatusName, i64)>,
    /// Whether changes are recorded for a store (`--data`); off in memory-only sandboxes.
    track: bool,
    dirty_contractors: BTreeSet<usize>,
    dirty_permits: BTreeSet<usize>,
    dirty_codes: Vec<String>,
    dirty_flags: Vec<(&'static str, String, bool)>,
    saved_events: usize,
    saved_counters: Option<Counters>,
}

impl World {
    pub fn new(community_id: impl Into<String>, properties: Vec<Property>, seed: u64) -> Self {
        Self {
            community_id: community_id.into(),
            properties,
            contractors: Vec::new(),
            contractor_at: HashMap::new(),
            permits: Vec::new(),
            permit_at: HashMap::new(),
            permit_by_salesforce: HashMap::new(),
            live_codes: HashMap::new(),
            dead_codes: HashMap::new(),
            events: Vec::new(),
            published: 0,
            scanned: HashSet::new(),
            expiring_sent: HashSet::new(),
            ids: Ids {
                epoch: 0x6700_0000,
                next: 0,
            },
            next_pass: 1,
            rng: ChaCha8Rng::seed_from_u64(seed),
            clock_offset: Duration::zero(),
            status_codes: inf::STATUS_CODES.to_vec(),
            track: false,
            dirty_contractors: BTreeSet::new(),
            dirty_permits: BTreeSet::new(),
            dirty_codes: Vec::new(),
            dirty_flags: Vec::new(),
            saved_events: 0,
            saved_counters: None,
        }
    }

    /// Replaces codes of the status table (only ACCEPTED = 1 and DRAFT = 10 are documented).
    /// Two statuses may not share a code.
    pub fn set_status_codes(&mut self, overrides: &[(StatusName, i64)]) -> Result<(), String> {
        let mut table = self.status_codes.clone();
        for (name, code) in overrides {
            if !name.is_known() {
                return Err(format!("unknown status {name}"));
            }
            match table.iter_mut().find(|(n, _)| n == name) {
                Some(entry) => entry.1 = *code,
                None => table.push((name.clone(), *code)),
            }
        }
        for (i, (a, code)) in table.iter().enumerate() {
            if let Some((b, _)) = table[i + 1..].iter().find(|(_, c)| c == code) {
                return Err(format!("{a} and {b} cannot share the status code {code}"));
            }
        }
        self.status_codes = table;
        Ok(())
    }

    pub fn status_code(&self, name: &StatusName) -> Option<i64> {
        self.status_codes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
    }

    pub fn contractors(&self) -> &[Contractor] {
        &self.contractors
    }

    pub fn permits(&self) -> &[Permit] {
        &self.permits
    }

    pub fn events(&self) -> &[FeedItem] {
        &self.events
    }

    pub fn contractor(&self, id: &str) -> ApiResult<&Contractor> {
        self.contractor_at
            .get(id)
            .map(|&i| &self.contractors[i])
            .ok_or_else(|| ApiError::not_found(format!("No record found for id '{id}'")))
    }

    pub fn permit(&self, id: &str) -> ApiResult<&Permit> {
        self.permit_at
            .get(id)
            .map(|&i| &self.permits[i])
            .ok_or_else(|| ApiError::not_found(format!("No record found for id '{id}'")))
    }

    fn permit_mut(&mut self, id: &str) -> &mut Permit {
        let i = self.permit_at[id];
        if self.track {
            self.dirty_permits.insert(i);
        }
        &mut self.permits[i]
    }

    fn contractor_mut(&mut self, id: &str) -> &mut Contractor {
        let i = self.contractor_at[id];
        if self.track {
            self.dirty_contractors.insert(i);
        }
        &mut self.contractors[i]
    }

    // ---- contractors --------------------------------------------------------------------------

    pub(crate) fn next_pass_number(&mut self) -> String {
        let n = self.next_pass;
        self.next_pass += 1;
        inf::pass_number(n)
    }

    pub(crate) fn mint_id(&mut self) -> String {
        self.ids.mint()
    }
}
