//! The Telnyx REST client against the lab's Telnyx fake, over real loopback HTTP: every failure
//! mode gives its own error, retries happen only where they are safe, lists page to the end.

use std::time::{Duration, Instant};

use callscope_accounts::providers::telnyx::{
    CredentialFilter, NewCredentialConnection, NewTelephonyCredential, PhoneNumberFilter, TelephonyCredentialUpdate,
    TelnyxClient, TelnyxOptions,
};
use callscope_accounts::providers::{HttpOptions, Provider, RestError, RetryPolicy};
use callscope_lab::rest::telnyx::TelnyxLimits;
use callscope_lab::{Fault, FaultRule, TelnyxConfig, TelnyxFake};
use secrecy::{ExposeSecret, SecretString};

async fn lab() -> TelnyxFake {
    TelnyxFake::start(TelnyxConfig::default()).await.unwrap()
}

/// Quick retries so the tests do not sleep for real backoffs.
fn fast_http() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_wait: Duration::from_secs(5),
        },
        ..Default::default()
    }
}

fn client_with(fake: &TelnyxFake, api_key: &str, http: HttpOptions) -> TelnyxClient {
    TelnyxClient::new(SecretString::from(api_key.to_string()), TelnyxOptions { base_url: fake.base_url(), http })
        .unwrap()
}

fn client(fake: &TelnyxFake) -> TelnyxClient {
    client_with(fake, &fake.seed().api_key, fast_http())
}

fn new_credential(fake: &TelnyxFake) -> NewTelephonyCredential {
    NewTelephonyCredential { connection_id: fake.seed().credential_connection_id.clone(), ..Default::default() }
}

