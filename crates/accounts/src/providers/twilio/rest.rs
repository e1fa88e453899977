//! The Twilio REST client: HTTP Basic auth, `.json` paths under `/2010-04-01/Accounts/{sid}`,
//! form-encoded POSTs, `next_page_uri` paging; Voice v1 (dialing permissions) on its own host.

use reqwest::Method;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use url::Url;

use super::types::*;
use crate::providers::http::{Auth, Body, HttpOptions, Request, Retry, Transport};
use crate::providers::paging::{resolve_next, twilio_page};
use crate::providers::{Provider, RestError};

/// Twilio allows up to 1000 items per page.
const MAX_PAGE_SIZE: u32 = 1000;
const API_VERSION: &str = "/2010-04-01";
const VOICE_VERSION: &str = "/v1";

#[derive(Debug, Clone)]
pub struct TwilioOptions {
    /// `https://api.twilio.com/2010-04-01` in production; the lab's address in tests.
    pub api_base_url: String,
    /// `https://voice.twilio.com/v1` in production.
    pub voice_base_url: String,
    pub http: HttpOptions,
}

impl TwilioOptions {
    pub const PRODUCTION_API_BASE_URL: &'static str = "https://api.twilio.com/2010-04-01";
    pub const PRODUCTION_VOICE_BASE_URL: &'static str = "https://voice.twilio.com/v1";
}

impl Default for TwilioOptions {
    fn default() -> Self {
        TwilioOptions {
            api_base_url: Self::PRODUCTION_API_BASE_URL.into(),
            voice_base_url: Self::PRODUCTION_VOICE_BASE_URL.into(),
            http: HttpOptions::default(),
        }
    }
}

#[derive(Debug)]
pub struct TwilioClient {
    http: Transport,
    account_sid: String,
    /// The API key's SID when authenticating with a key (to explain Standard-key refusals).
    api_key_sid: Option<String>,
    api_base: Url,
    voice_base: Url,
}

fn parse_base(provider_field: &str, text: &str) -> Result<Url, RestError> {
    Url::parse(text).map_err(|e| RestError::Config {
        provider: Provider::Twilio,
        problem: format!("{provider_field} {text:?} does not parse: {e}"),
    })
}

