//! A call through the gateway: its record, its media legs, the script steps its timers run, what
//! the SDK can do to a call that is up (hangup, reinvite, DTMF, messages) and what happens when its
//! socket drops (held for the reconnect `invite`, or ended). Calls begin in [`super::outgoing`]
//! and [`super::incoming`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use callscope_rtc_peer::{MediaMode, PeerEvent};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::task::AbortHandle;

use super::gateway::{Client, Gateway, State};
use crate::media::{self, MediaEvents, MediaLeg, Offer};
use super::protocol::{server, GatewayError};
use super::scenarios::AfterAnswer;
use crate::ids;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outgoing,
    Incoming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The SDK sent `hangup` (the caller hung up, or gave up before the answer).
    Client,
    /// The SDK sent `reject` (an incoming call).
    Rejected,
    /// The gateway sent `hangup` (the far end hung up or failed).
    Gateway,
    /// The gateway sent `cancel` (the caller of an incoming call gave up).
    Cancelled,
    /// The socket dropped and the call was not taken back in time.
    SignallingLost,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallEnd {
    pub by: EndedBy,
    /// The error the gateway's `hangup` carried.
    pub error: Option<GatewayError>,
}

/// What the media peer saw, summed over the call's legs (an ICE restart starts a new one).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaCounters {
    /// The newest leg's ICE state, as str0m names it (`checking`, `connected`, ...).
    pub ice_state: Option<String>,
    pub dtls_connected: bool,
    pub rx_packets: u64,
    pub tx_packets: u64,
    pub rx_bytes: u64,
    /// Why the newest leg stopped, if it lost its path.
    pub error: Option<String>,
}

/// What the gateway knows about a call, as tests and the control API read it.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    /// `CA…`
    pub callsid: String,
    /// The SDK's `TJS…` id of an outgoing call.
    pub temporary_sid: Option<String>,
    pub direction: CallDirection,
    /// The client's identity (`alice`, not `client:alice`).
    pub identity: String,
    pub from: String,
    pub to: String,
    pub scenario: Option<&'static str>,
    /// The call's custom parameters: `connect({params})` less `To`, or those of an incoming call.
    pub params: Vec<(String, String)>,
    /// What happened, in order: `invited`, `ringing`, `answered`, `signalling_lost`,
    /// `reconnect_accepted`, `ice_restart`, `ended`, ...
    pub phases: Vec<&'static str>,
    pub dtmf: String,
    /// The `content` of every `call.sendMessage()`.
    pub messages: Vec<Value>,
    pub ended: Option<CallEnd>,
    pub media: MediaCounters,
}

pub(super) struct Call {
    pub(super) record: CallRecord,
    /// The socket the call is on now; `None` while its signalling is lost.
    pub(super) connection: Option<u64>,
    pub(super) reconnect: String,
    pub(super) media_mode: MediaMode,
    pub(super) after_answer: AfterAnswer,
    pub(super) early_media: bool,
    pub(super) client_offer: Option<String>,
    pub(super) our_offer: Option<Offer>,
    pub(super) leg: Option<MediaLeg>,
    pub(super) legs: Vec<MediaCounters>,
    pub(super) answered: bool,
    /// Whether the SDK has been told the `CA…` sid (by `ringing` or `answer`). Until then it
    /// matches a `hangup` only by its own `TJS…` id (call.ts `_onHangup`), so that is what the
    /// gateway must write.
    pub(super) sid_told: bool,
    /// How many times the call's socket dropped, so an old hold cannot end a newer one.
    pub(super) signalling_losses: u32,
    pub(super) tasks: Vec<AbortHandle>,
}

impl CallRecord {
    pub(super) fn new(
        direction: CallDirection,
        callsid: String,
        identity: &str,
        from: String,
        to: String,
    ) -> CallRecord {
        CallRecord {
            callsid,
            temporary_sid: None,
            direction,
            identity: identity.to_string(),
            from,
            to,
            scenario: None,
            params: Vec::new(),
            phases: vec!["invited"],
            dtmf: String::new(),
            messages: Vec::new(),
            ended: None,
            media: MediaCounters::default(),
        }
    }
}

impl Call {
    /// A call on `connection` with a fresh reconnect token and nothing scheduled yet.
    pub(super) fn new(record: CallRecord, connection: u64, media_mode: MediaMode) -> Call {
        Call {
            record,
            connection: Some(connection),
            reconnect: ids::alphanumeric(48),
            media_mode,
            after_answer: AfterAnswer::Stay,
            early_media: false,
            client_offer: None,
            our_offer: None,
            leg: None,
            legs: Vec::new(),
            answered: false,
            sid_told: false,
            signalling_losses: 0,
            tasks: Vec::new(),
        }
    }

