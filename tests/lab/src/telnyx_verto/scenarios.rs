//! The dial plan: what the emulated Telnyx network does when the client calls each number, stated
//! once. The session runs the steps, the CLI prints the table, and the tests hold the frames (and,
//! through the real SDK, the states) against it.
//!
//! Numbers are `+1 555 010 NNNN`: 00NN answered, 01NN a Q.850 cause (the last two digits), 02NN a
//! Telnyx D-code (the last two digits), 0804 the media timeout, 09NN signalling trouble. Any other
//! number is answered with an echo, as a real carrier would connect any valid number.

use std::time::Duration;

use callscope_rtc_peer::MediaMode;
use serde::Serialize;
use serde_json::{json, Value};

/// The fields of a server `telnyx_rtc.bye` (§2.8, §5): the SDK copies them into `call.cause`,
/// `causeCode`, `sipCode` and `sipReason`; absent ones come out as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hangup {
    pub cause: &'static str,
    #[serde(rename = "causeCode")]
    pub cause_code: u16,
    #[serde(rename = "sipCode")]
    pub sip_code: Option<u16>,
    #[serde(rename = "sipReason")]
    pub sip_reason: Option<&'static str>,
}

impl Hangup {
    const fn sip(cause: &'static str, cause_code: u16, sip_code: u16, sip_reason: &'static str) -> Hangup {
        Hangup { cause, cause_code, sip_code: Some(sip_code), sip_reason: Some(sip_reason) }
    }

    /// A cause with no SIP response behind it (stock mod_verto sends only cause and causeCode).
    const fn bare(cause: &'static str, cause_code: u16) -> Hangup {
        Hangup { cause, cause_code, sip_code: None, sip_reason: None }
    }
}

pub const NORMAL_CLEARING: Hangup = Hangup::sip("NORMAL_CLEARING", 16, 200, "OK");
pub const USER_BUSY: Hangup = Hangup::sip("USER_BUSY", 17, 486, "Busy Here");
pub const UNALLOCATED_NUMBER: Hangup = Hangup::sip("UNALLOCATED_NUMBER", 1, 404, "Not Found");
pub const NO_ANSWER: Hangup = Hangup::sip("NO_ANSWER", 19, 480, "Temporarily Unavailable");
pub const NO_OUTBOUND_PROFILE: Hangup =
    Hangup::sip("CALL_REJECTED", 21, 403, "Connection has no Outbound Profile assigned D38");
pub const INVALID_CALLER_ID: Hangup = Hangup::sip("CALL_REJECTED", 21, 403, "Caller Origination Number is Invalid D35");
pub const COUNTRY_NOT_ENABLED: Hangup =
    Hangup::sip("CALL_REJECTED", 21, 403, "Dialed number is not included in whitelisted countries D13");
pub const CLEARED_BEFORE_ROUTING: Hangup = Hangup::bare("NORMAL_CLEARING", 16);
pub const MEDIA_TIMEOUT: Hangup = Hangup::bare("MEDIA_TIMEOUT", 804);
/// An inbound caller who gives up before the client answers.
pub const ORIGINATOR_CANCEL: Hangup = Hangup::sip("ORIGINATOR_CANCEL", 487, 487, "Request Terminated");

/// One thing the network does to an outbound call, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Wait(Duration),
    /// `telnyx_rtc.ringing` (the SDK plays ringback; its state stays `trying`).
    Ringing,
    /// `telnyx_rtc.media` with the media peer's answer SDP: early media, state `early`.
    EarlyMedia,
    /// `telnyx_rtc.answer` (with the SDP if no early media came first): state `active`.
    Answer,
    /// A server `telnyx_rtc.bye` with these fields.
    Hangup(Hangup),
    /// The media peer stops: no packets either way from now on.
    StopMedia,
    /// The signalling socket is cut (TCP closed without a WebSocket close frame, as a network
    /// failure looks). With `keep_calls` the calls wait for the client to reconnect and are
    /// re-attached; without, the server has forgotten them.
    DropSignalling {
        keep_calls: bool,
    },
}

/// A dial-plan entry and what the unmodified SDK reports for it (checked in Chromium).
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub number: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub media: MediaMode,
    pub steps: &'static [Step],
    /// `call.state` values the SDK goes through, from `newCall()` up to the end of the scenario.
    pub sdk_states: &'static [&'static str],
    /// The SDK's cause fields at `hangup` when the network ends the call; `None` when the call
    /// lasts until the client hangs up.
    pub sdk_hangup: Option<Hangup>,
    /// `telnyx.error` codes the SDK raises on the way.
    pub sdk_errors: &'static [u32],
}

