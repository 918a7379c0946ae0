//! Webhook headers and signatures.
//!
//! Work Permit webhooks carry `X-Buzzin-Event`, `X-Buzzin-Delivery` and, when the endpoint has a
//! secret, `X-Buzzin-Token` (the plain secret) [DOC §5.1]. Visitor Management webhooks are signed:
//! `buzzin-signature` = HMAC-SHA-256(secret, `${timestampMs}-${rawBody}`), with the timestamp in
//! `buzzin-signature-timestamp` [DOC §7.2]. Whether Work Permit webhooks are signed too is a
//! [GAP]; the sandbox sends both, and receivers may check either.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub const EVENT_HEADER: &str = "x-buzzin-event";
pub const DELIVERY_HEADER: &str = "x-buzzin-delivery";
pub const TOKEN_HEADER: &str = "x-buzzin-token";
pub const SIGNATURE_HEADER: &str = "buzzin-signature";
pub const SIGNATURE_TIMESTAMP_HEADER: &str = "buzzin-signature-timestamp";

/// Timestamps older than this are refused as replays [DOC: "optionally reject timestamps older
/// than 5 minutes"].
pub const MAX_AGE_MS: i64 = 5 * 60 * 1000;

fn mac(secret: &[u8], timestamp_ms: i64, raw_body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b"-");
    mac.update(raw_body);
    mac
}

/// The signature of a body, as lowercase hex [INF: the encoding is a GAP; Node's `digest('hex')`].
pub fn sign(secret: &[u8], timestamp_ms: i64, raw_body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp_ms, raw_body).finalize().into_bytes())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The timestamp header is not a number of milliseconds.
    BadTimestamp,
    /// Older than [`MAX_AGE_MS`], or as far in the future.
    Stale,
    /// The signature header is neither hex nor base64 of 32 bytes.
    BadSignature,
    /// It does not match the body and the secret.
    Mismatch,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VerifyError::BadTimestamp => "the signature timestamp is not a number of milliseconds",
            VerifyError::Stale => "the signature timestamp is more than 5 minutes away from now",
            VerifyError::BadSignature => {
                "the signature is neither hex nor base64 of an HMAC-SHA-256"
            }
            VerifyError::Mismatch => "the signature does not match the body",
        })
    }
}

impl std::error::Error for VerifyError {}

/// Checks a signed webhook: the timestamp is within [`MAX_AGE_MS`] of `now_ms`, and the signature
/// (hex or base64, with or without a `sha256=` prefix [INF]) matches `${timestamp}-${raw_body}`,
/// compared in constant time. `raw_body` must be the bytes as received, not re-serialised JSON.
pub fn verify(
    secret: &[u8],
    timestamp_header: &str,
    signature_header: &str,
    raw_body: &[u8],
    now_ms: i64,
) -> Result<(), VerifyError> {
    let ts: i64 = timestamp_header
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    // `abs_diff`: a hostile timestamp (i64::MIN) cannot overflow the subtraction.
    if now_ms.abs_diff(ts) > MAX_AGE_MS.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let sig = signature_header.trim();
    let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
    use base64::Engine as _;
    let bytes = hex::decode(sig)
        .ok()
        .filter(|b| b.len() == 32)
        .or_else(|| {
            base64::engine::general_purpose::STANDARD
                .decode(sig)
                .ok()
                .filter(|b| b.len() == 32)
        })
        .ok_or(VerifyError::BadSignature)?;
    mac(secret, ts, raw_body)
        .verify_slice(&bytes)
        .map_err(|_| VerifyError::Mismatch)
}

/// Checks `X-Buzzin-Token` (the plain secret [DOC §5.1]) in constant time: how much of a guess
/// was right cannot be told from how long the answer took.
pub fn verify_token(secret: &[u8], token_header: &str) -> bool {
    use subtle::ConstantTimeEq;
    token_header.trim().as_bytes().ct_eq(secret).into()
}

