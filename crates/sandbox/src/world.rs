//! The sandbox's community: contractors, permits, access codes and the event feed, with the
//! rules of the reference (`shared/api/buzzin-api.md`). Every operation checks everything before
//! it changes anything, so a request that fails leaves no trace.

use std::collections::{BTreeSet, HashMap, HashSet};

use base64::Engine as _;
use chrono::{Duration, Timelike, Utc};
use gatehouse_buzzin::inf;
use gatehouse_buzzin::{
    AuditEntry, Company, CompanyInput, Contractor, ContractorEventData, ContractorIntegrations,
    DamacContractor, DamacPermit, DocumentInput, Envelope, EventName, FeedItem, NewContractor,
    NewPermit, NocInput, PassAction, Permit, PermitEventData, PermitIntegrations, PermitPatch,
    PermitType, ScanInfo, StatusName, StoredDocument, StoredNoc, Timestamp,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

/// The community of the demo and of the documented examples.
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

/// Why an access code no longer opens the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadCode {
    Revoked,
    Archived,
    Reissued,
    Expired,
}

/// A gate scan request (`POST /__sandbox/scan`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanRequest {
    pub access_code: String,
    #[serde(default)]
    pub property_id: Option<String>,
    #[serde(default)]
    pub flat_id: Option<String>,
    /// `entry` (default) or `exit`.
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub gate: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_id: Option<String>,
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

impl DeadCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadCode::Revoked => "revoked",
            DeadCode::Archived => "archived",
            DeadCode::Reissued => "reissued",
            DeadCode::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "revoked" => DeadCode::Revoked,
            "archived" => DeadCode::Archived,
            "reissued" => DeadCode::Reissued,
            "expired" => DeadCode::Expired,
            _ => return None,
        })
    }
}

/// Counters that must survive a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub ids_epoch: u32,
    pub ids_next: u64,
    pub next_pass: u64,
    pub clock_offset_ms: i64,
}

/// Per-permit flags that must survive a restart.
pub const FLAG_SCANNED: &str = "scanned";
pub const FLAG_EXPIRING_SENT: &str = "expiringSent";

/// What changed since the last [`World::take_changes`]: whole documents, ready to upsert.
#[derive(Debug, Default)]
pub struct Changes {
    pub contractors: Vec<(usize, Contractor)>,
    pub permits: Vec<(usize, Permit)>,
    pub events: Vec<FeedItem>,
    /// (code, permit id, why)
    pub dead_codes: Vec<(String, String, DeadCode)>,
    /// (flag, permit id, set or cleared)
    pub flags: Vec<(&'static str, String, bool)>,
    pub counters: Option<Counters>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.contractors.is_empty()
            && self.permits.is_empty()
            && self.events.is_empty()
            && self.dead_codes.is_empty()
            && self.flags.is_empty()
            && self.counters.is_none()
    }
}

/// Everything a saved sandbox holds, to rebuild its world.
pub struct Saved {
    pub community_id: String,
    pub properties: Vec<Property>,
    pub contractors: Vec<Contractor>,
    pub permits: Vec<Permit>,
    pub events: Vec<FeedItem>,
    pub dead_codes: Vec<(String, String, DeadCode)>,
    pub flags: Vec<(String, String)>,
    pub counters: Counters,
}

fn dead_reason(d: DeadCode) -> &'static str {
    match d {
        DeadCode::Revoked => "revoked",
        DeadCode::Archived => "archived",
        DeadCode::Reissued => "inactive",
        DeadCode::Expired => "expired",
    }
}

fn required<'a>(value: &'a Option<String>, field: &str) -> ApiResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::bad_request(format!("{field} is required"))),
    }
}

fn parse_time(value: &str, field: &str) -> ApiResult<Timestamp> {
    Timestamp::parse(value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{field} must be a valid ISO-8601 date-time, got \"{value}\""
        ))
    })
}

