//! The emulator's loopback control API (plain HTTP), for tests that run it as a process
//! (`callscope-lab twilio`). Under [`PREFIX`]:
//!
//! - `POST /incoming_calls` `{"identity"?, "from"?, "params"?: {k: v}, "media"?: "echo"|"silence"|
//!   "mute", "cancel_after_ms"?}` → 201 `{"callsid"}`, or 409 when no registered client may take it;
//! - `POST /calls/{callsid}/hangup` `{"code"?, "message"?}` → 204, or 404;
//! - `POST /cut` `{"identity"?}` → `{"cut": n}`: drops those sockets without a close frame;
//! - `GET /calls`, `/frames`, `/clients`, `/insights`, `/scenarios`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use callscope_rtc_peer::MediaMode;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::gateway::Gateway;
use super::incoming::{IncomingCall, IncomingError};
use super::protocol::GatewayError;
use super::scenarios;

pub const PREFIX: &str = "/__lab/twilio/pstream";

#[derive(Deserialize)]
struct IncomingRequest {
    identity: Option<String>,
    from: Option<String>,
    #[serde(default)]
    params: Map<String, Value>,
    media: Option<String>,
    cancel_after_ms: Option<u64>,
}

#[derive(Deserialize, Default)]
struct HangupRequest {
    code: Option<u32>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct CutRequest {
    identity: Option<String>,
}

pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route(&format!("{PREFIX}/incoming_calls"), post(place_incoming))
        .route(&format!("{PREFIX}/calls/{{callsid}}/hangup"), post(hang_up))
        .route(&format!("{PREFIX}/cut"), post(cut))
        .route(&format!("{PREFIX}/calls"), get(|State(g): State<Arc<Gateway>>| async move { Json(g.calls()) }))
        .route(&format!("{PREFIX}/frames"), get(|State(g): State<Arc<Gateway>>| async move { Json(g.log.entries()) }))
        .route(&format!("{PREFIX}/clients"), get(|State(g): State<Arc<Gateway>>| async move { Json(g.clients()) }))
        .route(
            &format!("{PREFIX}/insights"),
            get(|State(g): State<Arc<Gateway>>| async move { Json(g.insights.posts()) }),
        )
        .route(
            &format!("{PREFIX}/scenarios"),
            get(|State(g): State<Arc<Gateway>>| async move { Json(scenarios::describe(&g.config.timings)) }),
        )
        .with_state(gateway)
}

fn unprocessable(message: String) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": message}))).into_response()
}

async fn place_incoming(State(gateway): State<Arc<Gateway>>, Json(body): Json<IncomingRequest>) -> Response {
    let mut call = IncomingCall::new(body.identity);
    if let Some(from) = body.from {
        call.from = from;
    }
    for (name, value) in body.params {
        let value = match value {
            Value::String(text) => text,
            other => other.to_string(),
        };
        call.params.push((name, value));
    }
    call.cancel_after = body.cancel_after_ms.map(Duration::from_millis);
    call.media = match body.media.as_deref() {
        None | Some("echo") => MediaMode::Echo,
        Some("silence") => MediaMode::Silence,
        Some("mute") => MediaMode::Mute,
        Some(other) => return unprocessable(format!("media must be echo, silence or mute, not {other:?}")),
    };
    match gateway.place_incoming(call) {
        Ok(callsid) => (StatusCode::CREATED, Json(json!({"callsid": callsid}))).into_response(),
        Err(e @ IncomingError::NobodyRegistered(_)) => {
            (StatusCode::CONFLICT, Json(json!({"error": e.to_string()}))).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": e.to_string()}))).into_response(),
    }
}

async fn hang_up(
    State(gateway): State<Arc<Gateway>>,
    Path(callsid): Path<String>,
    body: Option<Json<HangupRequest>>,
) -> Response {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let error = match (body.code, body.message) {
        (Some(code), message) => Some(GatewayError::new(code, message.unwrap_or_default())),
        (None, None) => None,
        (None, Some(_)) => return unprocessable("a message needs a code".into()),
    };
    if gateway.hang_up(&callsid, error) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::NOT_FOUND, Json(json!({"error": format!("no call {callsid} is up")}))).into_response()
    }
}

async fn cut(State(gateway): State<Arc<Gateway>>, body: Option<Json<CutRequest>>) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    Json(json!({"cut": gateway.cut(body.identity.as_deref())}))
}