const fn ms(n: u64) -> Step {
    Step::Wait(Duration::from_millis(n))
}

const ANSWERED_STATES: &[&str] = &["new", "requesting", "trying", "early", "active"];
const REJECTED_STATES: &[&str] = &["new", "requesting", "trying", "hangup", "destroy"];
const ENDED_AFTER_ANSWER: &[&str] = &["new", "requesting", "trying", "early", "active", "hangup", "destroy"];

/// trying → ringing → early media → answer, with short gaps so each state can be seen, then
/// the steps given.
macro_rules! connected {
    ($($then:expr),*) => {
        &[ms(100), Step::Ringing, ms(200), Step::EarlyMedia, ms(800), Step::Answer $(, $then)*]
    };
}

/// A call the network ends before answer, after `steps`.
const fn ended_early(
    number: &'static str,
    name: &'static str,
    summary: &'static str,
    steps: &'static [Step],
    hangup: Hangup,
) -> Scenario {
    Scenario {
        number,
        name,
        summary,
        media: MediaMode::Echo,
        steps,
        sdk_states: REJECTED_STATES,
        sdk_hangup: Some(hangup),
        sdk_errors: &[],
    }
}

pub const ANSWERED: Scenario = Scenario {
    number: "+15550100001",
    name: "answered",
    summary: "rings, early media, answered; the far end echoes your audio until you hang up",
    media: MediaMode::Echo,
    steps: connected!(),
    sdk_states: ANSWERED_STATES,
    sdk_hangup: None,
    sdk_errors: &[],
};

pub const SCENARIOS: &[Scenario] = &[
    ANSWERED,
    Scenario {
        number: "+15550100002",
        name: "answered_silent",
        summary: "answered; the far end sends silent audio packets (packets flow, nothing is heard)",
        media: MediaMode::Silence,
        ..ANSWERED
    },
    Scenario {
        number: "+15550100005",
        name: "answered_one_way",
        summary: "answered; the far end receives your audio and sends nothing back (one-way audio)",
        media: MediaMode::Mute,
        ..ANSWERED
    },
    Scenario {
        number: "+15550100003",
        name: "remote_hangup",
        summary: "answered with echo; the far end hangs up 3 s later (NORMAL_CLEARING/16, 200 OK)",
        steps: connected!(ms(3000), Step::Hangup(NORMAL_CLEARING)),
        sdk_states: ENDED_AFTER_ANSWER,
        sdk_hangup: Some(NORMAL_CLEARING),
        ..ANSWERED
    },
    Scenario {
        number: "+15550100004",
        name: "rings_until_cancelled",
        summary: "rings for 60 s (hang up before that to cancel); then NO_ANSWER/19, 480",
        steps: &[ms(100), Step::Ringing, ms(60_000), Step::Hangup(NO_ANSWER)],
        sdk_states: &["new", "requesting", "trying"],
        sdk_hangup: None,
        ..ANSWERED
    },
    // Rejections come before any routing, so without ringing; Telnyx's policy refusals take
    // a moment longer (the seed's reports: "ends 2-3 s after dialling").
    ended_early(
        "+15550100117",
        "busy",
        "busy: USER_BUSY/17, 486 Busy Here, without ringing",
        &[ms(300), Step::Hangup(USER_BUSY)],
        USER_BUSY,
    ),
    ended_early(
        "+15550100101",
        "unallocated",
        "number not assigned: UNALLOCATED_NUMBER/1, 404 Not Found",
        &[ms(300), Step::Hangup(UNALLOCATED_NUMBER)],
        UNALLOCATED_NUMBER,
    ),
    ended_early(
        "+15550100119",
        "no_answer",
        "rings 5 s, nobody answers: NO_ANSWER/19, 480 Temporarily Unavailable",
        &[ms(100), Step::Ringing, ms(5000), Step::Hangup(NO_ANSWER)],
        NO_ANSWER,
    ),
    ended_early(
        "+15550100116",
        "cleared_before_routing",
        "NORMAL_CLEARING/16 0.2 s after trying: no ringing, no SDP, no SIP code (the seed's calls that end immediately)",
        &[ms(200), Step::Hangup(CLEARED_BEFORE_ROUTING)],
        CLEARED_BEFORE_ROUTING,
    ),
    ended_early(
        "+15550100238",
        "no_outbound_profile",
        "Telnyx policy: CALL_REJECTED/21, 403 ...D38 (the connection has no outbound voice profile)",
        &[ms(1000), Step::Hangup(NO_OUTBOUND_PROFILE)],
        NO_OUTBOUND_PROFILE,
    ),
    ended_early(
        "+15550100235",
        "invalid_caller_id",
        "Telnyx policy: CALL_REJECTED/21, 403 ...D35 (caller ID not valid for this account)",
        &[ms(1000), Step::Hangup(INVALID_CALLER_ID)],
        INVALID_CALLER_ID,
    ),
    ended_early(
        "+15550100213",
        "country_not_enabled",
        "Telnyx policy: CALL_REJECTED/21, 403 ...D13 (destination country not enabled)",
        &[ms(1000), Step::Hangup(COUNTRY_NOT_ENABLED)],
        COUNTRY_NOT_ENABLED,
    ),
    Scenario {
        number: "+15550100804",
        name: "media_timeout",
        summary: "answered with echo; media stops 2 s after answer, MEDIA_TIMEOUT/804 (no SIP code) 3 s later",
        steps: connected!(ms(2000), Step::StopMedia, ms(3000), Step::Hangup(MEDIA_TIMEOUT)),
        sdk_states: ENDED_AFTER_ANSWER,
        sdk_hangup: Some(MEDIA_TIMEOUT),
        ..ANSWERED
    },
    Scenario {
        number: "+15550100901",
        name: "signalling_drop_reattached",
        summary: "answered with echo; the signalling socket drops 2 s after answer; on reconnect the call is re-attached (new offer, echo)",
        steps: connected!(ms(2000), Step::DropSignalling { keep_calls: true }),
        // The SDK replaces the call on attach: the old object goes to recovering, the new one
        // (same id) too, then active on the result of its own attach.
        sdk_states: &["new", "requesting", "trying", "early", "active", "recovering", "recovering", "active"],
        sdk_hangup: None,
        ..ANSWERED
    },
    Scenario {
        number: "+15550100902",
        name: "signalling_drop_lost",
        summary: "answered with echo; the signalling socket drops 2 s after answer and the server forgets the call: on reconnect nothing is re-attached",
        steps: connected!(ms(2000), Step::DropSignalling { keep_calls: false }),
        sdk_states: ENDED_AFTER_ANSWER,
        sdk_hangup: Some(Hangup::bare("NORMAL_CLEARING", 16)),
        sdk_errors: &[48501],
        ..ANSWERED
    },
];

