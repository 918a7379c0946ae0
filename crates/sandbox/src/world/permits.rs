//! Permits: created, patched (dates, NOC, submit-time fields), and decided by the admin.

use super::*;

impl World {
    pub(super) fn resolve_property(
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

    pub(super) fn resolve_flat<'p>(
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

    pub(super) fn stored_noc(&self, noc: &NocInput) -> ApiResult<StoredNoc> {
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

    pub(super) fn check_window(&self, from: Option<Timestamp>, till: Timestamp) -> ApiResult<()> {
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
        let external_ids = inf::PERMITS_CARRY_EXTERNAL_IDS
            .then(|| (property.external_id.clone(), flat.external_id.clone()));
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
            property_external_id: external_ids.as_ref().map(|e| e.0.clone()),
            flat_external_id: external_ids.map(|e| e.1),
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
        self.audit(id, PermitAction::Approve, None, now);
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
        self.audit(id, PermitAction::Reject, reason, now);
        let data = self.permit_event_data(id, false);
        self.emit(EventName::PermitUpdated, data);
        Ok(self.permit(id)?.clone())
    }

    // ---- gate -----------------------------------------------------------------------------------

    pub(super) fn set_status(&mut self, id: &str, status: StatusName) {
        let now = self.now();
        let code = self.status_code(&status);
        let p = self.permit_mut(id);
        p.status = code;
        p.status_name = Some(status);
        p.updated_at = Some(now);
    }

    pub(super) fn audit(
        &mut self,
        id: &str,
        action: PermitAction,
        reason: Option<String>,
        at: Timestamp,
    ) {
        let p = self.permit_mut(id);
        p.audit.get_or_insert_with(Vec::new).push(AuditEntry {
            action,
            actor: Some(API_ACTOR.to_owned()),
            reason,
            at,
        });
    }
}
