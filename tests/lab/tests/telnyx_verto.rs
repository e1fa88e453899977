//! The Telnyx Verto emulator over real WSS on loopback, driven the way `@telnyx/webrtc` 2.27
//! drives it (frame shapes from reference/telnyx-frames/): login with a JWT the REST fake minted,
//! every scenario number's frames and cause fields, hold, DTMF, hangup, keepalive, inbound calls,
//! and a dropped socket with and without re-attach.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use callscope_lab::telnyx_verto::{EndedBy, InboundCall, InboundError, MediaMode, VertoConfig, VertoEmulator};
use callscope_lab::{TelnyxConfig, TelnyxFake};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use serde_json::{json, Value};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::media::{Direction, MediaKind};
use str0m::{Candidate, RtcConfig};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

const WAIT: Duration = Duration::from_secs(10);

struct Lab {
    rest: TelnyxFake,
    verto: VertoEmulator,
}

async fn lab_with(config: VertoConfig) -> Lab {
    let rest = TelnyxFake::start(TelnyxConfig::default()).await.unwrap();
    let verto = VertoEmulator::start(config, rest.login_tokens()).await.unwrap();
    Lab { rest, verto }
}

async fn lab() -> Lab {
    lab_with(VertoConfig::default()).await
}

impl Lab {
    /// A telephony credential on the seeded WebRTC connection and its login token, through
    /// the REST API as the product does it.
    async fn credential_and_token(&self) -> (String, String) {
        let http = reqwest::Client::new();
        let key = &self.rest.seed().api_key;
        let created: Value = http
            .post(format!("{}/telephony_credentials", self.rest.base_url()))
            .bearer_auth(key)
            .json(&json!({"connection_id": self.rest.seed().credential_connection_id}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["data"]["id"].as_str().unwrap().to_string();
        let token = http
            .post(format!("{}/telephony_credentials/{id}/token", self.rest.base_url()))
            .bearer_auth(key)
            .header("accept", "text/plain")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (id, token)
    }

    async fn token(&self) -> String {
        self.credential_and_token().await.1
    }

    async fn connect(&self) -> Client {
        Client::connect(&self.verto, "rtc.telnyx.com", "/").await
    }

    /// Connected and logged in (login, clientReady, gatewayState REGED), as the SDK does it.
    async fn logged_in(&self) -> (Client, String) {
        let mut client = self.connect().await;
        let token = self.token().await;
        let sessid = client.login(&token).await;
        (client, sessid)
    }
}

/// A minimal Verto client: string ids for its requests, acks for the server requests the SDK
/// acks (§2.3), and a queue of server requests not yet looked at.
struct Client {
    ws: WebSocketStream<TlsStream<TcpStream>>,
    pending: VecDeque<Value>,
    voice_sdk_id: Option<String>,
}

impl Client {
    async fn connect(verto: &VertoEmulator, host: &str, path: &str) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(verto.certificate_der().clone()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = TcpStream::connect(verto.address()).await.unwrap();
        let name = ServerName::try_from(host.to_string()).unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(format!("wss://{host}{path}"), tls).await.unwrap();
        Client { ws, pending: VecDeque::new(), voice_sdk_id: None }
    }

    async fn send(&mut self, frame: Value) {
        self.ws.send(Message::text(frame.to_string())).await.unwrap();
    }

    /// The next frame from the server, or `None` if the socket ended or nothing came in time.
    async fn receive(&mut self, within: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(within, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    let frame: Value = serde_json::from_str(&text).unwrap();
                    if let Some(id) = frame.get("voice_sdk_id").and_then(Value::as_str) {
                        self.voice_sdk_id = Some(id.to_string());
                    }
                    return Some(frame);
                }
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }

    /// Sends a request and returns the server's reply to it, queueing server requests meanwhile.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = uuid::Uuid::new_v4().to_string();
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let frame = self.receive(deadline - Instant::now()).await.unwrap_or_else(|| panic!("no reply to {method}"));
            if frame["id"] == json!(id) && frame.get("method").is_none() {
                return frame;
            }
            self.queue(frame).await;
        }
    }

