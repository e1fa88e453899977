//! What a call's timeline says, read once into plain facts the rules can test: which states it
//! reached and when, how it ended, what the signalling and the media did, what the stats showed,
//! every error on the way, and the codes each layer gave. Each fact keeps the event it rests on,
//! as the evidence a rule cites.

use callscope_causes::{Catalog, ProviderTag};
use serde_json::Value;

use super::context::Context;
use super::evidence::{Cite, Fact, Place};
use super::sip::SipMessage;
use crate::calls::{CallState, Direction, EndedBy, Failure, Provider};
use crate::journal::{CallDetail, EventKind, JournalEvent, Source};

/// A fact and the event it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub seq: i64,
    pub t_ms: f64,
    pub value: T,
    pub fact: Fact,
    pub place: Place,
    pub launch_id: Option<i64>,
}

impl<T> At<T> {
    /// This fact as evidence, with what it shows in words.
    pub fn cite(&self, note: impl Into<String>) -> Cite {
        Cite { seq: self.seq, place: self.place, launch_id: self.launch_id, fact: self.fact.clone(), note: note.into() }
    }

    /// The same event, cited for another fact it holds (a header of a SIP message).
    pub fn cite_as(&self, fact: Fact, note: impl Into<String>) -> Cite {
        Cite { seq: self.seq, place: self.place, launch_id: self.launch_id, fact, note: note.into() }
    }

    /// The same event with another value (for facts derived from one another).
    pub fn with<U>(&self, value: U) -> At<U> {
        At { seq: self.seq, t_ms: self.t_ms, value, fact: self.fact.clone(), place: self.place, launch_id: self.launch_id }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CandidateError {
    pub url: String,
    pub code: i64,
    pub text: String,
}

/// How many local ICE candidates of each type this side gathered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocalCandidates {
    pub host: u64,
    pub srflx: u64,
    pub relay: u64,
}

impl LocalCandidates {
    /// Only relay candidates: a relay-only ICE policy, so every path goes through TURN.
    pub fn relay_only(&self) -> bool {
        self.relay > 0 && self.host == 0 && self.srflx == 0
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudioStats {
    /// Inbound RTP packets so far.
    pub packets_received: f64,
    pub packets_sent: f64,
    pub audio_energy: f64,
    /// Seconds since the first sample.
    pub seconds: f64,
}

/// A code some layer gave, and the catalog that layer's codes are read in.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCode {
    pub code: String,
    pub catalog: Catalog,
    /// A masked code: the code the gateway really sent (Twilio's `originalError` / gateway error).
    pub behind: Option<String>,
}

/// An error or warning event, in words, with its code read in the right catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub text: String,
    pub code: Option<LayerCode>,
}

/// Where the line stood when the call was dialled (the call's `connecting`/`ready` record).
#[derive(Debug, Clone, PartialEq)]
pub struct LineAtDial {
    pub state: String,
    pub status_code: Option<u16>,
    pub reason: Option<String>,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub provider: Option<Provider>,
    pub direction: Option<Direction>,
    pub states: Vec<At<CallState>>,
    pub ended_by: Option<EndedBy>,
    pub failure: Failure,
    /// The `ended` state event.
    pub end: Option<At<Value>>,
    /// The first signal received that carried an SDP (the far end's media description).
    pub remote_sdp: Option<At<()>>,
    pub media_connected: Option<At<()>>,
    /// The connection or ICE state reached `failed` (or `disconnected` after connecting).
    pub media_failed: Option<At<String>>,
    /// The last ICE or connection state before the end (`checking`, `new`, ...).
    pub last_media_state: Option<At<String>>,
    pub candidate_errors: Vec<At<CandidateError>>,
    /// The local candidates gathered (the last count recorded).
    pub local_candidates: Option<At<LocalCandidates>>,
    /// The selected pair's local and remote candidate types and protocol.
    pub selected_pair: Option<At<(String, String, String)>>,
    /// Every stats sample from the app's side, in order.
    pub samples: Vec<At<AudioStats>>,
    pub errors: Vec<At<Problem>>,
    pub warnings: Vec<At<Problem>>,
    /// The user pressed hang up.
    pub hangup_pressed: Option<At<()>>,
    /// Every SIP message of the call, parsed.
    pub sip: Vec<At<(bool, SipMessage)>>,
    /// Every Verto or PStream frame of the call: (received, summary, body).
    pub frames: Vec<At<(bool, String, Value)>>,
    /// The line's registration when the call was dialled.
    pub line_at_dial: Option<At<LineAtDial>>,
    /// The call's own warning that it was placed on a line that is not registered.
    pub unregistered_warning: Option<At<String>>,
    /// The account's settings and the line's history.
    pub context: Context,
}

impl Facts {
    pub fn read(detail: &CallDetail, context: &Context) -> Facts {
        let mut facts = Facts {
            provider: Some(detail.call.provider),
            direction: Some(detail.call.direction),
            ended_by: detail.call.ended_by,
            failure: detail.call.failure.clone().unwrap_or_default(),
            context: context.clone(),
            ..Default::default()
        };
        let mut first_stats: Option<f64> = None;
        for event in &detail.events {
            facts.read_event(event, &mut first_stats);
        }
        facts
    }

