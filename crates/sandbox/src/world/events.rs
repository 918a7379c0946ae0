//! The event feed: envelopes in cursor order, handed to webhook delivery once saved.

use super::*;

pub(super) fn contractor_event_data(
    c: &Contractor,
    archived: Option<Vec<String>>,
) -> ContractorEventData {
    ContractorEventData {
        community_contractor_id: Some(c.id.clone()),
        approved: Some(c.approved),
        salesforce_id: c.salesforce_id().map(str::to_owned),
        name: c.name.clone(),
        archived_permit_ids: archived,
    }
}

impl World {
    /// Events emitted since the last call, for webhook delivery.
    pub fn take_unpublished(&mut self) -> Vec<FeedItem> {
        let new = self.events[self.published..].to_vec();
        self.published = self.events.len();
        new
    }

    pub(super) fn permit_event_data(&self, id: &str, with_qr: bool) -> PermitEventData {
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

    pub(super) fn emit(&mut self, event: EventName, data: impl Serialize) {
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
