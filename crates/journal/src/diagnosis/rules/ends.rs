//! How a call ended when no code explains it: refused before routing, answered and cut within
//! seconds, a cause that is only an SDK's fill-in, a hang-up by this side, a normal end.

use serde_json::Value;

use super::{duration, end_cite, ended_by_far_side, Finding, Rank};
use crate::calls::{CallState, EndedBy, Provider};
use crate::diagnosis::codes::decode_all;
use crate::diagnosis::evidence::{Cite, Fact, Said};
use crate::diagnosis::facts::{At, Facts};
use crate::diagnosis::{Confidence, Outcome};

/// An answered call that the far end or the network ends sooner than this is suspicious,
/// whatever its code says.
pub const SHORT_CALL_MS: f64 = 10_000.0;

/// The account check to run, named once.
pub const ACCOUNT_CHECK: &str = "Run `callscope accounts test NAME` to check the account's configuration.";

/// The seed's "calls end immediately": a "normal" end right after trying, no ringing, no SDP.
pub fn rejected_before_routing(facts: &Facts) -> Option<Finding> {
    if !ended_by_far_side(facts) || facts.rang() || facts.answered() || facts.remote_sdp.is_some() {
        return None;
    }
    let quick = facts.duration_ms().is_some_and(|ms| ms < 5000.0);
    let failure = &facts.failure;
    let generic = failure.q850_cause == Some(16)
        || failure.provider_code.as_deref().is_some_and(|c| c.contains("NORMAL_CLEARING"))
        || (failure.sip_status.is_none() && failure.q850_cause.is_none() && failure.provider_code.is_none());
    let trying = facts.reached(CallState::Trying)?;
    if !quick || !generic {
        return None;
    }
    let cites: Vec<Cite> = [trying.cite("trying: the provider took the call")].into_iter().chain(end_cite(facts)).collect();
    let mut finding = Finding::new(
        "rejected_before_routing",
        Rank::End(82),
        Outcome::Failed,
        if failure.q850_cause == Some(16) || failure.provider_code.is_some() { Confidence::High } else { Confidence::Medium },
        Said::new("Rejected before routing: ended right after trying, never rang", cites.clone()),
    )
    .says(
        format!(
            "The provider accepted the call (trying), then ended it {} after dialling without ringing and without ever \
             sending the far end's media description. Its code is a generic one, but nothing was answered: the call was \
             refused before it was routed to the destination.",
            facts.duration_ms().map(duration).unwrap_or_default()
        ),
        cites.clone(),
    );
    let steps: &[&str] = match facts.provider {
        Some(Provider::Telnyx) => &[
            "Check the number you call from is assigned to the connection the app uses (Telnyx: Numbers → the number → Connection).",
            "Check the connection has an outbound voice profile that allows the destination (Telnyx: Voice → Outbound Voice Profiles).",
            "Check the destination number format (E.164, e.g. +14155550100) and the caller ID.",
        ],
        Some(Provider::Twilio) => &[
            "Check the TwiML app's Voice URL answers with TwiML that dials the number (Console → Voice → TwiML Apps).",
            "Check the destination number format (E.164, e.g. +14155550100) and the caller ID.",
        ],
        _ => &[
            "Check the destination format the PBX expects (an extension, a national number, E.164).",
            "Look the call up in the PBX's logs by its Call-ID: the PBX knows why it refused it.",
        ],
    };
    for step in steps {
        finding = finding.step(*step, cites.clone());
    }
    Some(finding.step(ACCOUNT_CHECK, cites))
}

