//! The Telnyx API v2 routes the fake serves (telnyx.md §4.11), behind Bearer authentication.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

use super::errors::ApiError;
use super::login_tokens;
use super::paging::{self, Params};
use super::records;
use super::store::{NewConnection, NewCredential, Store};

pub struct Shared {
    pub store: Mutex<Store>,
    pub signing_key: Vec<u8>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type AppState = State<Arc<Shared>>;
type Answer = Result<Json<Value>, ApiError>;

/// The authenticated account of a request.
#[derive(Clone, Copy)]
struct Caller(usize);

fn data(value: Value) -> Answer {
    Ok(Json(json!({"data": value})))
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2/balance", get(balance))
        .route("/v2/credential_connections", get(list_connections).post(create_connection))
        .route(
            "/v2/credential_connections/{id}",
            get(get_connection).patch(update_connection).delete(delete_connection),
        )
        .route("/v2/credential_connections/{id}/actions/check_registration_status", post(registration_status))
        .route("/v2/telephony_credentials", get(list_credentials).post(create_credential))
        .route("/v2/telephony_credentials/{id}", get(get_credential).patch(update_credential).delete(delete_credential))
        .route("/v2/telephony_credentials/{id}/token", post(mint_token))
        .route("/v2/outbound_voice_profiles", get(list_profiles))
        .route("/v2/outbound_voice_profiles/{id}", get(get_profile))
        .route("/v2/phone_numbers", get(list_numbers))
        .route("/v2/phone_numbers/{id}", get(get_number).patch(update_number))
        .route("/v2/phone_numbers/{id}/voice", get(get_voice_settings))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn_with_state(shared.clone(), authenticate))
        .with_state(shared)
}

/// `Authorization: Bearer <API key>`: 401 / 10009 without a known key; 403 / 10010 for writes
/// with a read-only key.
async fn authenticate(State(shared): AppState, mut request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let found = key.and_then(|k| shared.lock().account_for_key(k));
    match found {
        None => ApiError::authentication_failed().into_response(),
        Some((_, true)) if request.method() != Method::GET => ApiError::authorization_failed().into_response(),
        Some((account, _)) => {
            request.extensions_mut().insert(Caller(account));
            next.run(request).await
        }
    }
}

/// The JSON object a POST or PATCH carries.
fn json_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "10015",
            "Bad Request",
            "The request body must be a JSON object.",
            None,
        )),
    }
}

/// A string field, if present; any other JSON type is a 422 naming the field.
fn text(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid_field(field, &format!("{field} must be a string."))),
    }
}

async fn balance(State(shared): AppState, Extension(Caller(account)): Extension<Caller>) -> Answer {
    let store = shared.lock();
    let (balance, credit_limit) = &store.accounts[account].balance;
    data(records::balance(balance, credit_limit))
}

// ---- credential connections (§4.4)

async fn list_connections(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Query(params): Query<Params>,
) -> Answer {
    let name = params.get("filter[connection_name][contains]");
    if name.is_some_and(|n| n.chars().count() < 3) {
        return Err(ApiError::invalid_parameter(
            "filter[connection_name][contains]",
            "filter[connection_name][contains] needs at least 3 characters.",
        ));
    }
    let profile =
        params.get("filter[outbound.outbound_voice_profile_id]").or(params.get("filter[outbound_voice_profile_id]"));
    let store = shared.lock();
    let mut items: Vec<Value> = store.accounts[account]
        .connections
        .iter()
        .filter(|c| name.is_none_or(|n| c["connection_name"].as_str().is_some_and(|cn| cn.contains(n.as_str()))))
        .filter(|c| profile.is_none_or(|p| c["outbound"]["outbound_voice_profile_id"] == p.as_str()))
        .map(records::masked_connection)
        .collect();
    paging::sort(&mut items, &params, &["created_at", "connection_name", "active"], "-created_at")?;
    paging::page(items, &params)
}

async fn create_connection(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_body(&body)?;
    let profile = match body.get("outbound").and_then(|o| o.get("outbound_voice_profile_id")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiError::invalid_field("outbound/outbound_voice_profile_id", "must be a string.")),
    };
    let new = NewConnection {
        connection_name: text(&body, "connection_name")?,
        user_name: text(&body, "user_name")?,
        password: text(&body, "password")?,
        outbound_voice_profile_id: profile,
    };
    let created = shared.lock().create_connection(account, new)?;
    Ok((StatusCode::CREATED, Json(json!({"data": created}))))
}

