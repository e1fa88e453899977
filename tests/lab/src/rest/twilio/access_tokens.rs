//! Twilio Voice Access Token checks (twilio.md §3, §8.3), for the PStream emulator to come.
//!
//! A token is HS256 over `header.payload`, keyed with the secret of the API key named in `iss`;
//! `sub` is that key's account; `grants.voice` must be present. Codes follow the gateway's: 31205
//! for an expired token and 31207 for a lifetime over 24 h are documented; 31202 for a bad
//! signature and 31204 for everything else are this lab's reading of the SDK's error table.

use serde::Serialize;
use serde_json::Value;

use super::store::Store;
use crate::clock;
use crate::jwt::{self, Algorithm, JwtError};

/// Maximum token lifetime: 24 hours.
pub const MAX_TTL_SECS: i64 = 86_400;
const CONTENT_TYPE: &str = "twilio-fpa;v=1";

/// What a verified token grants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedAccessToken {
    pub account_sid: String,
    pub api_key_sid: String,
    pub identity: String,
    pub incoming_allowed: bool,
    pub outgoing_application_sid: Option<String>,
    pub outgoing_params: Option<Value>,
    pub region: String,
    /// `exp`, in Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AccessTokenRejection {
    #[error("not an Access Token: {0}")]
    Malformed(String),
    #[error("no API key {0} exists")]
    UnknownKey(String),
    #[error("API key {key} belongs to {owner}, not to the token's account {sub}")]
    WrongAccount { key: String, owner: String, sub: String },
    #[error("API key {key} is in region {key_region}; the token says {token_region}")]
    WrongRegion { key: String, key_region: String, token_region: String },
    #[error("the signature does not match API key {0}'s secret")]
    BadSignature(String),
    #[error("the token expired at {exp} (now {now})")]
    Expired { exp: i64, now: i64 },
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid { nbf: i64, now: i64 },
    #[error("the token lives {ttl} s, more than the 86400 s maximum")]
    TtlTooLong { ttl: i64 },
    #[error("the token has no voice grant")]
    NoVoiceGrant,
    #[error("the token has no identity")]
    NoIdentity,
}

impl AccessTokenRejection {
    /// The signalling error code the gateway sends for this rejection.
    pub fn code(&self) -> u32 {
        match self {
            AccessTokenRejection::BadSignature(_) => 31202,
            AccessTokenRejection::Expired { .. } => 31205,
            AccessTokenRejection::TtlTooLong { .. } => 31207,
            _ => 31204,
        }
    }
}

pub fn verify(store: &Store, token: &str) -> Result<VerifiedAccessToken, AccessTokenRejection> {
    use AccessTokenRejection as R;
    let unverified = jwt::decode_unverified(token).map_err(|e| R::Malformed(e.to_string()))?;
    let header_text = |name: &str| unverified.header.get(name).and_then(Value::as_str).map(str::to_string);
    if header_text("cty").as_deref() != Some(CONTENT_TYPE) {
        return Err(R::Malformed(format!("header cty must be {CONTENT_TYPE:?}")));
    }
    let claim_text = |name: &str| unverified.claims.get(name).and_then(Value::as_str).unwrap_or("").to_string();
    let (key_sid, sub) = (claim_text("iss"), claim_text("sub"));
    let key = store.key(&key_sid).ok_or_else(|| R::UnknownKey(key_sid.clone()))?;
    if key.account_sid != sub {
        return Err(R::WrongAccount { key: key_sid, owner: key.account_sid.clone(), sub });
    }
    let token_region = header_text("twr").unwrap_or_else(|| "us1".into());
    if token_region != key.region {
        return Err(R::WrongRegion { key: key_sid, key_region: key.region.clone(), token_region });
    }
    let verified = jwt::verify(token, Algorithm::HS256, key.secret.as_bytes()).map_err(|e| match e {
        JwtError::BadSignature => R::BadSignature(key_sid.clone()),
        other => R::Malformed(other.to_string()),
    })?;
    let claims = &verified.claims;
    let now = clock::unix_now();
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or_else(|| R::Malformed("exp is missing".into()))?;
    if exp <= now {
        return Err(R::Expired { exp, now });
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_i64) {
        if nbf > now {
            return Err(R::NotYetValid { nbf, now });
        }
    }
    let issued = claims.get("iat").and_then(Value::as_i64).unwrap_or(now);
    if exp - issued > MAX_TTL_SECS {
        return Err(R::TtlTooLong { ttl: exp - issued });
    }
    let grants = claims.get("grants").cloned().unwrap_or(Value::Null);
    let voice = grants.get("voice").ok_or(R::NoVoiceGrant)?;
    let identity = grants.get("identity").and_then(Value::as_str).filter(|i| !i.is_empty()).ok_or(R::NoIdentity)?;
    Ok(VerifiedAccessToken {
        account_sid: sub,
        api_key_sid: key_sid,
        identity: identity.to_string(),
        incoming_allowed: voice.pointer("/incoming/allow").and_then(Value::as_bool).unwrap_or(false),
        outgoing_application_sid: voice
            .pointer("/outgoing/application_sid")
            .and_then(Value::as_str)
            .map(str::to_string),
        outgoing_params: voice.pointer("/outgoing/params").cloned(),
        region: token_region,
        expires_at: exp,
    })
}