    fn read_event(&mut self, event: &JournalEvent, first_stats: &mut Option<f64>) {
        let p = &event.payload;
        match event.kind {
            EventKind::State => {
                if let Ok(state) = serde_json::from_value::<CallState>(p["state"].clone()) {
                    self.states.push(at(event, Fact::State { state }, state));
                    if state == CallState::Ended {
                        self.end = Some(at(event, Fact::State { state }, p.clone()));
                    }
                    if let Some(registration) = p["raw"].get("registration").filter(|r| r.is_object()) {
                        self.line_at_dial = Some(at(event, Fact::State { state }, LineAtDial {
                            state: registration["state"].as_str().unwrap_or("").to_string(),
                            status_code: registration["status_code"].as_u64().and_then(|c| u16::try_from(c).ok()),
                            reason: registration["reason"].as_str().map(str::to_string),
                        }));
                    }
                }
            }
            EventKind::Signal => self.read_signal(event),
            EventKind::Media => self.read_media(p, event),
            EventKind::Stats if event.source != Source::Backend => {
                let stats = audio_stats(p);
                let start = *first_stats.get_or_insert(event.t_ms);
                self.samples.push(at(event, Fact::Stats, AudioStats { seconds: (event.t_ms - start) / 1000.0, ..stats }));
            }
            EventKind::Action => {
                let action = p["action"].as_str().unwrap_or("").to_string();
                if action == "hangup" && self.hangup_pressed.is_none() {
                    self.hangup_pressed = Some(at(event, Fact::Action { action }, ()));
                }
            }
            EventKind::Error => {
                let problem = self.problem(p);
                let fact = Fact::Error { code: problem.code.as_ref().map(|c| c.code.clone()) };
                self.errors.push(at(event, fact, problem));
            }
            EventKind::Warning => {
                let problem = self.problem(p);
                let text = problem.text.clone();
                let fact = Fact::Warning { code: problem.code.as_ref().map(|c| c.code.clone()) };
                if text.contains("is not registered") && self.unregistered_warning.is_none() {
                    self.unregistered_warning = Some(at(event, fact.clone(), text));
                }
                self.warnings.push(at(event, fact, problem));
            }
            _ => {}
        }
    }

    fn read_signal(&mut self, event: &JournalEvent) {
        let p = &event.payload;
        let received = p["direction"] == "received";
        let summary = p["summary"].as_str().unwrap_or("").to_string();
        let fact = Fact::Signal { summary: summary.clone() };
        if received && self.remote_sdp.is_none() && carries_sdp(&p["body"]) {
            self.remote_sdp = Some(at(event, fact.clone(), ()));
        }
        match (p["protocol"].as_str(), &p["body"]) {
            (Some("sip"), Value::String(text)) => {
                if let Some(message) = SipMessage::parse(text) {
                    self.sip.push(at(event, fact, (received, message)));
                }
            }
            (Some("verto" | "pstream"), body) => self.frames.push(at(event, fact, (received, summary, body.clone()))),
            _ => {}
        }
    }

