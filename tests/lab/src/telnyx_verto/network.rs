//! The emulated Telnyx side: registered clients (by `sessid`), their calls, and what the network
//! does to a call (the dial-plan script, inbound invites, re-attach after a reconnect).
//!
//! Calls belong to a registration, not to a socket: when a socket drops, its calls wait for the
//! client to come back with the same `sessid` (telnyx.md §2.9), as the real RTC server's do.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use callscope_rtc_peer::{MediaMode, PeerEvent};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::media::{self, MediaEvents, MediaLeg, Offer};
use super::protocol::{self, method};
use super::scenarios::{self, Hangup, Scenario, Step};
use crate::wire_log::WireLog;
use super::VertoConfig;
use crate::rest::telnyx::{LoginTokenOwner, LoginTokenVerifier};

/// What a connection's writer is asked to do.
pub enum Outgoing {
    Frame(Value),
    /// Close the TCP connection without a WebSocket close frame (a network failure).
    Cut,
}

/// The way to one connected client.
#[derive(Clone)]
pub struct Link {
    pub connection: u64,
    pub out: mpsc::UnboundedSender<Outgoing>,
}

struct Registration {
    owner: LoginTokenOwner,
    voice_sdk_id: String,
    link: Option<Link>,
    registered_at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outbound,
    Inbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The client sent `telnyx_rtc.bye`.
    Client,
    /// The network sent `telnyx_rtc.bye`.
    Network,
    /// The network dropped the call without a frame (signalling lost, not re-attached).
    Lost,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallEnd {
    pub by: EndedBy,
    pub cause: Option<String>,
    #[serde(rename = "causeCode")]
    pub cause_code: Option<i64>,
    #[serde(rename = "sipCode")]
    pub sip_code: Option<i64>,
    #[serde(rename = "sipReason")]
    pub sip_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MediaCounters {
    pub dtls_connected: bool,
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
}

/// What the network knows about a call, as the control API and the tests read it.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub call_id: String,
    pub direction: CallDirection,
    pub sip_username: String,
    /// The number dialled (outbound) or the caller's number (inbound).
    pub number: String,
    pub scenario: Option<&'static str>,
    /// What the network did, in order: `trying`, `ringing`, `early`, `active`, `held`,
    /// `signalling_lost`, `reattaching`, `ended`, ...
    pub phases: Vec<&'static str>,
    pub dtmf: String,
    pub ended: Option<CallEnd>,
    /// Summed over every media leg the call had (a re-attach starts a new one).
    pub media: MediaCounters,
    /// Each leg's last report, so that a late report from a stopped leg is not counted twice.
    #[serde(skip)]
    legs: Vec<MediaCounters>,
}

struct Call {
    record: CallRecord,
    sessid: String,
    telnyx_ids: TelnyxIds,
    caller_id_name: String,
    caller_id_number: String,
    /// The client's offer, answered when the script reaches early media or answer.
    client_offer: Option<String>,
    /// Our offer, waiting for the client's answer (inbound invite or attach).
    our_offer: Option<Offer>,
    media_mode: MediaMode,
    media: Option<MediaLeg>,
    sdp_sent: bool,
    script: Option<AbortHandle>,
}

impl Call {
    fn phase(&mut self, phase: &'static str) {
        self.record.phases.push(phase);
    }

    fn last_phase(&self) -> &'static str {
        self.record.phases.last().copied().unwrap_or("")
    }
}

/// `telnyx_session_id`, `telnyx_leg_id`, `telnyx_call_control_id`, as the server sends them.
#[derive(Clone)]
struct TelnyxIds {
    session_id: String,
    leg_id: String,
    call_control_id: String,
}

impl TelnyxIds {
    fn new() -> TelnyxIds {
        TelnyxIds {
            session_id: crate::ids::uuid(),
            leg_id: crate::ids::uuid(),
            call_control_id: format!("v3:{}", crate::ids::alphanumeric(40)),
        }
    }
}

#[derive(Default)]
struct State {
    registrations: HashMap<String, Registration>,
    calls: HashMap<String, Call>,
    ended: Vec<CallRecord>,
}

/// Why an inbound call could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    #[error("no client is logged in{}", .0.as_ref().map(|u| format!(" as {u}")).unwrap_or_default())]
    NobodyRegistered(Option<String>),
    #[error("media: {0}")]
    Media(String),
}