/// Answered, and ended by the far end or the network within seconds: the complaint this
/// product was born from ("calls end within 1–2 seconds"). A normal BYE is how carriers, IVRs,
/// voicemail, failed re-INVITEs, session timers and media timeouts all look.
pub fn short_call(facts: &Facts) -> Option<Finding> {
    if !ended_by_far_side(facts) {
        return None;
    }
    let answered = facts.reached(CallState::Active)?;
    let end = facts.end.as_ref()?;
    let talk = end.t_ms - answered.t_ms;
    if talk >= SHORT_CALL_MS {
        return None;
    }
    let mut cites = vec![answered.cite("answered")];
    cites.extend(end_cite(facts));
    let by_far_end = facts.ended_by == Some(EndedBy::Remote);
    let summary = if by_far_end {
        format!("The far end hung up {} after answering", duration(talk))
    } else {
        format!("The call was cut off {} after it was answered", duration(talk))
    };
    let flowed = audio_both_ways(facts);
    let mut finding = Finding::new(
        "short_call",
        Rank::End(78),
        if flowed { Outcome::Degraded } else { Outcome::Failed },
        Confidence::Medium,
        Said::new(summary, cites.clone()),
    )
    .says(
        format!(
            "An answered call that ends within {} is suspicious whatever its code says: carriers, IVRs and voicemail \
             systems, a failed re-INVITE, a session timer and a media timeout all end calls this way, with a normal BYE.",
            duration(SHORT_CALL_MS)
        ),
        cites.clone(),
    );
    finding = with_hang_up_message(finding, facts);
    finding = with_media_before_end(finding, facts);
    if let Some(early) = facts.reached(CallState::Early) {
        let lasted = answered.t_ms - early.t_ms;
        let cite = early.cite("early media before the answer");
        finding = finding
            .says(format!("The far end played early media for {} before answering.", duration(lasted.max(0.0))), [cite.clone()])
            .step("Listen to the early media (call again): an announcement before the answer often says what the far end is.", [cite]);
    }
    if let Some((failed, status)) = failed_reinvite(facts) {
        finding = finding.says(
            format!(
                "A re-INVITE (hold, resume or a session refresh) failed with {status} {} before the end: a failed re-INVITE \
                 often ends the call.",
                duration((end.t_ms - failed.t_ms).max(0.0))
            ),
            [failed.cite(format!("← {}", failed.value.1.first_line))],
        );
    }
    finding = finding.step(
        "Call the same number from another phone: if that call also ends after a moment, the far end (an IVR, voicemail or \
         the carrier) ends it; if not, compare the two calls' signalling.",
        cites.clone(),
    );
    if let Some(bye) = facts.bye().filter(|b| b.value.0) {
        finding = finding.step(
            "Look at who sent the BYE and what it carried (the ladder shows it): a Reason or Warning header, or its User-Agent, \
             names the system that hung up.",
            [bye.cite(format!("→ {}", bye.value.1.first_line))],
        );
    } else if let Some(frame) = hang_up_frame(facts) {
        finding = finding.step(
            "Look at the provider's hang-up message in the ladder, and the provider's record of the call, for who hung up.",
            [frame.cite(format!("← {}", frame.value.1))],
        );
    }
    Some(finding.step(ACCOUNT_CHECK, cites))
}

/// Whether audio went both ways (packets in and out, and sound in).
fn audio_both_ways(facts: &Facts) -> bool {
    facts.media_connected.is_some()
        && facts.stats().is_some_and(|s| s.value.packets_received > 0.0 && s.value.packets_sent > 0.0 && s.value.audio_energy > 0.0)
}

/// What the message that ended the call said: the SIP BYE's sender and Reason, Telnyx's BYE
/// cause, Twilio's hangup error. Absent headers are said to be absent only on a message that
/// is there.
fn with_hang_up_message(mut finding: Finding, facts: &Facts) -> Finding {
    if let Some(bye) = facts.bye().filter(|b| b.value.0) {
        let message = &bye.value.1;
        let bye_cite = bye.cite(format!("← {}", message.first_line));
        if let Some(agent) = message.agent() {
            let name = if message.header("user-agent").is_some() { "user-agent" } else { "server" };
            finding = finding.says(
                format!("The BYE came from {agent}."),
                [bye.cite_as(Fact::Header { name: name.into(), value: agent.into() }, format!("BYE from {agent}"))],
            );
        }
        finding = match message.header("reason") {
            Some(reason) => finding.says(
                format!("It carried Reason: {reason}."),
                [bye.cite_as(Fact::Header { name: "reason".into(), value: reason.into() }, format!("Reason: {reason}"))],
            ),
            None => finding.says("It carried no Reason header: the far end gave no cause.", [bye_cite]),
        };
        return finding;
    }
    if let Some(frame) = hang_up_frame(facts) {
        let (_, summary, body) = &frame.value;
        let cite = frame.cite(format!("← {summary}"));
        if summary == "telnyx_rtc.bye" {
            let params = &body["params"];
            finding = match params.get("cause").and_then(Value::as_str) {
                Some(cause) => finding.says(
                    format!(
                        "Telnyx's BYE gave {cause}/{}{}.",
                        params["causeCode"],
                        params["sipCode"].as_u64().map(|c| format!(" with SIP {c} {}", params["sipReason"].as_str().unwrap_or(""))).unwrap_or_default()
                    ),
                    [cite],
                ),
                None => finding.says("Telnyx's BYE carried no cause: the cause on the call is the SDK's own fill-in.", [cite]),
            };
        } else {
            finding = match body["payload"]["error"]["code"].as_i64() {
                Some(code) => finding.says(format!("Twilio's hangup carried error {code}."), [cite]),
                None => finding.says("Twilio's hangup carried no error: the far end or Twilio ended the call without a cause.", [cite]),
            };
        }
    }
    finding
}