impl TwilioClient {
    pub fn new(account_sid: impl Into<String>, auth: TwilioAuth, options: TwilioOptions) -> Result<Self, RestError> {
        let account_sid = account_sid.into();
        let (user, password, api_key_sid) = match auth {
            TwilioAuth::AuthToken(token) => (account_sid.clone(), token, None),
            TwilioAuth::ApiKey { sid, secret } => (sid.clone(), secret, Some(sid)),
        };
        Ok(TwilioClient {
            api_base: parse_base("API base URL", &options.api_base_url)?,
            voice_base: parse_base("Voice base URL", &options.voice_base_url)?,
            http: Transport::new(Provider::Twilio, Auth::Basic { user, password }, options.http)?,
            account_sid,
            api_key_sid,
        })
    }

    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }

    /// `{api base}/Accounts/{sid}/{segments…}` with `.json` on the last segment.
    fn account_url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_base.clone();
        {
            let mut path = url.path_segments_mut().expect("an http(s) base URL has path segments");
            path.pop_if_empty().push("Accounts");
            match segments.split_last() {
                None => {
                    path.push(&format!("{}.json", self.account_sid));
                }
                Some((last, rest)) => {
                    path.push(&self.account_sid).extend(rest).push(&format!("{last}.json"));
                }
            }
        }
        url
    }

    fn voice_url(&self, segments: &[&str]) -> Url {
        let mut url = self.voice_base.clone();
        url.path_segments_mut().expect("an http(s) base URL has path segments").pop_if_empty().extend(segments);
        url
    }

    fn page_size(&self) -> String {
        self.http.options.page_size.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE).to_string()
    }

    async fn fetch<T: DeserializeOwned>(
        &self,
        url: Url,
        operation: &str,
        resource: String,
        expected: &str,
    ) -> Result<T, RestError> {
        let request = Request::new(Method::GET, url, operation).resource(resource);
        let reply = self.http.send(&request).await?;
        self.http.decode(operation, expected, &reply.body)
    }

    /// Every item under `key`, following next-page links, up to `limit` items.
    async fn list_all<T: DeserializeOwned>(
        &self,
        mut url: Url,
        filters: &[(&str, String)],
        key: &str,
        operation: &str,
        limit: Option<usize>,
    ) -> Result<Vec<T>, RestError> {
        let (base, version) =
            if url.origin() == self.voice_base.origin() && url.path().starts_with(self.voice_base.path()) {
                (&self.voice_base, VOICE_VERSION)
            } else {
                (&self.api_base, API_VERSION)
            };
        url.query_pairs_mut().extend_pairs(filters).append_pair("PageSize", &self.page_size());
        let expected = format!("a page with a `{key}` list");
        let mut items = Vec::new();
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            let reply = self.http.send(&Request::new(Method::GET, url, operation)).await?;
            let body: Map<String, Value> = self.http.decode(operation, &expected, &reply.body)?;
            let page =
                twilio_page::<T>(body, key).map_err(|problem| self.http.malformed(operation, &expected, problem))?;
            items.extend(page.items);
            pages += 1;
            if limit.is_some_and(|limit| items.len() >= limit) {
                items.truncate(limit.unwrap_or(usize::MAX));
                break;
            }
            if pages >= self.http.options.max_pages {
                tracing::warn!(operation, pages, "stopped listing at the page limit");
                break;
            }
            next = match page.next {
                Some(link) => Some(
                    resolve_next(&link, base, version)
                        .map_err(|problem| self.http.malformed(operation, &expected, problem))?,
                ),
                None => None,
            };
        }
        Ok(items)
    }

    /// Twilio answers a Standard key on `/Accounts` or `/Keys` with 401 "Authentication Error -
    /// invalid username", just as for a wrong key. A request Standard keys may make tells the two
    /// apart, so the user hears "use a Main key" rather than "your key is wrong".
    async fn needs_main_credentials<T>(&self, operation: &str, result: Result<T, RestError>) -> Result<T, RestError> {
        let (Err(RestError::Unauthorized { reply, .. }), Some(key_sid)) = (&result, &self.api_key_sid) else {
            return result;
        };
        if self.balance().await.is_err() {
            return result;
        }
        Err(RestError::Forbidden {
            provider: Provider::Twilio,
            operation: operation.to_string(),
            why: format!(
                "API key {key_sid} works, so it is a Standard (or Restricted) key; this needs a Main API key \
                 (created in the Console) or the Account SID with its Auth Token."
            ),
            reply: reply.clone(),
        })
    }

    // ---- account

    /// The account's status (`active`, `suspended`, `closed`) and type (`Trial`, `Full`).
    pub async fn fetch_account(&self) -> Result<Account, RestError> {
        let operation = "read the account";
        let result =
            self.fetch(self.account_url(&[]), operation, format!("account {}", self.account_sid), "an account").await;
        self.needs_main_credentials(operation, result).await
    }

    pub async fn balance(&self) -> Result<Balance, RestError> {
        self.fetch(self.account_url(&["Balance"]), "read the account balance", "balance".into(), "a balance").await
    }

    // ---- TwiML applications

    pub async fn list_applications(&self, friendly_name: Option<&str>) -> Result<Vec<Application>, RestError> {
        let filters: Vec<(&str, String)> = friendly_name.map(|n| ("FriendlyName", n.to_string())).into_iter().collect();
        self.list_all(self.account_url(&["Applications"]), &filters, "applications", "list TwiML applications", None)
            .await
    }

    pub async fn get_application(&self, sid: &str) -> Result<Application, RestError> {
        self.fetch(
            self.account_url(&["Applications", sid]),
            "read a TwiML application",
            format!("TwiML application {sid}"),
            "an application",
        )
        .await
    }

    // ---- phone numbers

    /// The account's numbers; `phone_number` may be partial.
    pub async fn list_incoming_phone_numbers(
        &self,
        phone_number: Option<&str>,
    ) -> Result<Vec<IncomingPhoneNumber>, RestError> {
        let filters: Vec<(&str, String)> = phone_number.map(|n| ("PhoneNumber", n.to_string())).into_iter().collect();
        self.list_all(
            self.account_url(&["IncomingPhoneNumbers"]),
            &filters,
            "incoming_phone_numbers",
            "list phone numbers",
            None,
        )
        .await
    }

    pub async fn get_incoming_phone_number(&self, sid: &str) -> Result<IncomingPhoneNumber, RestError> {
        let url = self.account_url(&["IncomingPhoneNumbers", sid]);
        self.fetch(url, "read a phone number", format!("phone number {sid}"), "a phone number").await
    }

    // ---- API keys (Main credentials only)

    pub async fn list_keys(&self) -> Result<Vec<ApiKey>, RestError> {
        let operation = "list API keys";
        let result = self.list_all(self.account_url(&["Keys"]), &[], "keys", operation, None).await;
        self.needs_main_credentials(operation, result).await
    }

    pub async fn get_key(&self, sid: &str) -> Result<ApiKey, RestError> {
        let operation = "read an API key";
        let result =
            self.fetch(self.account_url(&["Keys", sid]), operation, format!("API key {sid}"), "an API key").await;
        self.needs_main_credentials(operation, result).await
    }

    /// Creates a Standard key; its secret is in the answer and nowhere else. Never retried.
    pub async fn create_key(&self, friendly_name: &str) -> Result<NewApiKey, RestError> {
        let operation = "create an API key";
        let request = Request::new(Method::POST, self.account_url(&["Keys"]), operation)
            .body(Body::Form(vec![("FriendlyName".into(), friendly_name.into())]));
        let result = match self.http.send(&request).await {
            Ok(reply) => self.http.decode(operation, "the created API key with its secret", &reply.body),
            Err(error) => Err(error),
        };
        self.needs_main_credentials(operation, result).await
    }

    pub async fn delete_key(&self, sid: &str) -> Result<(), RestError> {
        let operation = "delete an API key";
        let request = Request::new(Method::DELETE, self.account_url(&["Keys", sid]), operation)
            .resource(format!("API key {sid}"))
            .retry(Retry::OnlyWhenRateLimited);
        let result = self.http.send(&request).await.map(|_| ());
        self.needs_main_credentials(operation, result).await
    }

    // ---- calls

    pub async fn list_calls(&self, filter: &CallFilter) -> Result<Vec<Call>, RestError> {
        let filters: Vec<(&str, String)> = [
            ("To", &filter.to),
            ("From", &filter.from),
            ("Status", &filter.status),
            ("ParentCallSid", &filter.parent_call_sid),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
        .collect();
        self.list_all(self.account_url(&["Calls"]), &filters, "calls", "list calls", filter.limit).await
    }

    pub async fn get_call(&self, sid: &str) -> Result<Call, RestError> {
        self.fetch(self.account_url(&["Calls", sid]), "read a call", format!("call {sid}"), "a call").await
    }

    // ---- voice dialing permissions (Voice v1)

    pub async fn list_dialing_permissions_countries(
        &self,
        filter: &CountryFilter,
    ) -> Result<Vec<DialingPermissionsCountry>, RestError> {
        let mut filters: Vec<(&str, String)> = Vec::new();
        if let Some(iso) = &filter.iso_code {
            filters.push(("IsoCode", iso.clone()));
        }
        if let Some(continent) = &filter.continent {
            filters.push(("Continent", continent.clone()));
        }
        if let Some(low_risk) = filter.low_risk_numbers_enabled {
            filters.push(("LowRiskNumbersEnabled", low_risk.to_string()));
        }
        let url = self.voice_url(&["DialingPermissions", "Countries"]);
        self.list_all(url, &filters, "content", "list voice dialing permissions", None).await
    }

    pub async fn get_dialing_permissions_country(
        &self,
        iso_code: &str,
    ) -> Result<DialingPermissionsCountry, RestError> {
        let url = self.voice_url(&["DialingPermissions", "Countries", iso_code]);
        let resource = format!("dialing permissions for country {iso_code}");
        self.fetch(url, "read a country's voice dialing permissions", resource, "a dialing permissions country").await
    }
}