/// An inbound call to place.
#[derive(Debug, Clone)]
pub struct InboundCall {
    /// The client to ring: the newest registration of this SIP username, or the newest of all.
    pub sip_username: Option<String>,
    pub caller_id_number: String,
    pub caller_id_name: String,
    pub media: MediaMode,
    /// After this long unanswered, the caller gives up (ORIGINATOR_CANCEL).
    pub ring_timeout: Duration,
}

pub struct Network {
    pub config: VertoConfig,
    pub tokens: LoginTokenVerifier,
    pub log: WireLog,
    next_request_id: AtomicU64,
    state: Mutex<State>,
    this: Weak<Network>,
}

impl Network {
    pub fn new(config: VertoConfig, tokens: LoginTokenVerifier) -> Arc<Network> {
        Arc::new_cyclic(|this| Network {
            config,
            tokens,
            log: WireLog::default(),
            next_request_id: AtomicU64::new(1001),
            state: Mutex::default(),
            this: this.clone(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn arc(&self) -> Arc<Network> {
        self.this.upgrade().expect("the network outlives its own tasks' calls")
    }

    // ---- Frames ---------------------------------------------------------------------------

    /// Sends on a link and records it.
    pub fn send_on(&self, link: &Link, frame: Value) {
        self.log.record(link.connection, "S->C", frame.clone());
        let _ = link.out.send(Outgoing::Frame(frame));
    }

    pub fn note(&self, connection: u64, remark: impl Into<String>) {
        self.log.record(connection, "NOTE", Value::String(remark.into()));
    }

    /// A server request to the client registered as `sessid`, if it is connected.
    fn request(&self, state: &State, sessid: &str, method: &str, params: Value) -> bool {
        let Some(registration) = state.registrations.get(sessid) else { return false };
        let Some(link) = &registration.link else { return false };
        let id = self.next_request_id.fetch_add(1, Ordering::Relaxed);
        self.send_on(link, protocol::request(id, method, params, &registration.voice_sdk_id));
        true
    }

    /// A server request on a link (clientReady, the keepalive ping).
    pub fn request_on(&self, link: &Link, method: &str, params: Value, voice_sdk_id: &str) {
        let id = self.next_request_id.fetch_add(1, Ordering::Relaxed);
        self.send_on(link, protocol::request(id, method, params, voice_sdk_id));
    }

    // ---- Registrations --------------------------------------------------------------------

    /// Registers a logged-in client on `link`. A reconnect that names a `sessid` this network
    /// still holds for the same credential resumes it. Returns the `sessid` and the calls to
    /// re-attach.
    pub fn register(
        &self,
        owner: LoginTokenOwner,
        resume: Option<&str>,
        voice_sdk_id: String,
        link: Link,
    ) -> (String, Vec<String>) {
        let mut state = self.state();
        let resumable = resume.filter(|sessid| {
            state.registrations.get(*sessid).is_some_and(|r| r.owner.credential_id == owner.credential_id)
        });
        let sessid = resumable.map(str::to_string).unwrap_or_else(crate::ids::uuid);
        let reattach: Vec<String> =
            state.calls.iter().filter(|(_, c)| c.sessid == sessid).map(|(id, _)| id.clone()).collect();
        if let Some(old) = state.registrations.get(&sessid).and_then(|r| r.link.clone()) {
            if old.connection != link.connection {
                let _ = old.out.send(Outgoing::Cut);
            }
        }
        state.registrations.insert(
            sessid.clone(),
            Registration { owner, voice_sdk_id, link: Some(link), registered_at: Instant::now() },
        );
        (sessid, reattach)
    }

    /// The socket of `connection` is gone. Its calls wait `reattach_window` for the client.
    pub fn link_lost(&self, sessid: &str, connection: u64) {
        {
            let mut state = self.state();
            let Some(registration) = state.registrations.get_mut(sessid) else { return };
            if registration.link.as_ref().is_none_or(|l| l.connection != connection) {
                return;
            }
            registration.link = None;
            for call in state.calls.values_mut().filter(|c| c.sessid == sessid) {
                call.phase("signalling_lost");
            }
        }
        let network = self.arc();
        let sessid = sessid.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(network.config.reattach_window).await;
            network.forget_if_still_away(&sessid);
        });
    }

    fn forget_if_still_away(&self, sessid: &str) {
        let mut state = self.state();
        if state.registrations.get(sessid).is_some_and(|r| r.link.is_none()) {
            state.registrations.remove(sessid);
            let lost: Vec<String> =
                state.calls.iter().filter(|(_, c)| c.sessid == sessid).map(|(id, _)| id.clone()).collect();
            for call_id in lost {
                end_call(&mut state, &call_id, CallEnd::lost());
            }
        }
    }

    /// The `voice_sdk_id` to use on a connection: the one the client reconnects with, unless it
    /// asked to skip it, or a new one.
    pub fn voice_sdk_id(requested: Option<&str>) -> String {
        requested.map(str::to_string).unwrap_or_else(|| format!("VSDK1{}", crate::ids::alphanumeric(30)))
    }

    // ---- Outbound calls -------------------------------------------------------------------

    /// A client invite: records the call and starts its dial-plan script. `false` if the call
    /// id is taken.
    pub fn invite(&self, sessid: &str, call_id: &str, params: &Value) -> bool {
        let destination = protocol::dialog_param(params, "destination_number").unwrap_or("").to_string();
        let scenario = scenarios::for_number(&destination);
        let mut state = self.state();
        if state.calls.contains_key(call_id) {
            return false;
        }
        let sip_username = state.registrations.get(sessid).map(|r| r.owner.sip_username.clone()).unwrap_or_default();
        let call = Call {
            record: CallRecord {
                call_id: call_id.to_string(),
                direction: CallDirection::Outbound,
                sip_username,
                number: destination,
                scenario: Some(scenario.name),
                phases: vec!["trying"],
                dtmf: String::new(),
                ended: None,
                media: MediaCounters::default(),
                legs: Vec::new(),
            },
            sessid: sessid.to_string(),
            telnyx_ids: TelnyxIds::new(),
            caller_id_name: protocol::dialog_param(params, "caller_id_name").unwrap_or("").to_string(),
            caller_id_number: protocol::dialog_param(params, "caller_id_number").unwrap_or("").to_string(),
            client_offer: params.get("sdp").and_then(Value::as_str).map(str::to_string),
            our_offer: None,
            media_mode: scenario.media,
            media: None,
            sdp_sent: false,
            script: None,
        };
        state.calls.insert(call_id.to_string(), call);
        let script = tokio::spawn(run_script(self.arc(), call_id.to_string(), scenario));
        if let Some(call) = state.calls.get_mut(call_id) {
            call.script = Some(script.abort_handle());
        }
        true
    }

    /// One scripted step; `false` once the call is gone and the script should stop.
    fn step(&self, call_id: &str, step: Step) -> bool {
        let mut state = self.state();
        let Some(call) = state.calls.get_mut(call_id) else { return false };
        let sessid = call.sessid.clone();
        match step {
            Step::Wait(_) => true,
            Step::Ringing => {
                call.phase("ringing");
                let params = self.call_party_params(call, "inbound");
                self.request(&state, &sessid, method::RINGING, params);
                true
            }
            Step::EarlyMedia | Step::Answer => {
                let answer_sdp = match self.start_answering_media(call) {
                    Ok(sdp) => sdp,
                    Err(e) => {
                        self.note(0, format!("call {call_id}: no media: {e}"));
                        None
                    }
                };
                let mut params = json!({"callID": call_id});
                if step == Step::Answer {
                    call.phase("active");
                    params["telnyx_session_id"] = json!(call.telnyx_ids.session_id);
                    params["telnyx_leg_id"] = json!(call.telnyx_ids.leg_id);
                    params["telnyx_call_control_id"] = json!(call.telnyx_ids.call_control_id);
                } else {
                    call.phase("early");
                }
                // An answer with no media before it must carry the SDP (§2.5).
                if let Some(sdp) = answer_sdp {
                    params["sdp"] = json!(sdp);
                }
                let method = if step == Step::Answer { method::ANSWER } else { method::MEDIA };
                self.request(&state, &sessid, method, params);
                true
            }
            Step::Hangup(hangup) => {
                self.hang_up(&mut state, call_id, hangup);
                false
            }
            Step::StopMedia => {
                if let Some(leg) = call.media.take() {
                    leg.stop();
                }
                call.phase("media_stopped");
                true
            }
            Step::DropSignalling { keep_calls } => {
                if let Some(link) = state.registrations.get(&sessid).and_then(|r| r.link.clone()) {
                    self.note(
                        link.connection,
                        format!(
                            "cutting the signalling socket (calls {})",
                            if keep_calls { "kept for re-attach" } else { "forgotten" }
                        ),
                    );
                    let _ = link.out.send(Outgoing::Cut);
                }
                if !keep_calls {
                    let gone: Vec<String> =
                        state.calls.iter().filter(|(_, c)| c.sessid == sessid).map(|(id, _)| id.clone()).collect();
                    for id in gone {
                        end_call(&mut state, &id, CallEnd::lost());
                    }
                }
                keep_calls
            }
        }
    }

    /// Starts the answering peer on the client's offer the first time; returns the answer SDP
    /// if it has not been sent yet.
    fn start_answering_media(&self, call: &mut Call) -> Result<Option<String>, String> {
        if call.sdp_sent {
            return Ok(None);
        }
        let offer = call.client_offer.as_deref().ok_or("the invite had no SDP")?;
        let events = self.media_events(&mut call.record);
        let (answer_sdp, leg) = media::answer(offer, call.media_mode, events)?;
        call.media = Some(leg);
        call.sdp_sent = true;
        Ok(Some(answer_sdp))
    }

    /// Where a new media leg of this call reports.
    fn media_events(&self, record: &mut CallRecord) -> MediaEvents {
        let leg = record.legs.len();
        record.legs.push(MediaCounters::default());
        let network = self.this.clone();
        let call_id = record.call_id.clone();
        Arc::new(move |event| {
            if let Some(network) = network.upgrade() {
                network.media_event(&call_id, leg, event);
            }
        })
    }

    fn media_event(&self, call_id: &str, leg: usize, event: PeerEvent) {
        if let PeerEvent::Error { message } = &event {
            self.note(0, format!("call {call_id}: media: {message}"));
        }
        let mut state = self.state();
        let State { calls, ended, .. } = &mut *state;
        // A stopped leg reports its last counters after its call may have ended.
        let record = match calls.get_mut(call_id) {
            Some(call) => &mut call.record,
            None => match ended.iter_mut().rev().find(|r| r.call_id == call_id) {
                Some(record) => record,
                None => return,
            },
        };
        let Some(this_leg) = record.legs.get_mut(leg) else { return };
        match event {
            PeerEvent::DtlsConnected => this_leg.dtls_connected = true,
            PeerEvent::Counters { rx_packets, tx_packets, rx_bytes } => {
                *this_leg = MediaCounters { dtls_connected: this_leg.dtls_connected, rx_packets, tx_packets, rx_bytes };
            }
            PeerEvent::Ice { .. } | PeerEvent::Error { .. } => return,
        }
        record.media = record.legs.iter().fold(MediaCounters::default(), |sum, leg| MediaCounters {
            dtls_connected: sum.dtls_connected || leg.dtls_connected,
            rx_packets: sum.rx_packets + leg.rx_packets,
            tx_packets: sum.tx_packets + leg.tx_packets,
            rx_bytes: sum.rx_bytes + leg.rx_bytes,
        });
    }

    /// `caller_id_*`, `callee_id_*`, the Telnyx ids and `display_direction`, as the server puts
    /// them in ringing, invite and attach (real log, telnyx-webrtc-android#127).
    fn call_party_params(&self, call: &Call, display_direction: &str) -> Value {
        // The callee is the dialled number, or for an inbound call the client's SIP user; its
        // name is "Outbound Call" in every captured frame.
        let callee_number = match call.record.direction {
            CallDirection::Outbound => &call.record.number,
            CallDirection::Inbound => &call.record.sip_username,
        };
        json!({
            "callID": call.record.call_id,
            "caller_id_name": call.caller_id_name,
            "caller_id_number": call.caller_id_number,
            "callee_id_name": "Outbound Call",
            "callee_id_number": callee_number,
            "telnyx_session_id": call.telnyx_ids.session_id,
            "telnyx_leg_id": call.telnyx_ids.leg_id,
            "telnyx_call_control_id": call.telnyx_ids.call_control_id,
            "display_direction": display_direction,
        })
    }

    /// A server BYE with the scenario's cause fields, then the call is over.
    fn hang_up(&self, state: &mut State, call_id: &str, hangup: Hangup) {
        let Some(call) = state.calls.get(call_id) else { return };
        let mut params = json!({
            "callID": call_id,
            "cause": hangup.cause,
            "causeCode": hangup.cause_code,
            "sip_call_id": format!("{}@127.0.0.1", call.telnyx_ids.leg_id),
        });
        if let Some(code) = hangup.sip_code {
            params["sipCode"] = json!(code);
        }
        if let Some(reason) = hangup.sip_reason {
            params["sipReason"] = json!(reason);
        }
        let sessid = call.sessid.clone();
        self.request(state, &sessid, method::BYE, params);
        end_call(state, call_id, CallEnd::from_network(hangup));
    }

    // ---- Client requests about a call ------------------------------------------------------

    /// A client BYE; `false` for an unknown call.
    pub fn client_bye(&self, call_id: &str, params: &Value) -> bool {
        let mut state = self.state();
        if !state.calls.contains_key(call_id) {
            return false;
        }
        let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_string);
        let number = |key: &str| params.get(key).and_then(Value::as_i64);
        let end = CallEnd {
            by: EndedBy::Client,
            cause: text("cause"),
            cause_code: number("causeCode"),
            sip_code: number("sipCode"),
            sip_reason: text("sipReason"),
        };
        end_call(&mut state, call_id, end);
        true
    }

    /// Hold or unhold; returns the new `holdState` (`held` or `active`), or `None` for an
    /// unknown call or action.
    pub fn modify(&self, call_id: &str, action: &str) -> Option<&'static str> {
        let mut state = self.state();
        let call = state.calls.get_mut(call_id)?;
        let held = call.last_phase() == "held";
        let hold = match action {
            "hold" => true,
            "unhold" => false,
            "toggleHold" => !held,
            _ => return None,
        };
        call.phase(if hold { "held" } else { "active" });
        Some(if hold { "held" } else { "active" })
    }

