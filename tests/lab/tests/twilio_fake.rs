//! The Twilio fake over real loopback HTTP: auth rules, paging, keys, and Access Token checks.

use callscope_lab::jwt::{self, Algorithm};
use callscope_lab::rest::twilio::{AccessTokenRejection, KeyKind};
use callscope_lab::{Fault, FaultRule, TwilioConfig, TwilioFake};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

async fn start() -> TwilioFake {
    TwilioFake::start(TwilioConfig::default()).await.unwrap()
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// GET `{api base}/Accounts/{account}{path}` with Basic `user:password`.
async fn get(fake: &TwilioFake, user: &str, password: &str, account: &str, path: &str) -> (StatusCode, Value) {
    let url = format!("{}/Accounts/{account}{path}", fake.api_base_url());
    send(reqwest::Client::new().get(url).basic_auth(user, Some(password))).await
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// An Access Token as twilio-node's AccessToken writes it.
fn access_token(key_sid: &str, secret: &str, account_sid: &str, iat: i64, exp: i64, region: Option<&str>) -> String {
    let mut header = object(json!({"typ": "JWT", "cty": "twilio-fpa;v=1"}));
    if let Some(region) = region {
        header.insert("twr".into(), json!(region));
    }
    let claims = json!({
        "jti": format!("{key_sid}-{iat}"),
        "iss": key_sid,
        "sub": account_sid,
        "iat": iat,
        "exp": exp,
        "grants": {"identity": "alice", "voice": {"incoming": {"allow": true}, "outgoing": {"application_sid": "AP00000000000000000000000000000000"}}},
    });
    jwt::sign(header, &object(claims), Algorithm::HS256, secret.as_bytes())
}

#[tokio::test]
async fn wrong_credentials_get_401_20003_authenticate() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let expected = json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401});
    assert_eq!(
        get(&fake, &seed.account_sid, "wrong", &seed.account_sid, "/Balance.json").await,
        (StatusCode::UNAUTHORIZED, expected.clone())
    );
    assert_eq!(
        get(&fake, &seed.main_key.sid, "wrong", &seed.account_sid, "/Balance.json").await.0,
        StatusCode::UNAUTHORIZED
    );
    let anonymous =
        send(reqwest::Client::new().get(format!("{}/Accounts/{}/Balance.json", fake.api_base_url(), seed.account_sid)))
            .await;
    assert_eq!(anonymous, (StatusCode::UNAUTHORIZED, expected));
}

#[tokio::test]
async fn one_accounts_credentials_do_not_reach_another_account() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (status, body) =
        get(&fake, &seed.account_sid, &seed.auth_token, &seed.other_account_sid, "/Balance.json").await;
    assert_eq!((status, body["code"].as_u64()), (StatusCode::UNAUTHORIZED, Some(20003)));
}

#[tokio::test]
async fn a_standard_key_may_not_fetch_the_account_or_list_keys() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (sk, secret) = (&seed.standard_key.sid, &seed.standard_key.secret);
    for path in [".json", "/Keys.json"] {
        let (status, body) = get(&fake, sk, secret, &seed.account_sid, path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["message"], "Authentication Error - invalid username", "{path}");
    }
    assert_eq!(get(&fake, sk, secret, &seed.account_sid, "/Balance.json").await.0, StatusCode::OK);
    let (status, account) = get(&fake, &seed.main_key.sid, &seed.main_key.secret, &seed.account_sid, ".json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((account["status"].as_str(), account["type"].as_str()), (Some("active"), Some("Full")));
}

#[tokio::test]
async fn test_credentials_get_403_outside_their_three_resources() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (status, body) =
        get(&fake, &seed.test_account_sid, &seed.test_auth_token, &seed.test_account_sid, "/Balance.json").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], 20008);
    let voice = reqwest::Client::new()
        .get(format!("{}/DialingPermissions/Countries", fake.voice_base_url()))
        .basic_auth(&seed.test_account_sid, Some(&seed.test_auth_token));
    assert_eq!(send(voice).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unknown_sids_get_404_naming_the_path() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let path = "/Calls/CA00000000000000000000000000000000.json";
    let (status, body) = get(&fake, &seed.account_sid, &seed.auth_token, &seed.account_sid, path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], 20404);
    assert_eq!(
        body["message"],
        format!("The requested resource /2010-04-01/Accounts/{}{path} was not found", seed.account_sid)
    );
}

#[tokio::test]
async fn v2010_lists_page_until_next_page_uri_is_null() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let client = reqwest::Client::new();
    let mut next = Some(format!("/2010-04-01/Accounts/{}/Calls.json?PageSize=3", seed.account_sid));
    let mut seen = Vec::new();
    while let Some(uri) = next {
        let (status, page) =
            send(client.get(format!("{}{uri}", fake.origin())).basic_auth(&seed.account_sid, Some(&seed.auth_token)))
                .await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(page["calls"].as_array().unwrap().iter().map(|c| c["sid"].as_str().unwrap().to_string()));
        next = page["next_page_uri"].as_str().map(str::to_string);
    }
    assert_eq!(seen, seed.call_sids);
}