/// The provider's hang-up frame (Telnyx `telnyx_rtc.bye`, Twilio `hangup`), received.
fn hang_up_frame(facts: &Facts) -> Option<&At<(bool, String, Value)>> {
    facts.frames.iter().rev().find(|f| f.value.0 && (f.value.1 == "telnyx_rtc.bye" || f.value.1.starts_with("hangup")))
}

/// What the media did before the end: never connected, no audio in, or audio both ways.
fn with_media_before_end(finding: Finding, facts: &Facts) -> Finding {
    let stats = facts.stats();
    if facts.media_connected.is_none() {
        let cite = facts.last_media_state.as_ref().map(|s| s.cite(format!("media state {}", s.value))).or_else(|| stats.map(|s| s.cite("stats")));
        return match cite {
            Some(cite) => finding.says("The media path never connected before the end.", [cite]),
            None => finding,
        };
    }
    match stats {
        Some(s) if s.value.packets_received == 0.0 => finding.says(
            format!("No audio packet arrived before the end ({:.0} sent, 0 received).", s.value.packets_sent),
            [s.cite("0 packets received")],
        ),
        Some(s) => finding.says(
            format!("Audio flowed ({:.0} packets received, {:.0} sent).", s.value.packets_received, s.value.packets_sent),
            [s.cite(format!("{:.0} packets received", s.value.packets_received))],
        ),
        None => finding,
    }
}

/// A re-INVITE that got a failure response, and its status.
fn failed_reinvite(facts: &Facts) -> Option<(&At<(bool, crate::diagnosis::sip::SipMessage)>, u16)> {
    let reinvites = facts.reinvite_cseqs();
    facts
        .invite_responses()
        .filter(|m| m.value.1.cseq_number().is_some_and(|n| reinvites.contains(&n)))
        .find_map(|m| m.value.1.status.filter(|s| *s >= 300).map(|s| (m, s)))
}

/// The provider's own end came without a cause: Telnyx's BYE without one (the SDK fills in
/// USER_BUSY before answer, NORMAL_CLEARING after), Twilio's hangup without an error.
pub fn fill_in_cause(facts: &Facts) -> Option<Finding> {
    if facts.ended_by != Some(EndedBy::Remote) || facts.answered() {
        return None;
    }
    let frame = hang_up_frame(facts)?;
    let (_, summary, body) = &frame.value;
    let (what, filled) = if summary == "telnyx_rtc.bye" {
        if body["params"].get("cause").is_some() {
            return None;
        }
        ("Telnyx ended the call without a cause", facts.failure.provider_code.clone())
    } else if body["payload"]["error"].is_null() && summary == "hangup" {
        ("Twilio hung up the call without an error code", None)
    } else {
        return None;
    };
    let cites: Vec<Cite> = [frame.cite(format!("← {summary}, no cause"))].into_iter().chain(end_cite(facts)).collect();
    let mut finding = Finding::new(
        "fill_in_cause",
        Rank::End(72),
        Outcome::Failed,
        Confidence::Low,
        Said::new(
            match &filled {
                Some(code) => format!("{what} (the {code} on the call is the SDK's fill-in)"),
                None => what.to_string(),
            },
            cites.clone(),
        ),
    );
    if let Some(code) = filled {
        finding = finding.says(
            format!("The provider's hang-up gave no cause, so the SDK filled in {code}: it says nothing about the far end."),
            cites.clone(),
        );
    }
    if let Some(rang) = facts.reached(CallState::Ringing).or(facts.reached(CallState::Early)) {
        finding = finding.says(
            "The call rang first, so a no-answer timer or a rejection that carried no cause is the most likely end.",
            [rang.cite("the call rang")],
        );
    }
    Some(
        finding
            .step("Look the call up in the provider's call logs by its ids: the provider's record holds the hang-up cause.", cites.clone())
            .step(ACCOUNT_CHECK, cites),
    )
}

