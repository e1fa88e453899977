//! Verto JSON-RPC frames as `@telnyx/webrtc` 2.x and the Telnyx RTC server exchange them
//! (reference/telnyx.md §2.3–§2.9; shapes copied from the captured frames in telnyx-frames/).
//!
//! Client requests carry string (UUID) ids, server requests numeric ids and a top-level
//! `voice_sdk_id`; every result the server writes carries `sessid`.

use serde_json::{json, Map, Value};

/// Method names on the wire.
pub mod method {
    pub const LOGIN: &str = "login";
    pub const ANONYMOUS_LOGIN: &str = "anonymous_login";
    pub const CLIENT_READY: &str = "telnyx_rtc.clientReady";
    pub const GATEWAY_STATE: &str = "telnyx_rtc.gatewayState";
    pub const PING: &str = "telnyx_rtc.ping";
    pub const INVITE: &str = "telnyx_rtc.invite";
    pub const ANSWER: &str = "telnyx_rtc.answer";
    pub const ATTACH: &str = "telnyx_rtc.attach";
    pub const RINGING: &str = "telnyx_rtc.ringing";
    pub const MEDIA: &str = "telnyx_rtc.media";
    pub const BYE: &str = "telnyx_rtc.bye";
    pub const MODIFY: &str = "telnyx_rtc.modify";
    pub const INFO: &str = "telnyx_rtc.info";
    pub const CANDIDATE: &str = "telnyx_rtc.candidate";
    pub const END_OF_CANDIDATES: &str = "telnyx_rtc.endOfCandidates";
}

/// A Verto error: `{"code": …, "message": …}` (mod_verto.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcError {
    pub code: i64,
    pub message: &'static str,
}

/// Sent for a request that needs a login first. Never for `login` itself: the SDK answers -32000
/// by logging in again at once, with no backoff (§2.4).
pub const AUTHENTICATION_REQUIRED: RpcError = RpcError { code: -32000, message: "Authentication Required" };
/// The answer to bad credentials; the SDK raises 46001 LOGIN_FAILED once and does not retry.
pub const LOGIN_INCORRECT: RpcError = RpcError { code: -32001, message: "Login Incorrect" };

/// One frame from the client, sorted by what the server owes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// A request: it gets a result or an error.
    Request { id: Value, method: String, params: Value },
    /// The client's reply to a server request (its ack): recorded, never answered.
    Reply { id: Value },
    /// A frame with an id but neither method nor result, such as the SDK's `debug_report_*`
    /// frames: the SDK waits for a reply, so it gets `{"result":{}}` (§2.7).
    Other { id: Value },
    /// No id, or not JSON: nothing to answer.
    Ignored,
}

pub fn classify(text: &str) -> Inbound {
    let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(text) else { return Inbound::Ignored };
    let Some(id) = frame.get("id").filter(|id| !id.is_null()).cloned() else { return Inbound::Ignored };
    match frame.get("method").and_then(Value::as_str) {
        Some(method) => Inbound::Request {
            id,
            method: method.to_string(),
            params: frame.get("params").cloned().unwrap_or_else(|| json!({})),
        },
        None if frame.contains_key("result") || frame.contains_key("error") => Inbound::Reply { id },
        None => Inbound::Other { id },
    }
}

/// `{"jsonrpc":"2.0","id":…,"result":{…,"sessid":…}}`.
pub fn result(id: &Value, mut body: Map<String, Value>, sessid: Option<&str>) -> Value {
    if let Some(sessid) = sessid {
        body.insert("sessid".into(), Value::from(sessid));
    }
    json!({"jsonrpc": "2.0", "id": id, "result": body})
}

pub fn error(id: &Value, error: RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": error.code, "message": error.message}})
}

/// A server request, with the numeric id and the top-level `voice_sdk_id` real servers send.
pub fn request(id: u64, method: &str, params: Value, voice_sdk_id: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params, "voice_sdk_id": voice_sdk_id})
}

/// Builds a JSON object from pairs, for result bodies.
pub fn object<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The call a client request is about: the SDK puts `callID` inside `dialogParams` (invite,
/// answer, attach, modify, info, bye, candidate), the server puts it at the top of `params`.
pub fn call_id(params: &Value) -> Option<&str> {
    params.pointer("/dialogParams/callID").or_else(|| params.get("callID")).and_then(Value::as_str)
}

/// A string field of `params.dialogParams`.
pub fn dialog_param<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params.get("dialogParams").and_then(|d| d.get(key)).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_sorted_by_what_the_server_owes_them() {
        let login = r#"{"jsonrpc":"2.0","id":"39a5","method":"login","params":{"login_token":"t"}}"#;
        assert!(matches!(classify(login), Inbound::Request { method, .. } if method == "login"));
        let ack = r#"{"jsonrpc":"2.0","id":1002,"result":{"method":"telnyx_rtc.ringing"}}"#;
        assert_eq!(classify(ack), Inbound::Reply { id: json!(1002) });
        let debug = r#"{"jsonrpc":"2.0","id":"d1","type":"debug_report_start","debug_report_id":"x"}"#;
        assert_eq!(classify(debug), Inbound::Other { id: json!("d1") });
        assert_eq!(classify(r#"{"jsonrpc":"2.0","method":"x"}"#), Inbound::Ignored);
        assert_eq!(classify("#SPU 1024"), Inbound::Ignored);
    }

    #[test]
    fn the_call_id_is_found_where_each_side_puts_it() {
        assert_eq!(call_id(&json!({"dialogParams": {"callID": "a"}})), Some("a"));
        assert_eq!(call_id(&json!({"callID": "b"})), Some("b"));
        assert_eq!(call_id(&json!({})), None);
    }

    #[test]
    fn results_carry_the_sessid() {
        let frame = result(&json!("x"), object([("message", json!("PONG"))]), Some("s1"));
        assert_eq!(frame, json!({"jsonrpc": "2.0", "id": "x", "result": {"message": "PONG", "sessid": "s1"}}));
    }
}
