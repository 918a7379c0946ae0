//! The sandbox's rules, checked over real HTTP on loopback. Each test starts its own sandbox.
//! [DOC] rules of `shared/api/buzzin-api.md` are named in the test names and comments.

use gatehouse_sandbox::{Config, Seed};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use gatehouse_testkit::api::*;
// ---- authentication ([GAP] header; INF default: Bearer or x-api-key) ---------------------------

#[tokio::test]
async fn a_missing_or_unknown_key_is_401_in_the_feathers_envelope() {
    let api = empty().await;
    let url = format!("{}/permits", api.base);
    let none = api.http.get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_feathers(&none.json().await.unwrap(), 401, "NotAuthenticated");
    let bearer = format!("Bearer {}", api.key);
    assert_eq!(
        api.status_of("/permits", &[("x-api-key", "nope")]).await,
        401
    );
    assert_eq!(
        api.status_of("/permits", &[("authorization", &bearer)])
            .await,
        200
    );
    assert_eq!(
        api.status_of("/permits", &[("x-api-key", &api.key)]).await,
        200
    );
}

#[tokio::test]
async fn a_configured_header_is_the_only_one_accepted() {
    let api = sandbox_with(Config {
        seed: Seed::Empty,
        auth_header: Some("X-Community-Key".into()),
        ..Config::default()
    })
    .await;
    let bearer = format!("Bearer {}", api.key);
    assert_eq!(
        api.status_of("/permits", &[("x-community-key", &api.key)])
            .await,
        200
    );
    assert_eq!(
        api.status_of("/permits", &[("authorization", &bearer)])
            .await,
        401
    );
}

// ---- contractors [DOC 3.1, 3.2] ---------------------------------------------------------------

