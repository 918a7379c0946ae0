//! The sandbox's HTTP API called as raw JSON, for tests of the API itself and for what
//! Gatehouse's client does not do (create contractors and permits, submit, patch): a request,
//! its status and its body, with helpers that build a community step by step.

use gatehouse_sandbox::{Config, Seed};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::Sandbox;

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
    pub sandbox: Sandbox,
}

pub async fn sandbox_with(config: Config) -> Api {
    Api::over(Sandbox::builder().config(|c| *c = config).start().await)
}

pub async fn demo() -> Api {
    sandbox_with(Config::default()).await
}

/// An empty community with one approved contractor and one ACCEPTED permit of theirs.
pub async fn one_accepted() -> (Api, Value, Value) {
    let api = empty().await;
    let c = api.contractor(1).await;
    let p = api.accepted_permit(&c, 1).await;
    (api, c, p)
}

pub async fn empty() -> Api {
    sandbox_with(Config {
        seed: Seed::Empty,
        ..Config::default()
    })
    .await
}

impl Api {
    /// Raw calls to this sandbox.
    pub fn over(sandbox: Sandbox) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: sandbox.base_url(),
            key: sandbox.api_key().to_owned(),
            sandbox,
        }
    }

    /// One request; a transport failure (no answer) is an `Err` with its description.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, String), String> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", &self.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| format!("send: {e}"))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| format!("body: {e}"))?;
        Ok((status, text))
    }

    /// The status `GET path` is answered with, sending only these headers (no key unless one of
    /// them carries it).
    pub async fn status_of(&self, path: &str, headers: &[(&str, &str)]) -> StatusCode {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req.send().await.expect("HTTP request").status()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (status, text) = self
            .raw(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("HTTP request to {path}: {e}"));
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, value)
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    pub async fn post_ok(&self, path: &str, body: Value) -> Value {
        self.ok(Method::POST, path, Some(body)).await
    }
    pub async fn patch_ok(&self, path: &str, body: Value) -> Value {
        self.ok(Method::PATCH, path, Some(body)).await
    }
    pub async fn get_ok(&self, path: &str) -> Value {
        self.ok(Method::GET, path, None).await
    }

    pub async fn events(&self) -> Vec<Value> {
        self.ok(Method::GET, "/workPermitEvents?$limit=1000", None)
            .await["data"]
            .as_array()
            .unwrap()
            .clone()
    }
    pub async fn event_names(&self) -> Vec<String> {
        self.events()
            .await
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_owned())
            .collect()
    }
    pub async fn flat(&self, tower: usize, unit: usize) -> (String, String, String, String) {
        let props = self.ok(Method::GET, "/__sandbox/properties", None).await;
        let p = &props["data"][tower];
        let f = &p["flats"][unit];
        (
            p["id"].as_str().unwrap().into(),
            p["externalId"].as_str().unwrap().into(),
            f["id"].as_str().unwrap().into(),
            f["externalId"].as_str().unwrap().into(),
        )
    }
    pub async fn scan(&self, code: &str, extra: Value) -> Value {
        let mut body = json!({ "accessCode": code });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.ok(Method::POST, "/__sandbox/scan", Some(body)).await
    }

    /// A new approved contractor.
    pub async fn contractor(&self, n: u32) -> Value {
        let (status, c) = self.post("/communityContractors", new_contractor(n)).await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        let id = c["_id"].as_str().unwrap();
        self.ok(
            Method::PATCH,
            &format!("/communityContractors/{id}"),
            Some(json!({"action": "approve"})),
        )
        .await
    }

    /// A permit of `contractor`, taken through submit and approval to ACCEPTED.
    pub async fn accepted_permit(&self, contractor: &Value, n: u32) -> Value {
        let (_, prop_ext, _, flat_ext) = self.flat(0, 0).await;
        let (status, p) = self
            .post(
                "/permits",
                all_day_permit(
                    contractor["_id"].as_str().unwrap(),
                    &format!("a1B5g00000PERM{n:04}"),
                    &prop_ext,
                    &flat_ext,
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
        let id = p["_id"].as_str().unwrap();
        self.ok(
            Method::PATCH,
            &format!("/passes/{id}"),
            Some(json!({"action": "submit"})),
        )
        .await;
        self.ok(
            Method::POST,
            &format!("/__sandbox/permits/{id}/approve"),
            None,
        )
        .await
    }
}

pub fn iso_in_hours(h: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(h))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A new permit's body: valid from an hour ago for ten days, its daily window the whole day
/// (00:00-23:59), one worker.
pub fn all_day_permit(contractor_id: &str, salesforce_id: &str, tower: &str, flat: &str) -> Value {
    json!({
        "salesforcePermitId": salesforce_id,
        "communityContractorId": contractor_id,
        "propertyExternalId": tower,
        "flatExternalId": flat,
        "validFrom": iso_in_hours(-1),
        "validTill": iso_in_hours(24 * 10),
        "timeIn": "00:00", "timeOut": "23:59",
        "representativeName": "Ravi Nair",
        "representativeContact": "+971501112233",
        "employees": [{"name": "Arjun Menon"}]
    })
}

pub fn new_contractor(n: u32) -> Value {
    json!({
        "name": format!("Rep {n}"),
        "email": format!("rep{n}@contracting.ae"),
        "phone": format!("+9715000{n:05}"),
        "company": {
            "companyName": format!("Contracting {n} LLC"),
            "tradeLicense": { "type": "url", "url": "https://files.example.com/license.pdf" },
            "tradeLicenseExpiryDate": "2027-03-31"
        },
        "integrations": { "damac": { "salesforceId": format!("a0B5g00000CONT{n:04}") } }
    })
}

pub fn assert_feathers(v: &Value, code: u16, name: &str) {
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["name"], name, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
}
