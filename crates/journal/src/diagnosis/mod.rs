//! Whole-call diagnosis: read a call's timeline (states, signalling, media, stats, who hung up,
//! timings), not only its last code, and say what most likely happened and what to fix, with
//! the evidence. A code alone misleads: Telnyx reports every local hang-up as USER_BUSY/17 or
//! NORMAL_CLEARING/16, Twilio hides causes behind 31005, and a "normal" 16 right after trying is
//! a rejection before routing.

mod codes;
mod facts;
mod rules;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use codes::DecodedCode;
pub use facts::Facts;

use crate::journal::CallDetail;

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
    /// It worked, but something was off (e.g. one-way audio).
    Degraded,
    Failed,
}

/// An event the diagnosis rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Evidence {
    /// The journal event (`seq` within the call); 0 when it is the call's end record itself.
    pub seq: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Diagnosis {
    /// One line for lists: what happened.
    pub summary: String,
    /// What most likely happened, in plain words.
    pub explanation: String,
    pub outcome: Outcome,
    pub confidence: Confidence,
    /// What to check or change, and where.
    pub fix: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// Every code the call carried, decoded.
    pub codes: Vec<DecodedCode>,
    /// Other explanations the rules found, less likely.
    pub also: Vec<String>,
    /// Which rule decided (for support and tests).
    pub rule: String,
}

/// Diagnose an ended call. Calls still under way get none.
pub fn diagnose(detail: &CallDetail) -> Option<Diagnosis> {
    let facts = Facts::read(detail);
    facts.end.as_ref()?;
    let mut findings = rules::run(&facts);
    findings.sort_by_key(|f| std::cmp::Reverse(f.weight));
    let mut best = findings.into_iter();
    let first = best.next()?;
    Some(Diagnosis {
        summary: first.summary,
        explanation: first.explanation,
        outcome: first.outcome,
        confidence: first.confidence,
        fix: first.fix,
        evidence: first.evidence,
        codes: codes::decode_all(&facts),
        also: best.filter(|f| f.outcome != Outcome::Ok).map(|f| f.summary).collect(),
        rule: first.rule.to_string(),
    })
}

#[cfg(test)]
mod tests;
