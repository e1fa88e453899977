//! Twilio Access Tokens minted in Rust, checked by an independent JWT library and by the lab's
//! Twilio fake (which plays Twilio's side of the check).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use callscope_accounts::credentials::twilio_token::{mint, VoiceGrant, DEFAULT_TTL};
use callscope_accounts::Error;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use secrecy::SecretString;
use serde_json::{json, Value};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const KEY: &str = "SKfedcba9876543210fedcba9876543210";
const APP: &str = "AP00112233445566778899aabbccddeeff";

fn grant() -> VoiceGrant<'static> {
    VoiceGrant {
        account_sid: ACCOUNT,
        api_key_sid: KEY,
        identity: "callscope",
        outgoing_application_sid: Some(APP),
        incoming_allow: true,
        region: None,
    }
}

fn secret() -> SecretString {
    SecretString::from("api-key-secret-for-tests".to_string())
}

#[test]
fn the_token_verifies_and_has_exactly_the_voice_claims() {
    let now = SystemTime::now();
    let token = mint(&grant(), &secret(), DEFAULT_TTL, now).unwrap();

    let header = decode_header(&token.jwt).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(header.cty.as_deref(), Some("twilio-fpa;v=1"));

    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    validation.set_issuer(&[KEY]);
    let claims = decode::<Value>(&token.jwt, &DecodingKey::from_secret(b"api-key-secret-for-tests"), &validation).unwrap().claims;

    let issued = now.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let mut keys: Vec<&str> = claims.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["exp", "grants", "iat", "iss", "jti", "nbf", "sub"]);
    assert_eq!(claims["iss"], KEY);
    assert_eq!(claims["sub"], ACCOUNT);
    assert_eq!(claims["jti"], format!("{KEY}-{issued}"));
    assert_eq!(claims["exp"], issued + 3600);
    assert_eq!(token.expires_at, issued + 3600);
    assert_eq!(
        claims["grants"],
        json!({"identity": "callscope", "voice": {"incoming": {"allow": true}, "outgoing": {"application_sid": APP}}})
    );

    let wrong_key = decode::<Value>(&token.jwt, &DecodingKey::from_secret(b"another secret"), &validation);
    assert!(wrong_key.is_err(), "the signature is the API key secret's");
}

#[test]
fn a_region_goes_into_the_header() {
    let token = mint(&VoiceGrant { region: Some("ie1"), ..grant() }, &secret(), DEFAULT_TTL, SystemTime::now()).unwrap();
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, token.jwt.split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(header["twr"], "ie1");
}

#[test]
fn expired_or_over_long_lifetimes_are_refused() {
    for ttl in [Duration::ZERO, Duration::from_secs(86_401), Duration::from_secs(7 * 86_400)] {
        match mint(&grant(), &secret(), ttl, SystemTime::now()) {
            Err(Error::BadInput { field, problem }) => {
                assert_eq!(field, "token_ttl_secs");
                assert!(problem.contains("86400") || problem.contains("expired"), "{problem}");
            }
            other => panic!("{ttl:?} must be refused, got {other:?}"),
        }
    }
    assert!(mint(&grant(), &secret(), Duration::from_secs(86_400), SystemTime::now()).is_ok(), "24 h exactly is allowed");
}

#[tokio::test]
async fn the_lab_twilio_accepts_it_and_refuses_a_forged_one() {
    let fake = callscope_lab::TwilioFake::start(Default::default()).await.unwrap();
    let seed = fake.seed().clone();
    let grant = VoiceGrant {
        account_sid: &seed.account_sid,
        api_key_sid: &seed.main_key.sid,
        identity: "callscope",
        outgoing_application_sid: Some(&seed.application_sid),
        incoming_allow: true,
        region: None,
    };
    let good = mint(&grant, &SecretString::from(seed.main_key.secret.clone()), DEFAULT_TTL, SystemTime::now()).unwrap();
    assert!(fake.access_tokens().verify(&good.jwt).is_ok());
    let forged = mint(&grant, &SecretString::from("not the secret".to_string()), DEFAULT_TTL, SystemTime::now()).unwrap();
    assert!(fake.access_tokens().verify(&forged.jwt).is_err());
}
