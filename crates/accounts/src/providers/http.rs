//! The transport both providers' clients share: reqwest over rustls, a timeout per request,
//! retries with backoff for requests that may be repeated, and the mapping of HTTP failures onto
//! [`RestError`].

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, ACCEPT, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use super::{Provider, RestError};

/// When a failed request is tried again.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff; it doubles per attempt, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest wait a provider may ask for (Retry-After, x-ratelimit-reset) that we still
    /// honour; asked for more, we give up at once and report the wait instead of hanging.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The whole request, connection to last body byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// Items per page when listing; `None` is the provider's maximum.
    pub page_size: Option<u32>,
    /// A bound on pages per listing, against a server that never stops paging.
    pub max_pages: u32,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            page_size: None,
            max_pages: 1000,
        }
    }
}

/// How a request authenticates.
#[derive(Debug)]
pub(crate) enum Auth {
    /// Telnyx: `Authorization: Bearer <API key>`.
    Bearer(SecretString),
    /// Twilio: HTTP Basic with `AccountSid:AuthToken` or `KeySid:KeySecret`.
    Basic { user: String, password: SecretString },
}

/// Whether a request may be sent again after a 429 or a 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads, updates that set values, and requests carrying an Idempotency-Key.
    Always,
    /// Deletions: after a 5xx the first attempt may have worked, and a repeat would report 404.
    OnlyWhenRateLimited,
    /// Requests that create something: a repeat could create it twice.
    Never,
}

pub(crate) enum Body {
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
}

pub(crate) struct Request {
    pub method: Method,
    pub url: Url,
    /// What the request does, phrased to follow "to": "list telephony credentials".
    pub operation: String,
    /// What a 404 means: "telephony credential 3f2…".
    pub resource: Option<String>,
    pub retry: Retry,
    pub accept: &'static str,
    pub body: Option<Body>,
    pub idempotency_key: Option<String>,
}

impl Request {
    pub fn new(method: Method, url: Url, operation: impl Into<String>) -> Self {
        let retry = if method == Method::GET || method == Method::PATCH { Retry::Always } else { Retry::Never };
        Request {
            method,
            url,
            operation: operation.into(),
            resource: None,
            retry,
            accept: "application/json",
            body: None,
            idempotency_key: None,
        }
    }

    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    pub fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    /// A key the provider uses to answer a repeated request as the first; makes it safe to retry.
    pub fn idempotency_key(mut self, key: String) -> Self {
        self.idempotency_key = Some(key);
        self.retry = Retry::Always;
        self
    }
}

pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct Transport {
    provider: Provider,
    client: reqwest::Client,
    auth: Auth,
    pub options: HttpOptions,
}

impl Transport {
    pub fn new(provider: Provider, auth: Auth, options: HttpOptions) -> Result<Self, RestError> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("callscope/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RestError::Config { provider, problem: format!("cannot build the HTTP client: {e}") })?;
        Ok(Transport { provider, client, auth, options })
    }