    /// Queues a server request, acking it as the SDK does.
    async fn queue(&mut self, frame: Value) {
        let method = frame["method"].as_str().unwrap_or("").to_string();
        let acked = ["answer", "media", "ringing", "bye", "display", "candidate", "invite", "attach"];
        if acked.iter().any(|m| method == format!("telnyx_rtc.{m}")) {
            self.send(json!({"jsonrpc": "2.0", "id": frame["id"], "result": {"method": method}})).await;
        }
        self.pending.push_back(frame);
    }

    /// The next server request, from the queue or the socket.
    async fn next_request(&mut self, within: Duration) -> Option<Value> {
        if let Some(frame) = self.pending.pop_front() {
            return Some(frame);
        }
        let frame = self.receive(within).await?;
        self.queue(frame).await;
        self.pending.pop_front()
    }

    async fn expect_request(&mut self, method: &str) -> Value {
        let frame = self.next_request(WAIT).await.unwrap_or_else(|| panic!("no {method} came"));
        assert_eq!(frame["method"], method, "{frame}");
        assert!(frame["id"].is_u64(), "server requests have numeric ids: {frame}");
        assert!(frame["voice_sdk_id"].as_str().is_some_and(|v| v.starts_with("VSDK1")), "{frame}");
        frame
    }

    fn login_params(token: &str) -> Value {
        json!({
            "login_token": token,
            "userVariables": {"push_when_active": false, "pn_late_fanout": false},
            "reconnection": false,
            "loginParams": {"early_sdp_answer": false},
            "User-Agent": {"sdkVersion": "2.27.10", "data": "callscope-lab test"},
        })
    }

    /// login → logged in, clientReady, gatewayState → REGED. Returns the sessid.
    async fn login(&mut self, token: &str) -> String {
        let reply = self.request("login", Client::login_params(token)).await;
        assert_eq!(reply["result"]["message"], "logged in", "{reply}");
        let sessid = reply["result"]["sessid"].as_str().unwrap().to_string();
        let ready = self.expect_request("telnyx_rtc.clientReady").await;
        assert_eq!(ready["params"]["reattached_sessions"], json!([]));
        self.expect_reged(&sessid).await;
        sessid
    }

    async fn expect_reged(&mut self, sessid: &str) -> Value {
        let state = self.request("telnyx_rtc.gatewayState", json!({})).await;
        assert_eq!(state["result"]["params"]["state"], "REGED", "{state}");
        assert_eq!(state["result"]["sessid"], sessid);
        state
    }

    /// An outbound invite as the SDK sends it (non-trickle: the SDP has its candidates).
    async fn invite(&mut self, sessid: &str, number: &str) -> (String, Value) {
        let call_id = uuid::Uuid::new_v4().to_string();
        let params = json!({
            "sessid": sessid,
            "sdp": offer_sdp(),
            "dialogParams": {
                "audio": true, "video": false, "attach": false, "screenShare": false, "callID": call_id,
                "destination_number": number, "remote_caller_id_name": "Outbound Call",
                "remote_caller_id_number": number, "caller_id_name": "Lab", "caller_id_number": "+13125550101",
            },
            "User-Agent": "Web-2.27.10",
        });
        let reply = self.request("telnyx_rtc.invite", params).await;
        (call_id, reply)
    }

    async fn call_request(&mut self, method: &str, sessid: &str, call_id: &str, extra: Value) -> Value {
        let mut params = json!({"sessid": sessid, "dialogParams": {"callID": call_id}});
        params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        self.request(method, params).await
    }

