//! The Twilio REST client against the lab's Twilio fake, over real loopback HTTP: every failure
//! mode gives its own error, retries happen only where they are safe, lists page to the end.

use std::time::{Duration, Instant};

use callscope_accounts::providers::twilio::{CallFilter, CountryFilter, TwilioAuth, TwilioClient, TwilioOptions};
use callscope_accounts::providers::{HttpOptions, Provider, RestError, RetryPolicy};
use callscope_lab::{Fault, FaultRule, TwilioConfig, TwilioFake};
use secrecy::{ExposeSecret, SecretString};

async fn lab() -> TwilioFake {
    TwilioFake::start(TwilioConfig::default()).await.unwrap()
}

fn fast_http() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_wait: Duration::from_secs(5),
        },
        ..Default::default()
    }
}

fn options(fake: &TwilioFake, http: HttpOptions) -> TwilioOptions {
    TwilioOptions { api_base_url: fake.api_base_url(), voice_base_url: fake.voice_base_url(), http }
}

fn with_auth(fake: &TwilioFake, account_sid: &str, auth: TwilioAuth) -> TwilioClient {
    TwilioClient::new(account_sid, auth, options(fake, fast_http())).unwrap()
}

/// The seeded account with its Auth Token.
fn client(fake: &TwilioFake) -> TwilioClient {
    let seed = fake.seed();
    with_auth(fake, &seed.account_sid, TwilioAuth::AuthToken(SecretString::from(seed.auth_token.clone())))
}

fn standard_key_client(fake: &TwilioFake) -> TwilioClient {
    let seed = fake.seed();
    with_auth(fake, &seed.account_sid, TwilioAuth::api_key(&seed.standard_key.sid, &seed.standard_key.secret))
}

fn balance_path(fake: &TwilioFake) -> String {
    format!("/2010-04-01/Accounts/{}/Balance.json", fake.seed().account_sid)
}

#[tokio::test]
async fn a_wrong_secret_is_unauthorized_with_what_to_check_and_is_not_retried() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let twilio = with_auth(&fake, &seed.account_sid, TwilioAuth::api_key(&seed.main_key.sid, "wrong secret"));
    let error = twilio.balance().await.unwrap_err();
    let RestError::Unauthorized { provider, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(provider, Provider::Twilio);
    assert_eq!(reply.code(), Some("20003"));
    assert_eq!(reply.messages[0].more_info.as_deref(), Some("https://www.twilio.com/docs/errors/20003"));
    assert!(error.to_string().contains("Check the Account SID and the API key SID and secret"), "{error}");
    assert_eq!(fake.faults().count("GET", &balance_path(&fake)), 1);
}

#[tokio::test]
async fn a_standard_key_on_the_account_or_keys_is_forbidden_not_unauthorized() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let standard = standard_key_client(&fake);
    for error in [standard.fetch_account().await.unwrap_err(), standard.list_keys().await.unwrap_err()] {
        let RestError::Forbidden { ref why, ref reply, .. } = error else { panic!("{error:?}") };
        assert!(why.contains(&seed.standard_key.sid) && why.contains("Main API key"), "{why}");
        assert_eq!(reply.code(), Some("20003"));
    }
    let main = with_auth(&fake, &seed.account_sid, TwilioAuth::api_key(&seed.main_key.sid, &seed.main_key.secret));
    let account = main.fetch_account().await.unwrap();
    assert_eq!((account.status.as_str(), account.account_type.as_deref()), ("active", Some("Full")));
    assert_eq!(main.list_keys().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_deleted_key_on_the_account_stays_unauthorized() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let gone = with_auth(&fake, &seed.account_sid, TwilioAuth::api_key("SK00000000000000000000000000000000", "nope"));
    assert!(matches!(gone.fetch_account().await.unwrap_err(), RestError::Unauthorized { .. }));
}

#[tokio::test]
async fn test_credentials_are_forbidden_outside_their_resources() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let test = with_auth(
        &fake,
        &seed.test_account_sid,
        TwilioAuth::AuthToken(SecretString::from(seed.test_auth_token.clone())),
    );
    let error = test.balance().await.unwrap_err();
    let RestError::Forbidden { ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(reply.code(), Some("20008"));
    assert!(error.to_string().contains("Resource not accessible with Test Account Credentials"), "{error}");
}

#[tokio::test]
async fn an_unknown_sid_is_not_found_naming_it() {
    let fake = lab().await;
    let error = client(&fake).get_call("CA00000000000000000000000000000000").await.unwrap_err();
    let RestError::NotFound { ref resource, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!(resource, "call CA00000000000000000000000000000000");
    assert_eq!(reply.code(), Some("20404"));
    let error = client(&fake).get_dialing_permissions_country("ZZ").await.unwrap_err();
    assert!(matches!(error, RestError::NotFound { .. }), "{error:?}");
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new(balance_path(&fake), Fault::RateLimited { retry_after_secs: 1 }));
    let started = Instant::now();
    let balance = client(&fake).balance().await.unwrap();
    assert_eq!((balance.balance.as_str(), balance.currency.as_str()), ("20.00", "USD"));
    assert!(started.elapsed() >= Duration::from_secs(1), "waited only {:?}", started.elapsed());
    assert_eq!(fake.faults().count("GET", &balance_path(&fake)), 2);
}