    /// The sid the SDK knows this call by.
    pub(super) fn sid_for_client(&self) -> String {
        match (&self.record.temporary_sid, self.sid_told) {
            (Some(temporary), false) => temporary.clone(),
            _ => self.record.callsid.clone(),
        }
    }

    pub(super) fn live(&self) -> bool {
        self.record.ended.is_none()
    }

    pub(super) fn is(&self, callsid: &str) -> bool {
        self.record.callsid == callsid || self.record.temporary_sid.as_deref() == Some(callsid)
    }

    pub(super) fn phase(&mut self, phase: &'static str) {
        self.record.phases.push(phase);
    }

    pub(super) fn end(&mut self, by: EndedBy, error: Option<GatewayError>) {
        if !self.live() {
            return;
        }
        self.record.ended = Some(CallEnd { by, error });
        self.phase("ended");
        self.leg = None;
        self.our_offer = None;
        self.tasks.drain(..).for_each(|task| task.abort());
    }

    pub(super) fn shut_down(&mut self) {
        self.end(EndedBy::Gateway, None);
    }

    fn snapshot(&self) -> CallRecord {
        let mut record = self.record.clone();
        let newest = self.legs.last().cloned().unwrap_or_default();
        record.media = MediaCounters {
            ice_state: newest.ice_state,
            dtls_connected: self.legs.iter().any(|l| l.dtls_connected),
            rx_packets: self.legs.iter().map(|l| l.rx_packets).sum(),
            tx_packets: self.legs.iter().map(|l| l.tx_packets).sum(),
            rx_bytes: self.legs.iter().map(|l| l.rx_bytes).sum(),
            error: newest.error,
        };
        record
    }
}

/// A step of a call's script, run by a timer.
#[derive(Debug, Clone)]
pub(super) enum Step {
    Ringing,
    Answer,
    Fail(GatewayError),
    RemoteHangup,
    CutSignalling,
    /// Stop the media peer, as if its path were lost; the SDK's ICE restart brings a new one.
    StopMedia,
    /// Hang up with 53405 unless the media has connected.
    MediaCheck,
    /// End the call unless its client came back since its `n`th signalling loss.
    HoldExpired(u32),
    /// The caller of an incoming call gives up.
    CancelIncoming,
}

pub(super) fn send_to(gateway: &Gateway, clients: &HashMap<u64, Client>, call: &Call, frame: Value) {
    match call.connection.and_then(|c| clients.get(&c)) {
        Some(client) => gateway.send(&client.link, frame),
        None => gateway.log.note(0, format!("{}: no socket for {}", call.record.callsid, frame["type"])),
    }
}