    /// Sends `request`, retrying as its [`Retry`] allows; a non-2xx answer becomes a [`RestError`].
    pub async fn send(&self, request: &Request) -> Result<Reply, RestError> {
        let policy = &self.options.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let reply = self.send_once(request).await?;
            if reply.status.is_success() {
                return Ok(reply);
            }
            let may_retry = match request.retry {
                Retry::Always => reply.status == StatusCode::TOO_MANY_REQUESTS || reply.status.is_server_error(),
                Retry::OnlyWhenRateLimited => reply.status == StatusCode::TOO_MANY_REQUESTS,
                Retry::Never => false,
            };
            if !may_retry || attempt >= policy.max_attempts {
                return Err(self.failure(request, &reply, attempt));
            }
            let asked = requested_wait(&reply.headers);
            if asked.is_some_and(|wait| wait > policy.max_wait) {
                return Err(self.failure(request, &reply, attempt));
            }
            let wait = asked.unwrap_or_else(|| backoff(policy, attempt));
            tracing::warn!(
                provider = %self.provider,
                operation = %request.operation,
                status = reply.status.as_u16(),
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying a provider request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(&self, request: &Request) -> Result<Reply, RestError> {
        let mut builder =
            self.client.request(request.method.clone(), request.url.clone()).header(ACCEPT, request.accept);
        // reqwest marks both headers sensitive, so they stay out of its Debug output too.
        builder = match &self.auth {
            Auth::Bearer(key) => builder.bearer_auth(key.expose_secret()),
            Auth::Basic { user, password } => builder.basic_auth(user, Some(password.expose_secret())),
        };
        if let Some(key) = &request.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        builder = match &request.body {
            Some(Body::Json(value)) => builder.json(value),
            Some(Body::Form(pairs)) => builder.form(pairs),
            None => builder,
        };
        let response = builder.send().await.map_err(|e| self.unreachable(request, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| self.unreachable(request, e))?.to_vec();
        Ok(Reply { status, headers, body })
    }

    fn unreachable(&self, request: &Request, error: reqwest::Error) -> RestError {
        let operation = request.operation.clone();
        if error.is_timeout() {
            return RestError::Timeout { provider: self.provider, operation, after: self.options.timeout };
        }
        RestError::Transport { provider: self.provider, operation, cause: error_chain(&error.without_url()) }
    }

    /// Maps a non-2xx answer onto the error that says what happened.
    fn failure(&self, request: &Request, reply: &Reply, attempts: u32) -> RestError {
        let provider = self.provider;
        let operation = request.operation.clone();
        let provider_error = provider.parse_error(reply.status.as_u16(), &reply.body);
        match reply.status.as_u16() {
            401 => RestError::Unauthorized { provider, reply: provider_error, check: provider.credential_check() },
            403 => RestError::Forbidden {
                provider,
                operation,
                why: "The account or key lacks the permission, or the account is not in good standing.".into(),
                reply: provider_error,
            },
            404 => RestError::NotFound {
                provider,
                resource: request.resource.clone().unwrap_or_else(|| format!("resource at {}", request.url.path())),
                reply: provider_error,
            },
            429 => RestError::RateLimited {
                provider,
                operation,
                attempts,
                retry_after: requested_wait(&reply.headers),
                reply: provider_error,
            },
            status @ 500..=599 => {
                RestError::ServerError { provider, operation, status, attempts, reply: provider_error }
            }
            // Neither provider gives limits a code of their own; their words say "limit" or "maximum".
            _ if provider_error.mentions("limit") || provider_error.mentions("maximum") => {
                RestError::LimitReached { provider, operation, reply: provider_error }
            }
            _ => RestError::Rejected { provider, operation, reply: provider_error },
        }
    }

    /// Parses a success body as `T`, or says what was expected.
    pub fn decode<T: DeserializeOwned>(&self, operation: &str, expected: &str, body: &[u8]) -> Result<T, RestError> {
        serde_json::from_slice(body).map_err(|e| RestError::MalformedBody {
            provider: self.provider,
            operation: operation.to_string(),
            expected: expected.to_string(),
            problem: describe_json_error(&e),
        })
    }

    pub fn malformed(&self, operation: &str, expected: &str, problem: impl Into<String>) -> RestError {
        RestError::MalformedBody {
            provider: self.provider,
            operation: operation.to_string(),
            expected: expected.to_string(),
            problem: problem.into(),
        }
    }
}

/// serde_json's message without the offending value: a field of the wrong type could be a secret.
fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if text.starts_with("invalid type") || text.starts_with("invalid value") {
        if let (Some(colon), Some(expected)) = (text.find(": "), text.find(", expected")) {
            if colon < expected {
                return format!("{}{}", &text[..colon], &text[expected..]);
            }
        }
    }
    text
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The wait a provider asks for: `Retry-After` (seconds or an HTTP date; Twilio) or
/// `x-ratelimit-reset` (seconds until the window resets; Telnyx).
pub(crate) fn requested_wait(headers: &HeaderMap) -> Option<Duration> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(value) = header(RETRY_AFTER.as_str()) {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        return seconds_until_http_date(value).map(Duration::from_secs);
    }
    let reset = header("x-ratelimit-reset")?.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0)?;
    // Some APIs send the reset moment as Unix time rather than a delay: read it as such.
    let seconds =
        if reset > 1_000_000_000.0 { reset - time::OffsetDateTime::now_utc().unix_timestamp() as f64 } else { reset };
    Some(Duration::from_secs_f64(seconds.max(0.0)))
}

/// `Wed, 21 Oct 2015 07:28:00 GMT` → seconds from now (0 if past).
fn seconds_until_http_date(value: &str) -> Option<u64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(value, &format).ok()?.assume_utc();
    let seconds = (at - time::OffsetDateTime::now_utc()).whole_seconds();
    Some(seconds.max(0) as u64)
}

/// Exponential backoff with jitter: base·2^(attempt−1), capped, then 50–100 % of that.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponential = policy.base_delay.saturating_mul(1u32 << (attempt - 1).min(16));
    let capped = exponential.min(policy.max_delay);
    capped.mul_f64(rand::rng().random_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_and_telnyx_reset() {
        assert_eq!(requested_wait(&headers(&[("retry-after", "7")])), Some(Duration::from_secs(7)));
        assert_eq!(requested_wait(&headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])), Some(Duration::ZERO));
        let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(120);
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let wait = requested_wait(&headers(&[("retry-after", &soon.format(&format).unwrap())])).unwrap();
        assert!((118..=120).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(requested_wait(&headers(&[("x-ratelimit-reset", "3")])), Some(Duration::from_secs(3)));
        let epoch = (time::OffsetDateTime::now_utc().unix_timestamp() + 10).to_string();
        let wait = requested_wait(&headers(&[("x-ratelimit-reset", &epoch)])).unwrap();
        assert!((9..=10).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(requested_wait(&headers(&[("x-ratelimit-reset", "soon")])), None);
        assert_eq!(requested_wait(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_the_cap() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..Default::default()
        };
        for _ in 0..50 {
            let first = backoff(&policy, 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100), "{first:?}");
            let second = backoff(&policy, 2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200), "{second:?}");
            assert!(backoff(&policy, 30) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn json_errors_never_echo_the_offending_value() {
        #[derive(Debug, serde::Deserialize)]
        struct Token {
            #[allow(dead_code)]
            n: u32,
        }
        let error = serde_json::from_str::<Token>(r#"{"n": "hunter2-secret"}"#).unwrap_err();
        let described = describe_json_error(&error);
        assert!(!described.contains("hunter2"), "{described}");
        assert!(described.contains("expected u32"), "{described}");
        let missing = serde_json::from_str::<Token>("{}").unwrap_err();
        assert!(describe_json_error(&missing).contains("missing field `n`"));
    }
}