    /// Waits until the server closes the connection (or drops it).
    async fn expect_gone(&mut self) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            match tokio::time::timeout(deadline - Instant::now(), self.ws.next()).await {
                Ok(Some(Ok(Message::Text(_)))) => continue,
                Ok(Some(Ok(Message::Close(_)))) => panic!("a dropped socket sends no close frame"),
                Ok(_) => return,
                Err(_) => break,
            }
        }
        panic!("the socket was not dropped");
    }
}

fn new_rtc() -> str0m::Rtc {
    callscope_rtc_peer::install_crypto();
    let mut rtc = RtcConfig::new().build(Instant::now());
    rtc.add_local_candidate(Candidate::host("127.0.0.1:9".parse().unwrap(), "udp").unwrap());
    rtc
}

/// A real audio offer, as a browser would make (str0m writes it).
fn offer_sdp() -> String {
    let mut rtc = new_rtc();
    let mut changes = rtc.sdp_api();
    changes.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    changes.apply().unwrap().0.to_sdp_string()
}

fn answer_to(offer: &str) -> String {
    let mut rtc = new_rtc();
    rtc.sdp_api().accept_offer(SdpOffer::from_sdp_string(offer).unwrap()).unwrap().to_sdp_string()
}

fn is_answer_sdp(sdp: &Value) -> bool {
    sdp.as_str()
        .is_some_and(|s| SdpAnswer::from_sdp_string(s).is_ok() && s.contains("a=fingerprint:") && s.contains("m=audio"))
}

// ---- Login ------------------------------------------------------------------------------------