#[tokio::test]
async fn rate_limiting_that_outlasts_the_retries_is_reported() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new(balance_path(&fake), Fault::RateLimited { retry_after_secs: 0 }).times(5));
    let error = client(&fake).balance().await.unwrap_err();
    let RestError::RateLimited { attempts, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!((attempts, reply.code()), (3, Some("20429")));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new(balance_path(&fake), Fault::ServerError { status: 500 }));
    assert!(client(&fake).balance().await.is_ok());
    fake.faults().inject(FaultRule::new(balance_path(&fake), Fault::ServerError { status: 503 }).times(5));
    let error = client(&fake).balance().await.unwrap_err();
    let RestError::ServerError { status, attempts, ref reply, .. } = error else { panic!("{error:?}") };
    assert_eq!((status, attempts, reply.code()), (503, 3, Some("20503")));
    assert_eq!(fake.faults().count("GET", &balance_path(&fake)), 5);
}

#[tokio::test]
async fn creating_a_key_is_never_retried() {
    let fake = lab().await;
    let keys = format!("/2010-04-01/Accounts/{}/Keys.json", fake.seed().account_sid);
    fake.faults().inject(FaultRule::new(&keys, Fault::ServerError { status: 500 }).method("POST"));
    let error = client(&fake).create_key("callscope").await.unwrap_err();
    assert!(matches!(error, RestError::ServerError { attempts: 1, .. }), "{error:?}");
    assert_eq!(fake.faults().count("POST", &keys), 1);
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let fake = lab().await;
    let path = format!(
        "/2010-04-01/Accounts/{}/Applications/AP00000000000000000000000000000000.json",
        fake.seed().account_sid
    );
    assert!(client(&fake).get_application("AP00000000000000000000000000000000").await.is_err());
    assert_eq!(fake.faults().count("GET", &path), 1);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new(balance_path(&fake), Fault::Slow { delay_ms: 3000 }));
    let seed = fake.seed().clone();
    let http = HttpOptions { timeout: Duration::from_millis(250), ..fast_http() };
    let twilio = TwilioClient::new(
        &seed.account_sid,
        TwilioAuth::AuthToken(seed.auth_token.clone().into()),
        options(&fake, http),
    )
    .unwrap();
    let error = twilio.balance().await.unwrap_err();
    assert!(matches!(error, RestError::Timeout { after, .. } if after == Duration::from_millis(250)), "{error:?}");
    assert!(error.to_string().starts_with("Twilio did not answer the request to read the account balance"), "{error}");
}

#[tokio::test]
async fn a_malformed_body_says_what_was_expected() {
    let fake = lab().await;
    fake.faults().inject(FaultRule::new("/v1/DialingPermissions/Countries", Fault::Malformed));
    let error = client(&fake).list_dialing_permissions_countries(&CountryFilter::default()).await.unwrap_err();
    let RestError::MalformedBody { ref expected, .. } = error else { panic!("{error:?}") };
    assert_eq!(expected, "a page with a `content` list");
}

#[tokio::test]
async fn an_unreachable_host_is_a_transport_error() {
    let fake = lab().await;
    let twilio = client(&fake);
    fake.stop().await;
    let error = twilio.balance().await.unwrap_err();
    assert!(matches!(error, RestError::Transport { .. }), "{error:?}");
    assert!(error.to_string().starts_with("could not reach Twilio to read the account balance"), "{error}");
}

