//! The emulator's loopback control API, for tests that run it as a process (`callscope-lab
//! telnyx`): ring a client, and read the calls, the frames and the dial plan.
//!
//! `POST /__lab/telnyx/verto/inbound_calls` `{"sip_username"?, "caller_id_number"?,
//! "caller_id_name"?, "media"?: "echo"|"silence"|"mute", "ring_timeout_ms"?}` → 201 `{"call_id"}`,
//! or 409 when no client is logged in; `GET …/calls`, `GET …/frames`, `GET …/scenarios`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use callscope_rtc_peer::MediaMode;
use serde::Deserialize;
use serde_json::json;

use super::network::{InboundCall, InboundError, Network};
use super::scenarios;

pub const PREFIX: &str = "/__lab/telnyx/verto";

#[derive(Deserialize)]
struct InboundRequest {
    sip_username: Option<String>,
    caller_id_number: Option<String>,
    caller_id_name: Option<String>,
    media: Option<String>,
    ring_timeout_ms: Option<u64>,
}

/// Defaults for an inbound call: the caller of the captured inbound invite, 30 s of ringing.
pub fn inbound_call(sip_username: Option<String>) -> InboundCall {
    InboundCall {
        sip_username,
        caller_id_number: "+15559998888".into(),
        caller_id_name: "PSTN Caller".into(),
        media: MediaMode::Echo,
        ring_timeout: Duration::from_secs(30),
    }
}

pub fn router(network: Arc<Network>) -> Router {
    Router::new()
        .route(&format!("{PREFIX}/inbound_calls"), post(place_inbound))
        .route(&format!("{PREFIX}/calls"), get(|State(n): State<Arc<Network>>| async move { Json(n.calls()) }))
        .route(&format!("{PREFIX}/frames"), get(|State(n): State<Arc<Network>>| async move { Json(n.log.entries()) }))
        .route(&format!("{PREFIX}/scenarios"), get(|| async { Json(scenarios::describe()) }))
        .with_state(network)
}

async fn place_inbound(State(network): State<Arc<Network>>, Json(body): Json<InboundRequest>) -> Response {
    let mut call = inbound_call(body.sip_username);
    if let Some(number) = body.caller_id_number {
        call.caller_id_number = number;
    }
    if let Some(name) = body.caller_id_name {
        call.caller_id_name = name;
    }
    if let Some(ms) = body.ring_timeout_ms {
        call.ring_timeout = Duration::from_millis(ms);
    }
    call.media = match body.media.as_deref() {
        None | Some("echo") => MediaMode::Echo,
        Some("silence") => MediaMode::Silence,
        Some("mute") => MediaMode::Mute,
        Some(other) => {
            let message = format!("media must be echo, silence or mute, not {other:?}");
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": message}))).into_response();
        }
    };
    match network.place_inbound(call) {
        Ok(call_id) => (StatusCode::CREATED, Json(json!({"call_id": call_id}))).into_response(),
        Err(e @ InboundError::NobodyRegistered(_)) => {
            (StatusCode::CONFLICT, Json(json!({"error": e.to_string()}))).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": e.to_string()}))).into_response(),
    }
}
