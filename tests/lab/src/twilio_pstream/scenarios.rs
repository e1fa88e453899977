//! The dial plan: what the gateway does with an outgoing call, chosen by its `To` parameter.
//!
//! Numbers are in the fictional 555 range of +1 415; the last four digits name the outcome where
//! a Twilio code does (`…1486` busy, `…3405` media failure). Any other `To` is answered with echo.

use std::time::Duration;

use callscope_rtc_peer::MediaMode;
use serde_json::{json, Value};

use super::protocol::GatewayError;

/// How long each step of a script waits. Short, so tests are quick; the CLI can stretch them.
#[derive(Debug, Clone)]
pub struct Timings {
    /// From the invite to `ringing`.
    pub ringing_after: Duration,
    /// From `ringing` to `answer`, or to the failing `hangup`.
    pub outcome_after: Duration,
    /// From `answer` to the far end's `hangup` (the remote-hangup number).
    pub remote_hangup_after: Duration,
    /// From `answer` to the cut of the signalling socket, or to the stop of the media (the
    /// signalling-drop and media-lost numbers).
    pub drop_after: Duration,
    /// How long a call whose signalling dropped waits for its reconnect on the recovering number,
    /// whatever the SDK asked for in `listen.reconnectTimeout`.
    pub recovery_hold: Duration,
    /// An answered call whose media has not connected by then is hung up with 53405.
    pub media_timeout: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            ringing_after: Duration::from_millis(150),
            outcome_after: Duration::from_millis(600),
            remote_hangup_after: Duration::from_secs(3),
            drop_after: Duration::from_secs(3),
            recovery_hold: Duration::from_secs(15),
            media_timeout: Duration::from_secs(8),
        }
    }
}

/// What happens to an answered call later on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAnswer {
    /// Nothing: the caller hangs up.
    Stay,
    /// The far end hangs up normally (`hangup` without an error).
    RemoteHangup,
    /// The socket is cut (no close frame: the browser sees 1006) and the call waits for the
    /// reconnect `invite`, which is accepted.
    DropSignallingRecovered,
    /// The socket is cut and the call ends at once, so the reconnect `invite` is refused.
    DropSignallingLost,
    /// The media peer stops (the path is lost) and the call waits for the SDK's ICE restart
    /// (`reinvite`), which a new peer answers.
    LoseMedia,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Script {
    /// `ringing` (with the answer SDP when `early_media`), then `answer`.
    Answer { media: MediaMode, early_media: bool, then: AfterAnswer },
    /// `ringing` (if `ring`), then `hangup` with the error.
    Fail { ring: bool, error: GatewayError },
    /// `ringing`, and nothing else until the caller gives up.
    RingForever,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub to: &'static str,
    pub name: &'static str,
    pub script: Script,
    /// What the SDK (2.18, `enableImprovedSignalingErrorPrecision: true`) reports, in words.
    pub sdk_outcome: &'static str,
}

const ANSWER_ECHO: Script = Script::Answer { media: MediaMode::Echo, early_media: false, then: AfterAnswer::Stay };

pub fn all() -> Vec<Scenario> {
    let fail = |ring: bool, code: u32, message: &str| Script::Fail { ring, error: GatewayError::new(code, message) };
    let answer_then = |then: AfterAnswer| Script::Answer { media: MediaMode::Echo, early_media: false, then };
    vec![
        Scenario {
            to: "+14155550100",
            name: "answered",
            script: ANSWER_ECHO,
            sdk_outcome: "ringing(false), accept; echo: audio both ways; ends when the caller hangs up",
        },
        Scenario {
            to: "+14155550101",
            name: "answered-silence",
            script: Script::Answer { media: MediaMode::Silence, early_media: false, then: AfterAnswer::Stay },
            sdk_outcome: "accept; packets flow both ways but the far end is silent",
        },
        Scenario {
            to: "+14155550102",
            name: "answered-mute",
            script: Script::Answer { media: MediaMode::Mute, early_media: false, then: AfterAnswer::Stay },
            sdk_outcome: "accept; nothing comes back: warning low-bytes-received after the first 5 s",
        },
        Scenario {
            to: "+14155550103",
            name: "early-media",
            script: Script::Answer { media: MediaMode::Echo, early_media: true, then: AfterAnswer::Stay },
            sdk_outcome: "ringing(true) with the answer SDP, then accept",
        },
        Scenario {
            to: "+14155550110",
            name: "remote-hangup",
            script: answer_then(AfterAnswer::RemoteHangup),
            sdk_outcome: "accept, then disconnect (no error) when the far end hangs up",
        },
        Scenario {
            to: "+14155550120",
            name: "no-answer",
            script: Script::RingForever,
            sdk_outcome: "ringing until the caller gives up (cancel before answer: the SDK sends hangup)",
        },
        Scenario {
            to: "+14155550130",
            name: "signalling-drop-recovered",
            script: answer_then(AfterAnswer::DropSignallingRecovered),
            sdk_outcome: "accept; socket cut: Device error 31005, Call reconnecting(53001); reconnect invite accepted: reconnected",
        },
        Scenario {
            to: "+14155550131",
            name: "signalling-drop-lost",
            script: answer_then(AfterAnswer::DropSignallingLost),
            sdk_outcome: "accept; socket cut: Device error 31005, Call reconnecting(53001); reconnect refused: Call error 31209, disconnect",
        },
        Scenario {
            to: "+14155550140",
            name: "media-lost-recovered",
            script: answer_then(AfterAnswer::LoseMedia),
            sdk_outcome: "accept; media stops: warnings, Call reconnecting(53405); reinvite answered by a new peer: reconnected",
        },
        Scenario {
            to: "+14155551486",
            name: "busy",
            script: fail(true, 31486, "Busy Here"),
            sdk_outcome: "ringing, then Call error 31486 BusyHere, disconnect",
        },
        Scenario {
            to: "+14155551480",
            name: "unavailable",
            script: fail(true, 31480, "Temporarily Unavailable"),
            sdk_outcome: "ringing, then Call error 31480 TemporarilyUnavailable, disconnect",
        },
        Scenario {
            to: "+14155551404",
            name: "not-found",
            script: fail(false, 31404, "Not Found"),
            sdk_outcome: "Call error 31404 NotFound, disconnect (no ringing)",
        },
        Scenario {
            to: "+14155551603",
            name: "declined",
            script: fail(true, 31603, "Decline"),
            sdk_outcome: "ringing, then Call error 31603 Decline, disconnect",
        },
        Scenario {
            to: "+14155551002",
            name: "connection-declined",
            script: fail(false, 31002, "Connection declined"),
            sdk_outcome: "Call error 31002 ConnectionDeclinedError, disconnect (no ringing)",
        },
        Scenario {
            to: "+14155551005",
            name: "gateway-hangup",
            script: fail(true, 31503, "Service Unavailable"),
            sdk_outcome: "ringing, then Call error 31005 \"Error sent from gateway in HANGUP\" (31503 is unknown to the SDK; originalError keeps it), disconnect",
        },
        Scenario {
            to: "+14155553405",
            name: "media-failure",
            script: Script::Answer { media: MediaMode::Unreachable, early_media: false, then: AfterAnswer::Stay },
            sdk_outcome: "accept; ICE never connects; after media_timeout the gateway hangs up: Call error 53405, disconnect",
        },
    ]
}