    pub fn dtmf(&self, call_id: &str, digits: &str) -> bool {
        let mut state = self.state();
        let Some(call) = state.calls.get_mut(call_id) else { return false };
        call.record.dtmf.push_str(digits);
        true
    }

    /// The client's answer to our offer (an inbound call's `answer`, or an `attach`).
    pub fn client_answer(&self, call_id: &str, answer_sdp: &str) -> Result<(), String> {
        let mut state = self.state();
        let call = state.calls.get_mut(call_id).ok_or("no such call")?;
        let offer = call.our_offer.take().ok_or("the call is not waiting for an answer")?;
        let leg = offer.accept(answer_sdp, self.media_events(&mut call.record))?;
        if let Some(old) = call.media.replace(leg) {
            old.stop();
        }
        if let Some(ring_timeout) = call.script.take() {
            ring_timeout.abort();
        }
        call.phase("active");
        Ok(())
    }

    // ---- Inbound calls and re-attach --------------------------------------------------------

    /// Rings a registered client with a `telnyx_rtc.invite` carrying our offer.
    pub fn place_inbound(&self, request: InboundCall) -> Result<String, InboundError> {
        let offer = media::offer(request.media).map_err(InboundError::Media)?;
        let mut state = self.state();
        let (sessid, sip_username) = state
            .registrations
            .iter()
            .filter(|(_, r)| r.link.is_some())
            .filter(|(_, r)| request.sip_username.as_ref().is_none_or(|u| *u == r.owner.sip_username))
            .max_by_key(|(_, r)| r.registered_at)
            .map(|(sessid, r)| (sessid.clone(), r.owner.sip_username.clone()))
            .ok_or_else(|| InboundError::NobodyRegistered(request.sip_username.clone()))?;
        let call_id = crate::ids::uuid();
        let sdp = offer.sdp.clone();
        let mut call = Call {
            record: CallRecord {
                call_id: call_id.clone(),
                direction: CallDirection::Inbound,
                sip_username,
                number: request.caller_id_number.clone(),
                scenario: None,
                phases: vec!["ringing"],
                dtmf: String::new(),
                ended: None,
                media: MediaCounters::default(),
                legs: Vec::new(),
            },
            sessid: sessid.clone(),
            telnyx_ids: TelnyxIds::new(),
            caller_id_name: request.caller_id_name,
            caller_id_number: request.caller_id_number,
            client_offer: None,
            our_offer: Some(offer),
            media_mode: request.media,
            media: None,
            sdp_sent: true,
            script: None,
        };
        // The fixture's inbound invite says "outbound": the direction as the far end sees it.
        let mut params = self.call_party_params(&call, "outbound");
        params["sdp"] = json!(sdp);
        let network = self.arc();
        let ringing_id = call_id.clone();
        let ring_timeout = request.ring_timeout;
        call.script = Some(
            tokio::spawn(async move {
                tokio::time::sleep(ring_timeout).await;
                let mut state = network.state();
                if state.calls.get(&ringing_id).is_some_and(|c| c.last_phase() == "ringing") {
                    network.hang_up(&mut state, &ringing_id, scenarios::ORIGINATOR_CANCEL);
                }
            })
            .abort_handle(),
        );
        state.calls.insert(call_id.clone(), call);
        self.request(&state, &sessid, method::INVITE, params);
        Ok(call_id)
    }

