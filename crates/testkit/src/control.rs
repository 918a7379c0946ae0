//! A typed client for the sandbox's `/__sandbox` control endpoints: what a test does to the
//! world that no API call does (approve a submitted permit, move the clock, scan at a gate,
//! inject faults). A failed call panics with the endpoint, the status and the body.

use gatehouse_buzzin::{Contractor, Permit};
use gatehouse_sandbox::Fault;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Control {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Control {
    pub fn new(base: String, key: String) -> Control {
        Control {
            http: reqwest::Client::new(),
            base,
            key,
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> T {
        self.request(method, &format!("/__sandbox{path}"), body)
            .await
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> T {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("x-api-key", &self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: {e} in {text}"))
    }

    /// Counts and the clock: `communityId`, `now`, `contractors`, `permits`, `events`, ...
    pub async fn info(&self) -> Value {
        self.call(Method::GET, "", None).await
    }

    /// The simulated BAS-IP panels: `[{name, url, username, password, representation,
    /// apiVersion}]`.
    pub async fn panels(&self) -> Value {
        self.call(Method::GET, "/panels", None).await
    }

    /// A card (or PIN, plate) presented at a simulated panel's door (this control made on the
    /// panel's own address): `{granted, event}`.
    pub async fn swipe(&self, kind: &str, number: &str) -> Value {
        self.call(
            Method::POST,
            "/swipe",
            Some(serde_json::json!({"type": kind, "number": number})),
        )
        .await
    }

    /// An identifier added at a simulated panel itself, behind the app's back (on a panel's
    /// control: [`Control::new`] with its address).
    pub async fn plant(&self, kind: &str, number: &str, owner: &str) -> Value {
        self.call(
            Method::POST,
            "/plant",
            Some(serde_json::json!({"type": kind, "number": number, "owner": owner})),
        )
        .await
    }

    /// How many identifiers a simulated panel holds before it answers
    /// `number_of_identifiers_exceeded` (on a panel's control), as its installer may change it.
    pub async fn set_capacity(&self, capacity: usize) -> Value {
        self.call(
            Method::POST,
            "/capacity",
            Some(serde_json::json!({ "capacity": capacity })),
        )
        .await
    }

    /// The towers and their flats, as `{ "data": [...] }`.
    pub async fn properties(&self) -> Value {
        self.call(Method::GET, "/properties", None).await
    }

    /// A contractor registered through the API (pending), its body [`crate::api::new_contractor`]
    /// with `fields` put over it (e.g. `phone`, or `company` with an expired licence).
    pub async fn new_contractor(&self, n: u32, fields: Value) -> Contractor {
        let mut body = crate::api::new_contractor(n);
        for (k, v) in fields.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        self.request(
            Method::POST,
            gatehouse_buzzin::inf::CONTRACTORS_PATH,
            Some(body),
        )
        .await
    }

    /// Approves a contractor the way Buzz-In's own admin would.
    pub async fn approve_contractor(&self, id: &str) -> Contractor {
        self.call(Method::POST, &format!("/contractors/{id}/approve"), None)
            .await
    }

    /// A permit open all day ([`Control::permit_open_all_day`]) of the first approved contractor
    /// `api` lists.
    pub async fn permit_open_all_day_of_an_approved(
        &self,
        api: &gatehouse_client::Client,
    ) -> Permit {
        let contractor = api
            .all_contractors()
            .await
            .expect("the contractors list")
            .into_iter()
            .find(|c| c.approved)
            .expect("an approved contractor");
        self.permit_open_all_day(&contractor.id).await
    }

    /// A new permit of the approved contractor `contractor_id` for the first tower's first flat,
    /// created, submitted and approved through the API: ACCEPTED, valid from an hour ago for ten
    /// days, its daily window the whole day (00:00-23:59), so its code opens the gate whenever
    /// the test runs.
    pub async fn permit_open_all_day(&self, contractor_id: &str) -> Permit {
        self.permit_with(contractor_id, "a1B5g00000PERMDESK", json!({}))
            .await
    }

    /// Like [`Control::permit_open_all_day`], with `fields` (e.g. `validFrom`, `timeIn`) put
    /// over the permit's before it is created; `salesforce_id` tells it from the others.
    pub async fn permit_with(
        &self,
        contractor_id: &str,
        salesforce_id: &str,
        fields: Value,
    ) -> Permit {
        let props = self.properties().await;
        let (tower, flat) = (&props["data"][0], &props["data"][0]["flats"][0]);
        let mut body = crate::api::all_day_permit(
            contractor_id,
            salesforce_id,
            tower["externalId"].as_str().expect("a tower's external id"),
            flat["externalId"].as_str().expect("a flat's external id"),
        );
        for (k, v) in fields.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let created: Value = self
            .request(
                Method::POST,
                gatehouse_buzzin::inf::PERMITS_PATH,
                Some(body),
            )
            .await;
        let id = created["_id"].as_str().expect("a created permit's id");
        let _: Value = self
            .request(
                Method::PATCH,
                &format!("{}/{id}", gatehouse_buzzin::inf::PASSES_PATH),
                Some(json!({"action": "submit"})),
            )
            .await;
        self.approve_permit(id).await
    }

    /// Approves a submitted permit: it becomes ACCEPTED with a code.
    pub async fn approve_permit(&self, id: &str) -> Permit {
        self.call(Method::POST, &format!("/permits/{id}/approve"), None)
            .await
    }

    pub async fn reject_permit(&self, id: &str, reason: Option<&str>) -> Permit {
        self.call(
            Method::POST,
            &format!("/permits/{id}/reject"),
            Some(json!({ "reason": reason })),
        )
        .await
    }

    /// The sandbox's clock (ISO-8601).
    pub async fn now(&self) -> String {
        let v: Value = self.call(Method::GET, "/clock", None).await;
        v["now"].as_str().expect("the clock's time").to_owned()
    }

    /// Moves the clock on, firing whatever falls due (expiring, expired).
    pub async fn advance_clock(&self, seconds: i64) -> Value {
        self.call(
            Method::POST,
            "/clock",
            Some(json!({ "advanceSeconds": seconds })),
        )
        .await
    }

    /// Sets the clock to `at` (ISO-8601; never back), firing whatever falls due on the way.
    pub async fn set_clock(&self, at: &str) -> Value {
        self.call(Method::POST, "/clock", Some(json!({ "set": at })))
            .await
    }

    /// A scan of `access_code` at a gate; `extra` adds `direction`, `gate`, `propertyId`, ...
    /// Answers `{accepted, reason?, permitId?}`.
    pub async fn scan(&self, access_code: &str, extra: Value) -> Value {
        let mut body = json!({ "accessCode": access_code });
        if let (Some(b), Some(x)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(x.clone());
        }
        self.call(Method::POST, "/scan", Some(body)).await
    }

    /// Webhook deliveries so far, as `{ "data": [...] }`.
    pub async fn deliveries(&self) -> Value {
        self.call(Method::GET, "/deliveries", None).await
    }

    /// Arms a fault for the next matching requests.
    pub async fn arm(&self, fault: Fault) {
        let body = serde_json::to_value(fault).expect("a fault serialises");
        let _: Value = self.call(Method::POST, "/faults", Some(body)).await;
    }

    /// The faults still armed, as `{ "data": [...] }`.
    pub async fn faults(&self) -> Value {
        self.call(Method::GET, "/faults", None).await
    }

    pub async fn clear_faults(&self) {
        let _: Value = self.call(Method::DELETE, "/faults", None).await;
    }
}