#[tokio::test]
async fn a_minted_token_logs_in_and_every_request_gets_a_result() {
    let lab = lab().await;
    let (mut client, sessid) = lab.logged_in().await;

    let pong = client.request("telnyx_rtc.ping", json!({})).await;
    assert_eq!(pong["result"], json!({"message": "PONG", "sessid": sessid}));
    let unknown = client.request("telnyx_rtc.somethingNew", json!({})).await;
    assert_eq!(unknown["result"], json!({"sessid": sessid}));
    let candidate =
        client.request("telnyx_rtc.candidate", json!({"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host"})).await;
    assert_eq!(candidate["result"], json!({"sessid": sessid}));

    // The SDK's debug reports have an id and no method, and wait for a reply.
    client.send(json!({"jsonrpc": "2.0", "id": "dbg-1", "type": "debug_report_start", "debug_report_id": "x"})).await;
    let reply = client.receive(WAIT).await.unwrap();
    assert_eq!(reply, json!({"jsonrpc": "2.0", "id": "dbg-1", "result": {"sessid": sessid}}));

    // An ack to a server request is never answered.
    client.send(json!({"jsonrpc": "2.0", "id": 99, "result": {"method": "telnyx_rtc.ringing"}})).await;
    assert_eq!(client.receive(Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn a_token_the_fake_did_not_sign_is_refused_with_32001_and_the_socket_stays_open() {
    let lab = lab().await;
    let mut client = lab.connect().await;
    let token = lab.token().await;
    let forged = format!("{}AAAA", &token[..token.len() - 4]);
    let reply = client.request("login", Client::login_params(&forged)).await;
    assert_eq!(reply["error"], json!({"code": -32001, "message": "Login Incorrect"}));
    assert!(reply.get("result").is_none());
    // No clientReady follows, and requests that need a session say so (never for login).
    let refused = client.request("telnyx_rtc.gatewayState", json!({})).await;
    assert_eq!(refused["error"]["code"], -32000);
    assert!(client.pending.is_empty(), "{:?}", client.pending);
    let passwd = client.request("login", json!({"login": "gencredAbc", "passwd": "secret"})).await;
    assert_eq!(passwd["error"]["code"], -32001);
    // The same socket can still log in.
    client.login(&token).await;
    let notes: Vec<Value> = lab.verto.wire_log().into_iter().filter(|e| e.dir == "NOTE").map(|e| e.frame).collect();
    assert!(notes.iter().any(|n| n.as_str().unwrap().contains("not signed by this Telnyx fake")), "{notes:?}");
}

#[tokio::test]
async fn a_token_whose_credential_expired_is_refused_and_a_reconnect_with_it_too() {
    let lab = lab().await;
    let (credential_id, token) = lab.credential_and_token().await;
    let mut first = lab.connect().await;
    let sessid = first.login(&token).await;
    assert!(lab.rest.expire_credential(&credential_id));

    let mut again = lab.connect().await;
    let mut params = Client::login_params(&token);
    params["reconnection"] = json!(true);
    params["sessid"] = json!(sessid);
    let reply = again.request("login", params).await;
    assert_eq!(reply["error"], json!({"code": -32001, "message": "Login Incorrect"}));
    let notes: Vec<String> =
        lab.verto.wire_log().into_iter().filter(|e| e.dir == "NOTE").map(|e| e.frame.to_string()).collect();
    assert!(notes.iter().any(|n| n.contains("has expired")), "{notes:?}");
}

#[tokio::test]
async fn a_regional_host_is_answered_with_its_region() {
    let lab = lab().await;
    let mut client = Client::connect(&lab.verto, "eu.rtc.telnyx.com", "/").await;
    let token = lab.token().await;
    let sessid =
        client.request("login", Client::login_params(&token)).await["result"]["sessid"].as_str().unwrap().to_string();
    client.expect_request("telnyx_rtc.clientReady").await;
    let state = client.expect_reged(&sessid).await;
    assert_eq!(state["result"]["params"]["region"], "eu");
    assert!(state["result"]["params"].get("call_report_id").is_none(), "no call reports without an endpoint for them");
    let urls: Vec<Value> = lab.verto.wire_log().into_iter().filter(|e| e.dir == "WS-URL").map(|e| e.frame).collect();
    assert_eq!(urls, vec![json!("wss://eu.rtc.telnyx.com/")]);
}

#[tokio::test]
async fn the_server_pings_an_idle_client() {
    let lab = lab_with(VertoConfig { ping_interval: Duration::from_millis(200), ..Default::default() }).await;
    let (mut client, _) = lab.logged_in().await;
    let ping = client.expect_request("telnyx_rtc.ping").await;
    assert!(ping["params"]["serno"].as_i64().unwrap() > 1_700_000_000, "{ping}");
}

// ---- Outbound scenarios ---------------------------------------------------------------------

/// Dials `number` and returns the server requests up to (and including) the BYE, or until
/// `quiet` passes with nothing.
async fn dial(lab: &Lab, number: &str, quiet: Duration) -> (Client, String, String, Vec<Value>) {
    let (mut client, sessid) = lab.logged_in().await;
    let (call_id, created) = client.invite(&sessid, number).await;
    assert_eq!(created["result"], json!({"message": "CALL CREATED", "callID": call_id, "sessid": sessid}));
    let mut frames = Vec::new();
    while let Some(frame) = client.next_request(quiet).await {
        assert_eq!(frame["params"]["callID"], call_id.as_str(), "{frame}");
        let bye = frame["method"] == "telnyx_rtc.bye";
        frames.push(frame);
        if bye {
            break;
        }
    }
    (client, sessid, call_id, frames)
}

fn methods(frames: &[Value]) -> Vec<&str> {
    frames.iter().map(|f| f["method"].as_str().unwrap().trim_start_matches("telnyx_rtc.")).collect()
}

/// The BYE's cause fields, as the SDK reads them (absent fields stay absent).
fn bye_fields(bye: &Value) -> Value {
    let p = &bye["params"];
    json!({"cause": p["cause"], "causeCode": p["causeCode"], "sipCode": p.get("sipCode"), "sipReason": p.get("sipReason")})
}

#[tokio::test]
async fn rejections_end_the_call_after_trying_with_their_cause_fields() {
    let lab = lab().await;
    let cases = [
        ("+15550100117", json!({"cause": "USER_BUSY", "causeCode": 17, "sipCode": 486, "sipReason": "Busy Here"})),
        (
            "+15550100101",
            json!({"cause": "UNALLOCATED_NUMBER", "causeCode": 1, "sipCode": 404, "sipReason": "Not Found"}),
        ),
        (
            "+15550100238",
            json!({"cause": "CALL_REJECTED", "causeCode": 21, "sipCode": 403, "sipReason": "Connection has no Outbound Profile assigned D38"}),
        ),
        (
            "+15550100235",
            json!({"cause": "CALL_REJECTED", "causeCode": 21, "sipCode": 403, "sipReason": "Caller Origination Number is Invalid D35"}),
        ),
        (
            "+15550100213",
            json!({"cause": "CALL_REJECTED", "causeCode": 21, "sipCode": 403, "sipReason": "Dialed number is not included in whitelisted countries D13"}),
        ),
        // The seed's "calls end immediately": no SIP code at all.
        ("+15550100116", json!({"cause": "NORMAL_CLEARING", "causeCode": 16, "sipCode": null, "sipReason": null})),
    ];
    let runs = cases.iter().map(|(number, _)| dial(&lab, number, Duration::from_secs(3)));
    for ((number, expected), (_, _, call_id, frames)) in cases.iter().zip(futures_util::future::join_all(runs).await) {
        assert_eq!(methods(&frames), ["bye"], "{number}: no ringing, no SDP before a rejection");
        assert_eq!(&bye_fields(&frames[0]), expected, "{number}");
        assert!(frames[0]["params"]["sip_call_id"].is_string());
        let record = lab.verto.call(&call_id).unwrap();
        assert_eq!(record.ended.unwrap().by, EndedBy::Network, "{number}");
    }
}

#[tokio::test]
async fn no_answer_rings_about_five_seconds_first() {
    let lab = lab().await;
    let started = Instant::now();
    let (_, _, _, frames) = dial(&lab, "+15550100119", Duration::from_secs(8)).await;
    assert_eq!(methods(&frames), ["ringing", "bye"]);
    assert_eq!(
        bye_fields(&frames[1]),
        json!({"cause": "NO_ANSWER", "causeCode": 19, "sipCode": 480, "sipReason": "Temporarily Unavailable"})
    );
    let rang = started.elapsed();
    assert!(rang >= Duration::from_secs(5) && rang < Duration::from_secs(8), "{rang:?}");
}

#[tokio::test]
async fn an_answered_call_rings_brings_early_media_answers_holds_takes_dtmf_and_ends_as_the_client_says() {
    let lab = lab().await;
    let (mut client, sessid, call_id, frames) = dial(&lab, "+15550100001", Duration::from_millis(1500)).await;
    assert_eq!(methods(&frames), ["ringing", "media", "answer"]);
    assert_eq!(frames[0]["params"]["callee_id_number"], "+15550100001");
    assert_eq!(frames[0]["params"]["caller_id_number"], "+13125550101");
    assert!(is_answer_sdp(&frames[1]["params"]["sdp"]), "{}", frames[1]);
    // The answer after early media carries the Telnyx ids and no second SDP.
    assert!(frames[2]["params"].get("sdp").is_none());
    assert!(frames[2]["params"]["telnyx_call_control_id"].as_str().unwrap().starts_with("v3:"));

    let held = client.call_request("telnyx_rtc.modify", &sessid, &call_id, json!({"action": "hold"})).await;
    assert_eq!(held["result"], json!({"callID": call_id, "action": "hold", "holdState": "held", "sessid": sessid}));
    let toggled = client.call_request("telnyx_rtc.modify", &sessid, &call_id, json!({"action": "toggleHold"})).await;
    assert_eq!(toggled["result"]["holdState"], "active");
    for digit in ["1", "#"] {
        let sent = client.call_request("telnyx_rtc.info", &sessid, &call_id, json!({"dtmf": digit})).await;
        assert_eq!(sent["result"], json!({"message": "SENT", "sessid": sessid}));
    }
    let restart = client.call_request("telnyx_rtc.modify", &sessid, &call_id, json!({"action": "updateMedia"})).await;
    assert!(restart.get("error").is_some(), "an ICE restart is refused, not faked: {restart}");

    let bye = json!({"cause": "NORMAL_CLEARING", "causeCode": 16, "sipCode": null, "sip_call_id": null});
    let ended = client.call_request("telnyx_rtc.bye", &sessid, &call_id, bye).await;
    assert_eq!(
        ended["result"],
        json!({"callID": call_id, "message": "CALL ENDED", "causeCode": 16, "cause": "NORMAL_CLEARING", "sessid": sessid})
    );
    let record = lab.verto.call(&call_id).unwrap();
    assert_eq!(record.phases, ["trying", "ringing", "early", "active", "held", "active", "ended"]);
    assert_eq!(record.dtmf, "1#");
    let end = record.ended.unwrap();
    assert_eq!((end.by, end.cause.as_deref(), end.cause_code), (EndedBy::Client, Some("NORMAL_CLEARING"), Some(16)));
    let again = client.call_request("telnyx_rtc.bye", &sessid, &call_id, json!({})).await;
    assert!(again.get("error").is_some(), "{again}");
}

#[tokio::test]
async fn the_far_end_hangs_up_an_answered_call_with_200_ok() {
    let lab = lab().await;
    let (_, _, _, frames) = dial(&lab, "+15550100003", Duration::from_secs(5)).await;
    assert_eq!(methods(&frames), ["ringing", "media", "answer", "bye"]);
    assert_eq!(
        bye_fields(&frames[3]),
        json!({"cause": "NORMAL_CLEARING", "causeCode": 16, "sipCode": 200, "sipReason": "OK"})
    );
}

#[tokio::test]
async fn media_timeout_comes_after_answer_without_a_sip_code() {
    let lab = lab().await;
    let (_, _, call_id, frames) = dial(&lab, "+15550100804", Duration::from_secs(7)).await;
    assert_eq!(methods(&frames), ["ringing", "media", "answer", "bye"]);
    assert_eq!(
        bye_fields(&frames[3]),
        json!({"cause": "MEDIA_TIMEOUT", "causeCode": 804, "sipCode": null, "sipReason": null})
    );
    let phases = lab.verto.call(&call_id).unwrap().phases;
    assert_eq!(phases, ["trying", "ringing", "early", "active", "media_stopped", "ended"]);
}

#[tokio::test]
async fn a_hangup_while_ringing_is_recorded_as_the_clients_and_stops_the_script() {
    let lab = lab().await;
    let (mut client, sessid, call_id, frames) = dial(&lab, "+15550100004", Duration::from_millis(500)).await;
    assert_eq!(methods(&frames), ["ringing"]);
    // What the SDK sends for a cancel before answer (§2.8).
    let bye = json!({"cause": "USER_BUSY", "causeCode": 17, "sipCode": null, "sip_call_id": null});
    let ended = client.call_request("telnyx_rtc.bye", &sessid, &call_id, bye).await;
    assert_eq!(ended["result"]["cause"], "USER_BUSY");
    let end = lab.verto.call(&call_id).unwrap().ended.unwrap();
    assert_eq!((end.by, end.cause_code), (EndedBy::Client, Some(17)));
    assert_eq!(client.next_request(Duration::from_millis(500)).await, None, "nothing more for an ended call");
}

// ---- Signalling drops ------------------------------------------------------------------------

/// Reconnects as the SDK does after a drop: `?voice_sdk_id=`, `reconnection:true` and the sessid.
async fn reconnect(lab: &Lab, dropped: &Client, token: &str, sessid: &str) -> (Client, Value) {
    let voice_sdk_id = dropped.voice_sdk_id.clone().unwrap();
    let mut client = Client::connect(&lab.verto, "rtc.telnyx.com", &format!("/?voice_sdk_id={voice_sdk_id}")).await;
    let mut params = Client::login_params(token);
    params["reconnection"] = json!(true);
    params["sessid"] = json!(sessid);
    let reply = client.request("login", params).await;
    assert_eq!(reply["result"]["sessid"], sessid, "the session is resumed");
    let ready = client.expect_request("telnyx_rtc.clientReady").await;
    assert_eq!(ready["voice_sdk_id"].as_str(), Some(voice_sdk_id.as_str()), "the reconnect token is kept");
    (client, ready)
}

#[tokio::test]
async fn a_dropped_socket_mid_call_is_cut_and_the_call_is_reattached_on_reconnect() {
    let lab = lab().await;
    let mut client = lab.connect().await;
    let token = lab.token().await;
    let sessid = client.login(&token).await;
    let (call_id, _) = client.invite(&sessid, "+15550100901").await;
    for method in ["telnyx_rtc.ringing", "telnyx_rtc.media", "telnyx_rtc.answer"] {
        client.expect_request(method).await;
    }
    client.expect_gone().await;

    let (mut client, ready) = reconnect(&lab, &client, &token, &sessid).await;
    assert_eq!(ready["params"]["reattached_sessions"], json!([call_id]));
    let attach = client.expect_request("telnyx_rtc.attach").await;
    assert_eq!(attach["params"]["callID"], call_id.as_str());
    let offer = attach["params"]["sdp"].as_str().unwrap();
    assert!(SdpOffer::from_sdp_string(offer).is_ok(), "{offer}");
    let reply = client
        .call_request(
            "telnyx_rtc.attach",
            &sessid,
            &call_id,
            json!({"sdp": answer_to(offer), "User-Agent": "Web-2.27.10"}),
        )
        .await;
    assert_eq!(reply["result"]["message"], "CALL ANSWERED", "{reply}");
    let phases = lab.verto.call(&call_id).unwrap().phases;
    assert_eq!(phases, ["trying", "ringing", "early", "active", "signalling_lost", "reattaching", "active"]);
}

#[tokio::test]
async fn a_dropped_socket_whose_call_the_server_forgot_reattaches_nothing() {
    let lab = lab().await;
    let mut client = lab.connect().await;
    let token = lab.token().await;
    let sessid = client.login(&token).await;
    let (call_id, _) = client.invite(&sessid, "+15550100902").await;
    for method in ["telnyx_rtc.ringing", "telnyx_rtc.media", "telnyx_rtc.answer"] {
        client.expect_request(method).await;
    }
    client.expect_gone().await;
    let (_, ready) = reconnect(&lab, &client, &token, &sessid).await;
    assert_eq!(ready["params"]["reattached_sessions"], json!([]));
    assert_eq!(lab.verto.call(&call_id).unwrap().ended.unwrap().by, EndedBy::Lost);
}

#[tokio::test]
async fn calls_of_a_client_that_never_comes_back_end_after_the_reattach_window() {
    let lab = lab_with(VertoConfig { reattach_window: Duration::from_millis(300), ..Default::default() }).await;
    let (mut client, sessid) = lab.logged_in().await;
    let (call_id, _) = client.invite(&sessid, "+15550100901").await;
    client.expect_request("telnyx_rtc.ringing").await;
    drop(client);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let record = lab.verto.call(&call_id).unwrap();
    assert_eq!(record.ended.unwrap().by, EndedBy::Lost, "{:?}", record.phases);
}

// ---- Inbound calls ------------------------------------------------------------------------------

fn inbound(ring_timeout: Duration) -> InboundCall {
    InboundCall {
        sip_username: None,
        caller_id_number: "+15559998888".into(),
        caller_id_name: "PSTN Caller".into(),
        media: MediaMode::Echo,
        ring_timeout,
    }
}

#[tokio::test]
async fn an_inbound_invite_carries_an_offer_and_the_clients_answer_connects_it() {
    let lab = lab().await;
    assert!(matches!(lab.verto.place_inbound_call(inbound(WAIT)), Err(InboundError::NobodyRegistered(None))));
    let (mut client, sessid) = lab.logged_in().await;
    let call_id = lab.verto.place_inbound_call(inbound(WAIT)).unwrap();
    let invite = client.expect_request("telnyx_rtc.invite").await;
    let params = &invite["params"];
    assert_eq!(params["callID"], call_id.as_str());
    assert_eq!(
        (params["caller_id_number"].as_str(), params["caller_id_name"].as_str()),
        (Some("+15559998888"), Some("PSTN Caller"))
    );
    assert!(params["callee_id_number"].as_str().unwrap().starts_with("gencred"), "{params}");
    let offer = params["sdp"].as_str().unwrap();
    let reply = client
        .call_request(
            "telnyx_rtc.answer",
            &sessid,
            &call_id,
            json!({"sdp": answer_to(offer), "User-Agent": "Web-2.27.10"}),
        )
        .await;
    assert_eq!(reply["result"], json!({"message": "CALL ANSWERED", "callID": call_id, "sessid": sessid}));
    assert_eq!(lab.verto.call(&call_id).unwrap().phases, ["ringing", "active"]);
    // Answered calls are not cancelled by the ring timeout.
    assert_eq!(client.next_request(Duration::from_millis(300)).await.map(|f| f["method"].clone()), None);
}

#[tokio::test]
async fn an_unanswered_inbound_call_is_cancelled_by_its_caller() {
    let lab = lab().await;
    let (mut client, _) = lab.logged_in().await;
    let call_id = lab.verto.place_inbound_call(inbound(Duration::from_millis(300))).unwrap();
    client.expect_request("telnyx_rtc.invite").await;
    let bye = client.expect_request("telnyx_rtc.bye").await;
    assert_eq!(bye["params"]["callID"], call_id.as_str());
    assert_eq!(
        bye_fields(&bye),
        json!({"cause": "ORIGINATOR_CANCEL", "causeCode": 487, "sipCode": 487, "sipReason": "Request Terminated"})
    );
}

// ---- The CLI ------------------------------------------------------------------------------------

#[cfg(unix)]
#[tokio::test]
async fn the_telnyx_command_prints_where_everything_is_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child =
        Command::new(env!("CARGO_BIN_EXE_callscope-lab")).arg("telnyx").stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(started["pid"].as_u64(), Some(child.id() as u64));
    let verto = &started["verto"];
    let address = verto["wss_address"].as_str().unwrap();
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    let rules = verto["host_resolver_rules"].as_str().unwrap();
    assert!(rules.starts_with(&format!("MAP rtc.telnyx.com {address}, MAP *.rtc.telnyx.com {address}")), "{rules}");
    assert!(verto["chromium_args"].as_array().unwrap().iter().any(|a| a == "--ignore-certificate-errors"));
    let numbers: Vec<&str> =
        verto["scenarios"].as_array().unwrap().iter().map(|s| s["number"].as_str().unwrap()).collect();
    assert!(numbers.contains(&"+15550100238") && numbers.contains(&"+15550100001"), "{numbers:?}");
    assert!(started["rest"]["seed"]["api_key"].is_string());

    // The control API answers, and nobody is logged in yet.
    let control = verto["control_url"].as_str().unwrap();
    let ring = reqwest::Client::new().post(format!("{control}/inbound_calls")).json(&json!({})).send().await.unwrap();
    assert_eq!(ring.status(), 409);
    let scenarios: Value = reqwest::get(format!("{control}/scenarios")).await.unwrap().json().await.unwrap();
    assert_eq!(&scenarios, &verto["scenarios"]);

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the lab did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
