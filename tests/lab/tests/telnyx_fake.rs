//! The Telnyx fake over real loopback HTTP: the bodies, limits, paging and tokens a client meets.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use callscope_lab::rest::telnyx::{LoginTokenRejection, TelnyxLimits};
use callscope_lab::{Fault, FaultRule, TelnyxConfig, TelnyxFake};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn start() -> TelnyxFake {
    TelnyxFake::start(TelnyxConfig::default()).await.unwrap()
}

async fn start_with(limits: TelnyxLimits) -> TelnyxFake {
    TelnyxFake::start(TelnyxConfig { port: 0, limits }).await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn get(fake: &TelnyxFake, key: &str, path: &str) -> (StatusCode, Value) {
    send(client().get(format!("{}{path}", fake.base_url())).bearer_auth(key)).await
}

async fn post(fake: &TelnyxFake, key: &str, path: &str, body: Value) -> (StatusCode, Value) {
    send(client().post(format!("{}{path}", fake.base_url())).bearer_auth(key).json(&body)).await
}

async fn new_credential(fake: &TelnyxFake, body: Value) -> Value {
    let (status, created) = post(fake, &fake.seed().api_key, "/telephony_credentials", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["data"].clone()
}

async fn mint(fake: &TelnyxFake, credential_id: &str, idempotency_key: Option<&str>) -> (StatusCode, String, String) {
    let mut request = client()
        .post(format!("{}/telephony_credentials/{credential_id}/token", fake.base_url()))
        .bearer_auth(&fake.seed().api_key)
        .header("accept", "text/plain");
    if let Some(key) = idempotency_key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

fn jwt_part(token: &str, index: usize) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(index).unwrap()).unwrap()).unwrap()
}

#[tokio::test]
async fn a_wrong_or_missing_key_gets_401_with_code_10009() {
    let fake = start().await;
    let expected = json!({"errors": [{
        "code": "10009",
        "title": "Authentication failed",
        "detail": "The required authentication headers were either invalid or not included in the request.",
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10009"},
    }]});
    assert_eq!(get(&fake, "KEYwrong", "/balance").await, (StatusCode::UNAUTHORIZED, expected.clone()));
    let (status, body) = send(client().get(format!("{}/balance", fake.base_url()))).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, expected));
}

#[tokio::test]
async fn a_read_only_key_reads_but_gets_403_on_writes() {
    let fake = start().await;
    let key = fake.seed().read_only_api_key.clone();
    assert_eq!(get(&fake, &key, "/balance").await.0, StatusCode::OK);
    let (status, body) =
        post(&fake, &key, "/telephony_credentials", json!({"connection_id": fake.seed().credential_connection_id}))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["errors"][0]["code"], "10010");
    assert_eq!(body["errors"][0]["title"], "Authorization failed");
}

#[tokio::test]
async fn unknown_and_other_accounts_resources_are_404_with_code_10005() {
    let fake = start().await;
    let key = fake.seed().api_key.clone();
    let (status, body) =
        get(&fake, &key, &format!("/credential_connections/{}", fake.seed().other_account_connection_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["errors"][0]["code"], "10005");
    assert_eq!(get(&fake, &key, "/telephony_credentials/no-such-id").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&fake, &key, "/no_such_endpoint").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn balance_amounts_are_strings() {
    let fake = start().await;
    let (status, body) = get(&fake, &fake.seed().api_key, "/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"],
        json!({"record_type": "balance", "balance": "25.30", "credit_limit": "100.00", "available_credit": "125.30", "pending": "0.00", "currency": "USD"})
    );
}

#[tokio::test]
async fn connections_mask_passwords_and_link_their_outbound_profile() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (_, body) =
        get(&fake, &seed.api_key, &format!("/credential_connections/{}", seed.credential_connection_id)).await;
    let connection = &body["data"];
    assert_eq!(connection["record_type"], "credential_connection");
    assert_eq!(connection["password"], "********");
    assert_eq!(connection["outbound"]["outbound_voice_profile_id"], seed.outbound_voice_profile_id.as_str());
    let (_, bare) =
        get(&fake, &seed.api_key, &format!("/credential_connections/{}", seed.connection_without_profile_id)).await;
    assert!(bare["data"]["outbound"]["outbound_voice_profile_id"].is_null());
}