    fn read_media(&mut self, p: &Value, event: &JournalEvent) {
        let pc = p["pc"].as_str().unwrap_or("").to_string();
        let fact = Fact::Media { pc: pc.clone() };
        match pc.as_str() {
            "connection" => {
                let state = p["state"].as_str().unwrap_or("");
                match state {
                    "connected" if self.media_connected.is_none() => self.media_connected = Some(at(event, fact.clone(), ())),
                    "failed" if self.media_failed.is_none() => self.media_failed = Some(at(event, fact.clone(), "failed".into())),
                    _ => {}
                }
                self.last_media_state = Some(at(event, fact, state.to_string()));
            }
            "ice_connection" => {
                let state = p["ice_connection_state"].as_str().unwrap_or("");
                if self.media_failed.is_none() && (state == "failed" || (state == "disconnected" && self.media_connected.is_some())) {
                    self.media_failed = Some(at(event, fact.clone(), format!("ICE {state}")));
                }
                if self.media_connected.is_none() {
                    self.last_media_state = Some(at(event, fact, state.to_string()));
                }
            }
            "ice_candidate_error" => self.candidate_errors.push(at(event, fact, CandidateError {
                url: p["url"].as_str().unwrap_or("").to_string(),
                code: p["errorCode"].as_i64().unwrap_or(0),
                text: p["errorText"].as_str().unwrap_or("").to_string(),
            })),
            "ice_candidates" => {
                let count = |kind: &str| p[kind].as_u64().unwrap_or(0);
                self.local_candidates =
                    Some(at(event, fact, LocalCandidates { host: count("host"), srflx: count("srflx"), relay: count("relay") }));
            }
            "selected_candidate_pair" => {
                let kind = |side: &str| p[side]["candidateType"].as_str().unwrap_or("?").to_string();
                let protocol = p["local"]["protocol"].as_str().unwrap_or("?").to_string();
                self.selected_pair = Some(at(event, fact, (kind("local"), kind("remote"), protocol)));
            }
            _ => {}
        }
    }

    /// An error or warning payload, its code read in the catalog of the layer that produced it:
    /// the Telnyx SDK's codes are not Twilio's (31005 is LOW_LOCAL_AUDIO in one, a gateway
    /// error in the other).
    fn problem(&self, p: &Value) -> Problem {
        let catalog = match p["source"].as_str() {
            Some(s) if s.starts_with("telnyx.") => Some(Catalog::TelnyxSdk),
            Some(s) if s.starts_with("twilio.") => Some(Catalog::Twilio),
            _ => match self.provider {
                Some(Provider::Telnyx) => Some(Catalog::TelnyxSdk),
                Some(Provider::Twilio) => Some(Catalog::Twilio),
                _ => None,
            },
        };
        let code = numeric_code(&p["code"]).and_then(|code| {
            let catalog = catalog?;
            let behind = [&p["gateway_error"]["code"], &p["original_error"]["code"]]
                .into_iter()
                .find_map(numeric_code)
                .filter(|b| *b != code);
            Some(LayerCode { code, catalog, behind })
        });
        Problem { text: text_of(p), code }
    }

    // ---- questions the rules ask ----

    pub fn reached(&self, state: CallState) -> Option<&At<CallState>> {
        self.states.iter().find(|s| s.value == state)
    }

    pub fn answered(&self) -> bool {
        self.reached(CallState::Active).is_some()
    }

    pub fn rang(&self) -> bool {
        self.reached(CallState::Ringing).is_some() || self.reached(CallState::Early).is_some()
    }

    /// Milliseconds from dialling to the end.
    pub fn duration_ms(&self) -> Option<f64> {
        let start = self.reached(CallState::Dialing).map_or(0.0, |s| s.t_ms);
        self.end.as_ref().map(|end| end.t_ms - start)
    }

    /// Milliseconds from the answer to the end.
    pub fn talk_ms(&self) -> Option<f64> {
        Some(self.end.as_ref()?.t_ms - self.reached(CallState::Active)?.t_ms)
    }

    /// The last stats sample.
    pub fn stats(&self) -> Option<&At<AudioStats>> {
        self.samples.last()
    }

    /// The provider as the catalogs tag their steps.
    pub fn provider_tag(&self) -> Option<ProviderTag> {
        match self.provider? {
            Provider::Telnyx => Some(ProviderTag::Telnyx),
            Provider::Twilio => Some(ProviderTag::Twilio),
            Provider::Sip => Some(ProviderTag::Sip),
            Provider::Echo => None,
        }
    }

    /// The end's provider code (`failure.provider_code`), read in the provider's catalog.
    pub fn end_code(&self) -> Option<LayerCode> {
        let code = self.failure.provider_code.clone()?;
        let catalog = match self.provider? {
            Provider::Telnyx => Catalog::TelnyxCause,
            Provider::Twilio => Catalog::Twilio,
            _ => return None,
        };
        Some(LayerCode { code, catalog, behind: None })
    }

    /// Every code that errors and warnings carried, with the event.
    pub fn problem_codes(&self) -> impl Iterator<Item = (&At<Problem>, &LayerCode)> {
        self.errors.iter().chain(&self.warnings).filter_map(|p| p.value.code.as_ref().map(|c| (p, c)))
    }