/// `HH:MM`, 00:00–23:59.
fn parse_hhmm(value: &str, field: &str) -> ApiResult<u32> {
    let bad = || {
        ApiError::bad_request(format!(
            "{field} must be a time of day as HH:MM, got \"{value}\""
        ))
    };
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || value.len() != 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn plain_date_ok(value: &str) -> bool {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()
}

fn is_e164(phone: &str) -> bool {
    let digits = phone.strip_prefix('+').unwrap_or("");
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
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

    /// Rebuilds a saved world. Events already saved were delivered before: none is re-published.
    pub fn restore(saved: Saved, seed: u64) -> Self {
        let mut w = World::new(
            saved.community_id,
            saved.properties,
            seed ^ saved.counters.ids_next,
        );
        w.ids = Ids {
            epoch: saved.counters.ids_epoch,
            next: saved.counters.ids_next,
        };
        w.next_pass = saved.counters.next_pass;
        w.clock_offset = Duration::milliseconds(saved.counters.clock_offset_ms);
        for c in saved.contractors {
            w.insert_contractor(c);
        }
        for p in saved.permits {
            w.insert_permit(p);
        }
        for (code, pid, why) in saved.dead_codes {
            w.live_codes.remove(&code);
            w.dead_codes.insert(code, (pid, why));
        }
        for (flag, id) in saved.flags {
            match flag.as_str() {
                FLAG_SCANNED => w.scanned.insert(id),
                FLAG_EXPIRING_SENT => w.expiring_sent.insert(id),
                _ => false,
            };
        }
        w.events = saved.events;
        w.published = w.events.len();
        w.saved_events = w.events.len();
        w.saved_counters = Some(saved.counters);
        w
    }

    /// Starts recording changes for a store; everything present counts as changed.
    pub fn track_changes(&mut self) {
        self.track = true;
        self.dirty_contractors = (0..self.contractors.len()).collect();
        self.dirty_permits = (0..self.permits.len()).collect();
        self.dirty_codes = self.dead_codes.keys().cloned().collect();
        self.dirty_flags = self
            .scanned
            .iter()
            .map(|id| (FLAG_SCANNED, id.clone(), true))
            .chain(
                self.expiring_sent
                    .iter()
                    .map(|id| (FLAG_EXPIRING_SENT, id.clone(), true)),
            )
            .collect();
        self.saved_events = 0;
        self.saved_counters = None;
    }

    /// Starts recording changes for a store, counting what is present as already saved.
    pub fn track_changes_from_now(&mut self) {
        self.track = true;
        self.saved_events = self.events.len();
    }

    /// The changes since the last call (nothing when not tracking).
    pub fn take_changes(&mut self) -> Changes {
        if !self.track {
            return Changes::default();
        }
        let contractors = std::mem::take(&mut self.dirty_contractors)
            .into_iter()
            .map(|i| (i, self.contractors[i].clone()))
            .collect();
        let permits = std::mem::take(&mut self.dirty_permits)
            .into_iter()
            .map(|i| (i, self.permits[i].clone()))
            .collect();
        let dead_codes = std::mem::take(&mut self.dirty_codes)
            .into_iter()
            .filter_map(|code| {
                let (pid, why) = self.dead_codes.get(&code)?.clone();
                Some((code, pid, why))
            })
            .collect();
        let events = self.events[self.saved_events..].to_vec();
        self.saved_events = self.events.len();
        let counters = self.counters();
        let counters = (self.saved_counters != Some(counters)).then_some(counters);
        if counters.is_some() {
            self.saved_counters = counters;
        }
        Changes {
            contractors,
            permits,
            events,
            dead_codes,
            flags: std::mem::take(&mut self.dirty_flags),
            counters,
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

    pub fn counters(&self) -> Counters {
        Counters {
            ids_epoch: self.ids.epoch,
            ids_next: self.ids.next,
            next_pass: self.next_pass,
            clock_offset_ms: self.clock_offset.num_milliseconds(),
        }
    }

    fn flag(&mut self, flag: &'static str, id: &str, set: bool) {
        let changed = match flag {
            FLAG_SCANNED if set => self.scanned.insert(id.to_owned()),
            FLAG_EXPIRING_SENT if set => self.expiring_sent.insert(id.to_owned()),
            FLAG_EXPIRING_SENT => self.expiring_sent.remove(id),
            _ => false,
        };
        if changed && self.track {
            self.dirty_flags.push((flag, id.to_owned(), set));
        }
    }

    // ---- clock --------------------------------------------------------------------------------

    pub fn now(&self) -> Timestamp {
        Timestamp(Utc::now() + self.clock_offset)
    }

    /// Moves the sandbox clock (never backwards), then fires what the new time causes.
    pub fn advance_clock(&mut self, by: Duration) -> ApiResult<Timestamp> {
        if by < Duration::zero() {
            return Err(ApiError::bad_request("the clock only moves forward"));
        }
        self.clock_offset += by;
        self.sweep();
        Ok(self.now())
    }

    /// Fires `expiring` for ACCEPTED permits within the lead time of `validTill`, and expires
    /// those past it (→ EXPIRED, code dead, `expired`).
    pub fn sweep(&mut self) {
        let now = self.now();
        let lead = Duration::seconds(inf::EXPIRING_LEAD_SECS);
        let mut expiring = Vec::new();
        let mut expired = Vec::new();
        for p in &self.permits {
            if p.status_name.as_ref() != Some(&StatusName::Accepted) {
                continue;
            }
            let Some(till) = p.valid_till else { continue };
            if till <= now {
                expired.push(p.id.clone());
            } else if Timestamp(till.0 - lead) <= now && !self.expiring_sent.contains(&p.id) {
                expiring.push(p.id.clone());
            }
        }
        for id in expiring {
            self.flag(FLAG_EXPIRING_SENT, &id, true);
            let data = self.permit_event_data(&id, false);
            self.emit(EventName::PermitExpiring, data);
        }
        for id in expired {
            self.set_status(&id, StatusName::Expired);
            self.kill_code(&id, DeadCode::Expired);
            let data = self.permit_event_data(&id, false);
            self.emit(EventName::PermitExpired, data);
        }
    }

    // ---- reads --------------------------------------------------------------------------------

    pub fn contractors(&self) -> &[Contractor] {
        &self.contractors
    }

    pub fn permits(&self) -> &[Permit] {
        &self.permits
    }

    pub fn events(&self) -> &[FeedItem] {
        &self.events
    }

    /// Events emitted since the last call, for webhook delivery.
    pub fn take_unpublished(&mut self) -> Vec<FeedItem> {
        let new = self.events[self.published..].to_vec();
        self.published = self.events.len();
        new
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

    fn stored_document(
        &self,
        doc: &DocumentInput,
        field: &str,
        owner: &str,
    ) -> ApiResult<StoredDocument> {
        match doc {
            DocumentInput::Url { url } => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(ApiError::bad_request(format!(
                        "{field}.url must be an http(s) URL"
                    )));
                }
                let file = url
                    .rsplit('/')
                    .next()
                    .filter(|f| !f.is_empty())
                    .unwrap_or("document");
                Ok(StoredDocument {
                    public_url: format!("https://cdn.buzz-in.co/public/{owner}/{file}"),
                })
            }
            DocumentInput::Base64 {
                data, file_name, ..
            } => {
                base64::engine::general_purpose::STANDARD
                    .decode(data.as_bytes())
                    .map_err(|_| {
                        ApiError::bad_request(format!("{field}.data is not valid base64"))
                    })?;
                let file = file_name.clone().unwrap_or_else(|| "document.pdf".into());
                Ok(StoredDocument {
                    public_url: format!("https://cdn.buzz-in.co/public/{owner}/{file}"),
                })
            }
        }
    }

    pub fn create_contractor(&mut self, req: NewContractor) -> ApiResult<Contractor> {
        let name = required(&req.name, "name")?.to_owned();
        let email = required(&req.email, "email")?.to_owned();
        if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
            return Err(ApiError::bad_request(format!(
                "email \"{email}\" is not an email address"
            )));
        }
        let phone = required(&req.phone, "phone")?.to_owned();
        if !is_e164(&phone) {
            return Err(ApiError::bad_request(format!(
                "phone \"{phone}\" must be in E.164 form, e.g. +971500000000"
            )));
        }
        let company_in: CompanyInput = req.company.clone().unwrap_or_default();
        let company_name = required(&company_in.company_name, "company.companyName")?.to_owned();
        if let Some(d) = &company_in.trade_license_expiry_date
            && !plain_date_ok(d)
        {
            return Err(ApiError::bad_request(format!(
                "company.tradeLicenseExpiryDate must be YYYY-MM-DD, got \"{d}\""
            )));
        }
        let salesforce_id = req
            .integrations
            .as_ref()
            .and_then(|i| i.damac.as_ref())
            .and_then(|d| d.salesforce_id.clone());
        let salesforce_id = required(&salesforce_id, "integrations.damac.salesforceId")?.to_owned();

        // The three uniqueness rules [DOC]: email across Buzz-In, phone and Salesforce id per community.
        let email_key = email.to_lowercase();
        for c in &self.contractors {
            if c.email.as_deref().map(str::to_lowercase).as_deref() == Some(email_key.as_str()) {
                return Err(ApiError::conflict(format!(
                    "A contractor with email {email} already exists"
                )));
            }
            if c.is_member_of(&self.community_id) {
                if c.phone.as_deref() == Some(phone.as_str()) {
                    return Err(ApiError::conflict(format!(
                        "A contractor with phone {phone} already exists in this community"
                    )));
                }
                if c.salesforce_id() == Some(salesforce_id.as_str()) {
                    return Err(ApiError::conflict(format!(
                        "A contractor with Salesforce id {salesforce_id} already exists in this community"
                    )));
                }
            }
        }
        let owner = "communityContractors";
        let trade_license = company_in
            .trade_license
            .as_ref()
            .map(|d| self.stored_document(d, "company.tradeLicense", owner))
            .transpose()?;
        let insurance = company_in
            .insurance
            .as_ref()
            .map(|d| self.stored_document(d, "company.insurance", owner))
            .transpose()?;
        let safety_certifications = company_in
            .safety_certifications
            .as_ref()
            .map(|docs| {
                docs.iter()
                    .map(|d| self.stored_document(d, "company.safetyCertifications", owner))
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;

        let now = self.now();
        let contractor = Contractor {
            id: self.ids.mint(),
            name: Some(name),
            email: Some(email),
            phone: Some(phone),
            approved: false,
            communities_ids: vec![self.community_id.clone()],
            company: Some(Company {
                company_name: Some(company_name),
                trade_license,
                trade_license_expiry_date: company_in.trade_license_expiry_date,
                insurance,
                safety_certifications,
            }),
            integrations: Some(ContractorIntegrations {
                damac: Some(DamacContractor {
                    salesforce_id: Some(salesforce_id),
                }),
            }),
            created_at: Some(now),
            updated_at: Some(now),
        };
        self.insert_contractor(contractor.clone());
        Ok(contractor)
    }

    pub(crate) fn insert_contractor(&mut self, c: Contractor) {
        if self.track {
            self.dirty_contractors.insert(self.contractors.len());
        }
        self.contractor_at
            .insert(c.id.clone(), self.contractors.len());
        self.contractors.push(c);
    }

    pub fn contractor_action(&mut self, id: &str, action: &str) -> ApiResult<Contractor> {
        let c = self.contractor(id)?;
        let member = c.is_member_of(&self.community_id);
        match action {
            "approve" => {
                if !member {
                    return Err(ApiError::bad_request(
                        "This contractor was removed from the community and cannot be approved",
                    ));
                }
                if !c.approved {
                    let now = self.now();
                    let c = self.contractor_mut(id);
                    c.approved = true;
                    c.updated_at = Some(now);
                    let data = contractor_event_data(c, None);
                    self.emit(EventName::ContractorApproved, data);
                }
            }
            "revoke" => {
                // [GAP] revoking a removed contractor: answered 200 with no effect.
                if member {
                    let archived: Vec<String> = self
                        .permits
                        .iter()
                        .filter(|p| {
                            p.community_contractor_id.as_deref() == Some(id)
                                && p.status_name.as_ref().is_some_and(inf::is_active)
                        })
                        .map(|p| p.id.clone())
                        .collect();
                    for pid in &archived {
                        self.set_status(pid, StatusName::Archived);
                        self.kill_code(pid, DeadCode::Archived);
                        let data = self.permit_event_data(pid, false);
                        self.emit(EventName::PermitUpdated, data);
                    }
                    let now = self.now();
                    let community = self.community_id.clone();
                    let c = self.contractor_mut(id);
                    c.communities_ids.retain(|x| *x != community);
                    c.approved = false;
                    c.updated_at = Some(now);
                    let data = contractor_event_data(c, Some(archived));
                    self.emit(EventName::ContractorRemoved, data);
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unknown action \"{other}\": expected \"approve\" or \"revoke\""
                )));
            }
        }
        Ok(self.contractor(id)?.clone())
    }

    // ---- permits ------------------------------------------------------------------------------

    fn resolve_property(
        &self,
        id: &Option<String>,
        external: &Option<String>,
    ) -> ApiResult<&Property> {
        match (id.as_deref(), external.as_deref()) {
            (Some(id), _) => self.properties.iter().find(|p| p.id == id).ok_or_else(|| {
                ApiError::not_found(format!("Property {id} is not in this community"))
            }),
            (None, Some(ext)) => self
                .properties
                .iter()
                .find(|p| p.external_id == ext)
                .ok_or_else(|| {
                    ApiError::not_found(format!("Property {ext} is not in this community"))
                }),
            (None, None) => Err(ApiError::bad_request(
                "propertyExternalId or propertyId is required",
            )),
        }
    }

    fn resolve_flat<'p>(
        property: &'p Property,
        id: Option<&str>,
        external: Option<&str>,
    ) -> ApiResult<&'p Flat> {
        let found = match (id, external) {
            (Some(id), _) => property.flats.iter().find(|f| f.id == id),
            (None, Some(ext)) => property.flats.iter().find(|f| f.external_id == ext),
            (None, None) => {
                return Err(ApiError::bad_request(
                    "flatExternalId or flatId is required",
                ));
            }
        };
        found.ok_or_else(|| {
            ApiError::not_found(format!(
                "Unit {} does not belong to property {}",
                id.or(external).unwrap_or_default(),
                property.external_id
            ))
        })
    }

    fn stored_noc(&self, noc: &NocInput) -> ApiResult<StoredNoc> {
        for (field, value) in [
            ("noc.issueDate", &noc.issue_date),
            ("noc.expiryDate", &noc.expiry_date),
        ] {
            if let Some(v) = value
                && !plain_date_ok(v)
            {
                return Err(ApiError::bad_request(format!(
                    "{field} must be YYYY-MM-DD, got \"{v}\""
                )));
            }
        }
        let document = match &noc.document {
            // The documented response keeps the URL given [DOC example].
            DocumentInput::Url { url } => StoredDocument {
                public_url: url.clone(),
            },
            other => self.stored_document(other, "noc", "permits")?,
        };
        Ok(StoredNoc {
            document: Some(document),
            noc_number: noc.noc_number.clone(),
            issue_date: noc.issue_date.clone(),
            expiry_date: noc.expiry_date.clone(),
            replaced_at: None,
        })
    }

    fn check_window(&self, from: Option<Timestamp>, till: Timestamp) -> ApiResult<()> {
        if till <= self.now() {
            return Err(ApiError::bad_request(format!(
                "validTill {till} must be in the future"
            )));
        }
        if let Some(from) = from
            && till < from
        {
            return Err(ApiError::bad_request(format!(
                "validTill {till} must not be before validFrom {from}"
            )));
        }
        Ok(())
    }

    pub fn create_permit(&mut self, req: NewPermit) -> ApiResult<Permit> {
        let salesforce_id = required(&req.salesforce_permit_id, "salesforcePermitId")?.to_owned();
        let valid_from = parse_time(required(&req.valid_from, "validFrom")?, "validFrom")?;
        let valid_till = parse_time(required(&req.valid_till, "validTill")?, "validTill")?;
        for (field, v) in [("timeIn", &req.time_in), ("timeOut", &req.time_out)] {
            if let Some(v) = v {
                parse_hhmm(v, field)?;
            }
        }
        if self.permit_by_salesforce.contains_key(&salesforce_id) {
            return Err(ApiError::conflict(format!(
                "A permit with salesforcePermitId {salesforce_id} already exists"
            )));
        }
        // Reference resolution [DOC]: unmapped → 404; the contractor must be approved.
        let contractor = match (
            req.community_contractor_id.as_deref(),
            req.contractor_salesforce_id.as_deref(),
        ) {
            (Some(id), _) => self
                .contractors
                .iter()
                .find(|c| c.id == id && c.is_member_of(&self.community_id)),
            (None, Some(sf)) => self
                .contractors
                .iter()
                .find(|c| c.salesforce_id() == Some(sf) && c.is_member_of(&self.community_id)),
            (None, None) => {
                return Err(ApiError::bad_request(
                    "contractorSalesforceId or communityContractorId is required",
                ));
            }
        }
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Contractor {} is not in this community",
                req.community_contractor_id
                    .as_deref()
                    .or(req.contractor_salesforce_id.as_deref())
                    .unwrap_or_default()
            ))
        })?;
        if !contractor.approved {
            return Err(ApiError::bad_request(format!(
                "Contractor {} is not approved yet",
                contractor.id
            )));
        }
        let contractor_id = contractor.id.clone();
        let property = self.resolve_property(&req.property_id, &req.property_external_id)?;
        let flat = Self::resolve_flat(
            property,
            req.flat_id.as_deref(),
            req.flat_external_id.as_deref(),
        )?;
        let mut additional = Vec::new();
        for id in req.additional_flat_ids.iter().flatten() {
            additional.push(Self::resolve_flat(property, Some(id), None)?.id.clone());
        }
        for ext in req.additional_flat_external_ids.iter().flatten() {
            additional.push(Self::resolve_flat(property, None, Some(ext))?.id.clone());
        }
        let (property_id, flat_id) = (property.id.clone(), flat.id.clone());
        self.check_window(Some(valid_from), valid_till)?;
        let noc = req.noc.as_ref().map(|n| self.stored_noc(n)).transpose()?;

        let now = self.now();
        let pass_number = inf::pass_number(self.next_pass);
        self.next_pass += 1;
        let permit = Permit {
            id: self.ids.mint(),
            pass_number: Some(pass_number),
            status: self.status_code(&StatusName::Draft),
            status_name: Some(StatusName::Draft),
            pass_type: Some("permits".into()),
            permit_type: Some(req.permit_type.unwrap_or(PermitType::BuildUp)),
            community_id: Some(self.community_id.clone()),
            property_id: Some(property_id),
            flat_id: Some(flat_id),
            additional_flat_ids: (!additional.is_empty()).then_some(additional),
            community_contractor_id: Some(contractor_id),
            valid_from: Some(valid_from),
            valid_till: Some(valid_till),
            time_in: req.time_in,
            time_out: req.time_out,
            representative_name: req.representative_name,
            representative_contact: req.representative_contact,
            employees: req.employees,
            jobs_summary: req.jobs_summary,
            access_code: None,
            qr_token: None,
            qr_image_base64: None,
            qr_image_url: None,
            permit_documentation_url: None,
            integrations: Some(PermitIntegrations {
                damac: Some(DamacPermit {
                    salesforce_id: Some(salesforce_id),
                    noc,
                    noc_history: None,
                }),
            }),
            audit: None,
            created_at: Some(now),
            updated_at: Some(now),
        };
        self.insert_permit(permit.clone());
        Ok(permit)
    }

    pub(crate) fn insert_permit(&mut self, p: Permit) {
        if let Some(sf) = p.salesforce_id() {
            self.permit_by_salesforce
                .insert(sf.to_owned(), p.id.clone());
        }
        if let Some(code) = &p.access_code
            && p.status_name.as_ref() == Some(&StatusName::Accepted)
        {
            self.live_codes.insert(code.clone(), p.id.clone());
        }
        if self.track {
            self.dirty_permits.insert(self.permits.len());
        }
        self.permit_at.insert(p.id.clone(), self.permits.len());
        self.permits.push(p);
    }

    /// Marks a seeded permit's `expiring` as already sent, so a fresh sandbox starts with an
    /// empty feed.
    pub(crate) fn mark_expiring_sent(&mut self, id: &str) {
        self.flag(FLAG_EXPIRING_SENT, id, true);
    }

    /// A seeded permit that is no longer ACCEPTED has a dead code, for the reason its status says.
    pub(crate) fn seeded_code_state(&mut self, id: &str) {
        let why = match self.permit(id).ok().and_then(Permit::status_name) {
            Some(StatusName::Revoked) => DeadCode::Revoked,
            Some(StatusName::Archived) => DeadCode::Archived,
            Some(StatusName::Expired) => DeadCode::Expired,
            _ => return,
        };
        self.kill_code(id, why);
    }

    pub(crate) fn next_pass_number(&mut self) -> String {
        let n = self.next_pass;
        self.next_pass += 1;
        inf::pass_number(n)
    }

    pub(crate) fn mint_id(&mut self) -> String {
        self.ids.mint()
    }

    pub fn patch_permit(&mut self, id: &str, patch: PermitPatch) -> ApiResult<Permit> {
        let current = self.permit(id)?.clone();
        let status = current
            .status_name()
            .unwrap_or(StatusName::Unknown(String::new()));
        if inf::is_terminal(&status) {
            return Err(ApiError::bad_request(format!(
                "Permit {} is {status} and can no longer be changed",
                current.pass_number.as_deref().unwrap_or(id)
            )));
        }
        let now = self.now();
        match patch.action.as_deref() {
            Some("replaceNoc") => {
                let noc = patch
                    .noc
                    .as_ref()
                    .ok_or_else(|| ApiError::bad_request("replaceNoc needs a noc"))?;
                let new_noc = self.stored_noc(noc)?;
                let p = self.permit_mut(id);
                let damac = p
                    .integrations
                    .get_or_insert_with(Default::default)
                    .damac
                    .get_or_insert_with(Default::default);
                if let Some(mut old) = damac.noc.take() {
                    old.replaced_at = Some(now);
                    damac.noc_history.get_or_insert_with(Vec::new).push(old);
                }
                damac.noc = Some(new_noc);
                p.updated_at = Some(now);
                let data = self.permit_event_data(id, false);
                self.emit(EventName::PermitUpdated, data);
            }
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Unknown action \"{other}\": expected \"replaceNoc\", or no action to change dates"
                )));
            }
            None => {
                let from = patch
                    .valid_from
                    .as_deref()
                    .map(|v| parse_time(v, "validFrom"))
                    .transpose()?;
                let till = patch
                    .valid_till
                    .as_deref()
                    .map(|v| parse_time(v, "validTill"))
                    .transpose()?;
                for (field, v) in [("timeIn", &patch.time_in), ("timeOut", &patch.time_out)] {
                    if let Some(v) = v {
                        parse_hhmm(v, field)?;
                    }
                }
                let dates_change = from.is_some() || till.is_some();
                if dates_change {
                    let new_from = from.or(current.valid_from);
                    let new_till = till
                        .or(current.valid_till)
                        .ok_or_else(|| ApiError::bad_request("validTill is required"))?;
                    self.check_window(new_from, new_till)?;
                }
                let other_change = patch.time_in.is_some()
                    || patch.time_out.is_some()
                    || patch.representative_name.is_some()
                    || patch.representative_contact.is_some()
                    || patch.employees.is_some()
                    || patch.jobs_summary.is_some()
                    || patch.permit_type.is_some();
                if !dates_change && !other_change {
                    return Err(ApiError::bad_request(
                        "Nothing to update: send validFrom/validTill, another permit field, or an action",
                    ));
                }
                let p = self.permit_mut(id);
                if let Some(f) = from {
                    p.valid_from = Some(f);
                }
                if let Some(t) = till {
                    p.valid_till = Some(t);
                }
                macro_rules! set {
                    ($($field:ident),*) => { $(if patch.$field.is_some() { p.$field = patch.$field.clone(); })* };
                }
                set!(
                    time_in,
                    time_out,
                    representative_name,
                    representative_contact,
                    employees,
                    jobs_summary,
                    permit_type
                );
                p.updated_at = Some(now);
                if dates_change {
                    // Same access code; the QR is updated in place [DOC].
                    self.flag(FLAG_EXPIRING_SENT, id, false);
                    let data = self.permit_event_data(id, false);
                    self.emit(EventName::PermitUpdated, data);
                }
            }
        }
        Ok(self.permit(id)?.clone())
    }

    pub fn pass_action(&mut self, id: &str, req: PassAction) -> ApiResult<()> {
        let current = self.permit(id)?.clone();
        let status = current
            .status_name()
            .unwrap_or(StatusName::Unknown(String::new()));
        let label = current.pass_number.clone().unwrap_or_else(|| id.to_owned());
        let now = self.now();
        match req.action.as_str() {
            "submit" => {
                if status != StatusName::Draft {
                    return Err(ApiError::bad_request(format!(
                        "Only DRAFT permits can be submitted; {label} is {status}"
                    )));
                }
                let mut missing = Vec::new();
                for (field, present) in [
                    ("validFrom", current.valid_from.is_some()),
                    ("validTill", current.valid_till.is_some()),
                    ("timeIn", current.time_in.is_some()),
                    ("timeOut", current.time_out.is_some()),
                    (
                        "representativeName",
                        current
                            .representative_name
                            .as_deref()
                            .is_some_and(|s| !s.trim().is_empty()),
                    ),
                    (
                        "representativeContact",
                        current
                            .representative_contact
                            .as_deref()
                            .is_some_and(|s| !s.trim().is_empty()),
                    ),
                    (
                        "employees",
                        current.employees.as_ref().is_some_and(|e| !e.is_empty()),
                    ),
                ] {
                    if !present {
                        missing.push(field);
                    }
                }
                if !missing.is_empty() {
                    return Err(ApiError::bad_request(format!(
                        "Cannot submit {label}: missing {}",
                        missing.join(", ")
                    )));
                }
                self.set_status(id, StatusName::Pending);
                self.audit(id, "submit", None, now);
            }
            "revoke" => {
                if inf::is_terminal(&status) {
                    return Err(ApiError::bad_request(format!(
                        "{label} is already {status} and cannot be revoked"
                    )));
                }
                let reason = req
                    .reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty());
                if reason.is_some_and(|r| r.chars().count() > 1000) {
                    return Err(ApiError::bad_request(
                        "reason must be at most 1000 characters",
                    ));
                }
                self.set_status(id, StatusName::Revoked);
                self.kill_code(id, DeadCode::Revoked);
                self.audit(id, "revoke", reason.map(str::to_owned), now);
                let mut data = self.permit_event_data(id, false);
                data.reason = reason.map(str::to_owned);
                self.emit(EventName::PermitUpdated, data);
            }
            "reissuePass" => {
                if status != StatusName::Accepted {
                    return Err(ApiError::bad_request(format!(
                        "Only ACCEPTED permits can be reissued; {label} is {status}"
                    )));
                }
                self.kill_code(id, DeadCode::Reissued);
                self.issue_code(id);
                self.audit(id, "reissuePass", None, now);
                let data = self.permit_event_data(id, true);
                self.emit(EventName::PermitIssued, data);
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unknown action \"{other}\": expected \"revoke\", \"reissuePass\" or \"submit\""
                )));
            }
        }
        Ok(())
    }

    /// The admin approves a submitted permit in the dashboard: → ACCEPTED, a code, `issued`.
    pub fn approve_permit(&mut self, id: &str) -> ApiResult<Permit> {
        let status = self.permit(id)?.status_name();
        if status != Some(StatusName::Pending) {
            return Err(ApiError::bad_request(format!(
                "Only submitted (PENDING) permits can be approved; this one is {}",
                status.map(|s| s.to_string()).unwrap_or_default()
            )));
        }
        self.set_status(id, StatusName::Accepted);
        self.issue_code(id);
        let now = self.now();
        self.audit(id, "approve", None, now);
        let data = self.permit_event_data(id, true);
        self.emit(EventName::PermitIssued, data);
        self.sweep();
        Ok(self.permit(id)?.clone())
    }

    /// The admin rejects a submitted permit [INF].
    pub fn reject_permit(&mut self, id: &str, reason: Option<String>) -> ApiResult<Permit> {
        let status = self.permit(id)?.status_name();
        if status != Some(StatusName::Pending) {
            return Err(ApiError::bad_request(
                "Only submitted (PENDING) permits can be rejected",
            ));
        }
        self.set_status(id, StatusName::Rejected);
        let now = self.now();
        self.audit(id, "reject", reason, now);
        let data = self.permit_event_data(id, false);
        self.emit(EventName::PermitUpdated, data);
        Ok(self.permit(id)?.clone())
    }

    // ---- gate -----------------------------------------------------------------------------------

    pub fn scan(&mut self, req: ScanRequest) -> ApiResult<ScanResult> {
        let direction = req.direction.clone().unwrap_or_else(|| "entry".into());
        if direction != "entry" && direction != "exit" {
            return Err(ApiError::bad_request(
                "direction must be \"entry\" or \"exit\"",
            ));
        }
        let reject = |reason: &str, permit: Option<&str>| ScanResult {
            accepted: false,
            reason: Some(reason.to_owned()),
            permit_id: permit.map(str::to_owned),
        };
        let code = req.access_code.trim();
        if let Some((pid, why)) = self.dead_codes.get(code) {
            return Ok(reject(dead_reason(*why), Some(pid)));
        }
        let Some(pid) = self.live_codes.get(code).cloned() else {
            return Ok(reject("unknown code", None));
        };
        let p = self.permit(&pid)?.clone();
        match p.status_name() {
            Some(StatusName::Accepted) => {}
            Some(StatusName::Revoked) => return Ok(reject("revoked", Some(&pid))),
            Some(StatusName::Archived) => return Ok(reject("archived", Some(&pid))),
            Some(StatusName::Expired) => return Ok(reject("expired", Some(&pid))),
            _ => return Ok(reject("inactive", Some(&pid))),
        }
        if let Some(prop) = &req.property_id
            && p.property_id.as_ref() != Some(prop)
        {
            return Ok(reject("wrong location", Some(&pid)));
        }
        if let Some(flat) = &req.flat_id {
            let on_permit = p.flat_id.as_ref() == Some(flat)
                || p.additional_flat_ids.iter().flatten().any(|f| f == flat);
            if !on_permit {
                return Ok(reject("wrong location", Some(&pid)));
            }
        }
        let now = self.now();
        if p.valid_from.is_some_and(|f| now < f) {
            return Ok(reject("inactive", Some(&pid)));
        }
        if p.valid_till.is_some_and(|t| now >= t) {
            return Ok(reject("expired", Some(&pid)));
        }
        if let (Some(tin), Some(tout)) = (&p.time_in, &p.time_out) {
            let local = now.0 + Duration::seconds(inf::COMMUNITY_UTC_OFFSET_SECS.into());
            let minute = local.hour() * 60 + local.minute();
            let (a, b) = (parse_hhmm(tin, "timeIn")?, parse_hhmm(tout, "timeOut")?);
            let inside = if a <= b {
                (a..=b).contains(&minute)
            } else {
                minute >= a || minute <= b
            };
            if !inside {
                return Ok(reject("outside daily time window", Some(&pid)));
            }
        }
        let scan = ScanInfo {
            direction: direction.clone(),
            gate: req.gate.clone(),
            scanned_at: now,
        };
        let mut data = self.permit_event_data(&pid, false);
        data.scan = Some(scan);
        self.emit(EventName::PermitScanned, data.clone());
        if !self.scanned.contains(&pid) {
            self.flag(FLAG_SCANNED, &pid, true);
            self.emit(EventName::PermitFirstScanned, data.clone());
        }
        if inf::LAST_SCANNED_ON_EXIT && direction == "exit" {
            self.emit(EventName::PermitLastScanned, data);
        }
        Ok(ScanResult {
            accepted: true,
            reason: None,
            permit_id: Some(pid),
        })
    }

    // ---- internals ----------------------------------------------------------------------------

    fn set_status(&mut self, id: &str, status: StatusName) {
        let now = self.now();
        let code = self.status_code(&status);
        let p = self.permit_mut(id);
        p.status = code;
        p.status_name = Some(status);
        p.updated_at = Some(now);
    }

    fn audit(&mut self, id: &str, action: &str, reason: Option<String>, at: Timestamp) {
        let p = self.permit_mut(id);
        p.audit.get_or_insert_with(Vec::new).push(AuditEntry {
            action: action.to_owned(),
            actor: Some(API_ACTOR.to_owned()),
            reason,
            at,
        });
    }

    pub(crate) fn new_access_code(&mut self) -> String {
        loop {
            let code: String = (0..inf::ACCESS_CODE_LEN)
                .map(|_| {
                    let i = self.rng.random_range(0..inf::ACCESS_CODE_ALPHABET.len());
                    inf::ACCESS_CODE_ALPHABET[i] as char
                })
                .collect();
            if !self.live_codes.contains_key(&code) && !self.dead_codes.contains_key(&code) {
                return code;
            }
        }
    }

    /// Mints a fresh access code for the permit, with its QR fields.
    fn issue_code(&mut self, id: &str) {
        let code = self.new_access_code();
        self.live_codes.insert(code.clone(), id.to_owned());
        let now = self.now();
        let p = self.permit_mut(id);
        let pass = p.pass_number.clone().unwrap_or_default();
        p.access_code = Some(code.clone());
        p.qr_token = Some(code);
        p.qr_image_url = Some(format!(
            "https://cdn.buzz-in.co/public/permits/permit-{pass}-qr.png"
        ));
        p.permit_documentation_url = Some(format!(
            "https://cdn.buzz-in.co/public/permits/permit-{pass}-{}.pdf",
            now.millis()
        ));
        p.updated_at = Some(now);
    }

    fn kill_code(&mut self, id: &str, why: DeadCode) {
        let code = self.permit(id).ok().and_then(|p| p.access_code.clone());
        if let Some(code) = code {
            self.live_codes.remove(&code);
            if self.track {
                self.dirty_codes.push(code.clone());
            }
            self.dead_codes.insert(code, (id.to_owned(), why));
        }
    }

    fn permit_event_data(&self, id: &str, with_qr: bool) -> PermitEventData {
        let p = &self.permits[self.permit_at[id]];
        PermitEventData {
            permit_id: Some(p.id.clone()),
            pass_number: p.pass_number.clone(),
            status: p.status,
            status_name: p.status_name.clone(),
            pass_type: p.pass_type.clone(),
            permit_type: p.permit_type.clone(),
            community_id: p.community_id.clone(),
            property_id: p.property_id.clone(),
            flat_id: p.flat_id.clone(),
            community_contractor_id: p.community_contractor_id.clone(),
            salesforce_id: p.salesforce_id().map(str::to_owned),
            valid_from: p.valid_from,
            valid_till: p.valid_till,
            access_code: p.access_code.clone(),
            permit_documentation_url: with_qr
                .then(|| p.permit_documentation_url.clone())
                .flatten(),
            qr_token: with_qr.then(|| p.qr_token.clone()).flatten(),
            qr_image_base64: with_qr
                .then_some(p.access_code.as_deref())
                .flatten()
                .map(|code| {
                    base64::engine::general_purpose::STANDARD
                        .encode(crate::qr::png(&inf::qr_payload(code)))
                }),
            qr_image_url: with_qr.then(|| p.qr_image_url.clone()).flatten(),
            scan: None,
            reason: None,
        }
    }

    fn emit(&mut self, event: EventName, data: impl Serialize) {
        let envelope = Envelope {
            id: self.ids.mint(),
            event,
            community_id: self.community_id.clone(),
            created_at: self.now(),
            data: serde_json::to_value(data).expect("event data serialises"),
        };
        let cursor = self.events.len() as u64 + 1;
        self.events.push(FeedItem { cursor, envelope });
    }
}

fn contractor_event_data(c: &Contractor, archived: Option<Vec<String>>) -> ContractorEventData {
    ContractorEventData {
        community_contractor_id: Some(c.id.clone()),
        approved: Some(c.approved),
        salesforce_id: c.salesforce_id().map(str::to_owned),
        name: c.name.clone(),
        archived_permit_ids: archived,
    }
}
