//! Identifiers and secrets in the shapes the providers use, so that clients validating patterns
//! (`^AC[0-9a-fA-F]{32}$`, numeric Telnyx ids, UUIDs) see what production would send.

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

/// `n` lowercase hex digits.
pub fn hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n).map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap()).collect()
}

/// `n` random letters and digits.
pub fn alphanumeric(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

/// A Twilio SID: two letters and 32 hex digits (`AC…`, `SK…`, `AP…`, `PN…`, `CA…`).
pub fn twilio_sid(prefix: &str) -> String {
    format!("{prefix}{}", hex(32))
}

/// Whether `sid` has the pattern the Twilio spec gives for this prefix.
pub fn is_twilio_sid(sid: &str, prefix: &str) -> bool {
    sid.len() == 34 && sid.starts_with(prefix) && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A Telnyx numeric id as the spec examples show them (`"1293384261075731461"`).
pub fn telnyx_numeric_id() -> String {
    let mut rng = rand::rng();
    format!("1{:018}", rng.random_range(0..1_000_000_000_000_000_000u64))
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A Telnyx API v2 key: `KEY` + 32 upper-case hex + `_` + 22 letters and digits.
pub fn telnyx_api_key() -> String {
    format!("KEY{}_{}", hex(32).to_uppercase(), alphanumeric(22))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_sids_match_the_spec_pattern() {
        let sid = twilio_sid("AC");
        assert!(is_twilio_sid(&sid, "AC"), "{sid}");
        assert!(!is_twilio_sid(&sid, "SK"));
        assert!(!is_twilio_sid("ACnothex00000000000000000000000000", "AC"));
    }

    #[test]
    fn telnyx_numeric_ids_are_19_digits() {
        let id = telnyx_numeric_id();
        assert_eq!(id.len(), 19, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
    }
}