async fn get_connection(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    let store = shared.lock();
    let connection = store.accounts[account].connection(&id).ok_or_else(ApiError::not_found)?;
    data(records::masked_connection(connection))
}

async fn update_connection(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = json_body(&body)?;
    if let Some(password) = text(&body, "password")? {
        if !(8..=128).contains(&password.len()) {
            return Err(ApiError::invalid_field("password", "password must be 8 to 128 characters long."));
        }
    }
    let mut store = shared.lock();
    let account = &mut store.accounts[account];
    if let Some(Value::String(profile)) = body.get("outbound").and_then(|o| o.get("outbound_voice_profile_id")) {
        if !account.profiles.iter().any(|p| p["id"] == profile.as_str()) {
            return Err(ApiError::invalid_field(
                "outbound/outbound_voice_profile_id",
                "No outbound voice profile with this id exists on the account.",
            ));
        }
    }
    let connection = account.connections.iter_mut().find(|c| c["id"] == id).ok_or_else(ApiError::not_found)?;
    for (field, value) in body {
        match (field.as_str(), value) {
            ("id" | "record_type" | "created_at", _) => {}
            // Nested settings merge one level deep, as a PATCH of `outbound` keeps unnamed fields.
            ("inbound" | "outbound", Value::Object(changes)) => {
                if let Some(Value::Object(current)) = connection.get_mut(&field) {
                    current.extend(changes);
                }
            }
            (_, value) => {
                connection.insert(field, value);
            }
        }
    }
    connection.insert("updated_at".into(), Value::from(crate::clock::iso8601_now()));
    data(records::masked_connection(connection))
}

async fn delete_connection(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    data(shared.lock().delete_connection(account, &id)?)
}

async fn registration_status(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    let store = shared.lock();
    let connection = store.accounts[account].connection(&id).ok_or_else(ApiError::not_found)?;
    // Nothing registers with this fake over SIP, so every connection is "Not Registered".
    data(json!({
        "status": "Not Registered",
        "sip_username": connection["user_name"],
        "ip_address": null,
        "port": null,
        "transport": null,
        "user_agent": null,
        "last_registration": null,
    }))
}

// ---- telephony credentials and login tokens (§4.5)

fn new_credential(body: &Map<String, Value>) -> Result<NewCredential, ApiError> {
    Ok(NewCredential {
        connection_id: text(body, "connection_id")?,
        name: text(body, "name")?,
        tag: text(body, "tag")?,
        expires_at: text(body, "expires_at")?,
    })
}

async fn list_credentials(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Query(params): Query<Params>,
) -> Answer {
    let filter = |name: &str| params.get(&format!("filter[{name}]")).cloned();
    let (tag, name, status, resource, sip_username) =
        (filter("tag"), filter("name"), filter("status"), filter("resource_id"), filter("sip_username"));
    if status.as_deref().is_some_and(|s| s != "active" && s != "expired") {
        return Err(ApiError::invalid_parameter("filter[status]", "filter[status] must be active or expired."));
    }
    let store = shared.lock();
    let account = &store.accounts[account];
    let items = account
        .credentials
        .iter()
        .filter(|c| tag.as_ref().is_none_or(|t| c.tag.as_ref() == Some(t)))
        .filter(|c| name.as_ref().is_none_or(|n| &c.name == n))
        .filter(|c| status.as_deref().is_none_or(|s| (s == "expired") == c.expired()))
        .filter(|c| resource.as_ref().is_none_or(|r| *r == format!("connection:{}", c.connection_id)))
        .filter(|c| sip_username.as_ref().is_none_or(|u| &c.sip_username == u))
        .map(|c| c.to_json(&account.user_id))
        .collect();
    paging::page(items, &params)
}

async fn create_credential(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = new_credential(&json_body(&body)?)?;
    let created = shared.lock().create_credential(account, new)?;
    Ok((StatusCode::CREATED, Json(json!({"data": created}))))
}

async fn get_credential(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    let store = shared.lock();
    let account = &store.accounts[account];
    let credential = account.credential(&id).ok_or_else(ApiError::not_found)?;
    data(credential.to_json(&account.user_id))
}

async fn update_credential(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let update = new_credential(&json_body(&body)?)?;
    data(shared.lock().update_credential(account, &id, update)?)
}

async fn delete_credential(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    data(shared.lock().delete_credential(account, &id)?)
}