    /// Sends `telnyx_rtc.attach` with a fresh offer for a call that survived a reconnect; the
    /// client answers with its own `telnyx_rtc.attach` (§2.9).
    pub fn reattach(&self, call_id: &str) {
        let Some(mode) = self.state().calls.get(call_id).map(|c| c.media_mode) else { return };
        let offer = match media::offer(if mode == MediaMode::Unreachable { MediaMode::Echo } else { mode }) {
            Ok(offer) => offer,
            Err(e) => {
                self.note(0, format!("call {call_id}: no media for the re-attach: {e}"));
                return;
            }
        };
        let mut state = self.state();
        let Some(call) = state.calls.get_mut(call_id) else { return };
        if let Some(old) = call.media.take() {
            old.stop();
        }
        let mut params = self.call_party_params(call, "inbound");
        params["sdp"] = json!(offer.sdp);
        call.our_offer = Some(offer);
        call.phase("reattaching");
        let sessid = call.sessid.clone();
        self.request(&state, &sessid, method::ATTACH, params);
    }

    // ---- Reading and stopping ----------------------------------------------------------------

    pub fn calls(&self) -> Vec<CallRecord> {
        let state = self.state();
        let mut records: Vec<CallRecord> = state.ended.clone();
        records.extend(state.calls.values().map(|c| c.record.clone()));
        records
    }