#[tokio::test]
async fn calls_page_through_next_page_uri_and_stop_at_a_limit() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let twilio = TwilioClient::new(
        &seed.account_sid,
        TwilioAuth::AuthToken(seed.auth_token.clone().into()),
        options(&fake, HttpOptions { page_size: Some(1), ..fast_http() }),
    )
    .unwrap();
    let calls_path = format!("/2010-04-01/Accounts/{}/Calls.json", seed.account_sid);
    let calls = twilio.list_calls(&CallFilter::default()).await.unwrap();
    assert_eq!(calls.iter().map(|c| c.sid.clone()).collect::<Vec<_>>(), seed.call_sids);
    assert_eq!(fake.faults().count("GET", &calls_path), 4, "one call per page");
    assert!(fake.faults().requests().iter().any(|r| r.query.as_deref().is_some_and(|q| q.contains("PageToken=PA"))));

    let children = twilio
        .list_calls(&CallFilter { parent_call_sid: Some(seed.call_sids[0].clone()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(children.len(), 1);
    assert_eq!(children[0].direction.as_deref(), Some("outbound-dial"));
    let first_two = twilio.list_calls(&CallFilter { limit: Some(2), ..Default::default() }).await.unwrap();
    assert_eq!(first_two.len(), 2);
}

#[tokio::test]
async fn dialing_permissions_page_through_absolute_urls_and_filter() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let twilio = TwilioClient::new(
        &seed.account_sid,
        TwilioAuth::AuthToken(seed.auth_token.clone().into()),
        options(&fake, HttpOptions { page_size: Some(5), ..fast_http() }),
    )
    .unwrap();
    let countries = twilio.list_dialing_permissions_countries(&CountryFilter::default()).await.unwrap();
    assert_eq!(countries.len(), 12);
    assert_eq!(fake.faults().count("GET", "/v1/DialingPermissions/Countries"), 3);
    let enabled = twilio
        .list_dialing_permissions_countries(&CountryFilter {
            low_risk_numbers_enabled: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(enabled.iter().map(|c| c.iso_code.as_str()).collect::<Vec<_>>(), ["US", "CA", "GB"]);
    let germany = twilio.get_dialing_permissions_country("DE").await.unwrap();
    assert!(!germany.low_risk_numbers_enabled);
    assert_eq!(germany.country_codes, ["+49"]);
}

#[tokio::test]
async fn the_account_audit_reads_apps_and_how_numbers_route_voice() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let twilio = standard_key_client(&fake);
    let apps = twilio.list_applications(None).await.unwrap();
    assert_eq!(apps.len(), 2);
    let bare = twilio.get_application(&seed.application_without_voice_url_sid).await.unwrap();
    assert_eq!(bare.voice_url.as_deref(), Some(""));
    assert_eq!(twilio.list_applications(Some("Callscope lab app")).await.unwrap()[0].sid, seed.application_sid);

    let numbers = twilio.list_incoming_phone_numbers(None).await.unwrap();
    assert_eq!(numbers.len(), 4);
    assert_eq!(numbers[0].voice_application_sid.as_deref(), Some(seed.application_sid.as_str()));
    assert!(numbers[1].voice_url.as_deref().is_some_and(|u| u.starts_with("https://")));
    assert!(!numbers[3].capabilities.voice);
    let found = twilio.list_incoming_phone_numbers(Some("5550203")).await.unwrap();
    assert_eq!(found.iter().map(|n| n.sid.clone()).collect::<Vec<_>>(), [seed.phone_number_sids[2].clone()]);
}

#[tokio::test]
async fn a_created_key_authenticates_and_is_gone_once_deleted() {
    let fake = lab().await;
    let seed = fake.seed().clone();
    let admin = client(&fake);
    let key = admin.create_key("Callscope on alice's laptop").await.unwrap();
    assert!(key.sid.starts_with("SK"));
    assert_eq!(fake.api_key(&key.sid).unwrap().secret, key.secret.expose_secret());

    let with_new_key =
        with_auth(&fake, &seed.account_sid, TwilioAuth::ApiKey { sid: key.sid.clone(), secret: key.secret.clone() });
    assert!(with_new_key.balance().await.is_ok());
    assert_eq!(admin.get_key(&key.sid).await.unwrap().friendly_name.as_deref(), Some("Callscope on alice's laptop"));

    admin.delete_key(&key.sid).await.unwrap();
    assert!(matches!(with_new_key.balance().await.unwrap_err(), RestError::Unauthorized { .. }));
    assert!(matches!(admin.get_key(&key.sid).await.unwrap_err(), RestError::NotFound { .. }));
}

/// Auth Tokens, key secrets and the account's `auth_token` field stay out of Debug and errors.
#[tokio::test]
async fn secrets_never_reach_debug_output_or_errors() {
    const CANARY: &str = "canary-5d1c0e77-never-print-me";
    let fake = lab().await;
    let seed = fake.seed().clone();
    let mut texts = Vec::new();

    let wrong_token = with_auth(&fake, &seed.account_sid, TwilioAuth::AuthToken(SecretString::from(CANARY)));
    texts.push(format!("{wrong_token:?}"));
    let error = wrong_token.balance().await.unwrap_err();
    texts.push(format!("{error} {error:?}"));
    let wrong_key = with_auth(&fake, &seed.account_sid, TwilioAuth::api_key(&seed.standard_key.sid, CANARY));
    texts.push(format!("{wrong_key:?}"));
    let error = wrong_key.fetch_account().await.unwrap_err();
    texts.push(format!("{error} {error:?}"));

    let admin = client(&fake);
    texts.push(format!("{admin:?} {:?}", admin.fetch_account().await.unwrap()));
    let key = admin.create_key("canary").await.unwrap();
    texts.push(format!("{key:?}"));

    fake.stop().await;
    let error = wrong_token.balance().await.unwrap_err();
    texts.push(format!("{error} {error:?}"));

    for text in &texts {
        assert!(!text.contains(CANARY), "a secret leaked: {text}");
        assert!(!text.contains(&seed.auth_token), "the Auth Token leaked: {text}");
        assert!(!text.contains(key.secret.expose_secret()), "the new key's secret leaked: {text}");
    }
}
