//! The Telnyx API v2 client: `Authorization: Bearer <API key>`, JSON bodies, `{"data": …}`
//! envelopes, numbered pages (telnyx.md §4).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use super::types::*;
use crate::providers::http::{Auth, Body, HttpOptions, Request, Retry, Transport};
use crate::providers::paging::TelnyxPage;
use crate::providers::{Provider, RestError};

/// Telnyx allows up to 250 items per page.
const MAX_PAGE_SIZE: u32 = 250;

#[derive(Debug, Clone)]
pub struct TelnyxOptions {
    /// `https://api.telnyx.com/v2` in production; the lab's address in tests.
    pub base_url: String,
    pub http: HttpOptions,
}

impl TelnyxOptions {
    pub const PRODUCTION_BASE_URL: &'static str = "https://api.telnyx.com/v2";
}

impl Default for TelnyxOptions {
    fn default() -> Self {
        TelnyxOptions { base_url: Self::PRODUCTION_BASE_URL.into(), http: HttpOptions::default() }
    }
}

#[derive(Debug)]
pub struct TelnyxClient {
    http: Transport,
    base: Url,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

impl TelnyxClient {
    pub fn new(api_key: SecretString, options: TelnyxOptions) -> Result<Self, RestError> {
        let base = Url::parse(&options.base_url).map_err(|e| RestError::Config {
            provider: Provider::Telnyx,
            problem: format!("base URL {:?} does not parse: {e}", options.base_url),
        })?;
        Ok(TelnyxClient { http: Transport::new(Provider::Telnyx, Auth::Bearer(api_key), options.http)?, base })
    }

    /// The base URL with `segments` appended, each percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut().expect("an http(s) base URL has path segments").pop_if_empty().extend(segments);
        url
    }

    /// Sends a request whose answer is `{"data": T}`.
    async fn data<T: DeserializeOwned>(&self, request: Request, expected: &str) -> Result<T, RestError> {
        let reply = self.http.send(&request).await?;
        let envelope: Data<T> = self.http.decode(&request.operation, expected, &reply.body)?;
        Ok(envelope.data)
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        operation: &str,
        resource: String,
        expected: &str,
    ) -> Result<T, RestError> {
        self.data(Request::new(Method::GET, self.url(segments), operation).resource(resource), expected).await
    }