    /// The SIP responses received to our INVITEs, in order.
    pub fn invite_responses(&self) -> impl Iterator<Item = &At<(bool, SipMessage)>> {
        self.sip.iter().filter(|m| m.value.0 && m.value.1.status.is_some() && m.value.1.cseq_method().as_deref() == Some("INVITE"))
    }

    /// The CSeq numbers of re-INVITEs (INVITEs inside a dialog: hold, resume, session refresh),
    /// sent or received.
    pub fn reinvite_cseqs(&self) -> Vec<u64> {
        self.sip
            .iter()
            .filter(|m| m.value.1.method.as_deref() == Some("INVITE") && m.value.1.in_dialog())
            .filter_map(|m| m.value.1.cseq_number())
            .collect()
    }

    /// The final response (≥ 200) the call's first INVITE got last (its retry with credentials
    /// included), received; responses to re-INVITEs are not it.
    pub fn final_response(&self) -> Option<&At<(bool, SipMessage)>> {
        let reinvites = self.reinvite_cseqs();
        self.invite_responses()
            .filter(|m| m.value.1.status.is_some_and(|s| s >= 200))
            .filter(|m| m.value.1.cseq_number().is_none_or(|n| !reinvites.contains(&n)))
            .last()
    }

    /// The BYE that ended the call, and whether it was received (the far end sent it).
    pub fn bye(&self) -> Option<&At<(bool, SipMessage)>> {
        self.sip.iter().rev().find(|m| m.value.1.method.as_deref() == Some("BYE"))
    }

    /// The call's end time, or the last event's.
    pub fn end_ms(&self) -> f64 {
        self.end.as_ref().map_or(0.0, |e| e.t_ms)
    }

    /// A setting of the account, if the context has it.
    pub fn setting(&self, name: &str) -> Option<Cite> {
        let value = self.context.setting(name)?;
        Some(Cite {
            seq: 0,
            place: Place::Account,
            launch_id: None,
            fact: Fact::Setting { name: name.to_string(), value: value.to_string() },
            note: format!("the account's {name} is \"{value}\""),
        })
    }
}

/// A fact at the time and sequence of `event`.
fn at<T>(event: &JournalEvent, fact: Fact, value: T) -> At<T> {
    At { seq: event.seq, t_ms: event.t_ms, value, fact, place: Place::Call, launch_id: None }
}

/// A line (app-level) event as a fact.
pub fn line_at<T>(event: &JournalEvent, fact: Fact, value: T) -> At<T> {
    At { seq: event.seq, t_ms: event.t_ms, value, fact, place: Place::Line, launch_id: Some(event.launch_id) }
}

/// Does a signalling body carry an SDP (SIP text, Echo `{sdp}`, Verto `params.sdp`, PStream `payload.sdp`)?
pub fn carries_sdp(body: &Value) -> bool {
    match body {
        Value::String(text) => text.contains("\nv=0") || text.starts_with("v=0"),
        Value::Object(map) => map.iter().any(|(key, value)| {
            (key == "sdp" && value.as_str().is_some_and(|s| s.contains("v=0"))) || carries_sdp(value)
        }),
        Value::Array(items) => items.iter().any(carries_sdp),
        _ => false,
    }
}

fn audio_stats(p: &Value) -> AudioStats {
    let num = |v: &Value| v.as_f64().unwrap_or(0.0);
    AudioStats {
        packets_received: num(&p["inbound_rtp"]["packetsReceived"]),
        packets_sent: num(&p["outbound_rtp"]["packetsSent"]),
        audio_energy: num(&p["inbound_rtp"]["totalAudioEnergy"]),
        seconds: 0.0,
    }
}

pub fn text_of(p: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["message", "name", "code", "error"] {
        match &p[key] {
            Value::String(s) => parts.push(s.clone()),
            Value::Number(n) => parts.push(n.to_string()),
            _ => {}
        }
    }
    if parts.is_empty() {
        p.to_string()
    } else {
        parts.join(" ")
    }
}

/// A numeric code (`31002`, `"48501"`), as text.
fn numeric_code(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-') => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sdp_is_found_in_every_protocols_shape() {
        assert!(carries_sdp(&json!("SIP/2.0 200 OK\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=-")));
        assert!(carries_sdp(&json!({"signal": "answer", "sdp": "v=0\r\n"})));
        assert!(carries_sdp(&json!({"params": {"sdp": "v=0\r\no=x"}})));
        assert!(!carries_sdp(&json!({"signal": "trying"})));
        assert!(!carries_sdp(&json!("SIP/2.0 180 Ringing\r\n\r\n")));
    }
}