pub fn local_hangup(facts: &Facts) -> Option<Finding> {
    if facts.ended_by != Some(EndedBy::Local) {
        return None;
    }
    let code = facts.failure.provider_code.clone().unwrap_or_default();
    let telnyx_fill_in = facts.provider == Some(Provider::Telnyx)
        && (code.contains("USER_BUSY") || code.contains("NORMAL_CLEARING") || matches!(facts.failure.q850_cause, Some(16 | 17)));
    let mut cites: Vec<Cite> = facts.hangup_pressed.iter().map(|h| h.cite("hang up pressed")).collect();
    cites.extend(end_cite(facts));
    let (summary, said) = if facts.answered() {
        (format!("You hung up after {}", facts.talk_ms().map(duration).unwrap_or_default()), "The call was answered and this side ended it.")
    } else if facts.rang() {
        ("You hung up while it rang".to_string(), "The far end was ringing; this side cancelled before anyone answered.")
    } else {
        ("You hung up before it rang".to_string(), "This side ended the call before the far end rang.")
    };
    let mut finding =
        Finding::new("local_hangup", Rank::End(75), Outcome::Ok, Confidence::High, Said::new(summary, cites.clone())).says(said, cites.clone());
    if telnyx_fill_in {
        finding = finding.says(
            format!(
                "The Telnyx SDK reports every local hang-up as {} — that code is its own fill-in, not a report from the network{}.",
                if facts.answered() { "NORMAL_CLEARING/16" } else { "USER_BUSY/17" },
                if facts.answered() { "" } else { ": nobody was busy" }
            ),
            end_cite(facts),
        );
    }
    Some(finding)
}

pub fn normal_end(facts: &Facts) -> Option<Finding> {
    if facts.ended_by != Some(EndedBy::Remote) || !facts.answered() {
        return None;
    }
    let talk = facts.talk_ms()?;
    let clean = facts.failure.sip_status.is_none_or(|s| s < 300) && facts.failure.q850_cause.is_none_or(|c| c == 16);
    if !clean || talk < SHORT_CALL_MS {
        return None;
    }
    let cites: Vec<Cite> = facts.reached(CallState::Active).map(|a| a.cite("answered")).into_iter().chain(end_cite(facts)).collect();
    Some(
        Finding::new(
            "normal_end",
            Rank::End(20),
            Outcome::Ok,
            Confidence::Medium,
            Said::new(format!("The far end hung up after {}", duration(talk)), cites.clone()),
        )
        .says("The call was answered and the far end ended it normally.", cites),
    )
}

/// No rule read more: what the codes alone say, or that there was none.
pub fn fallback(facts: &Facts) -> Finding {
    let cites = end_cite(facts);
    if let Some(code) = decode_all(facts).into_iter().next() {
        let failed = facts.ended_by != Some(EndedBy::Local);
        return Finding::new(
            "decoded",
            Rank::End(30),
            if failed { Outcome::Failed } else { Outcome::Ok },
            Confidence::Low,
            Said::new(format!("{} {}: {}", code.catalog, code.code, code.name), cites.clone()),
        )
        .says(code.meaning.clone(), cites.clone())
        .step("The timeline and the ladder show what happened step by step; the codes list decodes each code the call carried.", cites);
    }
    let by = facts.ended_by.map(|b| b.as_str()).unwrap_or("?");
    let failed = facts.ended_by == Some(EndedBy::Error);
    let mut finding = Finding::new(
        "no_code",
        Rank::End(10),
        if failed { Outcome::Failed } else { Outcome::Ok },
        Confidence::Low,
        Said::new(
            format!("Ended by {by}{}", facts.failure.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()),
            cites.clone(),
        ),
    )
    .says("The call ended without a code that explains it.", cites.clone());
    if failed {
        finding = finding.step("Read the timeline and the ladder for the last thing that happened before the end.", cites);
    }
    finding
}
