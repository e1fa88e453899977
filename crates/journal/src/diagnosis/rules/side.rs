//! Conditions beside the end: true of the call, worth knowing, but not what ended it. They are
//! listed under "also" and never headline a diagnosis.

use super::codes::phrase_of_another_code;
use super::{Finding, Rank};
use crate::diagnosis::evidence::{Fact, Said};
use crate::diagnosis::facts::Facts;
use crate::diagnosis::registration::{history, Outcome as Registered};
use crate::diagnosis::sip::Warning;
use crate::diagnosis::{Confidence, Outcome};

/// A TURN server refused this side (wrong credentials, forbidden peer, unreachable) but media
/// connected another way: the call worked here, and would fail where only the relay gets through.
pub fn turn_refused_but_connected(facts: &Facts) -> Option<Finding> {
    let connected = facts.media_connected.as_ref()?;
    let error = facts.candidate_errors.iter().find(|e| e.value.url.starts_with("turn"))?;
    let what = match error.value.code {
        401 | 438 => "refused the TURN credentials",
        403 => "denied relaying to the far end",
        701 => "could not be reached",
        _ => "answered with an error",
    };
    let cites = vec![
        error.cite(format!("{} answered {}", error.value.url, error.value.code)),
        connected.cite("media connected"),
    ];
    Some(
        Finding::new(
            "turn_refused_but_connected",
            Rank::Side,
            Outcome::Degraded,
            Confidence::High,
            Said::new(format!("The TURN server {what}; media connected without it"), cites.clone()),
        )
        .says(
            format!(
                "{} answered {} {}, so this side had no relay. Media still connected over another path, but on a network \
                 that only lets media through the relay (a strict firewall or NAT) the call would have no audio.",
                error.value.url, error.value.code, error.value.text
            ),
            cites.clone(),
        )
        .step("Fix the TURN server entry (URL, username, password) in the account's ICE servers.", cites),
    )
}

/// The call was placed on a line that was not registered: say when it last failed, and why.
pub fn line_not_registered(facts: &Facts) -> Option<Finding> {
    let at_dial = facts
        .line_at_dial
        .as_ref()
        .filter(|l| l.value.state != "registered")
        .map(|l| l.cite(format!("the line was {} when the call was dialled", l.value.state)))
        .or_else(|| facts.unregistered_warning.as_ref().map(|w| w.cite(w.value.clone())))?;
    let mut cites = vec![at_dial];
    let registrations = history(&facts.context.line_events);
    let last_failure = registrations.iter().rev().find(|r| r.value.outcome != Registered::Registered);
    let why = match last_failure {
        Some(failure) => {
            cites.push(failure.cite(failure.value.summary.clone()));
            format!(": {}", failure.value.summary)
        }
        None => String::new(),
    };
    Some(
        Finding::new(
            "line_not_registered",
            Rank::Side,
            Outcome::Degraded,
            Confidence::High,
            Said::new(format!("The line was not registered when the call was placed{why}"), cites.clone()),
        )
        .says(
            "Calls can still leave an unregistered line, but incoming calls cannot reach it, and a PBX that only trusts \
             registered users refuses or misroutes its calls.",
            cites.clone(),
        )
        .step("Run `callscope lines` to see the line's registration history, each failure decoded.", cites),
    )
}

/// A `Warning` header on a response the call received.
pub fn warning_header(facts: &Facts) -> Option<Finding> {
    let (message, value, warning) = facts.sip.iter().filter(|m| m.value.0).find_map(|m| {
        m.value.1.headers("warning").find_map(|v| Warning::parse(v).map(|w| (m, v.to_string(), w)))
    })?;
    let cite = message.cite_as(Fact::Header { name: "warning".into(), value: value.clone() }, format!("Warning: {value}"));
    Some(
        Finding::new(
            "warning_header",
            Rank::Side,
            Outcome::Degraded,
            Confidence::High,
            Said::new(format!("{} warned: {} \"{}\" ({})", warning.agent, warning.code, warning.text, warning.meaning()), [cite.clone()]),
        )
        .says(format!("The {} carried a Warning header from {}.", message.value.1.first_line, warning.agent), [cite]),
    )
}

/// A response whose reason phrase belongs to another status code.
pub fn reason_phrase_mismatch(facts: &Facts) -> Option<Finding> {
    let (message, owner, phrase) = facts
        .sip
        .iter()
        .filter(|m| m.value.0)
        .find_map(|m| phrase_of_another_code(&m.value.1).map(|(owner, phrase)| (m, owner, phrase)))?;
    let status = message.value.1.status?;
    let cite = message.cite(format!("← {}", message.value.1.first_line));
    Some(
        Finding::new(
            "reason_phrase_mismatch",
            Rank::Side,
            Outcome::Degraded,
            Confidence::Medium,
            Said::new(format!("The {status} came with the reason phrase of {owner} (\"{phrase}\")"), [cite.clone()]),
        )
        .says(
            format!("SIP acts on the code ({status}); the phrase \"{phrase}\" is free text that the far end's software chose."),
            [cite],
        ),
    )
}
