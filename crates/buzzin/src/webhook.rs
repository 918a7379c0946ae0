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
    if (now_ms - ts).abs() > MAX_AGE_MS {
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

#[cfg(test)]
mod tests {
    use super::*;

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