    /// Every page of a list, following `meta.total_pages`.
    async fn list_all<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        filters: &[(String, String)],
        operation: &str,
        expected: &str,
    ) -> Result<Vec<T>, RestError> {
        let page_size = self.http.options.page_size.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        let mut items = Vec::new();
        for page_number in 1..=self.http.options.max_pages {
            let mut url = self.url(segments);
            url.query_pairs_mut()
                .extend_pairs(filters)
                .append_pair("page[number]", &page_number.to_string())
                .append_pair("page[size]", &page_size.to_string());
            let reply = self.http.send(&Request::new(Method::GET, url, operation)).await?;
            let page: TelnyxPage<T> = self.http.decode(operation, expected, &reply.body)?;
            let more = page.has_more_after(page_number);
            items.extend(page.data);
            if !more {
                return Ok(items);
            }
        }
        tracing::warn!(operation, max_pages = self.http.options.max_pages, "stopped listing at the page limit");
        Ok(items)
    }

    pub async fn balance(&self) -> Result<Balance, RestError> {
        self.fetch(&["balance"], "read the account balance", "balance".into(), "a balance record").await
    }

    // ---- credential connections

    /// All credential connections, optionally those whose name contains `name_contains` (≥ 3 chars).
    pub async fn list_credential_connections(
        &self,
        name_contains: Option<&str>,
    ) -> Result<Vec<CredentialConnection>, RestError> {
        let filters: Vec<(String, String)> = name_contains
            .map(|n| ("filter[connection_name][contains]".to_string(), n.to_string()))
            .into_iter()
            .collect();
        self.list_all(
            &["credential_connections"],
            &filters,
            "list credential connections",
            "a page of credential connections",
        )
        .await
    }

    pub async fn get_credential_connection(&self, id: &str) -> Result<CredentialConnection, RestError> {
        let resource = format!("credential connection {id}");
        self.fetch(&["credential_connections", id], "read a credential connection", resource, "a credential connection")
            .await
    }

    /// Creates a connection; never retried, so a lost answer cannot create it twice.
    pub async fn create_credential_connection(
        &self,
        new: &NewCredentialConnection,
    ) -> Result<CredentialConnection, RestError> {
        let mut body = json!({
            "connection_name": new.connection_name,
            "user_name": new.user_name,
            "password": new.password.expose_secret(),
        });
        if let Some(profile) = &new.outbound_voice_profile_id {
            body["outbound"] = json!({"outbound_voice_profile_id": profile});
        }
        let request =
            Request::new(Method::POST, self.url(&["credential_connections"]), "create a credential connection")
                .body(Body::Json(body));
        self.data(request, "the created credential connection").await
    }

    pub async fn delete_credential_connection(&self, id: &str) -> Result<CredentialConnection, RestError> {
        let request =
            Request::new(Method::DELETE, self.url(&["credential_connections", id]), "delete a credential connection")
                .resource(format!("credential connection {id}"))
                .retry(Retry::OnlyWhenRateLimited);
        self.data(request, "the deleted credential connection").await
    }

    // ---- telephony credentials and login tokens

    pub async fn list_telephony_credentials(
        &self,
        filter: &CredentialFilter,
    ) -> Result<Vec<TelephonyCredential>, RestError> {
        let mut filters = Vec::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                filters.push((format!("filter[{name}]"), value));
            }
        };
        add("tag", filter.tag.clone());
        add("name", filter.name.clone());
        add(
            "status",
            filter.status.map(|s| match s {
                CredentialStatus::Active => "active".to_string(),
                CredentialStatus::Expired => "expired".to_string(),
            }),
        );
        add("resource_id", filter.connection_id.as_ref().map(|c| format!("connection:{c}")));
        add("sip_username", filter.sip_username.clone());
        self.list_all(
            &["telephony_credentials"],
            &filters,
            "list telephony credentials",
            "a page of telephony credentials",
        )
        .await
    }

    pub async fn get_telephony_credential(&self, id: &str) -> Result<TelephonyCredential, RestError> {
        let resource = format!("telephony credential {id}");
        self.fetch(&["telephony_credentials", id], "read a telephony credential", resource, "a telephony credential")
            .await
    }

    /// Creates a credential; never retried (a repeat would leave a second one behind).
    pub async fn create_telephony_credential(
        &self,
        new: &NewTelephonyCredential,
    ) -> Result<TelephonyCredential, RestError> {
        let request = Request::new(Method::POST, self.url(&["telephony_credentials"]), "create a telephony credential")
            .body(Body::Json(serde_json::to_value(new).unwrap_or(Value::Null)));
        self.data(request, "the created telephony credential").await
    }

    pub async fn update_telephony_credential(
        &self,
        id: &str,
        update: &TelephonyCredentialUpdate,
    ) -> Result<TelephonyCredential, RestError> {
        let request =
            Request::new(Method::PATCH, self.url(&["telephony_credentials", id]), "update a telephony credential")
                .resource(format!("telephony credential {id}"))
                .body(Body::Json(serde_json::to_value(update).unwrap_or(Value::Null)));
        self.data(request, "the updated telephony credential").await
    }

    /// Deletes a credential (and with it the tokens minted from it); returns the deleted record.
    pub async fn delete_telephony_credential(&self, id: &str) -> Result<TelephonyCredential, RestError> {
        let request =
            Request::new(Method::DELETE, self.url(&["telephony_credentials", id]), "delete a telephony credential")
                .resource(format!("telephony credential {id}"))
                .retry(Retry::OnlyWhenRateLimited);
        self.data(request, "the deleted telephony credential").await
    }

    /// Mints a 24-hour login token: `POST /telephony_credentials/{id}/token`, answered 201 with the
    /// raw JWT as text/plain. An Idempotency-Key makes the request safe to retry.
    pub async fn mint_login_token(&self, credential_id: &str) -> Result<LoginToken, RestError> {
        let operation = "mint a login token";
        let request =
            Request::new(Method::POST, self.url(&["telephony_credentials", credential_id, "token"]), operation)
                .resource(format!("telephony credential {credential_id}"))
                .accept("text/plain")
                .idempotency_key(uuid::Uuid::now_v7().to_string());
        let reply = self.http.send(&request).await?;
        let expected = "a JWT (three base64url parts) as text/plain";
        let text = String::from_utf8(reply.body)
            .map_err(|_| self.http.malformed(operation, expected, "the body is not UTF-8"))?;
        let jwt = text.trim();
        let expires_at = jwt_expiry(jwt).map_err(|problem| self.http.malformed(operation, expected, problem))?;
        Ok(LoginToken {
            jwt: SecretString::from(jwt.to_string()),
            credential_id: credential_id.to_string(),
            expires_at,
        })
    }

    // ---- outbound voice profiles

    pub async fn list_outbound_voice_profiles(
        &self,
        name_contains: Option<&str>,
    ) -> Result<Vec<OutboundVoiceProfile>, RestError> {
        let filters: Vec<(String, String)> =
            name_contains.map(|n| ("filter[name][contains]".to_string(), n.to_string())).into_iter().collect();
        self.list_all(
            &["outbound_voice_profiles"],
            &filters,
            "list outbound voice profiles",
            "a page of outbound voice profiles",
        )
        .await
    }

    pub async fn get_outbound_voice_profile(&self, id: &str) -> Result<OutboundVoiceProfile, RestError> {
        let resource = format!("outbound voice profile {id}");
        self.fetch(
            &["outbound_voice_profiles", id],
            "read an outbound voice profile",
            resource,
            "an outbound voice profile",
        )
        .await
    }

    // ---- phone numbers

    pub async fn list_phone_numbers(&self, filter: &PhoneNumberFilter) -> Result<Vec<PhoneNumber>, RestError> {
        let filters: Vec<(String, String)> = [
            ("filter[connection_id]", &filter.connection_id),
            ("filter[phone_number]", &filter.phone_number),
            ("filter[tag]", &filter.tag),
            ("filter[status]", &filter.status),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name.to_string(), v)))
        .collect();
        self.list_all(&["phone_numbers"], &filters, "list phone numbers", "a page of phone numbers").await
    }

    pub async fn get_phone_number_voice_settings(&self, phone_number_id: &str) -> Result<VoiceSettings, RestError> {
        let resource = format!("phone number {phone_number_id}");
        self.fetch(
            &["phone_numbers", phone_number_id, "voice"],
            "read a number's voice settings",
            resource,
            "voice settings",
        )
        .await
    }
}