/// 201 with the raw JWT as `text/plain`; the same `Idempotency-Key` gets the same token back.
async fn mint_token(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let idempotency_key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut store = shared.lock();
    let credential = store.accounts[account].credential_mut(&id).ok_or_else(ApiError::not_found)?;
    if credential.expired() {
        // Not documented; refusing is this lab's assumption (a token would be dead on arrival).
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10015",
            "Bad Request",
            "The credential has expired; create a new one.",
            None,
        ));
    }
    let reused = idempotency_key.as_ref().and_then(|k| credential.minted.get(k)).cloned();
    let token =
        reused.unwrap_or_else(|| login_tokens::mint(&credential.id, &credential.tel_token, &shared.signing_key));
    if let Some(key) = idempotency_key {
        credential.minted.insert(key, token.clone());
    }
    Ok((StatusCode::CREATED, [(header::CONTENT_TYPE, "text/plain")], token).into_response())
}

// ---- outbound voice profiles (§4.6)

async fn list_profiles(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Query(params): Query<Params>,
) -> Answer {
    let name = params.get("filter[name][contains]");
    let store = shared.lock();
    let mut items: Vec<Value> = store.accounts[account]
        .profiles
        .iter()
        .filter(|p| name.is_none_or(|n| p["name"].as_str().is_some_and(|pn| pn.contains(n.as_str()))))
        .map(|p| Value::Object(p.clone()))
        .collect();
    paging::sort(&mut items, &params, &["enabled", "created_at", "name"], "-created_at")?;
    paging::page(items, &params)
}

async fn get_profile(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    let store = shared.lock();
    let profile = store.accounts[account].profiles.iter().find(|p| p["id"] == id).ok_or_else(ApiError::not_found)?;
    data(Value::Object(profile.clone()))
}

// ---- phone numbers (§4.7)

async fn list_numbers(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Query(params): Query<Params>,
) -> Answer {
    let equals = |field: &'static str, filter: &'static str| {
        let wanted = params.get(filter).cloned();
        move |n: &&records::Record| wanted.as_ref().is_none_or(|w| n[field] == w.as_str())
    };
    let tag = params.get("filter[tag]");
    let store = shared.lock();
    let items = store.accounts[account]
        .numbers
        .iter()
        .filter(equals("connection_id", "filter[connection_id]"))
        .filter(equals("phone_number", "filter[phone_number]"))
        .filter(equals("status", "filter[status]"))
        .filter(equals("country_iso_alpha2", "filter[country_iso_alpha2]"))
        .filter(equals("connection_name", "filter[voice.connection_name]"))
        .filter(|n| tag.is_none_or(|t| n["tags"].as_array().is_some_and(|tags| tags.iter().any(|x| x == t.as_str()))))
        .map(|n| Value::Object(n.clone()))
        .collect();
    paging::page(items, &params)
}

async fn get_number(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    let store = shared.lock();
    let number = store.accounts[account].numbers.iter().find(|n| n["id"] == id).ok_or_else(ApiError::not_found)?;
    data(Value::Object(number.clone()))
}

/// Routes a number: `connection_id` (which must be the account's), `tags`, `customer_reference`.
async fn update_number(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = json_body(&body)?;
    let connection_id = text(&body, "connection_id")?;
    let customer_reference = text(&body, "customer_reference")?;
    let mut store = shared.lock();
    let account = &mut store.accounts[account];
    let connection_name = match &connection_id {
        Some(cid) => Some(account.connection(cid).map(|c| c["connection_name"].clone()).ok_or_else(|| {
            ApiError::invalid_field("connection_id", "No connection with this id exists on the account.")
        })?),
        None => None,
    };
    let number = account.number_mut(&id).ok_or_else(ApiError::not_found)?;
    if let (Some(cid), Some(name)) = (connection_id, connection_name) {
        number.insert("connection_id".into(), Value::from(cid));
        number.insert("connection_name".into(), name);
    }
    if let Some(reference) = customer_reference {
        number.insert("customer_reference".into(), Value::from(reference));
    }
    if let Some(tags @ Value::Array(_)) = body.get("tags") {
        number.insert("tags".into(), tags.clone());
    }
    number.insert("updated_at".into(), Value::from(crate::clock::iso8601_now()));
    data(Value::Object(number.clone()))
}

async fn get_voice_settings(
    State(shared): AppState,
    Extension(Caller(account)): Extension<Caller>,
    Path(id): Path<String>,
) -> Answer {
    let store = shared.lock();
    let number = store.accounts[account].numbers.iter().find(|n| n["id"] == id).ok_or_else(ApiError::not_found)?;
    data(records::voice_settings(number))
}