    /// Cuts every connection and ends every call (the lab is stopping).
    pub fn shut_down(&self) {
        let mut state = self.state();
        for registration in state.registrations.values() {
            if let Some(link) = &registration.link {
                let _ = link.out.send(Outgoing::Cut);
            }
        }
        let ids: Vec<String> = state.calls.keys().cloned().collect();
        for id in ids {
            end_call(&mut state, &id, CallEnd::lost());
        }
    }
}

impl CallEnd {
    fn lost() -> CallEnd {
        CallEnd { by: EndedBy::Lost, cause: None, cause_code: None, sip_code: None, sip_reason: None }
    }

    fn from_network(hangup: Hangup) -> CallEnd {
        CallEnd {
            by: EndedBy::Network,
            cause: Some(hangup.cause.to_string()),
            cause_code: Some(hangup.cause_code.into()),
            sip_code: hangup.sip_code.map(i64::from),
            sip_reason: hangup.sip_reason.map(str::to_string),
        }
    }
}

/// Stops the call's media and script and moves its record to the history.
fn end_call(state: &mut State, call_id: &str, end: CallEnd) {
    let Some(mut call) = state.calls.remove(call_id) else { return };
    if let Some(script) = call.script.take() {
        script.abort();
    }
    if let Some(leg) = call.media.take() {
        leg.stop();
    }
    call.phase("ended");
    call.record.ended = Some(end);
    state.ended.push(call.record);
}

/// Plays a scenario's steps against one outbound call until it ends.
async fn run_script(network: Arc<Network>, call_id: String, scenario: &'static Scenario) {
    for step in scenario.steps {
        if let Step::Wait(pause) = step {
            tokio::time::sleep(*pause).await;
        }
        if !network.step(&call_id, *step) {
            return;
        }
    }
}