/// The scenario for a `To`; anything unknown is answered with echo.
pub fn for_number(to: &str) -> Scenario {
    all().into_iter().find(|s| s.to == to).unwrap_or(Scenario {
        to: "",
        name: "answered",
        script: ANSWER_ECHO,
        sdk_outcome: "answered with echo",
    })
}

/// The dial plan as JSON, for the CLI line and the control API.
pub fn describe(timings: &Timings) -> Value {
    let numbers: Vec<Value> = all()
        .into_iter()
        .map(|s| {
            let wire = match &s.script {
                Script::Answer { early_media: true, .. } => "ringing{sdp} → answer{reconnect}".to_string(),
                Script::Answer { media: MediaMode::Unreachable, .. } => {
                    "ringing → answer{sdp, reconnect} → (no media by media_timeout) hangup{error:{code:53405}}"
                        .to_string()
                }
                Script::Answer { then, .. } => {
                    let later = match then {
                        AfterAnswer::Stay => "",
                        AfterAnswer::RemoteHangup => " → hangup",
                        AfterAnswer::DropSignallingRecovered => " → socket cut → invite{reconnect} → answer{reconnect}",
                        AfterAnswer::DropSignallingLost => " → socket cut → invite{reconnect} → hangup{error:31209}",
                        AfterAnswer::LoseMedia => " → media stops → reinvite → answer{sdp}",
                    };
                    format!("ringing → answer{{sdp, reconnect}}{later}")
                }
                Script::Fail { ring, error } => {
                    format!(
                        "{}hangup{{error:{{code:{}, message:{:?}}}}}",
                        if *ring { "ringing → " } else { "" },
                        error.code,
                        error.message
                    )
                }
                Script::RingForever => "ringing".to_string(),
            };
            json!({"to": s.to, "name": s.name, "wire": wire, "sdk": s.sdk_outcome})
        })
        .collect();
    json!({
        "numbers": numbers,
        "any_other_to": "answered, echo",
        "timings_ms": {
            "ringing_after": timings.ringing_after.as_millis() as u64,
            "outcome_after": timings.outcome_after.as_millis() as u64,
            "remote_hangup_after": timings.remote_hangup_after.as_millis() as u64,
            "drop_after": timings.drop_after.as_millis() as u64,
            "recovery_hold": timings.recovery_hold.as_millis() as u64,
            "media_timeout": timings.media_timeout.as_millis() as u64,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_and_unknown_ones_answer() {
        let all = all();
        for (i, s) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|other| other.to != s.to), "{} twice", s.to);
            assert_eq!(for_number(s.to).name, s.name);
        }
        assert_eq!(for_number("+15551234567").script, ANSWER_ECHO);
        assert_eq!(for_number("client:bob").name, "answered");
    }

    #[test]
    fn failing_numbers_end_in_the_code_their_digits_name() {
        for (to, code) in
            [("+14155551486", 31486), ("+14155551480", 31480), ("+14155551404", 31404), ("+14155551603", 31603)]
        {
            match for_number(to).script {
                Script::Fail { error, .. } => assert_eq!(error.code, code),
                other => panic!("{to}: {other:?}"),
            }
        }
    }
}