#[tokio::test]
async fn connection_validation_names_the_field() {
    let fake = start().await;
    let key = fake.seed().api_key.clone();
    let (status, body) =
        post(&fake, &key, "/credential_connections", json!({"user_name": "abcd1234", "password": "longenough"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["code"], "10004");
    assert_eq!(body["errors"][0]["source"]["pointer"], "/connection_name");
    let (status, body) = post(
        &fake,
        &key,
        "/credential_connections",
        json!({"connection_name": "x", "user_name": "12345678", "password": "longenough"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["source"]["pointer"], "/user_name");
}

#[tokio::test]
async fn the_connection_limit_refuses_one_more() {
    let fake = start_with(TelnyxLimits { connections_per_account: 3, ..Default::default() }).await;
    let key = fake.seed().api_key.clone();
    let body = json!({"connection_name": "third", "user_name": "callscope3", "password": "longenough"});
    assert_eq!(post(&fake, &key, "/credential_connections", body).await.0, StatusCode::CREATED);
    let body = json!({"connection_name": "fourth", "user_name": "callscope4", "password": "longenough"});
    let (status, refused) = post(&fake, &key, "/credential_connections", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["errors"][0]["detail"].as_str().unwrap().contains("limit of 3 connections"), "{refused}");
}

#[tokio::test]
async fn credential_limits_per_account_and_per_tag() {
    let fake =
        start_with(TelnyxLimits { telephony_credentials_per_account: 3, credentials_per_tag: 2, ..Default::default() })
            .await;
    let connection = fake.seed().credential_connection_id.clone();
    new_credential(&fake, json!({"connection_id": connection, "tag": "t"})).await;
    new_credential(&fake, json!({"connection_id": connection, "tag": "t"})).await;
    let key = fake.seed().api_key.clone();
    let (status, body) =
        post(&fake, &key, "/telephony_credentials", json!({"connection_id": connection, "tag": "t"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["detail"], "A single tag can hold at maximum 2 credentials.");
    new_credential(&fake, json!({"connection_id": connection})).await;
    let (status, body) = post(&fake, &key, "/telephony_credentials", json!({"connection_id": connection})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"][0]["detail"].as_str().unwrap().contains("limit of 3 telephony credentials"), "{body}");
}

#[tokio::test]
async fn credentials_have_the_documented_shape_and_filter_by_tag_and_name() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let created = new_credential(
        &fake,
        json!({"connection_id": seed.credential_connection_id, "name": "desk-1", "tag": "callscope"}),
    )
    .await;
    new_credential(&fake, json!({"connection_id": seed.credential_connection_id, "name": "desk-2"})).await;
    assert_eq!(created["record_type"], "credential");
    assert_eq!(created["expired"], false);
    assert_eq!(created["resource_id"], format!("connection:{}", seed.credential_connection_id));
    assert!(created["sip_username"].as_str().unwrap().starts_with("gencred"));
    assert_eq!(created["sip_password"].as_str().unwrap().len(), 32);

    let (_, tagged) = get(&fake, &seed.api_key, "/telephony_credentials?filter%5Btag%5D=callscope").await;
    assert_eq!(tagged["data"].as_array().unwrap().len(), 1);
    assert_eq!(tagged["data"][0]["id"], created["id"]);
    let (_, named) = get(&fake, &seed.api_key, "/telephony_credentials?filter%5Bname%5D=desk-2").await;
    assert_eq!(named["data"][0]["name"], "desk-2");
    assert_eq!(named["meta"]["total_results"], 1);
}

#[tokio::test]
async fn lists_page_with_meta_total_pages() {
    let fake = start().await;
    for _ in 0..5 {
        new_credential(&fake, json!({"connection_id": fake.seed().credential_connection_id})).await;
    }
    let (_, page) =
        get(&fake, &fake.seed().api_key, "/telephony_credentials?page%5Bnumber%5D=3&page%5Bsize%5D=2").await;
    assert_eq!(page["meta"], json!({"page_number": 3, "page_size": 2, "total_pages": 3, "total_results": 5}));
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn minted_tokens_are_real_jwts_the_fake_verifies() {
    let fake = start().await;
    let credential = new_credential(&fake, json!({"connection_id": fake.seed().credential_connection_id})).await;
    let id = credential["id"].as_str().unwrap();
    let (status, content_type, token) = mint(&fake, id, None).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(content_type, "text/plain");

    assert_eq!(jwt_part(&token, 0), json!({"alg": "HS512", "typ": "JWT"}));
    let claims = jwt_part(&token, 1);
    assert_eq!(
        (claims["aud"].as_str(), claims["iss"].as_str(), claims["typ"].as_str()),
        (Some("telnyx_telephony"), Some("telnyx_telephony"), Some("access"))
    );
    assert_eq!(claims["sub"], id);
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap() - iat, 86_400);
    assert_eq!(claims["nbf"].as_i64().unwrap(), iat - 1);

    let owner = fake.verify_login_token(&token).unwrap();
    assert_eq!(owner.credential_id, id);
    assert_eq!(owner.sip_username, credential["sip_username"].as_str().unwrap());
    assert_eq!(owner.connection_id, fake.seed().credential_connection_id);

    let verified = send(
        client().post(format!("{}/__lab/telnyx/login_tokens/verify", fake.origin())).json(&json!({"token": token})),
    )
    .await;
    assert_eq!(verified.0, StatusCode::OK);
    assert_eq!(verified.1["credential_id"], id);
}

#[tokio::test]
async fn tokens_die_with_their_credential_and_cannot_be_forged() {
    let fake = start().await;
    let credential = new_credential(&fake, json!({"connection_id": fake.seed().credential_connection_id})).await;
    let id = credential["id"].as_str().unwrap().to_string();
    let (_, _, token) = mint(&fake, &id, None).await;

    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut claims = jwt_part(&token, 1);
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 1_000_000);
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_eq!(fake.verify_login_token(&parts.join(".")), Err(LoginTokenRejection::BadSignature));
    assert!(matches!(fake.verify_login_token("not.a.token"), Err(LoginTokenRejection::Malformed(_))));

    assert!(fake.expire_credential(&id));
    assert_eq!(fake.verify_login_token(&token), Err(LoginTokenRejection::CredentialExpired(id.clone())));

    let key = fake.seed().api_key.clone();
    let deleted =
        send(client().delete(format!("{}/telephony_credentials/{id}", fake.base_url())).bearer_auth(&key)).await;
    assert_eq!(deleted.0, StatusCode::OK);
    assert_eq!(deleted.1["data"]["id"], id.as_str());
    assert_eq!(fake.verify_login_token(&token), Err(LoginTokenRejection::UnknownCredential(id.clone())));
    assert_eq!(mint(&fake, &id, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_same_idempotency_key_mints_the_same_token() {
    let fake = start().await;
    let credential = new_credential(&fake, json!({"connection_id": fake.seed().credential_connection_id})).await;
    let id = credential["id"].as_str().unwrap();
    let first = mint(&fake, id, Some("retry-1")).await.2;
    assert_eq!(mint(&fake, id, Some("retry-1")).await.2, first);
    assert_ne!(mint(&fake, id, Some("retry-2")).await.2, first);
}

#[tokio::test]
async fn updating_an_expired_credential_gets_the_object_form_error() {
    let fake = start().await;
    let credential = new_credential(&fake, json!({"connection_id": fake.seed().credential_connection_id})).await;
    let id = credential["id"].as_str().unwrap();
    fake.expire_credential(id);
    let (status, body) = send(
        client()
            .patch(format!("{}/telephony_credentials/{id}", fake.base_url()))
            .bearer_auth(&fake.seed().api_key)
            .json(&json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({"errors": {"status": "can't update credentials in expired status"}}));
}

#[tokio::test]
async fn numbers_filter_by_connection_and_expose_voice_settings() {
    let fake = start().await;
    let seed = fake.seed().clone();
    let (_, routed) = get(
        &fake,
        &seed.api_key,
        &format!("/phone_numbers?filter%5Bconnection_id%5D={}", seed.credential_connection_id),
    )
    .await;
    assert_eq!(routed["data"].as_array().unwrap().len(), 1);
    assert_eq!(routed["data"][0]["phone_number"], "+13125550101");
    let (status, voice) =
        get(&fake, &seed.api_key, &format!("/phone_numbers/{}/voice", seed.phone_number_ids[1])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(voice["data"]["record_type"], "voice_settings");
    assert!(voice["data"]["connection_id"].is_null());
}

#[tokio::test]
async fn injected_faults_answer_as_telnyx_would_and_are_logged() {
    let fake = start().await;
    let key = fake.seed().api_key.clone();
    fake.faults().inject(FaultRule::new("/v2/balance", Fault::RateLimited { retry_after_secs: 7 }).method("GET"));
    let response = client().get(format!("{}/balance", fake.base_url())).bearer_auth(&key).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["x-ratelimit-reset"], "7");
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "10011");

    // Armed over HTTP, as a script would.
    let rule = json!({"path": "/v2/balance", "times": 1, "fault": {"kind": "server_error", "status": 503}});
    assert_eq!(send(client().post(format!("{}/__lab/faults", fake.origin())).json(&rule)).await.0, StatusCode::CREATED);
    let (status, body) = get(&fake, &key, "/balance").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["errors"][0]["code"], "10007");

    fake.faults().inject(FaultRule::new("/v2/balance", Fault::Malformed));
    let (status, body) = get(&fake, &key, "/balance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_string(), "the body is not JSON: {body}");

    assert_eq!(get(&fake, &key, "/balance").await.0, StatusCode::OK, "faults are used up");
    assert_eq!(fake.faults().count("GET", "/v2/balance"), 4);
    let (_, log) = send(client().get(format!("{}/__lab/requests", fake.origin()))).await;
    let statuses: Vec<u64> = log.as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [429, 503, 200, 200]);
}

#[tokio::test]
async fn a_slow_fault_outlasts_a_client_timeout() {
    let fake = start().await;
    fake.faults().inject(FaultRule::new("/v2/balance", Fault::Slow { delay_ms: 1500 }));
    let quick = client()
        .get(format!("{}/balance", fake.base_url()))
        .bearer_auth(&fake.seed().api_key)
        .timeout(std::time::Duration::from_millis(300));
    assert!(quick.send().await.unwrap_err().is_timeout());
}
