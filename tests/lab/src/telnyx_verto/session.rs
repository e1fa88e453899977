//! One client connection: TLS, the WebSocket handshake, then every frame the SDK sends, each
//! request answered (telnyx.md §2.15: a result for every frame with an id, PONG for pings).

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

use super::network::{Link, Network, Outgoing};
use super::protocol::{self, method, object, Inbound, RpcError, AUTHENTICATION_REQUIRED, LOGIN_INCORRECT};

const NO_SUCH_CALL: RpcError = RpcError { code: -32602, message: "CALL DOES NOT EXIST" };
const CALL_EXISTS: RpcError = RpcError { code: -32602, message: "CALL EXISTS" };
const BAD_REQUEST: RpcError = RpcError { code: -32600, message: "Invalid Request" };
/// An ICE restart needs a renegotiating far end, which the media peer is not.
const NOT_SUPPORTED: RpcError = RpcError { code: -32601, message: "Unsupported action" };

/// What the client asked for in the WebSocket URL and Host header.
struct Handshake {
    url: String,
    /// The reconnect token (`?voice_sdk_id=`), unless the client asked to skip it.
    voice_sdk_id: Option<String>,
    /// `eu` for `eu.rtc.telnyx.com` (the SDK's `region` option, §2.2).
    region: Option<String>,
}

// The handshake callback's error type is tungstenite's own (an HTTP response), not ours to shrink.
#[allow(clippy::result_large_err)]
pub async fn serve(network: Arc<Network>, tcp: TcpStream, tls: TlsAcceptor, connection: u64) {
    let stream = match tls.accept(tcp).await {
        Ok(stream) => stream,
        Err(e) => return network.note(connection, format!("TLS handshake failed: {e}")),
    };
    let mut handshake = None;
    let ws = tokio_tungstenite::accept_hdr_async(stream, |request: &Request, response: Response| {
        handshake = Some(read_handshake(request));
        Ok(response)
    })
    .await;
    let (mut ws, handshake) = match (ws, handshake) {
        (Ok(ws), Some(handshake)) => (ws, handshake),
        (Err(e), _) => return network.note(connection, format!("WebSocket handshake failed: {e}")),
        (Ok(_), None) => return,
    };
    network.log.record(connection, "WS-URL", Value::String(handshake.url.clone()));

    let (out, mut outgoing) = mpsc::unbounded_channel();
    let mut client = Client {
        network: network.clone(),
        link: Link { connection, out },
        handshake,
        sessid: None,
        voice_sdk_id: None,
    };
    let mut keepalive = tokio::time::interval_at(
        tokio::time::Instant::now() + network.config.ping_interval,
        network.config.ping_interval,
    );
    let reason = loop {
        tokio::select! {
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    network.log.record(connection, "C->S", serde_json::from_str(&text).unwrap_or(Value::String(text.to_string())));
                    client.handle(&text);
                }
                Some(Ok(Message::Close(close))) => break format!("the client closed the socket ({close:?})"),
                Some(Ok(_)) => {}
                Some(Err(e)) => break format!("read error: {e}"),
                None => break "the client went away".to_string(),
            },
            next = outgoing.recv() => match next {
                Some(Outgoing::Frame(frame)) => {
                    if let Err(e) = ws.send(Message::text(frame.to_string())).await {
                        break format!("write error: {e}");
                    }
                }
                Some(Outgoing::Cut) | None => break "cut by the emulator".to_string(),
            },
            _ = keepalive.tick() => client.keepalive(),
        }
    };
    network.log.record(connection, "CLOSED", Value::String(reason));
    if let Some(sessid) = &client.sessid {
        network.link_lost(sessid, connection);
    }
}

fn read_handshake(request: &Request) -> Handshake {
    let host = request.headers().get("host").and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(request.uri().query().unwrap_or("")).unwrap_or_default();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let skip = param("skip_last_voice_sdk_id").as_deref() == Some("true");
    let hostname = host.split(':').next().unwrap_or("");
    let region = hostname
        .strip_suffix(".rtc.telnyx.com")
        .or_else(|| hostname.strip_suffix(".rtcdev.telnyx.com"))
        .map(str::to_string);
    Handshake {
        url: format!("wss://{host}{}", request.uri()),
        voice_sdk_id: param("voice_sdk_id").filter(|_| !skip),
        region,
    }
}

struct Client {
    network: Arc<Network>,
    link: Link,
    handshake: Handshake,
    /// Set by a successful login.
    sessid: Option<String>,
    voice_sdk_id: Option<String>,
}

impl Client {
    fn reply(&self, frame: Value) {
        self.network.send_on(&self.link, frame);
    }

    fn result(&self, id: &Value, body: serde_json::Map<String, Value>) {
        self.reply(protocol::result(id, body, self.sessid.as_deref()));
    }

    fn keepalive(&self) {
        if let (Some(_), Some(voice_sdk_id)) = (&self.sessid, &self.voice_sdk_id) {
            let serno = crate::clock::unix_now();
            self.network.request_on(&self.link, method::PING, json!({"serno": serno}), voice_sdk_id);
        }
    }

    fn handle(&mut self, text: &str) {
        match protocol::classify(text) {
            Inbound::Request { id, method, params } => self.request(&id, &method, &params),
            Inbound::Other { id } => self.result(&id, Default::default()),
            Inbound::Reply { .. } | Inbound::Ignored => {}
        }
    }