#[tokio::test]
async fn a_new_contractor_is_pending_with_the_community_and_a_public_document_url() {
    let api = empty().await;
    let (status, c) = api.post("/communityContractors", new_contractor(1)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(c["approved"], false);
    assert_eq!(
        c["communitiesIds"],
        json!([gatehouse_sandbox::DEFAULT_COMMUNITY_ID])
    );
    assert!(
        c["company"]["tradeLicense"]["publicUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://cdn.buzz-in.co/")
    );
    assert_eq!(
        c["integrations"]["damac"]["salesforceId"],
        "a0B5g00000CONT0001"
    );
    assert_eq!(c["_id"].as_str().unwrap().len(), 24);
}

#[tokio::test]
async fn the_three_uniqueness_rules_are_409() {
    let api = empty().await;
    api.post("/communityContractors", new_contractor(1)).await;
    let mut same_email = new_contractor(2);
    same_email["email"] = json!("REP1@contracting.ae"); // case does not make it new
    let mut same_phone = new_contractor(3);
    same_phone["phone"] = json!("+971500000001");
    let mut same_sf = new_contractor(4);
    same_sf["integrations"]["damac"]["salesforceId"] = json!("a0B5g00000CONT0001");
    for (what, body) in [
        ("email", same_email),
        ("phone", same_phone),
        ("salesforceId", same_sf),
    ] {
        let (status, v) = api.post("/communityContractors", body).await;
        assert_eq!(status, StatusCode::CONFLICT, "duplicate {what}: {v}");
        assert_feathers(&v, 409, "Conflict");
    }
    assert_eq!(
        api.get("/communityContractors?$limit=0").await.1["total"],
        1
    );
}

#[tokio::test]
async fn documents_may_be_base64_and_bad_base64_is_400() {
    let api = empty().await;
    let mut body = new_contractor(1);
    body["company"]["tradeLicense"] =
        json!({"type": "base64", "data": "JVBERi0xLjQK", "fileName": "tl.pdf"});
    let (status, c) = api.post("/communityContractors", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let mut bad = new_contractor(2);
    bad["company"]["tradeLicense"] = json!({"type": "base64", "data": "***not base64***"});
    let (status, v) = api.post("/communityContractors", bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("base64"), "{v}");
}

#[tokio::test]
async fn approving_a_contractor_emits_approved() {
    let api = empty().await;
    let c = api.contractor(1).await;
    assert_eq!(c["approved"], true);
    let events = api.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "communityContractors.approved");
    assert_eq!(events[0]["data"]["communityContractorId"], c["_id"]);
}

#[tokio::test]
async fn revoking_a_contractor_archives_its_active_permits_kills_their_codes_then_emits_removed() {
    let (api, c, accepted) = one_accepted().await;
    let code = accepted["accessCode"].as_str().unwrap().to_owned();
    let revoked = api.accepted_permit(&c, 2).await;
    let revoked_id = revoked["_id"].as_str().unwrap();
    api.patch_ok(
        &format!("/passes/{revoked_id}"),
        json!({"action": "revoke", "reason": "x"}),
    )
    .await;
    assert_eq!(api.scan(&code, json!({})).await["accepted"], true);
    let before = api.events().await.len();

    let id = c["_id"].as_str().unwrap();
    let removed = api
        .patch_ok(
            &format!("/communityContractors/{id}"),
            json!({"action": "revoke"}),
        )
        .await;
    assert!(
        removed["communitiesIds"].as_array().unwrap().is_empty(),
        "detached: {removed}"
    );

    let p = api
        .get_ok(&format!("/permits/{}", accepted["_id"].as_str().unwrap()))
        .await;
    assert_eq!(p["statusName"], "ARCHIVED");
    let untouched = api.get_ok(&format!("/permits/{revoked_id}")).await;
    assert_eq!(
        untouched["statusName"], "REVOKED",
        "an ended permit is not archived"
    );
    let mut scan = api.scan(&code, json!({})).await;
    assert!(scan["at"].is_string(), "the gate says when it read: {scan}");
    scan.as_object_mut().unwrap().remove("at");
    assert_eq!(
        scan,
        json!({"accepted": false, "reason": "archived", "permitId": accepted["_id"]})
    );

    let names = api.event_names().await[before..].to_vec();
    assert_eq!(
        names,
        ["passes.permits.updated", "communityContractors.removed"]
    );
    let events = api.events().await;
    assert_eq!(events[before]["data"]["statusName"], "ARCHIVED");
}

#[tokio::test]
async fn an_unknown_contractor_is_404_and_an_unknown_action_400() {
    let api = empty().await;
    let (status, v) = api
        .patch(
            "/communityContractors/66f0a1b2c3d4e5f600000001",
            json!({"action": "revoke"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_feathers(&v, 404, "NotFound");
    let c = api.contractor(1).await;
    let (status, v) = api
        .patch(
            &format!("/communityContractors/{}", c["_id"].as_str().unwrap()),
            json!({"action": "promote"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("promote"));
}

// ---- permits [DOC 3.3–3.5] ----------------------------------------------------------------------

#[tokio::test]
async fn a_permit_is_created_as_draft_from_damac_ids_or_buzzin_ids() {
    let api = empty().await;
    let c = api.contractor(1).await;
    let (prop_id, prop_ext, flat_id, flat_ext) = api.flat(1, 3).await;
    let base = json!({"validFrom": iso_in_hours(1), "validTill": iso_in_hours(48)});
    let mut by_damac = base.clone();
    by_damac.as_object_mut().unwrap().extend(json!({
        "salesforcePermitId": "a1B5g000000XYZWEAW",
        "contractorSalesforceId": "a0B5g00000CONT0001",
        "propertyExternalId": prop_ext, "flatExternalId": flat_ext,
        "noc": {"type": "url", "url": "https://files.example.com/noc-12345.pdf", "nocNumber": "NOC-12345", "issueDate": "2026-06-20", "expiryDate": "2026-08-20"}
    }).as_object().unwrap().clone());
    let (status, p) = api.post("/permits", by_damac).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(
        (p["status"].as_i64(), p["statusName"].as_str()),
        (Some(10), Some("DRAFT"))
    );
    assert_eq!(p["propertyId"], prop_id);
    assert_eq!(p["flatId"], flat_id);
    assert_eq!(p["communityContractorId"], c["_id"]);
    assert_eq!(p["integrations"]["damac"]["noc"]["nocNumber"], "NOC-12345");
    assert_eq!(
        p["integrations"]["damac"]["noc"]["document"]["publicUrl"],
        "https://files.example.com/noc-12345.pdf"
    );

    let mut by_ids = base;
    by_ids.as_object_mut().unwrap().extend(
        json!({
            "salesforcePermitId": "a1B5g000000XYZWEAX",
            "communityContractorId": c["_id"], "propertyId": prop_id, "flatId": flat_id
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let (status, p2) = api.post("/permits", by_ids).await;
    assert_eq!(status, StatusCode::CREATED, "{p2}");
    assert!(
        api.events()
            .await
            .iter()
            .all(|e| e["event"] != "passes.permits.issued"),
        "no webhook on create"
    );
}

#[tokio::test]
async fn permit_creation_rules() {
    let api = empty().await;
    let c = api.contractor(1).await;
    let pending = api.post("/communityContractors", new_contractor(2)).await.1;
    let (_, prop_ext, _, flat_ext) = api.flat(0, 0).await;
    let (_, _, other_tower_flat_id, _) = api.flat(1, 7).await;
    let good = json!({
        "salesforcePermitId": "a1B5g00000PERM0001",
        "communityContractorId": c["_id"],
        "propertyExternalId": prop_ext, "flatExternalId": flat_ext,
        "validFrom": iso_in_hours(1), "validTill": iso_in_hours(48)
    });
    let with = |patch: Value| {
        let mut b = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "unmapped contractor",
            with(json!({"communityContractorId": "66f0a1b2c3d4e5f6000000ff"})),
            404,
            "Contractor",
        ),
        (
            "unapproved contractor",
            with(json!({"communityContractorId": pending["_id"]})),
            400,
            "not approved",
        ),
        (
            "unmapped property",
            with(json!({"propertyExternalId": "DAMAC-TWR-99"})),
            404,
            "DAMAC-TWR-99",
        ),
        (
            "unknown unit",
            with(json!({"flatExternalId": "UNIT-9999"})),
            404,
            "UNIT-9999",
        ),
        (
            "unit of another property",
            with(json!({"flatExternalId": null, "flatId": other_tower_flat_id})),
            404,
            "does not belong",
        ),
        (
            "missing validFrom",
            with(json!({"validFrom": null})),
            400,
            "validFrom is required",
        ),
        (
            "invalid validTill",
            with(json!({"validTill": "31/07/2026"})),
            400,
            "validTill must be a valid",
        ),
        (
            "validTill in the past",
            with(json!({"validFrom": iso_in_hours(-48), "validTill": iso_in_hours(-1)})),
            400,
            "future",
        ),
        (
            "validTill before validFrom",
            with(json!({"validFrom": iso_in_hours(50), "validTill": iso_in_hours(48)})),
            400,
            "before validFrom",
        ),
        (
            "missing salesforcePermitId",
            with(json!({"salesforcePermitId": null})),
            400,
            "salesforcePermitId",
        ),
    ];
    for (what, body, code, says) in cases {
        let (status, v) = api.post("/permits", body).await;
        assert_eq!(status.as_u16(), code, "{what}: {v}");
        assert!(v["message"].as_str().unwrap().contains(says), "{what}: {v}");
    }
    assert_eq!(
        api.get("/permits?$limit=0").await.1["total"],
        0,
        "nothing was half-written"
    );
    let (status, _) = api.post("/permits", good.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, v) = api.post("/permits", good).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "duplicate salesforcePermitId: {v}"
    );
}

#[tokio::test]
async fn get_permit_returns_the_whole_permit_and_404_for_an_unknown_id() {
    let (api, _, p) = one_accepted().await;
    let got = api
        .get_ok(&format!("/permits/{}", p["_id"].as_str().unwrap()))
        .await;
    for field in [
        "passNumber",
        "status",
        "statusName",
        "type",
        "permitType",
        "accessCode",
        "qrToken",
        "validFrom",
        "validTill",
        "timeIn",
        "timeOut",
        "communityContractorId",
        "propertyId",
        "flatId",
    ] {
        assert!(!got[field].is_null(), "{field} missing in {got}");
    }
    assert_eq!(got["statusName"], "ACCEPTED");
    assert_eq!(got["status"], 1);
    assert!(got["passNumber"].as_str().unwrap().starts_with("WP-"));
    let (status, v) = api.get("/permits/66f0a1b2c3d4e5f6000000ff").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_feathers(&v, 404, "NotFound");
}

#[tokio::test]
async fn changing_dates_keeps_the_access_code_and_emits_updated_with_the_new_window() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    let new_till = iso_in_hours(24 * 40);
    let got = api
        .patch_ok(&format!("/permits/{id}"), json!({"validTill": new_till}))
        .await;
    assert_eq!(got["accessCode"], p["accessCode"]);
    assert_eq!(got["validTill"], new_till);
    let last = api.events().await.pop().unwrap();
    assert_eq!(last["event"], "passes.permits.updated");
    assert_eq!(last["data"]["validTill"], new_till);
    let (status, v) = api
        .patch(
            &format!("/permits/{id}"),
            json!({"validTill": iso_in_hours(-2)}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (status, v) = api
        .patch(
            &format!("/permits/{id}"),
            json!({"validFrom": iso_in_hours(24 * 50)}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "validFrom after the stored validTill: {v}"
    );
}

#[tokio::test]
async fn replacing_the_noc_keeps_its_history() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    for n in ["NOC-1", "NOC-2", "NOC-3"] {
        api.patch_ok(&format!("/permits/{id}"), json!({"action": "replaceNoc", "noc": {"type": "url", "url": format!("https://files.example.com/{n}.pdf"), "nocNumber": n}})).await;
    }
    let got = api.get_ok(&format!("/permits/{id}")).await;
    assert_eq!(got["integrations"]["damac"]["noc"]["nocNumber"], "NOC-3");
    let history: Vec<&str> = got["integrations"]["damac"]["nocHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["nocNumber"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["NOC-1", "NOC-2"]);
}

// ---- passes [DOC 3.6] -----------------------------------------------------------------------------

#[tokio::test]
async fn submit_needs_every_required_field() {
    let api = empty().await;
    let c = api.contractor(1).await;
    let (_, prop_ext, _, flat_ext) = api.flat(0, 0).await;
    let (_, p) = api
        .post(
            "/permits",
            json!({
                "salesforcePermitId": "a1B5g00000PERM0001", "communityContractorId": c["_id"],
                "propertyExternalId": prop_ext, "flatExternalId": flat_ext,
                "validFrom": iso_in_hours(1), "validTill": iso_in_hours(48)
            }),
        )
        .await;
    let id = p["_id"].as_str().unwrap();
    let (status, v) = api
        .patch(&format!("/passes/{id}"), json!({"action": "submit"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let msg = v["message"].as_str().unwrap();
    for field in [
        "timeIn",
        "timeOut",
        "representativeName",
        "representativeContact",
        "employees",
    ] {
        assert!(msg.contains(field), "{field} not named in {msg}");
    }
    api.patch_ok(&format!("/permits/{id}"), json!({"timeIn": "08:00", "timeOut": "18:00", "representativeName": "R", "representativeContact": "+971500000009", "employees": [{"name": "E"}]})).await;
    let v = api
        .patch_ok(&format!("/passes/{id}"), json!({"action": "submit"}))
        .await;
    assert_eq!(v, json!({}), "Pass updated. answers {{}}");
    assert_eq!(
        api.get_ok(&format!("/permits/{id}")).await["statusName"],
        "PENDING"
    );
}

#[tokio::test]
async fn reissue_mints_a_new_code_kills_the_old_one_and_emits_issued() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    let old = p["accessCode"].as_str().unwrap().to_owned();
    assert_eq!(api.scan(&old, json!({})).await["accepted"], true);
    let v = api
        .patch_ok(&format!("/passes/{id}"), json!({"action": "reissuePass"}))
        .await;
    assert_eq!(v, json!({}));
    let got = api.get_ok(&format!("/permits/{id}")).await;
    let new = got["accessCode"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(new.len(), 24);
    assert!(
        new.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    );
    assert_eq!(got["statusName"], "ACCEPTED");
    assert_eq!(
        api.scan(&old, json!({})).await["accepted"],
        false,
        "the old code dies at once"
    );
    assert_eq!(api.scan(new, json!({})).await["accepted"], true);
    let issued: Vec<Value> = api
        .events()
        .await
        .into_iter()
        .filter(|e| e["event"] == "passes.permits.issued")
        .collect();
    let last = issued.last().unwrap();
    assert_eq!(last["data"]["accessCode"], new);
    assert_eq!(last["data"]["qrToken"], new);
}

#[tokio::test]
async fn reissue_of_a_permit_that_is_not_accepted_is_400() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    api.patch_ok(&format!("/passes/{id}"), json!({"action": "revoke"}))
        .await;
    let (status, v) = api
        .patch(&format!("/passes/{id}"), json!({"action": "reissuePass"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("ACCEPTED"), "{v}");
}

#[tokio::test]
async fn revoke_kills_the_code_at_once_and_keeps_an_audit_entry() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    let code = p["accessCode"].as_str().unwrap().to_owned();
    api.patch_ok(
        &format!("/passes/{id}"),
        json!({"action": "revoke", "reason": "Permit cancelled by DAMAC."}),
    )
    .await;
    let got = api.get_ok(&format!("/permits/{id}")).await;
    assert_eq!(got["statusName"], "REVOKED");
    let entry = got["audit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "revoke")
        .unwrap();
    assert_eq!(entry["reason"], "Permit cancelled by DAMAC.");
    assert!(!entry["actor"].as_str().unwrap().is_empty());
    assert!(entry["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(api.scan(&code, json!({})).await["reason"], "revoked");
    let (status, _) = api
        .patch(&format!("/passes/{id}"), json!({"action": "revoke"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "revoking twice");
    let (status, v) = api
        .patch(&format!("/passes/{id}"), json!({"action": "shred"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("shred"));
    let (status, _) = api
        .patch(
            "/passes/66f0a1b2c3d4e5f6000000ff",
            json!({"action": "revoke"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ---- gate [DOC 4.3] ---------------------------------------------------------------------------------

#[tokio::test]
async fn accepted_scans_emit_scanned_first_scanned_once_and_last_scanned_on_exit() {
    let (api, _, p) = one_accepted().await;
    let code = p["accessCode"].as_str().unwrap();
    let before = api.events().await.len();
    assert_eq!(
        api.scan(
            code,
            json!({"direction": "entry", "propertyId": p["propertyId"]})
        )
        .await["accepted"],
        true
    );
    assert_eq!(
        api.scan(code, json!({"direction": "exit"})).await["accepted"],
        true
    );
    let names = api.event_names().await[before..].to_vec();
    assert_eq!(
        names,
        [
            "passes.permits.scanned",
            "passes.permits.firstScanned",
            "passes.permits.scanned",
            "passes.permits.lastScanned"
        ]
    );
    let wrong = api
        .scan(code, json!({"propertyId": "66e0000000000000000000ff"}))
        .await;
    assert_eq!(wrong["reason"], "wrong location");
    assert_eq!(
        api.scan("NOSUCHCODE00000000000000", json!({})).await["reason"],
        "unknown code"
    );
}

#[tokio::test]
async fn the_clock_drives_expiring_and_expired() {
    let (api, _, p) = one_accepted().await; // valid for 10 days
    let code = p["accessCode"].as_str().unwrap();
    let before = api.events().await.len();
    api.post_ok(
        "/__sandbox/clock",
        json!({"advanceSeconds": 9 * 24 * 3600 + 3600}),
    )
    .await;
    assert_eq!(
        api.event_names().await[before..],
        ["passes.permits.expiring"]
    );
    api.post_ok("/__sandbox/clock", json!({"advanceSeconds": 2 * 24 * 3600}))
        .await;
    assert_eq!(
        api.event_names().await[before..],
        ["passes.permits.expiring", "passes.permits.expired"]
    );
    let got = api
        .get_ok(&format!("/permits/{}", p["_id"].as_str().unwrap()))
        .await;
    assert_eq!(got["statusName"], "EXPIRED");
    assert_eq!(api.scan(code, json!({})).await["reason"], "expired");
    let (status, _) = api
        .post("/__sandbox/clock", json!({"advanceSeconds": -5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the clock never goes back");
}

#[tokio::test]
async fn a_scan_outside_the_daily_window_is_rejected() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    // A one-minute window that is not now (community time, UTC+4).
    let local = chrono::Utc::now() + chrono::Duration::hours(4) + chrono::Duration::hours(6);
    let t = local.format("%H:%M").to_string();
    api.patch_ok(
        &format!("/permits/{id}"),
        json!({"timeIn": t, "timeOut": t}),
    )
    .await;
    let v = api.scan(p["accessCode"].as_str().unwrap(), json!({})).await;
    assert_eq!(v["reason"], "outside daily time window", "{v}");
}

// ---- lists and the events feed [INF] -------------------------------------------------------------

#[tokio::test]
async fn limit_zero_gives_the_total_and_paging_covers_every_permit_once() {
    let api = demo().await;
    let (_, head) = api.get("/permits?$limit=0").await;
    assert_eq!(head["total"], 400);
    assert_eq!(head["data"], json!([]));
    let mut seen = std::collections::HashSet::new();
    let mut skip = 0;
    loop {
        let page = api
            .get_ok(&format!(
                "/permits?$limit=70&$skip={skip}&$sort[passNumber]=1"
            ))
            .await;
        let data = page["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        for p in data {
            assert!(
                seen.insert(p["_id"].as_str().unwrap().to_owned()),
                "seen twice"
            );
        }
        skip += data.len();
    }
    assert_eq!(seen.len(), 400);
}

#[tokio::test]
async fn filters_and_sorting() {
    let api = demo().await;
    let page = api
        .get_ok("/permits?statusName=ACCEPTED&$sort[validTill]=-1&$limit=50")
        .await;
    let data = page["data"].as_array().unwrap();
    assert!(data.iter().all(|p| p["statusName"] == "ACCEPTED"));
    let tills: Vec<&str> = data
        .iter()
        .map(|p| p["validTill"].as_str().unwrap())
        .collect();
    assert!(
        tills.windows(2).all(|w| w[0] >= w[1]),
        "descending validTill"
    );
    let t = iso_in_hours(-24 * 5);
    let recent = api
        .get_ok(&format!("/permits?updatedAt[$gt]={t}&$limit=1000"))
        .await;
    assert!(
        recent["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["updatedAt"].as_str().unwrap() > t.as_str())
    );
    let either = api
        .get_ok("/permits?statusName[$in][]=DRAFT&statusName[$in][]=PENDING&$limit=0")
        .await;
    let d = api.get_ok("/permits?statusName=DRAFT&$limit=0").await;
    let pnd = api.get_ok("/permits?statusName=PENDING&$limit=0").await;
    assert_eq!(
        either["total"].as_u64(),
        Some(d["total"].as_u64().unwrap() + pnd["total"].as_u64().unwrap())
    );
    for bad in [
        "/permits?colour=red",
        "/permits?$limit=lots",
        "/permits?$sort[validTill]=up",
        "/permits?validTill[$gt]=soon",
        "/permits?statusName[$regex]=A",
    ] {
        let (status, v) = api.get(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert_feathers(&v, 400, "BadRequest");
    }
}

#[tokio::test]
async fn the_events_feed_is_ordered_with_a_monotonic_cursor() {
    let api = empty().await;
    let c = api.contractor(1).await;
    api.accepted_permit(&c, 1).await;
    api.accepted_permit(&c, 2).await;
    let all = api.events().await;
    let cursors: Vec<u64> = all.iter().map(|e| e["cursor"].as_u64().unwrap()).collect();
    assert!(cursors.windows(2).all(|w| w[1] > w[0]));
    let after = cursors[1];
    let rest = api
        .get_ok(&format!(
            "/workPermitEvents?cursor[$gt]={after}&$limit=1000"
        ))
        .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), all.len() - 2);
    for e in &all {
        for field in ["id", "event", "communityId", "createdAt", "data"] {
            assert!(!e[field].is_null(), "{field} in {e}");
        }
    }
}

// ---- bad input ---------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_bodies_are_400_with_a_clear_message() {
    let api = empty().await;
    let url = format!("{}/communityContractors", api.base);
    for (body, says) in [
        ("{\"name\": ", "Invalid JSON"),
        ("[1,2,3]", "Invalid JSON"),
        ("{\"name\": 5}", "invalid type"),
        ("", "JSON body is required"),
    ] {
        let resp = api
            .http
            .post(&url)
            .header("x-api-key", &api.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{body}");
        let v: Value = resp.json().await.unwrap();
        assert!(v["message"].as_str().unwrap().contains(says), "{body}: {v}");
    }
    assert_eq!(
        api.get("/communityContractors?$limit=0").await.1["total"],
        0
    );
}

#[tokio::test]
async fn oversize_bodies_are_413_unless_they_carry_base64_documents() {
    let api = empty().await;
    let mut big_name = new_contractor(1);
    big_name["name"] = json!("x".repeat(1_100_000));
    let (status, v) = api.post("/communityContractors", big_name).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_feathers(&v, 413, "PayloadTooLarge");

    use base64::Engine as _;
    let mut with_file = new_contractor(2);
    let data = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 2_000_000]);
    with_file["company"]["tradeLicense"] =
        json!({"type": "base64", "data": data, "fileName": "scan.pdf"});
    let (status, v) = api.post("/communityContractors", with_file).await;
    assert_eq!(status, StatusCode::CREATED, "{}", v["message"]);

    let mut huge = new_contractor(3);
    let data = base64::engine::general_purpose::STANDARD.encode(vec![7u8; 12_000_000]);
    huge["company"]["tradeLicense"] = json!({"type": "base64", "data": data});
    let (status, v) = api.post("/communityContractors", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_feathers(&v, 413, "PayloadTooLarge");
    assert_eq!(
        api.get("/communityContractors?$limit=0").await.1["total"],
        1
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_envelope() {
    let api = empty().await;
    let (status, v) = api.get("/nothing/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_feathers(&v, 404, "NotFound");
    let (status, v) = api.call(Method::DELETE, "/permits", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_feathers(&v, 405, "MethodNotAllowed");
}

// ---- seeds ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_demo_community_has_every_state_and_permits_expiring_within_hours() {
    let api = demo().await;
    let info = api.get_ok("/__sandbox").await;
    assert_eq!(
        (
            info["contractors"].as_u64(),
            info["permits"].as_u64(),
            info["events"].as_u64()
        ),
        (Some(60), Some(400), Some(0))
    );
    let props = api.get_ok("/__sandbox/properties").await;
    let units: usize = props["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["flats"].as_array().unwrap().len())
        .sum();
    assert_eq!(units, 200);
    for s in [
        "DRAFT", "PENDING", "ACCEPTED", "REJECTED", "REVOKED", "ARCHIVED", "EXPIRED",
    ] {
        let n = api
            .get_ok(&format!("/permits?statusName={s}&$limit=0"))
            .await["total"]
            .as_u64()
            .unwrap();
        assert!(n > 0, "no {s} permit in the demo");
    }
    let contractors = api.get_ok("/communityContractors?$limit=1000").await;
    let list = contractors["data"].as_array().unwrap();
    let removed = list
        .iter()
        .filter(|c| c["communitiesIds"].as_array().unwrap().is_empty())
        .count();
    let pending = list
        .iter()
        .filter(|c| c["approved"] == false && !c["communitiesIds"].as_array().unwrap().is_empty())
        .count();
    assert!(removed > 0 && pending > 0 && list.len() - removed - pending > 0);
    assert!(
        list.iter().any(|c| c["name"]
            .as_str()
            .unwrap()
            .chars()
            .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch))),
        "Arabic names"
    );
    assert!(
        list.iter()
            .all(|c| c["phone"].as_str().unwrap().starts_with("+9715")),
        "UAE mobiles"
    );
    let soon = iso_in_hours(6);
    let expiring = api
        .get_ok(&format!(
            "/permits?statusName=ACCEPTED&validTill[$lt]={soon}&$limit=0"
        ))
        .await;
    assert!(
        expiring["total"].as_u64().unwrap() > 0,
        "some permits expire within hours"
    );
}

#[tokio::test]
async fn a_seed_number_gives_the_same_community_every_time() {
    let a = sandbox_with(Config {
        seed: Seed::Count(300),
        seed_number: 7,
        ..Config::default()
    })
    .await;
    let b = sandbox_with(Config {
        seed: Seed::Count(300),
        seed_number: 7,
        ..Config::default()
    })
    .await;
    let c = sandbox_with(Config {
        seed: Seed::Count(300),
        seed_number: 8,
        ..Config::default()
    })
    .await;
    let shape = |v: Value| -> Vec<(Value, Value, Value, Value)> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["_id"].clone(),
                    p["statusName"].clone(),
                    p["accessCode"].clone(),
                    p["representativeName"].clone(),
                )
            })
            .collect()
    };
    let q = "/permits?$limit=1000";
    let (pa, pb, pc) = (
        shape(a.ok(Method::GET, q, None).await),
        shape(b.ok(Method::GET, q, None).await),
        shape(c.ok(Method::GET, q, None).await),
    );
    assert_eq!(pa.len(), 300);
    assert_eq!(pa, pb);
    assert_ne!(pa, pc);
    assert_eq!(
        a.get_ok("/communityContractors?$limit=0").await["total"],
        30
    );
}

#[tokio::test]
async fn the_hostile_preset_names_contractors_with_markup_and_bidi_overrides() {
    let api = sandbox_with(Config {
        hostile: true,
        ..Config::default()
    })
    .await;
    let list = api.get_ok("/communityContractors?$limit=1000").await;
    let names: Vec<String> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["company"]["companyName"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.iter().any(|n| n.contains("<script>")));
    assert!(names.iter().any(|n| n.contains('\u{202E}')));
    assert!(
        names
            .iter()
            .any(|n| n.chars().count() > 200 && !n.contains(' ')),
        "a long unbroken name"
    );
    let permits = api.get_ok("/permits?$limit=20").await;
    let texts: Vec<&str> = permits["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["jobsSummary"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("onerror")),
        "hostile permit texts too"
    );
}

#[tokio::test]
async fn ids_sort_in_storage_order_both_ways() {
    let api = sandbox_with(Config {
        seed: Seed::Count(500),
        ..Config::default()
    })
    .await;
    let ids = |v: Value| -> Vec<String> {
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = ids(api.get_ok("/permits?$limit=1000").await);
    let asc = ids(api.get_ok("/permits?$limit=1000&$sort[_id]=1").await);
    let desc = ids(api.get_ok("/permits?$limit=1000&$sort[_id]=-1").await);
    let mut sorted = plain.clone();
    sorted.sort();
    assert_eq!(plain, sorted, "stored in _id order");
    assert_eq!(asc, plain);
    assert_eq!(desc, plain.iter().rev().cloned().collect::<Vec<_>>());
    let page = api
        .get_ok("/permits?$limit=7&$skip=493&statusName[$ne]=NOPE")
        .await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["data"].as_array().unwrap().len()
        ),
        (Some(500), 7)
    );
}

#[tokio::test]
async fn the_issued_event_carries_a_qr_png_that_holds_only_visit_type_and_the_new_code() {
    let (api, _, p) = one_accepted().await;
    let id = p["_id"].as_str().unwrap();
    api.patch_ok(&format!("/passes/{id}"), json!({"action": "reissuePass"}))
        .await;
    let new_code = api.get_ok(&format!("/permits/{id}")).await["accessCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let issued = api
        .events()
        .await
        .into_iter()
        .rfind(|e| e["event"] == "passes.permits.issued")
        .unwrap();

    use base64::Engine as _;
    let png_bytes = base64::engine::general_purpose::STANDARD
        .decode(issued["data"]["qrImageBase64"].as_str().unwrap())
        .unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0u8; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Grayscale);
    let (w, h) = (frame.width as usize, frame.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (_, content) = grids[0].decode().unwrap();
    let payload: Value = serde_json::from_str(&content).unwrap();
    assert_eq!(
        payload,
        json!({"visitType": "communityPass", "accessCode": new_code}),
        "no personal data in the QR"
    );
}

#[tokio::test]
async fn status_codes_are_configurable_and_names_still_drive_everything() {
    use gatehouse_buzzin::StatusName;
    let api = sandbox_with(Config {
        seed: Seed::Empty,
        status_codes: vec![(StatusName::Revoked, 7), (StatusName::Pending, 42)],
        ..Config::default()
    })
    .await;
    let c = api.contractor(1).await;
    let p = api.accepted_permit(&c, 1).await;
    assert_eq!(p["status"], 1, "ACCEPTED keeps its documented code");
    let id = p["_id"].as_str().unwrap();
    api.patch_ok(&format!("/passes/{id}"), json!({"action": "revoke"}))
        .await;
    let got = api.get_ok(&format!("/permits/{id}")).await;
    assert_eq!(
        (got["status"].as_i64(), got["statusName"].as_str()),
        (Some(7), Some("REVOKED"))
    );
    assert_eq!(api.get_ok("/permits?status=7&$limit=0").await["total"], 1);

    let clash = gatehouse_sandbox::start(
        Config {
            status_codes: vec![(StatusName::Expired, 10)],
            ..Config::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await;
    let err = clash
        .err()
        .expect("two statuses cannot share a code")
        .to_string();
    assert!(err.contains("DRAFT") && err.contains("EXPIRED"), "{err}");
}

#[tokio::test]
async fn control_endpoints_can_be_turned_off() {
    let api = sandbox_with(Config {
        seed: Seed::Empty,
        control: false,
        ..Config::default()
    })
    .await;
    for path in ["/__sandbox", "/__sandbox/clock", "/__sandbox/properties"] {
        let (status, v) = api.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    assert_eq!(api.get("/permits").await.0, StatusCode::OK);
}