/// The `exp` claim of a JWT, read without verifying it (only Telnyx can verify it).
fn jwt_expiry(jwt: &str) -> Result<i64, String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!("the body has {} dot-separated parts", parts.len()));
    }
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).map_err(|_| "the payload is not base64url".to_string())?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|_| "the payload is not JSON".to_string())?;
    claims.get("exp").and_then(Value::as_i64).ok_or_else(|| "the payload has no numeric exp".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_append_encoded_segments_to_the_base_path() {
        let client = TelnyxClient::new(
            "k".into(),
            TelnyxOptions { base_url: "http://127.0.0.1:9/v2".into(), ..Default::default() },
        )
        .unwrap();
        assert_eq!(
            client.url(&["telephony_credentials", "a/b", "token"]).as_str(),
            "http://127.0.0.1:9/v2/telephony_credentials/a%2Fb/token"
        );
        let trailing = TelnyxClient::new(
            "k".into(),
            TelnyxOptions { base_url: "https://api.telnyx.com/v2/".into(), ..Default::default() },
        )
        .unwrap();
        assert_eq!(trailing.url(&["balance"]).as_str(), "https://api.telnyx.com/v2/balance");
    }

    #[test]
    fn a_bad_base_url_is_a_config_error() {
        let error = TelnyxClient::new("k".into(), TelnyxOptions { base_url: "not a url".into(), ..Default::default() })
            .unwrap_err();
        assert!(matches!(error, RestError::Config { .. }), "{error}");
    }

    #[test]
    fn jwt_expiry_reads_exp_and_refuses_what_is_not_a_jwt() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":4102444800}"#);
        assert_eq!(jwt_expiry(&format!("eyJhbGciOiJIUzUxMiJ9.{payload}.sig")), Ok(4102444800));
        assert!(jwt_expiry("{\"data\":{}}").is_err());
        assert!(jwt_expiry("a..c").is_err());
    }
}
