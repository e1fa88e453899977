//! The normalised call model every provider maps onto:
//! `idle → connecting → ready → dialing → trying → ringing|early → active ⇄ held → ended`.
//!
//! The journal keeps the raw provider event beside each normalised state, so nothing a provider
//! said is lost by the mapping.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    Idle,
    Connecting,
    Ready,
    Dialing,
    Trying,
    Ringing,
    Early,
    Active,
    Held,
    Ended,
}

impl CallState {
    pub const ALL: [CallState; 10] = [
        CallState::Idle,
        CallState::Connecting,
        CallState::Ready,
        CallState::Dialing,
        CallState::Trying,
        CallState::Ringing,
        CallState::Early,
        CallState::Active,
        CallState::Held,
        CallState::Ended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Idle => "idle",
            CallState::Connecting => "connecting",
            CallState::Ready => "ready",
            CallState::Dialing => "dialing",
            CallState::Trying => "trying",
            CallState::Ringing => "ringing",
            CallState::Early => "early",
            CallState::Active => "active",
            CallState::Held => "held",
            CallState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<CallState> {
        CallState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    /// Whether the model expects `self → next`. Unexpected transitions are still recorded (the
    /// provider said so), with a warning beside them.
    pub fn allows(self, next: CallState) -> bool {
        use CallState::*;
        if next == Ended {
            return self != Ended;
        }
        matches!(
            (self, next),
            (Idle, Connecting | Dialing | Ringing)
                | (Connecting, Ready | Active | Held)
                | (Ready, Dialing | Ringing)
                | (Dialing, Trying | Ringing | Early | Active)
                | (Trying, Ringing | Early | Active)
                | (Ringing, Early | Active)
                | (Early, Ringing | Active)
                | (Active, Held | Connecting)
                | (Held, Active | Connecting)
        )
    }
}

/// Who ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// This app hung up (the user pressed Hang up, or Escape).
    Local,
    /// The far end or the network hung up or refused the call.
    Remote,
    /// The call ended because something failed (media never connected, socket closed, ...).
    Error,
    /// Callscope stopped while the call was open (found on the next start).
    Interrupted,
}

impl EndedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::Local => "local",
            EndedBy::Remote => "remote",
            EndedBy::Error => "error",
            EndedBy::Interrupted => "interrupted",
        }
    }
}

/// Which line a call went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// The built-in Echo line: an in-process WebRTC peer, no account needed.
    Echo,
    Sip,
    Telnyx,
    Twilio,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Echo => "echo",
            Provider::Sip => "sip",
            Provider::Telnyx => "telnyx",
            Provider::Twilio => "twilio",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        [Provider::Echo, Provider::Sip, Provider::Telnyx, Provider::Twilio].into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outbound,
    Inbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }
}

/// How a call ended: who ended it and every code the far end or the provider gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EndInfo {
    pub by: EndedBy,
    #[serde(default)]
    pub failure: Failure,
}

