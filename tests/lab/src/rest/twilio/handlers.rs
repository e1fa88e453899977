//! The Twilio REST routes the fake serves (twilio.md §6.2, §6.4), behind HTTP Basic auth.
//!
//! v2010 paths end in `.json` and put the Account SID in the path, which axum's router cannot
//! match inside a segment, so they go through one handler that matches the segments itself.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::errors::ApiError;
use super::paging::{self, param, Params};
use super::records::{self, Record};
use super::store::{Credential, KeyKind, Principal, Store};
use crate::ids;

pub struct Shared {
    pub store: Mutex<Store>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type AppState = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/2010-04-01/{*rest}", any(api2010))
        .route("/v1/DialingPermissions/Countries", get(list_countries))
        .route("/v1/DialingPermissions/Countries/{iso_code}", get(get_country))
        .fallback(|uri: Uri| async move { ApiError::not_found(uri.path()) })
        .layer(middleware::from_fn_with_state(shared.clone(), authenticate))
        .with_state(shared)
}

/// `user:password` from an `Authorization: Basic …` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// 401 / 20003 unless the pair is an Account SID + Auth Token, an API key SID + secret, or test
/// credentials.
async fn authenticate(State(shared): AppState, mut request: Request, next: Next) -> Response {
    let principal =
        basic_credentials(request.headers()).and_then(|(user, password)| shared.lock().authenticate(&user, &password));
    match principal {
        None => ApiError::authenticate().into_response(),
        Some(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
    }
}

fn filters(params: &Params) -> Params {
    params.iter().filter(|(k, _)| !matches!(k.as_str(), "PageSize" | "Page" | "PageToken")).cloned().collect()
}

fn records_where(items: &[Record], keep: impl Fn(&Record) -> bool) -> Vec<Value> {
    items.iter().filter(|r| keep(r)).map(|r| Value::Object(r.clone())).collect()
}

/// A filter on `field` equal to the value of query parameter `name`, if the request has one.
fn equals<'a>(params: &'a Params, name: &str, field: &'a str) -> impl Fn(&Record) -> bool + 'a {
    let wanted = param(params, name).map(str::to_string);
    move |r: &Record| wanted.as_ref().is_none_or(|w| r[field] == w.as_str())
}

fn find(items: &[Record], sid: &str, path: &str) -> Result<Response, ApiError> {
    items
        .iter()
        .find(|r| r["sid"] == sid)
        .map(|r| Json(Value::Object(r.clone())).into_response())
        .ok_or_else(|| ApiError::not_found(path))
}

fn key_json(key: &super::store::ApiKeyRecord) -> Value {
    json!({"sid": key.sid, "friendly_name": key.friendly_name, "date_created": key.date_created, "date_updated": key.date_created})
}

/// Every `/2010-04-01/Accounts/{AccountSid}…json` request.
async fn api2010(
    State(shared): AppState,
    Extension(principal): Extension<Principal>,
    method: Method,
    uri: Uri,
    Query(params): Query<Params>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let not_found = || ApiError::not_found(path);
    let rest = path.strip_prefix("/2010-04-01/").and_then(|r| r.strip_suffix(".json")).ok_or_else(not_found)?;
    let segments: Vec<&str> = rest.split('/').collect();
    let ["Accounts", account_sid, tail @ ..] = segments.as_slice() else {
        return Err(not_found());
    };
    if !ids::is_twilio_sid(account_sid, "AC") {
        return Err(not_found());
    }
    let mut store = shared.lock();
    let account = &mut store.accounts[principal.account];

    // Credentials of one account never reach another's resources (subaccount rule, 20003).
    let own_sid = if principal.credential == Credential::TestCredentials { &account.test_sid } else { &account.sid };
    if account_sid != own_sid {
        return Err(ApiError::authenticate());
    }
    if principal.credential == Credential::TestCredentials {
        return Err(ApiError::test_credentials_not_allowed());
    }
    if matches!(tail, [] | ["Keys", ..]) && principal.credential == Credential::Key(KeyKind::Standard) {
        return Err(ApiError::key_not_allowed());
    }

    let list = |key: &str, items: Vec<Value>| {
        Json(paging::v2010(path, key, items, &filters(&params), &params)).into_response()
    };
    match (&method, tail) {
        (&Method::GET, []) => {
            let a = &*account;
            Ok(Json(records::account(&a.sid, &a.auth_token, &a.friendly_name, &a.status, &a.kind, &a.date_created))
                .into_response())
        }
        (&Method::GET, ["Balance"]) => {
            Ok(Json(json!({"account_sid": account.sid, "balance": account.balance, "currency": "USD"})).into_response())
        }
        (&Method::GET, ["Applications"]) => Ok(list(
            "applications",
            records_where(&account.applications, equals(&params, "FriendlyName", "friendly_name")),
        )),
        (&Method::GET, ["Applications", sid]) => find(&account.applications, sid, path),
        (&Method::GET, ["IncomingPhoneNumbers"]) => {
            let number = param(&params, "PhoneNumber").map(|n| n.replace('*', ""));
            let items = records_where(&account.numbers, |r| {
                number.as_ref().is_none_or(|n| r["phone_number"].as_str().is_some_and(|p| p.contains(n.as_str())))
                    && equals(&params, "FriendlyName", "friendly_name")(r)
            });
            Ok(list("incoming_phone_numbers", items))
        }
        (&Method::GET, ["IncomingPhoneNumbers", sid]) => find(&account.numbers, sid, path),
        (&Method::GET, ["Calls"]) => {
            let items = records_where(&account.calls, |r| {
                equals(&params, "To", "to")(r)
                    && equals(&params, "From", "from")(r)
                    && equals(&params, "Status", "status")(r)
                    && equals(&params, "ParentCallSid", "parent_call_sid")(r)
            });
            Ok(list("calls", items))
        }
        (&Method::GET, ["Calls", sid]) => find(&account.calls, sid, path),
        (&Method::GET, ["Keys"]) => Ok(list("keys", account.keys.iter().map(key_json).collect())),
        (&Method::GET, ["Keys", sid]) => {
            account.keys.iter().find(|k| k.sid == *sid).map(|k| Json(key_json(k)).into_response()).ok_or_else(not_found)
        }
        (&Method::POST, ["Keys"]) => {
            // Keys made over REST are Standard keys; Main keys come only from the Console.
            let form: Params = serde_urlencoded::from_bytes(&body).unwrap_or_default();
            let key = account.add_key(param(&form, "FriendlyName").unwrap_or(""), KeyKind::Standard);
            let mut created = key_json(&key);
            created["secret"] = Value::from(key.secret);
            Ok((StatusCode::CREATED, Json(created)).into_response())
        }
        (&Method::DELETE, ["Keys", sid]) => {
            let index = account.keys.iter().position(|k| k.sid == *sid).ok_or_else(not_found)?;
            account.keys.remove(index);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (_, [] | ["Balance" | "Applications" | "IncomingPhoneNumbers" | "Calls" | "Keys", ..]) => {
            Err(ApiError::method_not_allowed())
        }
        _ => Err(not_found()),
    }
}

/// Test credentials reach none of the v1 resources.
fn voice_account(store: &Store, principal: Principal) -> Result<&super::store::Account, ApiError> {
    if principal.credential == Credential::TestCredentials {
        return Err(ApiError::test_credentials_not_allowed());
    }
    Ok(&store.accounts[principal.account])
}

/// `http://host:port` as the client addressed us, for v1's absolute URLs.
fn origin(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}")
}

async fn list_countries(
    State(shared): AppState,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    uri: Uri,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    let store = shared.lock();
    let account = voice_account(&store, principal)?;
    let flag = |name: &str, field: &'static str| {
        let wanted = param(&params, name).map(|v| v.eq_ignore_ascii_case("true"));
        move |r: &Record| wanted.is_none_or(|w| r[field].as_bool() == Some(w))
    };
    let (low, special, tollfraud) = (
        flag("LowRiskNumbersEnabled", "low_risk_numbers_enabled"),
        flag("HighRiskSpecialNumbersEnabled", "high_risk_special_numbers_enabled"),
        flag("HighRiskTollfraudNumbersEnabled", "high_risk_tollfraud_numbers_enabled"),
    );
    let code = param(&params, "CountryCode");
    let origin = origin(&headers);
    let items: Vec<Value> = account
        .countries
        .iter()
        .filter(|r| equals(&params, "IsoCode", "iso_code")(r) && equals(&params, "Continent", "continent")(r))
        .filter(|r| {
            code.is_none_or(|c| r["country_codes"].as_array().is_some_and(|codes| codes.iter().any(|x| x == c)))
        })
        .filter(|r| low(r) && special(r) && tollfraud(r))
        .map(|r| records::with_country_urls(r, &origin))
        .collect();
    Ok(Json(paging::v1(&origin, uri.path(), "content", "iso_code", items, &filters(&params), &params)))
}

async fn get_country(
    State(shared): AppState,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    uri: Uri,
    Path(iso_code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let store = shared.lock();
    let account = voice_account(&store, principal)?;
    let country = account
        .countries
        .iter()
        .find(|c| c["iso_code"] == iso_code.as_str())
        .ok_or_else(|| ApiError::not_found(uri.path()))?;
    Ok(Json(records::with_country_urls(country, &origin(&headers))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_read_from_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, format!("Basic {}", STANDARD.encode("AC1:tok:en")).parse().unwrap());
        assert_eq!(basic_credentials(&headers), Some(("AC1".into(), "tok:en".into())));
        headers.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(basic_credentials(&headers), None);
    }
}
