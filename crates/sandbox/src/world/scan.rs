//! The gate: a scanned code is let through or refused, with the reason the reference gives.

use super::*;

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
    /// The gate's clock when it read the code: what it was judged against.
    pub at: Timestamp,
}

impl World {
    pub fn scan(&mut self, req: ScanRequest) -> ApiResult<ScanResult> {
        let direction = req.direction.clone().unwrap_or_else(|| "entry".into());
        if direction != "entry" && direction != "exit" {
            return Err(ApiError::bad_request(
                "direction must be \"entry\" or \"exit\"",
            ));
        }
        let now = self.now();
        let reject = |reason: &str, permit: Option<&str>| ScanResult {
            accepted: false,
            reason: Some(reason.to_owned()),
            permit_id: permit.map(str::to_owned),
            at: now,
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
            at: now,
        })
    }

    // ---- internals ----------------------------------------------------------------------------
}
