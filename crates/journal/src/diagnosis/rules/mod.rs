//! The diagnosis rules. Each reads the facts of a whole call and, when it applies, says what
//! happened: a finding with a rank, and every sentence citing the facts it rests on.
//!
//! Two ranks. **End** findings explain how the call ended (a code read with the timeline, a
//! media failure, a short call, a hang-up): the heaviest one is the diagnosis. **Side** findings
//! are conditions that did not end the call (a TURN server that refused while media connected
//! another way, a `Warning` header, a line that was not registered): they are listed under
//! "also", never as the headline. Weights order the end rules from the most specific
//! explanation to the most generic: a denied microphone or a Telnyx D-code explains a failure
//! better than the SIP status it came with, and a local hang-up explains the codes the SDK fills
//! in for it.

mod app;
mod codes;
mod ends;
mod media;
mod side;

use callscope_causes::{Catalog, Entry, Situation};

use super::evidence::{Cite, Fact, Said};
use super::facts::Facts;
use super::{Confidence, Outcome};
use crate::calls::EndedBy;

/// How a finding competes for the headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    /// It explains how the call ended; the heaviest is the diagnosis.
    End(u8),
    /// A condition beside the end: listed under "also", never the headline.
    Side,
}

pub struct Finding {
    pub rule: &'static str,
    pub rank: Rank,
    pub outcome: Outcome,
    pub confidence: Confidence,
    pub summary: Said,
    pub explanation: Vec<Said>,
    pub fix: Vec<Said>,
}

impl Finding {
    pub fn new(rule: &'static str, rank: Rank, outcome: Outcome, confidence: Confidence, summary: Said) -> Finding {
        Finding { rule, rank, outcome, confidence, summary, explanation: Vec::new(), fix: Vec::new() }
    }

    pub fn says(mut self, text: impl Into<String>, cites: impl IntoIterator<Item = Cite>) -> Finding {
        self.explanation.push(Said::new(text, cites));
        self
    }

    pub fn step(mut self, text: impl Into<String>, cites: impl IntoIterator<Item = Cite>) -> Finding {
        self.fix.push(Said::new(text, cites));
        self
    }

    pub fn weight(&self) -> u8 {
        match self.rank {
            Rank::End(weight) => weight,
            Rank::Side => 0,
        }
    }
}

type Rule = fn(&Facts) -> Option<Finding>;

/// Every rule, end rules first in the order of their weight.
pub const RULES: &[(&str, Rule)] = &[
    ("interrupted", app::interrupted),
    ("microphone", app::microphone),
    ("telnyx_dcode", codes::telnyx_dcode),
    ("token", app::token),
    ("signalling_lost", app::signalling_lost),
    ("account_limit", app::account_limit),
    ("auth_challenge", codes::auth_challenge),
    ("media_timeout", media::media_timeout),
    ("one_way_audio", media::one_way_audio),
    ("media_never_connected", media::media_never_connected),
    ("media_lost", media::media_lost),
    ("redirected", codes::redirected),
    ("rejected_before_routing", ends::rejected_before_routing),
    ("twilio_31002", codes::twilio_declined),
    ("twilio_masked", codes::twilio_masked),
    ("short_call", ends::short_call),
    ("local_hangup", ends::local_hangup),
    ("fill_in_cause", ends::fill_in_cause),
    ("sip_final_response", codes::sip_final_response),
    ("provider_code", codes::provider_code),
    ("q850", codes::q850_only),
    ("normal_end", ends::normal_end),
    ("turn_refused_but_connected", side::turn_refused_but_connected),
    ("line_not_registered", side::line_not_registered),
    ("warning_header", side::warning_header),
    ("reason_phrase_mismatch", side::reason_phrase_mismatch),
];

/// Every finding that applies; there is always at least one end finding (what the codes
/// alone say, when no rule reads more).
pub fn run(facts: &Facts) -> Vec<Finding> {
    let mut found: Vec<Finding> = RULES.iter().filter_map(|(_, rule)| rule(facts)).collect();
    if !found.iter().any(|f| matches!(f.rank, Rank::End(_))) {
        found.push(ends::fallback(facts));
    }
    found
}

// ---- what many rules cite ---------------------------------------------------------------

/// The call's end record, as evidence.
pub fn end_cite(facts: &Facts) -> Vec<Cite> {
    facts.end.iter().map(|end| end.cite(end_note(facts))).collect()
}

fn end_note(facts: &Facts) -> String {
    let by = facts.ended_by.map(|b| b.as_str()).unwrap_or("?");
    match facts.failure.one_line() {
        Some(codes) => format!("the call ended (by {by}): {codes}"),
        None => format!("the call ended (by {by})"),
    }
}

/// Whether the far end or the network ended the call (not this side).
pub fn ended_by_far_side(facts: &Facts) -> bool {
    matches!(facts.ended_by, Some(EndedBy::Remote | EndedBy::Error))
}

/// A finding read from a catalog entry: its meaning, the cause most likely when a call ends on
/// it (for this provider), and its fixes for this provider, all resting on `cites` (the events
/// that carried the code).
pub fn from_entry(
    rule: &'static str,
    weight: u8,
    catalog: Catalog,
    entry: &Entry,
    summary: String,
    cites: Vec<Cite>,
    facts: &Facts,
) -> Finding {
    let provider = facts.provider_tag();
    let mut finding = Finding::new(rule, Rank::End(weight), Outcome::Failed, Confidence::High, Said::new(summary, cites.clone()))
        .says(format!("{} {} ({}): {}", catalog.label(), entry.code, entry.name, entry.meaning), cites.clone());
    if let Some(cause) = entry.usual_cause(Situation::Final, provider) {
        finding = finding.says(format!("Likely cause: {cause}"), cites.clone());
    }
    for fix in entry.fixes_for(provider) {
        if let Some(extra) = evidence_a_text_names(fix, facts) {
            finding = finding.step(fix, cites.iter().cloned().chain(extra));
        }
    }
    finding
}

/// A catalog text that points at a header ("read the Reason header") holds only when the call
/// has that header: `None` when it is absent, else the header's evidence to cite with it.
fn evidence_a_text_names(text: &str, facts: &Facts) -> Option<Vec<Cite>> {
    let mut extra = Vec::new();
    for (words, header) in [("Reason header", "reason"), ("Warning header", "warning")] {
        if text.contains(words) {
            let found = facts.final_response().into_iter().chain(facts.bye().filter(|b| b.value.0)).find_map(|m| {
                let value = m.value.1.header(header)?;
                Some(m.cite_as(Fact::Header { name: header.into(), value: value.into() }, format!("{header}: {value}")))
            })?;
            extra.push(found);
        }
    }
    Some(extra)
}

/// "35 ms", "1.25 s".
pub use crate::journal::describe::duration;
