//! Compact JWS with HMAC (HS256 for Twilio Access Tokens, HS512 for Telnyx login tokens).
//!
//! Hand-rolled on RustCrypto's `hmac` rather than a JWT crate so the header is exactly what the
//! provider writes (Twilio's `cty`, `twr`) and verification rejects anything but the expected
//! algorithm: no `alg: none`, no algorithm confusion.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha512};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    HS256,
    HS512,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS512 => "HS512",
        }
    }

    fn mac(self, key: &[u8], signing_input: &[u8]) -> Vec<u8> {
        match self {
            Algorithm::HS256 => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
                mac.update(signing_input);
                mac.finalize().into_bytes().to_vec()
            }
            Algorithm::HS512 => {
                let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes any key length");
                mac.update(signing_input);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    /// Constant-time comparison of the signature.
    fn verify(self, key: &[u8], signing_input: &[u8], signature: &[u8]) -> bool {
        match self {
            Algorithm::HS256 => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
                mac.update(signing_input);
                mac.verify_slice(signature).is_ok()
            }
            Algorithm::HS512 => {
                let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes any key length");
                mac.update(signing_input);
                mac.verify_slice(signature).is_ok()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JwtError {
    #[error("not a compact JWT: {0}")]
    Malformed(String),
    #[error("the token is signed with {found}, expected {expected}")]
    WrongAlgorithm { expected: &'static str, found: String },
    #[error("the signature does not match")]
    BadSignature,
}

/// A token's two JSON parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

/// Signs `claims` with `header` (whose `alg` is set to `alg`).
pub fn sign(mut header: Map<String, Value>, claims: &Map<String, Value>, alg: Algorithm, key: &[u8]) -> String {
    header.insert("alg".into(), Value::from(alg.name()));
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
        URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(alg.mac(key, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// Reads the header and claims without checking the signature (to find which key to check with).
pub fn decode_unverified(token: &str) -> Result<Decoded, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(_signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("expected three dot-separated parts".into()));
    };
    Ok(Decoded { header: json_part(header, "header")?, claims: json_part(claims, "payload")? })
}

/// Checks the algorithm and the signature, then returns the decoded parts.
pub fn verify(token: &str, alg: Algorithm, key: &[u8]) -> Result<Decoded, JwtError> {
    let decoded = decode_unverified(token)?;
    let found = decoded.header.get("alg").and_then(Value::as_str).unwrap_or("(none)");
    if found != alg.name() {
        return Err(JwtError::WrongAlgorithm { expected: alg.name(), found: found.to_string() });
    }
    let (signing_input, signature) = token.rsplit_once('.').expect("three parts were found above");
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| JwtError::Malformed(format!("signature is not base64url: {e}")))?;
    if !alg.verify(key, signing_input.as_bytes(), &signature) {
        return Err(JwtError::BadSignature);
    }
    Ok(decoded)
}

fn json_part(encoded: &str, which: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes =
        URL_SAFE_NO_PAD.decode(encoded).map_err(|e| JwtError::Malformed(format!("{which} is not base64url: {e}")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JwtError::Malformed(format!("{which} is not a JSON object"))),
        Err(e) => Err(JwtError::Malformed(format!("{which} is not JSON: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_signed_token_verifies_and_round_trips() {
        let claims = object(json!({"sub": "x", "exp": 10}));
        let token = sign(object(json!({"typ": "JWT"})), &claims, Algorithm::HS512, b"key");
        let decoded = verify(&token, Algorithm::HS512, b"key").unwrap();
        assert_eq!(decoded.claims, claims);
        assert_eq!(decoded.header["alg"], "HS512");
        assert_eq!(decoded.header["typ"], "JWT");
    }

    /// Known answer: the HS256 example token of RFC 7515 appendix A.1 verifies with its key.
    #[test]
    fn rfc7515_example_verifies() {
        let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let key = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        let decoded = verify(token, Algorithm::HS256, &key).unwrap();
        assert_eq!(decoded.claims["iss"], "joe");
        assert_eq!(verify(token, Algorithm::HS256, b"other key"), Err(JwtError::BadSignature));
    }

    #[test]
    fn tampering_and_algorithm_confusion_are_rejected() {
        let token = sign(Map::new(), &object(json!({"sub": "alice"})), Algorithm::HS256, b"key");
        let forged_claims = URL_SAFE_NO_PAD.encode(r#"{"sub":"mallory"}"#);
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);
        assert_eq!(verify(&forged, Algorithm::HS256, b"key"), Err(JwtError::BadSignature));
        assert!(matches!(verify(&token, Algorithm::HS512, b"key"), Err(JwtError::WrongAlgorithm { .. })));
        let unsigned = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#), parts[1]);
        assert!(matches!(verify(&unsigned, Algorithm::HS256, b"key"), Err(JwtError::WrongAlgorithm { .. })));
        assert!(matches!(verify("a.b", Algorithm::HS256, b"key"), Err(JwtError::Malformed(_))));
    }
}
