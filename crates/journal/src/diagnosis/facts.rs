//! What a call's timeline says, read once into plain facts the rules can test: which states it
//! reached and when, how it ended, what the signalling and the media did, what the stats showed,
//! and every error on the way. Each fact keeps the journal `seq` it rests on (the evidence).

use serde_json::Value;

use crate::calls::{CallState, EndedBy, Failure};
use crate::journal::{CallDetail, EventKind, JournalEvent, Source};

/// A fact and the event it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub seq: i64,
    pub t_ms: f64,
    pub value: T,
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
    /// Inbound RTP packets at the last sample.
    pub packets_received: f64,
    pub packets_sent: f64,
    pub audio_energy: f64,
    /// Seconds the samples span while the call was up.
    pub seconds: f64,
}

#[derive(Debug, Default)]
pub struct Facts {
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
    pub candidate_errors: Vec<At<CandidateError>>,
    /// The local candidates gathered (the last count recorded).
    pub local_candidates: Option<At<LocalCandidates>>,
    /// The selected pair's local and remote candidate types and protocol.
    pub selected_pair: Option<At<(String, String, String)>>,
    pub stats: Option<At<AudioStats>>,
    /// Errors and warnings recorded during the call (their text).
    pub errors: Vec<At<String>>,
    pub warnings: Vec<At<String>>,
    /// The user pressed hang up.
    pub hangup_pressed: Option<At<()>>,
    /// Provider error codes seen anywhere (Twilio 31xxx, Telnyx SDK codes), as text.
    pub provider_codes: Vec<At<String>>,
}

impl Facts {
    pub fn read(detail: &CallDetail) -> Facts {
        let mut facts = Facts {
            ended_by: detail.call.ended_by,
            failure: detail.call.failure.clone().unwrap_or_default(),
            ..Default::default()
        };
        if let Some(code) = &facts.failure.provider_code {
            facts.provider_codes.push(At { seq: 0, t_ms: 0.0, value: code.clone() });
        }
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
                    self.states.push(at(event, state));
                    if state == CallState::Ended {
                        self.end = Some(at(event, p.clone()));
                    }
                }
            }
            EventKind::Signal if p["direction"] == "received" && self.remote_sdp.is_none() && carries_sdp(&p["body"]) => {
                self.remote_sdp = Some(at(event, ()));
            }
            EventKind::Media => self.read_media(p, event),
            EventKind::Stats if event.source != Source::Backend => {
                let stats = audio_stats(p);
                let start = *first_stats.get_or_insert(event.t_ms);
                self.stats = Some(at(event, AudioStats { seconds: (event.t_ms - start) / 1000.0, ..stats }));
            }
            EventKind::Action if p["action"] == "hangup" && self.hangup_pressed.is_none() => {
                self.hangup_pressed = Some(at(event, ()));
            }
            EventKind::Error => {
                self.errors.push(at(event, text_of(p)));
                if let Some(code) = provider_code(p) {
                    self.provider_codes.push(at(event, code));
                }
            }
            EventKind::Warning => {
                self.warnings.push(at(event, text_of(p)));
                if let Some(code) = provider_code(p) {
                    self.provider_codes.push(at(event, code));
                }
            }
            _ => {}
        }
    }

    fn read_media(&mut self, p: &Value, event: &JournalEvent) {
        match p["pc"].as_str() {
            Some("connection") => match p["state"].as_str() {
                Some("connected") if self.media_connected.is_none() => self.media_connected = Some(at(event, ())),
                Some("failed") if self.media_failed.is_none() => self.media_failed = Some(at(event, "failed".into())),
                _ => {}
            },
            Some("ice_connection") => {
                let state = p["ice_connection_state"].as_str().unwrap_or("");
                if self.media_failed.is_none() && (state == "failed" || (state == "disconnected" && self.media_connected.is_some())) {
                    self.media_failed = Some(at(event, format!("ICE {state}")));
                }
            }
            Some("ice_candidate_error") => self.candidate_errors.push(at(event, CandidateError {
                url: p["url"].as_str().unwrap_or("").to_string(),
                code: p["errorCode"].as_i64().unwrap_or(0),
                text: p["errorText"].as_str().unwrap_or("").to_string(),
            })),
            Some("ice_candidates") => {
                let count = |kind: &str| p[kind].as_u64().unwrap_or(0);
                self.local_candidates =
                    Some(at(event, LocalCandidates { host: count("host"), srflx: count("srflx"), relay: count("relay") }));
            }
            Some("selected_candidate_pair") => {
                let kind = |side: &str| p[side]["candidateType"].as_str().unwrap_or("?").to_string();
                let protocol = p["local"]["protocol"].as_str().unwrap_or("?").to_string();
                self.selected_pair = Some(at(event, (kind("local"), kind("remote"), protocol)));
            }
            _ => {}
        }
    }

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

    /// Every code the call ended with, for the catalogs: SIP status, Q.850, provider code, D-code.
    pub fn all_text(&self) -> String {
        let mut parts: Vec<String> = self.provider_codes.iter().map(|c| c.value.clone()).collect();
        parts.extend(self.errors.iter().map(|e| e.value.clone()));
        if let Some(reason) = &self.failure.sip_reason {
            parts.push(reason.clone());
        }
        if let Some(message) = &self.failure.message {
            parts.push(message.clone());
        }
        parts.join(" ")
    }
}

/// A fact at the time and sequence of `event`.
fn at<T>(event: &JournalEvent, value: T) -> At<T> {
    At { seq: event.seq, t_ms: event.t_ms, value }
}

/// Does a signalling body carry an SDP (SIP text, Echo `{sdp}`, Verto `params.sdp`, PStream `payload.sdp`)?
fn carries_sdp(body: &Value) -> bool {
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

fn text_of(p: &Value) -> String {
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

/// A provider's numeric or named code in an error payload (Twilio `code: 31002`, Telnyx SDK codes).
fn provider_code(p: &Value) -> Option<String> {
    match &p["code"] {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if s.chars().all(|c| c.is_ascii_digit() || c == '-') && !s.is_empty() => Some(s.clone()),
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