impl Gateway {
    /// Runs `step` on the call after `delay`, unless the call has ended by then.
    pub(super) fn later(&self, callsid: &str, delay: Duration, step: Step) -> AbortHandle {
        let gateway = self.me.clone();
        let callsid = callsid.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(gateway) = gateway.upgrade() {
                gateway.step(&callsid, step);
            }
        })
        .abort_handle()
    }

    pub(super) fn step(&self, callsid: &str, step: Step) {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(call) = calls.iter_mut().find(|c| c.record.callsid == callsid && c.live()) else { return };
        let t = &self.config.timings;
        match step {
            Step::Ringing => {
                let sdp = if call.early_media {
                    match self.answer_media(call) {
                        Ok(sdp) => Some(sdp),
                        Err(error) => return self.fail(clients, call, error),
                    }
                } else {
                    None
                };
                call.phase("ringing");
                call.sid_told = true;
                send_to(self, clients, call, server::ringing(callsid, sdp.as_deref()));
            }
            Step::Answer => {
                let sdp = match call.leg {
                    Some(_) => None,
                    None => match self.answer_media(call) {
                        Ok(sdp) => Some(sdp),
                        Err(error) => return self.fail(clients, call, error),
                    },
                };
                call.answered = true;
                call.phase("answered");
                call.sid_told = true;
                send_to(self, clients, call, server::answer(callsid, sdp.as_deref(), Some(&call.reconnect)));
                call.tasks.push(self.later(callsid, t.media_timeout, Step::MediaCheck));
                match call.after_answer {
                    AfterAnswer::Stay => {}
                    AfterAnswer::RemoteHangup => {
                        call.tasks.push(self.later(callsid, t.remote_hangup_after, Step::RemoteHangup))
                    }
                    AfterAnswer::DropSignallingRecovered | AfterAnswer::DropSignallingLost => {
                        call.tasks.push(self.later(callsid, t.drop_after, Step::CutSignalling))
                    }
                    AfterAnswer::LoseMedia => call.tasks.push(self.later(callsid, t.drop_after, Step::StopMedia)),
                }
            }
            Step::Fail(error) => self.fail(clients, call, error),
            Step::RemoteHangup => {
                send_to(self, clients, call, server::hangup(&call.sid_for_client(), None));
                call.end(EndedBy::Gateway, None);
            }
            Step::CutSignalling => {
                if let Some(connection) = call.connection {
                    if let Some(client) = clients.get(&connection) {
                        self.log.note(connection, format!("{callsid}: cutting the socket"));
                        client.cut();
                    }
                }
            }
            Step::StopMedia => {
                call.leg = None;
                call.phase("media_stopped");
            }
            Step::MediaCheck => {
                if !call.legs.last().is_some_and(|l| l.dtls_connected) {
                    self.fail(clients, call, GatewayError::new(53405, "Media connection failed"));
                }
            }
            Step::HoldExpired(loss) => {
                if call.connection.is_none() && call.signalling_losses == loss {
                    call.end(EndedBy::SignallingLost, None);
                }
            }
            Step::CancelIncoming => {
                if !call.answered {
                    send_to(self, clients, call, server::cancel(callsid));
                    call.end(EndedBy::Cancelled, None);
                }
            }
        }
    }

    /// The gateway ends the call with an error in its `hangup`.
    pub(super) fn fail(&self, clients: &HashMap<u64, Client>, call: &mut Call, error: GatewayError) {
        send_to(self, clients, call, server::hangup(&call.sid_for_client(), Some(&error)));
        call.end(EndedBy::Gateway, Some(error));
    }

    pub(super) fn media_events(&self, callsid: &str, call: &mut Call) -> MediaEvents {
        call.legs.push(MediaCounters::default());
        let leg = call.legs.len() - 1;
        let gateway = self.me.clone();
        let callsid = callsid.to_string();
        Arc::new(move |event| {
            if let Some(gateway) = gateway.upgrade() {
                gateway.media_event(&callsid, leg, event);
            }
        })
    }

    fn media_event(&self, callsid: &str, leg: usize, event: PeerEvent) {
        let mut state = self.lock();
        let Some(counters) =
            state.calls.iter_mut().find(|c| c.record.callsid == callsid).and_then(|c| c.legs.get_mut(leg))
        else {
            return;
        };
        match event {
            PeerEvent::Ice { state } => counters.ice_state = Some(state),
            PeerEvent::DtlsConnected => counters.dtls_connected = true,
            PeerEvent::Counters { rx_packets, tx_packets, rx_bytes } => {
                (counters.rx_packets, counters.tx_packets, counters.rx_bytes) = (rx_packets, tx_packets, rx_bytes)
            }
            PeerEvent::Error { message } => counters.error = Some(message),
        }
    }

    /// Answers the browser's offer with the scenario's media; the answer SDP goes in `ringing`
    /// (early media) or `answer`.
    fn answer_media(&self, call: &mut Call) -> Result<String, GatewayError> {
        let offer = call.client_offer.take().unwrap_or_default();
        let callsid = call.record.callsid.clone();
        let events = self.media_events(&callsid, call);
        let (sdp, leg) = media::answer(&offer, call.media_mode, events).map_err(|why| {
            self.log.note(call.connection.unwrap_or(0), format!("{callsid}: cannot answer the offer: {why}"));
            GatewayError::new(31100, "Malformed request: the offer SDP cannot be answered")
        })?;
        call.leg = Some(leg);
        Ok(sdp)
    }

    /// A socket dropped: unanswered calls on it end; answered ones wait for their reconnect
    /// `invite` as long as the SDK asked in `listen.reconnectTimeout` (the dial plan's drop
    /// numbers override it).
    pub(super) fn calls_lost_signalling(&self, state: &mut State, connection: u64, reconnect_timeout: Duration) {
        let recovery_hold = self.config.timings.recovery_hold;
        let mut holds = Vec::new();
        for call in state.calls.iter_mut().filter(|c| c.live() && c.connection == Some(connection)) {
            call.connection = None;
            call.signalling_losses += 1;
            let hold = match call.after_answer {
                _ if !call.answered => Duration::ZERO,
                AfterAnswer::DropSignallingLost => Duration::ZERO,
                AfterAnswer::DropSignallingRecovered => recovery_hold.max(reconnect_timeout),
                _ => reconnect_timeout,
            };
            if hold.is_zero() {
                call.end(EndedBy::SignallingLost, None);
            } else {
                call.phase("signalling_lost");
                holds.push((call.record.callsid.clone(), hold, call.signalling_losses));
            }
        }
        for (callsid, hold, loss) in holds {
            let task = self.later(&callsid, hold, Step::HoldExpired(loss));
            if let Some(call) = state.calls.iter_mut().find(|c| c.record.callsid == callsid) {
                call.tasks.push(task);
            }
        }
    }

    /// `reinvite`: an ICE restart. A fresh peer answers the new offer.
    pub(super) fn reinvite(&self, connection: u64, callsid: &str, sdp: &str) {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(call) = calls.iter_mut().find(|c| c.live() && c.answered && c.is(callsid)) else {
            return self.log.note(connection, format!("reinvite for {callsid}, which is not up"));
        };
        let events = self.media_events(callsid, call);
        match media::answer(sdp, call.media_mode, events) {
            Ok((answer, leg)) => {
                call.leg = Some(leg);
                call.phase("ice_restart");
                send_to(self, clients, call, server::answer(&call.record.callsid.clone(), Some(&answer), None));
            }
            Err(why) => {
                self.log.note(connection, format!("{callsid}: cannot answer the reinvite: {why}"));
                let error = GatewayError::new(31100, "Malformed request: the reinvite SDP cannot be answered");
                send_to(self, clients, call, server::error(&error, Some(callsid), None));
            }
        }
    }

    pub(super) fn dtmf(&self, connection: u64, callsid: &str, digits: &str) {
        let mut state = self.lock();
        match state.calls.iter_mut().find(|c| c.live() && c.is(callsid)) {
            Some(call) => call.record.dtmf.push_str(digits),
            None => self.log.note(connection, format!("dtmf for {callsid}, which is not up")),
        }
    }

    /// `hangup` from the SDK: the caller hung up, or gave up before the answer.
    pub(super) fn client_hangup(&self, connection: u64, callsid: &str, message: Option<String>) {
        let mut state = self.lock();
        match state.calls.iter_mut().find(|c| c.live() && c.is(callsid)) {
            Some(call) => {
                if let Some(message) = message {
                    self.log.note(connection, format!("{callsid} hung up: {message}"));
                }
                call.end(EndedBy::Client, None);
            }
            None => self.log.note(connection, format!("hangup for {callsid}, which is not up")),
        }
    }

    /// `message` (`call.sendMessage()`): kept and acknowledged; a type other than
    /// `user-defined-message` is refused with 31210.
    pub(super) fn user_message(
        &self,
        connection: u64,
        callsid: &str,
        content: Value,
        contenttype: &str,
        messagetype: &str,
        voiceeventsid: &str,
    ) {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(client) = clients.get(&connection) else { return };
        let Some(call) = calls.iter_mut().find(|c| c.live() && c.is(callsid)) else {
            let error = GatewayError::new(31000, "Call not found");
            return self.send(&client.link, server::error(&error, Some(callsid), Some(voiceeventsid)));
        };
        if messagetype != "user-defined-message" {
            let error = GatewayError::new(31210, "Call Message Event Type is invalid.");
            return self.send(&client.link, server::error(&error, Some(callsid), Some(voiceeventsid)));
        }
        call.record.messages.push(json!({"content": content, "contenttype": contenttype}));
        self.send(&client.link, server::message_ack(&call.record.callsid.clone(), voiceeventsid));
    }

    /// The gateway hangs a call up (the far end of an incoming call, or a test), optionally with
    /// an error. `false` if no such call is up.
    pub fn hang_up(&self, callsid: &str, error: Option<GatewayError>) -> bool {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(call) = calls.iter_mut().find(|c| c.live() && c.is(callsid)) else { return false };
        send_to(self, clients, call, server::hangup(&call.sid_for_client(), error.as_ref()));
        call.end(EndedBy::Gateway, error);
        true
    }

    pub fn calls(&self) -> Vec<CallRecord> {
        self.lock().calls.iter().map(Call::snapshot).collect()
    }
}
