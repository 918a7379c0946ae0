//! Contractors: created, approved, revoked (which archives their active permits).

use super::*;

impl World {
    pub(super) fn stored_document(
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

    pub fn contractor_action(
        &mut self,
        id: &str,
        action: &ContractorActionKind,
    ) -> ApiResult<Contractor> {
        let c = self.contractor(id)?;
        let member = c.is_member_of(&self.community_id);
        match action {
            ContractorActionKind::Approve => {
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
            ContractorActionKind::Revoke => {
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
}
