//! The checks every diagnosis must pass, whatever the call: each claim cites evidence, each
//! piece of evidence is an event (or setting) that exists and shows what it says, words about a
//! header, early media, a realm or a registration only with that fact cited, the texts are
//! exactly the claims, and the rules' promises about outcomes and providers hold.

use callscope_calls::{CallState, EndedBy, Provider};
use callscope_journal::diagnosis::{Context, Diagnosis, Evidence, Fact, Part, Place, SipMessage, RULES};
use callscope_journal::{CallDetail, EventKind, JournalEvent};

/// Side findings never headline.
const SIDE_RULES: [&str; 4] = ["turn_refused_but_connected", "line_not_registered", "warning_header", "reason_phrase_mismatch"];

/// A kind of fact, named, and how to recognise its evidence.
type Needed = (&'static str, fn(&Evidence) -> bool);

/// Words that may only be said with a fact of this kind cited by the same claim.
fn needs(text: &str) -> Vec<Needed> {
    let mut out: Vec<Needed> = Vec::new();
    let lower = text.to_lowercase();
    if ["carried reason:", "its reason header gives", "read the reason header", "the reason header says"].iter().any(|w| lower.contains(w)) {
        out.push(("a Reason header", |e| matches!(&e.fact, Fact::Header { name, .. } if name == "reason")));
    }
    if lower.contains("warning from") || lower.contains("warning header from") {
        out.push(("a Warning header", |e| matches!(&e.fact, Fact::Header { name, .. } if name == "warning")));
    }
    if lower.contains("early media for") {
        out.push(("early media", |e| matches!(&e.fact, Fact::State { state: CallState::Early })));
    }
    if lower.contains("realm \"") {
        out.push(("a realm", |e| {
            matches!(&e.fact, Fact::Header { name, .. } if name.ends_with("authenticate"))
                || matches!(&e.fact, Fact::Setting { name, .. } if name == "realm")
                || e.place == Place::Line
        }));
    }
    if lower.contains("redirect") && lower.contains("sip:") {
        out.push(("a Contact header", |e| matches!(&e.fact, Fact::Header { name, .. } if name == "contact")));
    }
    if lower.contains("was not registered") {
        out.push(("the line's state", |e| e.place == Place::Line || matches!(e.fact, Fact::State { .. } | Fact::Warning { .. })));
    }
    if lower.contains("sent the invite again with credentials") {
        out.push(("an INVITE with credentials", |e| matches!(&e.fact, Fact::Signal { summary } if summary.starts_with("INVITE"))));
    }
    out
}

/// Everything wrong with one diagnosis of one call, one line per problem.
pub fn problems(detail: &CallDetail, context: &Context, d: &Diagnosis) -> Vec<String> {
    let mut out = Vec::new();
    for claim in &d.claims {
        if claim.evidence.is_empty() {
            out.push(format!("a claim without evidence: {:?}", claim.text));
        }
        for i in &claim.evidence {
            if *i >= d.evidence.len() {
                out.push(format!("evidence #{i} does not exist ({:?})", claim.text));
            }
        }
        let cited: Vec<&Evidence> = claim.evidence.iter().filter_map(|i| d.evidence.get(*i)).collect();
        for (what, holds) in needs(&claim.text) {
            if !cited.iter().any(|e| holds(e)) {
                out.push(format!("{:?} speaks of {what} without citing it: {:?}", claim.text, cited));
            }
        }
    }
    for (i, e) in d.evidence.iter().enumerate() {
        if let Err(problem) = exists(detail, context, e) {
            out.push(format!("evidence #{i} {e:?}: {problem}"));
        }
        if !d.claims.iter().any(|c| c.evidence.contains(&i)) {
            out.push(format!("evidence #{i} is cited by no claim"));
        }
    }
    let texts = |part: Part| d.claims.iter().filter(|c| c.part == part).map(|c| c.text.clone()).collect::<Vec<_>>();
    if texts(Part::Summary) != vec![d.summary.clone()] {
        out.push(format!("the summary {:?} is not the one summary claim", d.summary));
    }
    if texts(Part::Explanation).join(" ") != d.explanation {
        out.push("the explanation is not its claims".into());
    }
    if texts(Part::Fix) != d.fix {
        out.push("the fix is not its claims".into());
    }
    if texts(Part::Also) != d.also {
        out.push("also is not its claims".into());
    }
    if SIDE_RULES.contains(&d.rule.as_str()) {
        out.push(format!("a side finding ({}) headlines", d.rule));
    }
    if !RULES.iter().any(|(name, _)| *name == d.rule) && !["decoded", "no_code"].contains(&d.rule.as_str()) {
        out.push(format!("unknown rule {}", d.rule));
    }
    out.extend(promises(detail, d));
    out
}

/// What the rules promise for every call.
fn promises(detail: &CallDetail, d: &Diagnosis) -> Vec<String> {
    let mut out = Vec::new();
    let call = &detail.call;
    let state_at = |state: CallState| {
        detail.events.iter().find(|e| e.kind == EventKind::State && e.payload["state"] == serde_json::json!(state)).map(|e| e.t_ms)
    };
    let far_side = matches!(call.ended_by, Some(EndedBy::Remote | EndedBy::Error));
    if let (Some(answered), Some(ended)) = (state_at(CallState::Active), state_at(CallState::Ended)) {
        if far_side && ended - answered < 10_000.0 && d.outcome == callscope_journal::diagnosis::Outcome::Ok {
            out.push(format!("answered and ended by the far side after {:.0} ms, yet OK ({})", ended - answered, d.rule));
        }
    }
    // The advice must fit the account: no step for another provider's portal.
    let text = d.fix.join(" ");
    match call.provider {
        Provider::Sip | Provider::Echo => {
            for name in ["Telnyx", "Twilio"] {
                // A SIP account on Telnyx's SIP service gets Telnyx's D-codes, and Telnyx's steps.
                if text.contains(name) && d.rule != "telnyx_dcode" {
                    out.push(format!("a {} call's steps speak of {name}: {text}", call.provider.as_str()));
                }
            }
        }
        Provider::Telnyx => {
            if d.codes.iter().any(|c| c.catalog == "Twilio") {
                out.push("a Telnyx call decoded in Twilio's catalog".into());
            }
            if text.contains("Twilio") {
                out.push(format!("a Telnyx call's steps speak of Twilio: {text}"));
            }
        }
        Provider::Twilio => {
            if d.codes.iter().any(|c| c.catalog.starts_with("Telnyx")) {
                out.push("a Twilio call decoded in a Telnyx catalog".into());
            }
            if text.contains("Telnyx") {
                out.push(format!("a Twilio call's steps speak of Telnyx: {text}"));
            }
        }
    }
    out
}

/// Whether a piece of evidence is an event (or setting) that exists and shows its fact.
fn exists(detail: &CallDetail, context: &Context, e: &Evidence) -> Result<(), String> {
    let event = match e.place {
        Place::Account => {
            return match &e.fact {
                Fact::Setting { name, value } if context.setting(name) == Some(value.as_str()) => Ok(()),
                other => Err(format!("no such setting: {other:?}")),
            };
        }
        Place::Call => detail.events.iter().find(|ev| ev.seq == e.seq),
        Place::Line => context.line_events.iter().find(|ev| Some(ev.launch_id) == e.launch_id && ev.seq == e.seq),
    };
    let event = event.ok_or("no such event")?;
    if shows(event, &e.fact) {
        Ok(())
    } else {
        Err(format!("the event does not show it: {:?} {}", event.kind, event.payload))
    }
}

fn shows(event: &JournalEvent, fact: &Fact) -> bool {
    let p = &event.payload;
    let code_is = |code: &Option<String>| match code {
        None => true,
        Some(code) => p["code"].as_i64().map(|n| n.to_string()).or(p["code"].as_str().map(str::to_string)).as_deref() == Some(code.as_str()),
    };
    match fact {
        Fact::State { state } => event.kind == EventKind::State && p["state"] == serde_json::json!(state),
        Fact::Signal { summary } => event.kind == EventKind::Signal && p["summary"].as_str() == Some(summary),
        Fact::Header { name, value } => {
            event.kind == EventKind::Signal
                && p["body"].as_str().and_then(SipMessage::parse).is_some_and(|m| m.headers(name).any(|v| v == value))
        }
        Fact::Media { pc } => event.kind == EventKind::Media && p["pc"].as_str() == Some(pc),
        Fact::Stats => event.kind == EventKind::Stats,
        Fact::Error { code } => event.kind == EventKind::Error && code_is(code),
        Fact::Warning { code } => event.kind == EventKind::Warning && code_is(code),
        Fact::Action { action } => event.kind == EventKind::Action && p["action"].as_str() == Some(action),
        Fact::Setting { .. } => false,
    }
}
