//! Twilio Insights, the event gateway the SDK posts to (twilio.md §2.6): `POST /v4/EndpointEvents`
//! (one event each) and `POST /v4/EndpointMetrics` (batches of samples) on `eventgw.twilio.com`,
//! or `eventgw.{home}.twilio.com` once `connected` named a home. The host-resolver rules send
//! those names here, so nothing leaves the machine; the posts are kept for tests to read.
//!
//! (An app can also stop the posts with the private Device option `publishEvents: false`.)

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::rest::twilio::AccessTokenVerifier;

#[derive(Debug, Clone, Serialize)]
pub struct InsightsPost {
    /// The Host the SDK posted to: `eventgw.twilio.com` or `eventgw.us1.twilio.com`.
    pub host: String,
    /// `/v4/EndpointEvents` or `/v4/EndpointMetrics`.
    pub path: String,
    /// Whether `X-Twilio-Token` held a token the REST fake's keys verify.
    pub token_valid: bool,
    pub body: Value,
}

#[derive(Clone, Default)]
pub struct Insights {
    posts: Arc<Mutex<Vec<InsightsPost>>>,
}

impl Insights {
    pub fn posts(&self) -> Vec<InsightsPost> {
        self.posts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The `{group, name}` of every event posted so far, e.g. `connection/accepted-by-remote`.
    pub fn event_names(&self) -> Vec<String> {
        self.posts()
            .iter()
            .filter(|p| p.path.ends_with("EndpointEvents"))
            .map(|p| format!("{}/{}", p.body["group"].as_str().unwrap_or(""), p.body["name"].as_str().unwrap_or("")))
            .collect()
    }

    fn keep(&self, post: InsightsPost) {
        self.posts.lock().unwrap_or_else(|e| e.into_inner()).push(post);
    }
}

#[derive(Clone)]
pub struct InsightsState {
    pub insights: Insights,
    pub tokens: AccessTokenVerifier,
}

/// Keeps the post. An invalid token gets the error body seen from the real gateway (§2.6); the
/// SDK only logs it.
pub async fn receive(
    State(state): State<InsightsState>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let token_valid = state.tokens.verify(&header("x-twilio-token")).is_ok();
    let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
    state.insights.keep(InsightsPost { host: header("host"), path: uri.path().to_string(), token_valid, body });
    if token_valid {
        (StatusCode::OK, Json(json!({})))
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"code": 20107, "message": "Invalid Access Token signature"})))
    }
}
