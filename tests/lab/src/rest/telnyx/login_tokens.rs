//! Telnyx login tokens: the JWTs `POST /telephony_credentials/{id}/token` returns and the Verto
//! `login` frame carries as `login_token` (telnyx.md §4.5, §2.4).
//!
//! The claim set is the one seen in real tokens: HS512, `aud`/`iss` `telnyx_telephony`, `typ`
//! `access`, `sub` the credential id, an opaque `tel_token`, `nbf = iat - 1`, `exp = iat + 86400`.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::store::Store;
use crate::jwt::{self, Algorithm};
use crate::{clock, ids};

/// How long a minted token lives: 24 hours (§4.5).
pub const TOKEN_LIFETIME_SECS: i64 = 86_400;
const ISSUER: &str = "telnyx_telephony";

pub fn mint(credential_id: &str, tel_token: &str, signing_key: &[u8]) -> String {
    let iat = clock::unix_now();
    let claims = json!({
        "aud": ISSUER,
        "iss": ISSUER,
        "exp": iat + TOKEN_LIFETIME_SECS,
        "iat": iat,
        "nbf": iat - 1,
        "jti": ids::uuid(),
        "sub": credential_id,
        "tel_token": tel_token,
        "typ": "access",
    });
    let header = json!({"typ": "JWT"});
    jwt::sign(object(header), &object(claims), Algorithm::HS512, signing_key)
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// Whose login token this is: what a Verto emulator needs to register the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoginTokenOwner {
    pub credential_id: String,
    pub sip_username: String,
    pub connection_id: String,
    pub user_id: String,
    /// The token's `exp`, in Unix seconds.
    pub expires_at: i64,
}

/// Why a login token was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoginTokenRejection {
    #[error("not a Telnyx login token: {0}")]
    Malformed(String),
    #[error("the token was not signed by this Telnyx fake")]
    BadSignature,
    #[error("the token's {claim} is {found:?}, expected {expected:?}")]
    WrongClaim { claim: &'static str, expected: &'static str, found: String },
    #[error("the token expired at {exp} (now {now})")]
    Expired { exp: i64, now: i64 },
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid { nbf: i64, now: i64 },
    #[error("the token's credential {0} does not exist (deleted?)")]
    UnknownCredential(String),
    #[error("the token's credential {0} has expired")]
    CredentialExpired(String),
    #[error("the token's tel_token does not belong to credential {0}")]
    WrongTelToken(String),
}

/// Checks a login token the way the Telnyx RTC server would, and finds its credential.
pub fn verify(store: &Store, signing_key: &[u8], token: &str) -> Result<LoginTokenOwner, LoginTokenRejection> {
    use LoginTokenRejection as R;
    let decoded = jwt::verify(token, Algorithm::HS512, signing_key).map_err(|e| match e {
        jwt::JwtError::BadSignature => R::BadSignature,
        other => R::Malformed(other.to_string()),
    })?;
    let claims = &decoded.claims;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("").to_string();
    let number = |name: &'static str| {
        claims
            .get(name)
            .and_then(Value::as_i64)
            .ok_or_else(|| R::Malformed(format!("claim {name} is missing or not a number")))
    };
    for (claim, expected) in [("iss", ISSUER), ("aud", ISSUER), ("typ", "access")] {
        if text(claim) != expected {
            return Err(R::WrongClaim { claim, expected, found: text(claim) });
        }
    }
    let now = clock::unix_now();
    let (exp, nbf) = (number("exp")?, number("nbf")?);
    if exp <= now {
        return Err(R::Expired { exp, now });
    }
    if nbf > now {
        return Err(R::NotYetValid { nbf, now });
    }
    let credential_id = text("sub");
    let (account, credential) =
        store.find_credential(&credential_id).ok_or_else(|| R::UnknownCredential(credential_id.clone()))?;
    if credential.expired() {
        return Err(R::CredentialExpired(credential_id));
    }
    if text("tel_token") != credential.tel_token {
        return Err(R::WrongTelToken(credential_id));
    }
    Ok(LoginTokenOwner {
        credential_id,
        sip_username: credential.sip_username.clone(),
        connection_id: credential.connection_id.clone(),
        user_id: account.user_id.clone(),
        expires_at: exp,
    })
}