    fn request(&mut self, id: &Value, method: &str, params: &Value) {
        match method {
            method::LOGIN => return self.login(id, params),
            method::ANONYMOUS_LOGIN => {
                self.network.note(self.link.connection, "anonymous_login (AI assistants) is not emulated");
                return self.reply(protocol::error(id, LOGIN_INCORRECT));
            }
            method::PING => return self.result(id, object([("message", json!("PONG"))])),
            _ => {}
        }
        let Some(sessid) = self.sessid.clone() else {
            return self.reply(protocol::error(id, AUTHENTICATION_REQUIRED));
        };
        let call_id = protocol::call_id(params).map(str::to_string);
        match (method, call_id) {
            (method::GATEWAY_STATE, _) => self.gateway_state(id),
            (method::INVITE, Some(call_id)) => {
                if params.get("sdp").and_then(Value::as_str).is_none() {
                    return self.reply(protocol::error(id, BAD_REQUEST));
                }
                if !self.network.invite(&sessid, &call_id, params) {
                    return self.reply(protocol::error(id, CALL_EXISTS));
                }
                self.result(id, object([("message", json!("CALL CREATED")), ("callID", json!(call_id))]));
            }
            (method::ANSWER | method::ATTACH, Some(call_id)) => {
                let sdp = params.get("sdp").and_then(Value::as_str).unwrap_or("");
                match self.network.client_answer(&call_id, sdp) {
                    Ok(()) => {
                        self.result(id, object([("message", json!("CALL ANSWERED")), ("callID", json!(call_id))]))
                    }
                    Err(why) => {
                        self.network.note(self.link.connection, format!("{method} for {call_id} refused: {why}"));
                        self.reply(protocol::error(id, NO_SUCH_CALL));
                    }
                }
            }
            (method::BYE, Some(call_id)) => {
                if !self.network.client_bye(&call_id, params) {
                    return self.reply(protocol::error(id, NO_SUCH_CALL));
                }
                // Stock Verto's shape (§2.8): the cause the client gave, echoed back.
                self.result(
                    id,
                    object([
                        ("callID", json!(call_id)),
                        ("message", json!("CALL ENDED")),
                        ("causeCode", params.get("causeCode").cloned().unwrap_or(json!(16))),
                        ("cause", params.get("cause").cloned().unwrap_or(json!("NORMAL_CLEARING"))),
                    ]),
                );
            }
            (method::MODIFY, Some(call_id)) => {
                let action = params.get("action").and_then(Value::as_str).unwrap_or("");
                match self.network.modify(&call_id, action) {
                    Some(hold_state) => self.result(
                        id,
                        object([
                            ("callID", json!(call_id)),
                            ("action", json!(action)),
                            ("holdState", json!(hold_state)),
                        ]),
                    ),
                    None if action == "updateMedia" => {
                        self.network.note(self.link.connection, "ICE restart (updateMedia) is not emulated");
                        self.reply(protocol::error(id, NOT_SUPPORTED));
                    }
                    None => self.reply(protocol::error(id, NO_SUCH_CALL)),
                }
            }
            (method::INFO, Some(call_id)) => {
                if let Some(digits) = params.get("dtmf").and_then(Value::as_str) {
                    if !self.network.dtmf(&call_id, digits) {
                        return self.reply(protocol::error(id, NO_SUCH_CALL));
                    }
                }
                self.result(id, object([("message", json!("SENT"))]));
            }
            // Candidates, end of candidates, and anything unknown: an empty result (§2.15).
            _ => self.result(id, Default::default()),
        }
    }

    /// `login` with `login_token`, checked against the tokens the REST fake minted. A refusal
    /// is -32001, never -32000 (which makes the SDK log in again at once, in a loop).
    fn login(&mut self, id: &Value, params: &Value) {
        let Some(token) = params.get("login_token").and_then(Value::as_str) else {
            self.network.note(self.link.connection, "login refused: only login_token logins are emulated");
            return self.reply(protocol::error(id, LOGIN_INCORRECT));
        };
        let owner = match self.network.tokens.verify(token) {
            Ok(owner) => owner,
            Err(rejection) => {
                self.network.note(self.link.connection, format!("login refused: {rejection}"));
                return self.reply(protocol::error(id, LOGIN_INCORRECT));
            }
        };
        // A reconnect names its old session; a token refresh on this socket keeps the current one.
        let reconnection = params.get("reconnection").and_then(Value::as_bool) == Some(true);
        let resume = self
            .sessid
            .clone()
            .or_else(|| params.get("sessid").and_then(Value::as_str).filter(|_| reconnection).map(str::to_string));
        let voice_sdk_id = Network::voice_sdk_id(self.handshake.voice_sdk_id.as_deref());
        let (sessid, reattach) =
            self.network.register(owner, resume.as_deref(), voice_sdk_id.clone(), self.link.clone());
        self.sessid = Some(sessid.clone());
        self.voice_sdk_id = Some(voice_sdk_id.clone());
        self.result(id, object([("message", json!("logged in"))]));
        let ready = json!({"reattached_sessions": reattach});
        self.network.request_on(&self.link, method::CLIENT_READY, ready, &voice_sdk_id);
        for call_id in reattach {
            self.network.reattach(&call_id);
        }
    }

    /// REGED, as a result (§2.4). No `call_report_id`: the SDK would then POST call reports to
    /// `https://rtc.telnyx.com/call_report`, which this emulator does not serve.
    fn gateway_state(&self, id: &Value) {
        let mut state = json!({"state": "REGED", "dc": "callscope-lab"});
        if let Some(region) = &self.handshake.region {
            state["region"] = json!(region);
        }
        self.result(id, object([("params", state)]));
    }
}
