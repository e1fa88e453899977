//! Whole-call diagnosis: read a call's timeline (states, signalling, media, stats, who hung up,
//! timings), the account it went through and its line's registrations, not only its last
//! code, and say what most likely happened and what to do, every sentence resting on evidence.
//!
//! How a diagnosis is chosen: every rule reads the facts; the findings that explain how the
//! call ended compete by weight and the heaviest is the headline; findings about conditions
//! beside the end (and lighter end findings that are not a normal end) are listed under
//! "also". A sentence is only said with the facts it cites, so text about a header, early
//! media or a registration appears only when the journal holds it.

mod codes;
mod context;
mod evidence;
mod facts;
pub mod registration;
mod rules;
mod sip;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use codes::DecodedCode;
pub use context::Context;
pub use evidence::{Claim, Evidence, Fact, Part, Place};
pub use facts::Facts;
pub use rules::RULES;
pub use sip::SipMessage;

use crate::journal::CallDetail;
use evidence::Ledger;
use rules::Rank;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// Whether the call went as it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing went wrong (someone hung up after talking).
    Ok,
    /// It worked, but something was off (one-way audio, cut short).
    Degraded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Diagnosis {
    /// One line for lists: what happened.
    pub summary: String,
    /// What most likely happened, in plain words (the explanation claims, joined).
    pub explanation: String,
    pub outcome: Outcome,
    pub confidence: Confidence,
    /// What to check or change, and where (the fix claims).
    pub fix: Vec<String>,
    /// Every fact the claims rest on.
    pub evidence: Vec<Evidence>,
    /// Every sentence above, with the evidence it rests on (indices into `evidence`).
    pub claims: Vec<Claim>,
    /// Every code the call carried, decoded in the catalog of the layer that gave it.
    pub codes: Vec<DecodedCode>,
    /// Other things the rules found: conditions beside the end, less likely explanations.
    pub also: Vec<String>,
    /// Which rule decided (for support and tests).
    pub rule: String,
}

/// Diagnose an ended call with what is known around it. Calls still under way get none.
pub fn diagnose(detail: &CallDetail, context: &Context) -> Option<Diagnosis> {
    let facts = Facts::read(detail, context);
    facts.end.as_ref()?;
    let mut ends = Vec::new();
    let mut sides = Vec::new();
    for finding in rules::run(&facts) {
        match finding.rank {
            Rank::End(_) => ends.push(finding),
            Rank::Side => sides.push(finding),
        }
    }
    // Stable: equal weights keep the rules' order.
    ends.sort_by_key(|f| std::cmp::Reverse(f.weight()));
    let mut ends = ends.into_iter();
    let first = ends.next()?;

    let mut ledger = Ledger::default();
    ledger.add(Part::Summary, &first.summary);
    for said in &first.explanation {
        ledger.add(Part::Explanation, said);
    }
    for said in &first.fix {
        ledger.add(Part::Fix, said);
    }
    let headline_evidence = ledger.evidence.len();
    let others = ends.filter(|f| f.outcome != Outcome::Ok).chain(sides);
    for other in others {
        // Nothing new: every fact it rests on is already part of the headline's story.
        let known = other.summary.cites.iter().all(|c| ledger.evidence[..headline_evidence].iter().any(|e| evidence::same_fact(e, c)));
        let repeated = ledger.texts(Part::Also).contains(&other.summary.text);
        if !known && !repeated {
            ledger.add(Part::Also, &other.summary);
        }
    }
    let summary = ledger.texts(Part::Summary).into_iter().next().unwrap_or_default();
    Some(Diagnosis {
        summary,
        explanation: ledger.texts(Part::Explanation).join(" "),
        outcome: first.outcome,
        confidence: first.confidence,
        fix: ledger.texts(Part::Fix),
        also: ledger.texts(Part::Also),
        codes: codes::decode_all(&facts),
        evidence: ledger.evidence,
        claims: ledger.claims,
        rule: first.rule.to_string(),
    })
}

#[cfg(test)]
mod tests;