impl TwilioAuth {
    pub fn api_key(sid: impl Into<String>, secret: impl Into<String>) -> Self {
        TwilioAuth::ApiKey { sid: sid.into(), secret: SecretString::from(secret.into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(api_base: &str) -> TwilioClient {
        let options = TwilioOptions { api_base_url: api_base.into(), ..Default::default() };
        TwilioClient::new("AC123", TwilioAuth::AuthToken("t".into()), options).unwrap()
    }

    #[test]
    fn account_urls_put_the_sid_in_the_path_and_json_on_the_last_segment() {
        let production = client(TwilioOptions::PRODUCTION_API_BASE_URL);
        assert_eq!(production.account_url(&[]).as_str(), "https://api.twilio.com/2010-04-01/Accounts/AC123.json");
        assert_eq!(
            production.account_url(&["Calls", "CA1"]).as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC123/Calls/CA1.json"
        );
        let lab = client("http://127.0.0.1:9/2010-04-01/");
        assert_eq!(lab.account_url(&["Balance"]).as_str(), "http://127.0.0.1:9/2010-04-01/Accounts/AC123/Balance.json");
        assert_eq!(
            production.voice_url(&["DialingPermissions", "Countries", "US"]).as_str(),
            "https://voice.twilio.com/v1/DialingPermissions/Countries/US"
        );
    }
}
