//! The Echo line's numbers and what each one does.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::oneshot;
use ts_rs::TS;

use callscope_rtc_peer::{self as peer, MediaMode, RunEnd};
use super::{EchoSignal, FarEnd, FarEndMedia, Sink};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EchoScenario {
    Echo,
    RingNoAnswer,
    Silence,
    Reject,
    Busy,
    IceFail,
    NotFound,
}

/// A number on the Echo line, as the dialer lists it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EchoNumber {
    pub number: &'static str,
    pub name: &'static str,
    pub scenario: EchoScenario,
    pub description: &'static str,
}

pub const ECHO_NUMBERS: &[EchoNumber] = &[
    EchoNumber {
        number: "100",
        name: "echo",
        scenario: EchoScenario::Echo,
        description: "Answers at once and sends your audio back.",
    },
    EchoNumber {
        number: "101",
        name: "ring",
        scenario: EchoScenario::RingNoAnswer,
        description: "Rings and is never answered; gives up with 480 (Q.850 19, no answer).",
    },
    EchoNumber {
        number: "102",
        name: "silence",
        scenario: EchoScenario::Silence,
        description: "Answers, but sends only silence back: packets arrive, no sound.",
    },
    EchoNumber {
        number: "103",
        name: "reject",
        scenario: EchoScenario::Reject,
        description: "Rejected before answer: 603 Decline (Q.850 21, call rejected).",
    },
    EchoNumber {
        number: "104",
        name: "busy",
        scenario: EchoScenario::Busy,
        description: "Busy: 486 Busy Here (Q.850 17, user busy).",
    },
    EchoNumber {
        number: "105",
        name: "icefail",
        scenario: EchoScenario::IceFail,
        description: "Answers, but its media address never replies: ICE fails.",
    },
];

/// Which scenario a dialled number plays. Numbers that are not on the line get 404.
pub fn scenario_for(destination: &str) -> EchoScenario {
    let wanted = destination.trim().trim_start_matches("sip:").split('@').next().unwrap_or("").to_ascii_lowercase();
    ECHO_NUMBERS
        .iter()
        .find(|n| n.number == wanted || n.name == wanted)
        .map_or(EchoScenario::NotFound, |n| n.scenario)
}

/// How long a scripted refusal takes: long enough to see "trying" first, as on a real network.
const REFUSAL_DELAY: Duration = Duration::from_millis(150);
const RING_DELAY: Duration = Duration::from_millis(200);

pub(super) async fn play(
    scenario: EchoScenario,
    offer: &str,
    ring_timeout: Duration,
    sink: &Sink,
    mut hangup: oneshot::Receiver<()>,
) {
    let signal = |s: EchoSignal| sink(FarEnd::Signal(s));
    signal(EchoSignal::Trying);

    let refusal = match scenario {
        EchoScenario::Reject => Some((603, "Decline", 21)),
        EchoScenario::Busy => Some((486, "Busy Here", 17)),
        EchoScenario::NotFound => Some((404, "Not Found", 1)),
        _ => None,
    };
    if let Some((status, reason, q850_cause)) = refusal {
        tokio::select! {
            _ = tokio::time::sleep(REFUSAL_DELAY) => {
                signal(EchoSignal::Reject { status, reason: reason.into(), q850_cause });
            }
            _ = &mut hangup => cancelled(&signal),
        }
        return;
    }

    if scenario == EchoScenario::RingNoAnswer {
        tokio::select! {
            _ = async {
                tokio::time::sleep(RING_DELAY).await;
                signal(EchoSignal::Ringing);
                tokio::time::sleep(ring_timeout).await;
            } => signal(EchoSignal::Reject { status: 480, reason: "Temporarily Unavailable".into(), q850_cause: 19 }),
            _ = &mut hangup => cancelled(&signal),
        }
        return;
    }

    let mode = match scenario {
        EchoScenario::Silence => MediaMode::Silence,
        EchoScenario::IceFail => MediaMode::Unreachable,
        _ => MediaMode::Echo,
    };
    let session = match peer::answer(offer, mode) {
        Ok(session) => session,
        Err(message) => {
            sink(FarEnd::Media(FarEndMedia::Error { message: message.clone() }));
            signal(EchoSignal::Reject { status: 488, reason: "Not Acceptable Here".into(), q850_cause: 88 });
            return;
        }
    };
    signal(EchoSignal::Answer { sdp: session.answer_sdp.clone() });
    let media_sink = Arc::clone(sink);
    match session.run(move |event| media_sink(FarEnd::Media(event)), hangup).await {
        RunEnd::Stopped => signal(EchoSignal::HangupConfirmed { status: 200, reason: "OK".into() }),
        RunEnd::PathLost(reason) => signal(EchoSignal::Bye { reason }),
    }
}

fn cancelled(signal: &impl Fn(EchoSignal)) {
    signal(EchoSignal::HangupConfirmed { status: 487, reason: "Request Terminated".into() });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_both_dial() {
        assert_eq!(scenario_for("100"), EchoScenario::Echo);
        assert_eq!(scenario_for("echo"), EchoScenario::Echo);
        assert_eq!(scenario_for(" Ring "), EchoScenario::RingNoAnswer);
        assert_eq!(scenario_for("sip:104@echo.callscope"), EchoScenario::Busy);
        assert_eq!(scenario_for("+15551234567"), EchoScenario::NotFound);
    }

    #[test]
    fn every_number_is_unique_and_described() {
        for (i, a) in ECHO_NUMBERS.iter().enumerate() {
            assert!(!a.description.is_empty());
            for b in &ECHO_NUMBERS[i + 1..] {
                assert!(a.number != b.number && a.name != b.name && a.scenario != b.scenario);
            }
        }
    }
}