#[tokio::test]
async fn a_wrong_api_key_is_unauthorized_with_what_to_check_and_is_not_retried() {
    let fake = lab().await;
    let error = client_with(&fake, "KEY_not_this_one", fast_http()).balance().await.unwrap_err();
    let RestError::Unauthorized { provider, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(provider, Provider::Telnyx);
    assert_eq!(reply.code(), Some("10009"));
    let text = error.to_string();
    assert!(text.starts_with("Telnyx refused the credentials"), "{text}");
    assert!(text.contains("Check the API key"), "{text}");
    assert_eq!(fake.faults().count("GET", "/v2/balance"), 1, "a 401 is not retried");
}

#[tokio::test]
async fn a_read_only_key_writing_is_forbidden() {
    let fake = lab().await;
    let read_only = client_with(&fake, &fake.seed().read_only_api_key, fast_http());
    assert!(read_only.balance().await.is_ok(), "reads are allowed");
    let error = read_only.create_telephony_credential(&new_credential(&fake)).await.unwrap_err();
    let RestError::Forbidden { ref operation, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(operation, "create a telephony credential");
    assert_eq!(reply.code(), Some("10010"));
}

#[tokio::test]
async fn a_missing_resource_is_not_found_naming_it_and_is_not_retried() {
    let fake = lab().await;
    let error = client(&fake).get_telephony_credential("0b7e4c1e-0000-4000-8000-000000000000").await.unwrap_err();
    let RestError::NotFound { ref resource, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(resource, "telephony credential 0b7e4c1e-0000-4000-8000-000000000000");
    assert_eq!(reply.code(), Some("10005"));
    assert_eq!(fake.faults().count("GET", "/v2/telephony_credentials/0b7e4c1e-0000-4000-8000-000000000000"), 1);

    let other = fake.seed().other_account_connection_id.clone();
    let error = client(&fake).get_credential_connection(&other).await.unwrap_err();
    assert!(matches!(error, RestError::NotFound { .. }), "another account's connection: {error:?}");
}

#[tokio::test]
async fn a_429_is_retried_after_the_x_ratelimit_reset_wait() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v2/balance", Fault::RateLimited { retry_after_secs: 1 }));
    let started = Instant::now();
    let balance = client(&fake).balance().await.unwrap();
    assert_eq!(balance.balance, "25.30");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited only {:?}", started.elapsed());
    assert_eq!(fake.faults().count("GET", "/v2/balance"), 2);
}

#[tokio::test]
async fn rate_limiting_that_outlasts_the_retries_is_reported_with_the_wait() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v2/balance", Fault::RateLimited { retry_after_secs: 0 }).times(10));
    let error = client(&fake).balance().await.unwrap_err();
    let RestError::RateLimited { attempts, retry_after, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!((attempts, retry_after), (4, Some(Duration::ZERO)));
    assert_eq!(reply.code(), Some("10011"));
    assert_eq!(fake.faults().count("GET", "/v2/balance"), 4);
}

#[tokio::test]
async fn a_wait_longer_than_allowed_is_reported_at_once() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v2/balance", Fault::RateLimited { retry_after_secs: 120 }));
    let error = client(&fake).balance().await.unwrap_err();
    let RestError::RateLimited { attempts, retry_after, .. } = error else { panic!("{error:?}") };
    assert_eq!((attempts, retry_after), (1, Some(Duration::from_secs(120))));
    assert!(error.to_string().contains("asks to wait 120 s"), "{error}");
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_with_the_status() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v2/outbound_voice_profiles", Fault::ServerError { status: 502 }).times(2));
    let profiles = client(&fake).list_outbound_voice_profiles(None).await.unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(fake.faults().count("GET", "/v2/outbound_voice_profiles"), 3);

    fake.faults().inject(FaultRule::new("/v2/balance", Fault::ServerError { status: 503 }).times(10));
    let error = client(&fake).balance().await.unwrap_err();
    let RestError::ServerError { status, attempts, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!((status, attempts), (503, 4));
    assert_eq!(reply.code(), Some("10007"));
}

#[tokio::test]
async fn a_post_that_creates_is_never_retried() {
    let fake = lab().await;
    fake.faults()
        .inject(FaultRule::new("/v2/telephony_credentials", Fault::ServerError { status: 500 }).method("POST"));
    let error = client(&fake).create_telephony_credential(&new_credential(&fake)).await.unwrap_err();
    assert!(matches!(error, RestError::ServerError { attempts: 1, .. }), "{error:?}");
    fake.faults()
        .inject(FaultRule::new("/v2/telephony_credentials", Fault::RateLimited { retry_after_secs: 0 }).method("POST"));
    let error = client(&fake).create_telephony_credential(&new_credential(&fake)).await.unwrap_err();
    assert!(matches!(error, RestError::RateLimited { attempts: 1, .. }), "{error:?}");
    assert_eq!(fake.faults().count("POST", "/v2/telephony_credentials"), 2);
    assert!(fake.telephony_credential_ids(&fake.seed().api_key).is_empty());
}

/// After a 5xx a deletion may have happened; a repeat would answer 404 for a success. A 429 means
/// the provider did nothing, so that one is retried.
#[tokio::test]
async fn a_delete_is_retried_only_when_rate_limited() {
    let fake = lab().await;
    let telnyx = client(&fake);
    let credential = telnyx.create_telephony_credential(&new_credential(&fake)).await.unwrap();
    let path = format!("/v2/telephony_credentials/{}", credential.id);
    fake.faults().inject(FaultRule::new(&path, Fault::ServerError { status: 500 }).method("DELETE"));
    let error = telnyx.delete_telephony_credential(&credential.id).await.unwrap_err();
    assert!(matches!(error, RestError::ServerError { attempts: 1, .. }), "{error:?}");
    fake.faults().inject(FaultRule::new(&path, Fault::RateLimited { retry_after_secs: 0 }).method("DELETE"));
    assert_eq!(telnyx.delete_telephony_credential(&credential.id).await.unwrap().id, credential.id);
    assert_eq!(fake.faults().count("DELETE", &path), 3);
}

#[tokio::test]
async fn token_minting_carries_an_idempotency_key_and_is_retried() {
    let fake = lab().await;
    let telnyx = client(&fake);
    let credential = telnyx.create_telephony_credential(&new_credential(&fake)).await.unwrap();
    let path = format!("/v2/telephony_credentials/{}/token", credential.id);
    fake.faults().inject(FaultRule::new(&path, Fault::ServerError { status: 503 }));
    let token = telnyx.mint_login_token(&credential.id).await.unwrap();
    assert_eq!(fake.faults().count("POST", &path), 2);
    let owner = fake.verify_login_token(token.jwt.expose_secret()).unwrap();
    assert_eq!(owner.credential_id, credential.id);
    assert_eq!(token.expires_at, owner.expires_at);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v2/balance", Fault::Slow { delay_ms: 3000 }));
    let http = HttpOptions { timeout: Duration::from_millis(300), ..fast_http() };
    let error = client_with(&fake, &fake.seed().api_key, http).balance().await.unwrap_err();
    let RestError::Timeout { after, ref operation, .. } = error else { panic!("{error:?}") };
    assert_eq!((after, operation.as_str()), (Duration::from_millis(300), "read the account balance"));
    assert_eq!(error.to_string(), "Telnyx did not answer the request to read the account balance within 0.3 s");
}

#[tokio::test]
async fn a_malformed_body_says_what_was_expected() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v2/phone_numbers", Fault::Malformed));
    let error = client(&fake).list_phone_numbers(&PhoneNumberFilter::default()).await.unwrap_err();
    let RestError::MalformedBody { ref expected, ref problem, .. } = error else { panic!("{error:?}") };
    assert_eq!(expected, "a page of phone numbers");
    assert!(problem.contains("EOF"), "{problem}");
}

#[tokio::test]
async fn the_credential_limit_is_reported_as_a_limit() {
    let limits = TelnyxLimits { telephony_credentials_per_account: 1, ..Default::default() };
    let fake = TelnyxFake::start(TelnyxConfig { port: 0, limits }).await.unwrap();
    let telnyx = client(&fake);
    telnyx.create_telephony_credential(&new_credential(&fake)).await.unwrap();
    let error = telnyx.create_telephony_credential(&new_credential(&fake)).await.unwrap_err();
    let RestError::LimitReached { ref operation, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(operation, "create a telephony credential");
    assert!(reply.mentions("limit of 1 telephony credentials"), "{reply}");
    assert!(error.to_string().contains("account limit reached"), "{error}");
}

#[tokio::test]
async fn the_connection_limit_is_reported_as_a_limit() {
    let limits = TelnyxLimits { connections_per_account: 2, ..Default::default() };
    let fake = TelnyxFake::start(TelnyxConfig { port: 0, limits }).await.unwrap();
    let new = NewCredentialConnection {
        connection_name: "callscope".into(),
        user_name: "callscope9".into(),
        password: SecretString::from("a long password"),
        outbound_voice_profile_id: None,
    };
    let error = client(&fake).create_credential_connection(&new).await.unwrap_err();
    assert!(matches!(error, RestError::LimitReached { .. }), "{error:?}");
}

#[tokio::test]
async fn a_validation_error_is_rejected_naming_the_field() {
    let fake = lab().await;
    let new = NewTelephonyCredential { connection_id: "404404404".into(), ..Default::default() };
    let error = client(&fake).create_telephony_credential(&new).await.unwrap_err();
    let RestError::Rejected { ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!((reply.status, reply.code()), (422, Some("10015")));
    assert_eq!(reply.messages[0].source.as_deref(), Some("/connection_id"));
    assert!(error.to_string().contains("at /connection_id"), "{error}");
}

#[tokio::test]
async fn the_object_form_error_of_an_expired_credential_parses() {
    let fake = lab().await;
    let telnyx = client(&fake);
    let credential = telnyx.create_telephony_credential(&new_credential(&fake)).await.unwrap();
    fake.expire_credential(&credential.id);
    let update = TelephonyCredentialUpdate { name: Some("renamed".into()), ..Default::default() };
    let error = telnyx.update_telephony_credential(&credential.id, &update).await.unwrap_err();
    let RestError::Rejected { ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(reply.messages.len(), 1);
    assert_eq!(reply.messages[0].title.as_deref(), Some("status"));
    assert_eq!(reply.messages[0].detail.as_deref(), Some("can't update credentials in expired status"));
    assert!(error.to_string().contains("can't update credentials in expired status"), "{error}");
}

#[tokio::test]
async fn an_unreachable_host_is_a_transport_error() {
    let fake = lab().await;
    let base = fake.base_url();
    fake.stop().await;
    let telnyx = TelnyxClient::new("KEYx".into(), TelnyxOptions { base_url: base, http: fast_http() }).unwrap();
    let error = telnyx.balance().await.unwrap_err();
    let RestError::Transport { ref cause, .. } = error else { panic!("{error:?}") };
    assert!(cause.to_lowercase().contains("connect"), "{cause}");
}

#[tokio::test]
async fn lists_follow_every_page_and_filters_narrow_them() {
    let fake = lab().await;
    let telnyx = client_with(&fake, &fake.seed().api_key, HttpOptions { page_size: Some(2), ..fast_http() });
    for i in 0..5 {
        let tag = if i < 3 { Some("desk".to_string()) } else { None };
        let new = NewTelephonyCredential { name: Some(format!("agent-{i}")), tag, ..new_credential(&fake) };
        telnyx.create_telephony_credential(&new).await.unwrap();
    }
    fake.faults().clear_requests();
    let all = telnyx.list_telephony_credentials(&CredentialFilter::default()).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(fake.faults().count("GET", "/v2/telephony_credentials"), 3, "pages of 2: 2 + 2 + 1");
    let queries: Vec<String> = fake.faults().requests().into_iter().filter_map(|r| r.query).collect();
    assert!(queries.iter().any(|q| q.contains("page%5Bnumber%5D=3") && q.contains("page%5Bsize%5D=2")), "{queries:?}");

    let tagged = telnyx
        .list_telephony_credentials(&CredentialFilter { tag: Some("desk".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(tagged.len(), 3);
    let named = telnyx
        .list_telephony_credentials(&CredentialFilter { name: Some("agent-4".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].connection_id(), Some(fake.seed().credential_connection_id.as_str()));
}

#[tokio::test]
async fn a_credentials_whole_life_create_list_mint_delete() {
    let fake = lab().await;
    let telnyx = client(&fake);
    let new = NewTelephonyCredential {
        tag: Some("callscope".into()),
        name: Some("Callscope".into()),
        ..new_credential(&fake)
    };
    let credential = telnyx.create_telephony_credential(&new).await.unwrap();
    assert!(credential.sip_username.starts_with("gencred"));
    assert!(!credential.expired);

    let token = telnyx.mint_login_token(&credential.id).await.unwrap();
    let owner = fake.verify_login_token(token.jwt.expose_secret()).unwrap();
    assert_eq!(owner.sip_username, credential.sip_username);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((token.expires_at - now - 86_400).abs() <= 5, "a token lives 24 h");

    let deleted = telnyx.delete_telephony_credential(&credential.id).await.unwrap();
    assert_eq!(deleted.id, credential.id);
    assert!(fake.verify_login_token(token.jwt.expose_secret()).is_err(), "the token dies with its credential");
    let error = telnyx.mint_login_token(&credential.id).await.unwrap_err();
    assert!(matches!(error, RestError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn the_account_audit_reads_connections_profiles_numbers_and_balance() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let telnyx = client(&fake);

    let connections = telnyx.list_credential_connections(None).await.unwrap();
    assert_eq!(connections.len(), 2);
    let webrtc = telnyx.get_credential_connection(&seed.credential_connection_id).await.unwrap();
    assert_eq!(webrtc.outbound.outbound_voice_profile_id.as_deref(), Some(seed.outbound_voice_profile_id.as_str()));
    let bare = connections.iter().find(|c| c.id == seed.connection_without_profile_id).unwrap();
    assert_eq!(bare.outbound.outbound_voice_profile_id, None);
    assert_eq!(telnyx.list_credential_connections(Some("webrtc")).await.unwrap().len(), 1);

    let profile = telnyx.get_outbound_voice_profile(&seed.outbound_voice_profile_id).await.unwrap();
    assert!(profile.enabled);
    assert_eq!(profile.whitelisted_destinations, ["US", "CA", "GB"]);

    let routed = telnyx
        .list_phone_numbers(&PhoneNumberFilter {
            connection_id: Some(seed.credential_connection_id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(routed.iter().map(|n| n.phone_number.as_str()).collect::<Vec<_>>(), ["+13125550101"]);
    let unrouted = telnyx.get_phone_number_voice_settings(&seed.phone_number_ids[1]).await.unwrap();
    assert_eq!(unrouted.connection_id, None);

    let balance = telnyx.balance().await.unwrap();
    assert_eq!((balance.available_credit.as_str(), balance.currency.as_str()), ("125.30", "USD"));
}

/// The API key and every secret a response carries stay out of Debug output and error text.
#[tokio::test]
async fn secrets_never_reach_debug_output_or_errors() {
    const CANARY: &str = "KEYcanary-7f3e9a1b-do-not-print";
    let fake = lab().await;
    let mut texts = Vec::new();

    let wrong = client_with(&fake, CANARY, fast_http());
    texts.push(format!("{wrong:?}"));
    let error = wrong.balance().await.unwrap_err();
    texts.push(format!("{error} {error:?}"));
    let error = wrong.mint_login_token("x").await.unwrap_err();
    texts.push(format!("{error} {error:?}"));

    let right = client(&fake);
    let credential = right.create_telephony_credential(&new_credential(&fake)).await.unwrap();
    let token = right.mint_login_token(&credential.id).await.unwrap();
    texts.push(format!("{credential:?} {token:?}"));

    let base = fake.base_url();
    fake.stop().await;
    let offline = TelnyxClient::new(CANARY.into(), TelnyxOptions { base_url: base, http: fast_http() }).unwrap();
    let error = offline.balance().await.unwrap_err();
    texts.push(format!("{error} {error:?}"));

    for text in &texts {
        assert!(!text.contains(CANARY), "the API key leaked: {text}");
        assert!(!text.contains(credential.sip_password.expose_secret()), "the SIP password leaked: {text}");
        assert!(!text.contains(token.jwt.expose_secret()), "the login token leaked: {text}");
    }
}