/// The scenario for a dialled number; unknown numbers are answered with an echo.
pub fn for_number(dialled: &str) -> &'static Scenario {
    let digits = |n: &str| n.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = digits(dialled);
    SCENARIOS.iter().find(|s| digits(s.number) == wanted).unwrap_or(&ANSWERED)
}

pub fn media_name(mode: MediaMode) -> &'static str {
    match mode {
        MediaMode::Echo => "echo",
        MediaMode::Silence => "silence",
        MediaMode::Mute => "mute",
        MediaMode::Unreachable => "unreachable",
    }
}

/// The dial plan as JSON, for the CLI line and the control API.
pub fn describe() -> Value {
    Value::Array(
        SCENARIOS
            .iter()
            .map(|s| {
                json!({
                    "number": s.number,
                    "name": s.name,
                    "summary": s.summary,
                    "media": media_name(s.media),
                    "expected": {
                        "states": s.sdk_states,
                        "hangup": s.sdk_hangup,
                        "errors": s.sdk_errors,
                    },
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_and_found_however_they_are_written() {
        for (i, s) in SCENARIOS.iter().enumerate() {
            assert!(s.number.starts_with("+1555010") && s.number.len() == 12, "{}", s.number);
            assert!(SCENARIOS[..i].iter().all(|o| o.number != s.number && o.name != s.name), "{}", s.name);
            assert_eq!(for_number(s.number).name, s.name);
        }
        assert_eq!(for_number("1 (555) 010-0117").name, "busy");
        assert_eq!(for_number("+15559990000").name, "answered");
    }

    #[test]
    fn every_scripted_hangup_is_what_the_sdk_is_expected_to_report() {
        for s in SCENARIOS {
            let scripted = s.steps.iter().find_map(|step| match step {
                Step::Hangup(h) => Some(*h),
                _ => None,
            });
            let lost = s.steps.contains(&Step::DropSignalling { keep_calls: false });
            let cancellable = s.name == "rings_until_cancelled";
            if !lost && !cancellable {
                assert_eq!(scripted, s.sdk_hangup, "{}", s.name);
            }
        }
    }
}
