//! Twilio Access Tokens for the Voice SDK, signed in Rust with the API key secret, which never
//! leaves the backend. The format follows twilio-node's AccessToken: an HS256 JWT whose header
//! carries `cty: twilio-fpa;v=1` (and `twr` for non-US1 keys) and whose `grants` hold the client
//! identity and the voice grant.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::Sha256;

use crate::error::{Error, Result};

/// Twilio's default lifetime for an Access Token.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);
/// Twilio refuses longer-lived tokens (REST 20157, Voice 31207).
pub const MAX_TTL: Duration = Duration::from_secs(86_400);

pub struct VoiceGrant<'a> {
    pub account_sid: &'a str,
    pub api_key_sid: &'a str,
    pub identity: &'a str,
    /// The TwiML app outgoing calls run; none means the token cannot place calls.
    pub outgoing_application_sid: Option<&'a str>,
    pub incoming_allow: bool,
    /// The API key's region for non-US1 keys (`ie1`, `au1`): sets the `twr` header.
    pub region: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub jwt: String,
    /// Unix seconds.
    pub expires_at: u64,
}

pub fn mint(grant: &VoiceGrant<'_>, secret: &SecretString, ttl: Duration, now: SystemTime) -> Result<AccessToken> {
    if ttl.is_zero() {
        return Err(Error::bad_input("token_ttl_secs", "an Access Token needs a lifetime; 0 would be expired at once"));
    }
    if ttl > MAX_TTL {
        return Err(Error::bad_input(
            "token_ttl_secs",
            format!("{} s is over Twilio's maximum of 86400 s (24 h); Twilio would refuse the token", ttl.as_secs()),
        ));
    }
    if grant.identity.is_empty() {
        return Err(Error::bad_input("identity", "is empty; the Voice SDK needs a client identity"));
    }
    let now = now.duration_since(UNIX_EPOCH).map_err(|_| Error::Internal("the clock is before 1970".into()))?.as_secs();
    let expires_at = now + ttl.as_secs();

    let mut header = json!({ "alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1" });
    if let Some(region) = grant.region.filter(|r| !r.is_empty() && *r != "us1") {
        header["twr"] = json!(region);
    }
    let mut voice = serde_json::Map::new();
    if grant.incoming_allow {
        voice.insert("incoming".into(), json!({ "allow": true }));
    }
    if let Some(app) = grant.outgoing_application_sid {
        voice.insert("outgoing".into(), json!({ "application_sid": app }));
    }
    let claims = json!({
        "jti": format!("{}-{now}", grant.api_key_sid),
        "iss": grant.api_key_sid,
        "sub": grant.account_sid,
        "iat": now,
        "nbf": now,
        "exp": expires_at,
        "grants": { "identity": grant.identity, "voice": voice },
    });

    let signing_input = format!("{}.{}", encode(&header), encode(&claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|e| Error::Internal(format!("HMAC key: {e}")))?;
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(AccessToken { jwt: format!("{signing_input}.{signature}"), expires_at })
}

fn encode(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}