/// The `X-Buzzin-Delivery` ids a receiver has accepted recently, so that a delivery replayed
/// (signed and within [`MAX_AGE_MS`], so `verify` passes it) is applied once. It remembers every
/// id for at least `MAX_AGE_MS`, as long as a replay can pass `verify`, and at most `capacity`.
#[derive(Debug)]
pub struct RecentDeliveries {
    capacity: usize,
    seen: std::collections::HashMap<String, i64>,
    order: std::collections::VecDeque<(i64, String)>,
}

impl RecentDeliveries {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            seen: Default::default(),
            order: Default::default(),
        }
    }

    /// Records delivery `id` received at `now_ms`: `true` the first time, `false` for a replay.
    pub fn first_time(&mut self, id: &str, now_ms: i64) -> bool {
        // Forget what is past the window: `verify` refuses it as stale now.
        while let Some((at, _)) = self.order.front() {
            if now_ms.abs_diff(*at) <= MAX_AGE_MS.unsigned_abs() {
                break;
            }
            let (_, old) = self.order.pop_front().expect("a front");
            self.seen.remove(&old);
        }
        if self.seen.contains_key(id) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some((_, old)) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.seen.insert(id.to_owned(), now_ms);
        self.order.push_back((now_ms, id.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_timestamps_are_stale_not_a_panic() {
        let body = b"{}";
        for (ts, now) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN), (i64::MIN, 0)] {
            let sig = sign(b"s", ts, body);
            assert_eq!(
                verify(b"s", &ts.to_string(), &sig, body, now),
                Err(VerifyError::Stale)
            );
        }
    }

    #[test]
    fn the_token_is_checked_whole() {
        assert!(verify_token(b"s3cret", "s3cret"));
        assert!(verify_token(b"s3cret", " s3cret "));
        for wrong in ["", "s3cre", "s3cret!", "S3CRET"] {
            assert!(!verify_token(b"s3cret", wrong), "{wrong:?}");
        }
    }

    #[test]
    fn a_replayed_delivery_is_refused_while_it_could_pass_verify() {
        let mut recent = RecentDeliveries::new(1000);
        let t = 1_700_000_000_000;
        assert!(recent.first_time("d1", t));
        assert!(!recent.first_time("d1", t + 1000), "a replay");
        assert!(recent.first_time("d2", t + 1000));
        assert!(
            !recent.first_time("d1", t + MAX_AGE_MS),
            "still within the window"
        );
        // Past the window verify refuses it as stale; the id may be forgotten.
        assert!(recent.first_time("d3", t + MAX_AGE_MS + 2000));
        assert!(recent.first_time("d1", t + MAX_AGE_MS + 2000));
        // Bounded: the oldest go first.
        let mut small = RecentDeliveries::new(2);
        assert!(small.first_time("a", t));
        assert!(small.first_time("b", t));
        assert!(small.first_time("c", t));
        assert!(
            small.first_time("a", t),
            "forgotten to keep within capacity"
        );
        assert!(!small.first_time("a", t));
        assert!(!small.first_time("c", t));
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let body = br#"{"id":"e1","event":"passes.permits.issued"}"#;
        let sig = sign(b"s3cret", 1_700_000_000_000, body);
        assert_eq!(sig.len(), 64);
        assert!(
            sig.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        let now = 1_700_000_000_000 + 1000;
        assert_eq!(verify(b"s3cret", "1700000000000", &sig, body, now), Ok(()));
        assert_eq!(
            verify(
                b"s3cret",
                "1700000000000",
                &format!("sha256={sig}"),
                body,
                now
            ),
            Ok(())
        );
        assert_eq!(
            verify(b"other", "1700000000000", &sig, body, now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", "1700000000001", &sig, body, now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", "1700000000000", &sig, b"{}", now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", "soon", &sig, body, now),
            Err(VerifyError::BadTimestamp)
        );
        assert_eq!(
            verify(b"s3cret", "1700000000000", "zz", body, now),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify(b"s3cret", "1700000000000", &sig, body, now + MAX_AGE_MS),
            Err(VerifyError::Stale)
        );
    }
}