/// What a failed (or ended) call said about why: every code kept as the provider gave it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Failure {
    /// The provider's own code or cause name (Telnyx cause, Twilio error code, ...).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_code: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_status: Option<u16>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_reason: Option<String>,
    /// Q.850 cause value, from a `Reason:` header or a provider field (a provider's cause code,
    /// which may extend Q.850: Telnyx's MEDIA_TIMEOUT is 804).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q850_cause: Option<u16>,
    /// A human message from the provider or the app (e.g. "media never connected").
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Failure {
    /// One line for lists: "486 Busy Here · Q.850 17".
    pub fn one_line(&self) -> Option<String> {
        let mut parts = Vec::new();
        match (self.sip_status, &self.sip_reason) {
            (Some(status), Some(reason)) => parts.push(format!("{status} {reason}")),
            (Some(status), None) => parts.push(status.to_string()),
            (None, Some(reason)) => parts.push(reason.clone()),
            (None, None) => {}
        }
        if let Some(cause) = self.q850_cause {
            parts.push(format!("Q.850 {cause}"));
        }
        if let Some(code) = &self.provider_code {
            parts.push(code.clone());
        }
        if let Some(message) = &self.message {
            parts.push(message.clone());
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// Milliseconds from dialling to each milestone, derived from the call's journaled events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Timings {
    /// Dialling to the first answer from the network (trying).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_trying_ms: Option<f64>,
    /// Post-dial delay: dialling to ringing or early media (INVITE → 18x).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_ring_ms: Option<f64>,
    /// Dialling to answer (active).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_answer_ms: Option<f64>,
    /// Dialling to the media path connecting.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_media_ms: Option<f64>,
    /// Answer to end.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub talk_ms: Option<f64>,
    /// Dialling (or the first event) to end.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<f64>,
}

impl Timings {
    /// Build from `(t_ms, milestone)` pairs in journal order. The first occurrence of each wins.
    pub fn from_milestones(events: impl IntoIterator<Item = (f64, Milestone)>) -> Timings {
        let mut dial_at = None;
        let mut t = Timings::default();
        let mut answered_at = None;
        for (at, milestone) in events {
            let since_dial = |at: f64| Some(at - dial_at.unwrap_or(0.0));
            match milestone {
                Milestone::State(CallState::Dialing) if dial_at.is_none() => dial_at = Some(at),
                Milestone::State(CallState::Trying) if t.to_trying_ms.is_none() => t.to_trying_ms = since_dial(at),
                Milestone::State(CallState::Ringing | CallState::Early) if t.to_ring_ms.is_none() => {
                    t.to_ring_ms = since_dial(at)
                }
                Milestone::State(CallState::Active) if t.to_answer_ms.is_none() => {
                    t.to_answer_ms = since_dial(at);
                    answered_at = Some(at);
                }
                Milestone::State(CallState::Ended) if t.total_ms.is_none() => {
                    t.total_ms = since_dial(at);
                    t.talk_ms = answered_at.map(|answered| at - answered);
                }
                Milestone::MediaConnected if t.to_media_ms.is_none() => t.to_media_ms = since_dial(at),
                _ => {}
            }
        }
        t
    }
}

/// The moments the timings are measured between.
pub enum Milestone {
    State(CallState),
    MediaConnected,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_names_round_trip() {
        for state in CallState::ALL {
            assert_eq!(CallState::parse(state.as_str()), Some(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert_eq!(CallState::parse("answered"), None);
    }

    #[test]
    fn transitions_follow_the_model() {
        use CallState::*;
        assert!(Dialing.allows(Trying));
        assert!(Trying.allows(Active));
        assert!(Active.allows(Held) && Held.allows(Active));
        assert!(Ringing.allows(Ended));
        assert!(!Ended.allows(Ended));
        assert!(!Active.allows(Ringing));
        // A signalling reconnect mid-call: active → connecting (recovering) → active.
        assert!(Active.allows(Connecting) && Connecting.allows(Active));
        assert!(Held.allows(Connecting) && Connecting.allows(Held));
        assert!(!Dialing.allows(Held));
    }

    #[test]
    fn timings_measure_from_dialling() {
        use CallState::*;
        let t = Timings::from_milestones([
            (5.0, Milestone::State(Dialing)),
            (25.0, Milestone::State(Trying)),
            (105.0, Milestone::State(Ringing)),
            (1005.0, Milestone::State(Active)),
            (1030.0, Milestone::MediaConnected),
            (3005.0, Milestone::State(Ended)),
        ]);
        assert_eq!(t.to_trying_ms, Some(20.0));
        assert_eq!(t.to_ring_ms, Some(100.0));
        assert_eq!(t.to_answer_ms, Some(1000.0));
        assert_eq!(t.to_media_ms, Some(1025.0));
        assert_eq!(t.talk_ms, Some(2000.0));
        assert_eq!(t.total_ms, Some(3000.0));
    }

    #[test]
    fn unanswered_call_has_no_talk_time() {
        use CallState::*;
        let t = Timings::from_milestones([(0.0, Milestone::State(Dialing)), (700.0, Milestone::State(Ended))]);
        assert_eq!(t.talk_ms, None);
        assert_eq!(t.to_answer_ms, None);
        assert_eq!(t.total_ms, Some(700.0));
    }

    #[test]
    fn failure_one_line_names_every_code() {
        let f = Failure {
            sip_status: Some(503),
            sip_reason: Some("Service Unavailable".into()),
            q850_cause: Some(34),
            ..Default::default()
        };
        assert_eq!(f.one_line().unwrap(), "503 Service Unavailable · Q.850 34");
        assert_eq!(Failure::default().one_line(), None);
    }
}
