//! On-demand failures and a log of every request, shared by both REST fakes.
//!
//! A test (or a person, through `POST /__lab/faults`) arms a rule: the next N requests whose
//! method and path match get a 429, a 5xx, a slow answer or a malformed body. Each provider renders
//! the failure with its own body and headers ([`FaultResponses`]), so what a client sees is what
//! that provider would send. The log lets tests count attempts, e.g. that a 404 was not retried.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// What an armed rule does to a matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 429 with the provider's body; the wait goes in the provider's rate-limit header.
    RateLimited { retry_after_secs: u64 },
    /// A 5xx (500, 502, 503, 504) with the provider's body.
    ServerError { status: u16 },
    /// The normal answer, but only after this delay (for client timeouts).
    Slow { delay_ms: u64 },
    /// HTTP 200 with a truncated JSON body.
    Malformed,
}

/// Arms `fault` for the next `times` requests whose path starts with `path` and, if given,
/// whose method is `method`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    pub path: String,
    #[serde(default = "one")]
    pub times: u32,
    pub fault: Fault,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// One request of any method under `path`.
    pub fn new(path: impl Into<String>, fault: Fault) -> Self {
        FaultRule { method: None, path: path.into(), times: 1, fault }
    }

    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && path.starts_with(&self.path)
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// One request as the fake saw it, with the status it answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
}

/// How a provider words each injected failure.
pub trait FaultResponses: Send + Sync + 'static {
    fn rate_limited(&self, retry_after_secs: u64) -> Response;
    fn server_error(&self, status: StatusCode) -> Response;
    /// A 200 whose JSON body stops half-way.
    fn malformed(&self) -> Response {
        ([("content-type", "application/json")], r#"{"data": [{"id": "trunc"#).into_response()
    }
}

#[derive(Default)]
struct Inner {
    rules: Vec<FaultRule>,
    log: Vec<RecordedRequest>,
}

/// The armed rules and the request log of one fake.
#[derive(Clone, Default)]
pub struct Faults {
    inner: Arc<Mutex<Inner>>,
}

impl Faults {
    pub fn inject(&self, rule: FaultRule) {
        self.lock().rules.push(rule);
    }

    /// Disarms every rule.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    pub fn armed(&self) -> Vec<FaultRule> {
        self.lock().rules.clone()
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().log.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().log.clear();
    }

    /// How many requests had exactly this method and path.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.lock().log.iter().filter(|r| r.method.eq_ignore_ascii_case(method) && r.path == path).count()
    }

    /// The fault for this request, if a rule matches; uses up one of that rule's `times`.
    fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut inner = self.lock();
        let index = inner.rules.iter().position(|rule| rule.matches(method, path))?;
        let rule = &mut inner.rules[index];
        rule.times -= 1;
        let fault = rule.fault.clone();
        if rule.times == 0 {
            inner.rules.remove(index);
        }
        Some(fault)
    }

    fn record(&self, request: RecordedRequest) {
        self.lock().log.push(request);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panicking test thread must not take the fake down with it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Wraps a provider's routes: applies armed faults and records every request.
pub fn wrap(router: Router, faults: Faults, responses: Arc<dyn FaultResponses>) -> Router {
    router.layer(middleware::from_fn_with_state((faults, responses), apply))
}

async fn apply(
    State((faults, responses)): State<(Faults, Arc<dyn FaultResponses>)>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let response = match faults.take(&method, &path) {
        Some(Fault::RateLimited { retry_after_secs }) => responses.rate_limited(retry_after_secs),
        Some(Fault::ServerError { status }) => {
            responses.server_error(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        }
        Some(Fault::Malformed) => responses.malformed(),
        Some(Fault::Slow { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(request).await
        }
        None => next.run(request).await,
    };
    faults.record(RecordedRequest { method, path, query, status: response.status().as_u16() });
    response
}

/// `/__lab/faults` (GET the armed rules, POST a rule, DELETE all) and `/__lab/requests`
/// (GET the log, DELETE to clear it). Unauthenticated: the lab listens on loopback only.
pub fn control_routes(faults: Faults) -> Router {
    Router::new()
        .route(
            "/__lab/faults",
            get(|State(f): State<Faults>| async move { Json(f.armed()) })
                .post(|State(f): State<Faults>, Json(rule): Json<FaultRule>| async move {
                    f.inject(rule.clone());
                    (StatusCode::CREATED, Json(rule))
                })
                .delete(|State(f): State<Faults>| async move {
                    f.clear();
                    StatusCode::NO_CONTENT
                }),
        )
        .route(
            "/__lab/requests",
            get(|State(f): State<Faults>| async move { Json(f.requests()) }).delete(
                |State(f): State<Faults>| async move {
                    f.clear_requests();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_fires_as_many_times_as_armed_then_disarms() {
        let faults = Faults::default();
        faults.inject(FaultRule::new("/v2/balance", Fault::Malformed).method("get").times(2));
        assert_eq!(faults.take("POST", "/v2/balance"), None, "method must match");
        assert_eq!(faults.take("GET", "/v2/other"), None, "path must match");
        assert_eq!(faults.take("GET", "/v2/balance"), Some(Fault::Malformed));
        assert_eq!(faults.take("GET", "/v2/balance"), Some(Fault::Malformed));
        assert_eq!(faults.take("GET", "/v2/balance"), None);
        assert!(faults.armed().is_empty());
    }

    #[test]
    fn rules_parse_from_the_control_endpoint_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"method":"GET","path":"/v2/balance","times":3,"fault":{"kind":"rate_limited","retry_after_secs":2}}"#,
        )
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::new("/v2/balance", Fault::RateLimited { retry_after_secs: 2 }).method("GET").times(3)
        );
        let default_times: FaultRule = serde_json::from_str(r#"{"path":"/","fault":{"kind":"malformed"}}"#).unwrap();
        assert_eq!(default_times.times, 1);
    }
}
