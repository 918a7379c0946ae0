//! Every documented example payload of the reference (`shared/api/buzzin-api.md`) is a fixture
//! here: it must decode into its type and encode back to the same JSON.

use gatehouse_buzzin::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let original = fixture(name);
    let typed: T = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, original, "{name} does not round-trip");
    typed
}

#[test]
fn contractor_create_request() {
    let c: NewContractor = round_trip("contractor-create-request.json");
    let company = c.company.unwrap();
    assert!(matches!(
        company.trade_license,
        Some(DocumentInput::Url { .. })
    ));
}

#[test]
fn contractor_create_response() {
    let c: Contractor = round_trip("contractor-create-response.json");
    assert!(!c.approved);
    assert!(c.is_member_of("6840270a99ca91002185fcd6"));
}

#[test]
fn contractor_revoke_request() {
    let a: ContractorAction = round_trip("contractor-revoke-request.json");
    assert_eq!(a.action, gatehouse_buzzin::ContractorActionKind::Revoke);
}

#[test]
fn permit_create_request() {
    let p: NewPermit = round_trip("permit-create-request.json");
    assert_eq!(p.noc.unwrap().noc_number.as_deref(), Some("NOC-12345"));
}

#[test]
fn permit_create_response_is_a_draft_by_its_code() {
    let p: Permit = round_trip("permit-create-response.json");
    assert_eq!(
        p.status_name, None,
        "the create response carries no statusName"
    );
    assert_eq!(p.status_name(), Some(StatusName::Draft));
    assert_eq!(p.salesforce_id(), Some("a1B5g000000XYZWEAW"));
}

#[test]
fn pass_revoke_request() {
    let a: PassAction = round_trip("pass-revoke-request.json");
    assert_eq!(a.action, gatehouse_buzzin::PermitAction::Revoke);
    assert_eq!(a.reason.as_deref(), Some("Permit cancelled by DAMAC."));
}

#[test]
fn permits_issued_webhook() {
    let e: Envelope<PermitEventData> = round_trip("webhook-permits-issued.json");
    assert_eq!(e.event, EventName::PermitIssued);
    assert_eq!(e.data.status_name, Some(StatusName::Accepted));
    assert_eq!(e.data.permit_type, Some(PermitType::BuildUp));
    let generic: Envelope = round_trip("webhook-permits-issued.json");
    assert_eq!(generic.data["accessCode"], "7H2KQ9ZTM4XB1RPA8VC0DLEN");
}

#[test]
fn bad_request_error() {
    let e: FeathersError = round_trip("error-bad-request.json");
    assert_eq!((e.name.as_str(), e.code), ("BadRequest", 400));
}

#[test]
fn unknown_fields_are_ignored_and_optional_ones_may_be_missing() {
    let p: Permit = serde_json::from_value(json!({
        "_id": "66f0a1b2c3d4e5f600000abc",
        "statusName": "ACCEPTED",
        "somethingNew": {"nested": [1, 2, 3]},
        "gracePeriod": 15
    }))
    .unwrap();
    assert_eq!(p.status_name(), Some(StatusName::Accepted));
    assert_eq!(p.valid_till, None);
    let c: Contractor = serde_json::from_value(json!({"_id": "x", "rating": 5})).unwrap();
    assert!(!c.approved && c.communities_ids.is_empty());
}

#[test]
fn unknown_names_are_kept_not_rejected() {
    let p: Permit = serde_json::from_value(json!({
        "_id": "a", "status": 7, "statusName": "SUSPENDED", "permitType": "moveIn"
    }))
    .unwrap();
    assert_eq!(
        p.status_name(),
        Some(StatusName::Unknown("SUSPENDED".into()))
    );
    assert_eq!(p.permit_type, Some(PermitType::Unknown("moveIn".into())));
    let back = serde_json::to_value(&p).unwrap();
    assert_eq!(back["statusName"], "SUSPENDED", "kept exactly as sent");

    let e: Envelope = serde_json::from_value(json!({
        "id": "1", "event": "passes.permits.teleported", "communityId": "c",
        "createdAt": "2026-06-29T10:15:00.000Z", "data": {}
    }))
    .unwrap();
    assert_eq!(
        e.event,
        EventName::Unknown("passes.permits.teleported".into())
    );
    assert!(e.event.is_permit_event());
}

#[test]
fn an_unknown_status_code_without_a_name_is_unknown_not_a_guess() {
    let p: Permit = serde_json::from_value(json!({"_id": "a", "status": 77})).unwrap();
    assert_eq!(p.status_name(), None);
}

#[test]
fn a_malformed_timestamp_is_a_clear_decode_error() {
    let err = serde_json::from_value::<Permit>(json!({"_id": "a", "validTill": "next week"}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("next week") && err.contains("timestamp"),
        "{err}"
    );
}

#[test]
fn base64_documents_decode() {
    let d: DocumentInput = serde_json::from_value(json!({
        "type": "base64", "data": "JVBERi0=", "fileName": "license.pdf", "mimeType": "application/pdf"
    }))
    .unwrap();
    assert!(
        matches!(d, DocumentInput::Base64 { ref file_name, .. } if file_name.as_deref() == Some("license.pdf"))
    );
}

#[test]
fn the_events_feed_item_flattens_the_envelope() {
    let item: FeedItem = serde_json::from_value(json!({
        "cursor": 42, "id": "e1", "event": "communityContractors.removed", "communityId": "c",
        "createdAt": "2026-06-29T10:15:00.000Z", "data": {"communityContractorId": "k"}
    }))
    .unwrap();
    assert_eq!(item.cursor, 42);
    assert_eq!(item.envelope.event, EventName::ContractorRemoved);
}