#[tokio::test]
async fn numbers_show_how_voice_is_routed() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (_, page) =
        get(&fake, &seed.account_sid, &seed.auth_token, &seed.account_sid, "/IncomingPhoneNumbers.json").await;
    let numbers = page["incoming_phone_numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 4);
    assert_eq!(numbers[0]["voice_application_sid"], seed.application_sid.as_str());
    assert_eq!(numbers[0]["capabilities"]["voice"], true);
    assert!(numbers[1]["voice_url"].as_str().unwrap().starts_with("https://"));
    assert_eq!(numbers[3]["capabilities"]["voice"], false);
    let (_, app) = get(
        &fake,
        &seed.account_sid,
        &seed.auth_token,
        &seed.account_sid,
        &format!("/Applications/{}.json", seed.application_without_voice_url_sid),
    )
    .await;
    assert_eq!(app["voice_url"], "");
}

#[tokio::test]
async fn dialing_permissions_page_with_absolute_urls() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let url = format!("{}/DialingPermissions/Countries?PageSize=5", fake.voice_base_url());
    let (status, page) =
        send(reqwest::Client::new().get(url).basic_auth(&seed.account_sid, Some(&seed.auth_token))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["content"].as_array().unwrap().len(), 5);
    assert_eq!(page["meta"]["key"], "content");
    let next = page["meta"]["next_page_url"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{}/DialingPermissions/Countries?PageSize=5&Page=1", fake.voice_base_url())),
        "{next}"
    );
    let (_, us) = send(
        reqwest::Client::new()
            .get(format!("{}/DialingPermissions/Countries/US", fake.voice_base_url()))
            .basic_auth(&seed.account_sid, Some(&seed.auth_token)),
    )
    .await;
    assert_eq!(us["low_risk_numbers_enabled"], true);
    assert_eq!(us["url"], format!("{}/DialingPermissions/Countries/US", fake.voice_base_url()));
}

#[tokio::test]
async fn a_created_key_works_until_deleted() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let client = reqwest::Client::new();
    let keys_url = format!("{}/Accounts/{}/Keys.json", fake.api_base_url(), seed.account_sid);
    let (status, created) = send(
        client
            .post(&keys_url)
            .basic_auth(&seed.account_sid, Some(&seed.auth_token))
            .form(&[("FriendlyName", "callscope")]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (sid, secret) = (created["sid"].as_str().unwrap(), created["secret"].as_str().unwrap());
    assert!(sid.starts_with("SK") && sid.len() == 34);
    assert_eq!(get(&fake, sid, secret, &seed.account_sid, "/Balance.json").await.0, StatusCode::OK);
    assert_eq!(fake.api_key(sid).unwrap().kind, KeyKind::Standard, "REST makes Standard keys");

    let delete = client.delete(format!("{}/Accounts/{}/Keys/{sid}.json", fake.api_base_url(), seed.account_sid));
    assert_eq!(
        delete.basic_auth(&seed.account_sid, Some(&seed.auth_token)).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(get(&fake, sid, secret, &seed.account_sid, "/Balance.json").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn access_tokens_verify_against_the_accounts_keys() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (key, secret, account) = (&seed.standard_key.sid, &seed.standard_key.secret, &seed.account_sid);
    let now = unix_now();

    let verified = fake.verify_access_token(&access_token(key, secret, account, now, now + 3600, None)).unwrap();
    assert_eq!((verified.identity.as_str(), verified.account_sid.as_str()), ("alice", account.as_str()));
    assert!(verified.incoming_allowed);

    let rejected = |token: String| fake.verify_access_token(&token).unwrap_err();
    assert_eq!(rejected(access_token(key, "not the secret", account, now, now + 3600, None)).code(), 31202);
    assert_eq!(rejected(access_token(key, secret, account, now - 7200, now - 3600, None)).code(), 31205);
    assert_eq!(rejected(access_token(key, secret, account, now, now + 86_401, None)).code(), 31207);
    assert!(matches!(
        rejected(access_token(key, secret, account, now, now + 60, Some("ie1"))),
        AccessTokenRejection::WrongRegion { .. }
    ));
    assert!(matches!(
        rejected(access_token(key, secret, &seed.other_account_sid, now, now + 60, None)),
        AccessTokenRejection::WrongAccount { .. }
    ));

    let ie1 = fake.add_api_key(account, KeyKind::Standard, "ie1").unwrap();
    assert!(fake
        .verify_access_token(&access_token(&ie1.sid, &ie1.secret, account, now, now + 60, Some("ie1")))
        .is_ok());

    let over_http = send(
        reqwest::Client::new()
            .post(format!("{}/__lab/twilio/access_tokens/verify", fake.origin()))
            .json(&json!({"token": access_token(key, secret, account, now - 7200, now - 1, None)})),
    )
    .await;
    assert_eq!((over_http.0, over_http.1["code"].as_u64()), (StatusCode::UNAUTHORIZED, Some(31205)));
    let (status, looked_up) =
        send(reqwest::Client::new().get(format!("{}/__lab/twilio/keys/{key}", fake.origin()))).await;
    assert_eq!((status, looked_up["secret"].as_str()), (StatusCode::OK, Some(secret.as_str())));
}

#[tokio::test]
async fn injected_429_carries_retry_after_and_code_20429() {
    let fake = start().await;
    let seed = fake.seed().clone();
    fake.faults().inject(FaultRule::new(
        format!("/2010-04-01/Accounts/{}/Balance.json", seed.account_sid),
        Fault::RateLimited { retry_after_secs: 3 },
    ));
    let response = reqwest::Client::new()
        .get(format!("{}/Accounts/{}/Balance.json", fake.api_base_url(), seed.account_sid))
        .basic_auth(&seed.account_sid, Some(&seed.auth_token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "3");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], 20429);
}
