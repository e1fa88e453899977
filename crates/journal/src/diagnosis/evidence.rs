//! Evidence and claims. Every sentence a diagnosis says (its summary, each sentence of the
//! explanation, each step to take, each side note) is a claim that cites the facts it rests on:
//! journal events of the call (by `seq`), events of the line it went through (by launch and
//! `seq`), or a setting of its account. A claim with nothing to cite is not made.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calls::CallState;

/// What a piece of evidence shows, checkable against the event it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// A state the call reached (the end included).
    State { state: CallState },
    /// A signalling message, by the summary line it was journaled with.
    Signal { summary: String },
    /// A header of the SIP message journaled at this event.
    Header { name: String, value: String },
    /// A peer-connection or ICE event (`pc`: connection, ice_connection, ice_candidate_error, ...).
    Media { pc: String },
    /// A media statistics sample.
    Stats,
    /// An error the app, the SDK or the browser reported.
    Error { code: Option<String> },
    /// A warning the app, the SDK or the browser reported.
    Warning { code: Option<String> },
    /// Something the user did (`hangup`, `hold`, ...).
    Action { action: String },
    /// A setting of the account the call went through.
    Setting { name: String, value: String },
}

/// Where the evidence is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// An event of this call.
    Call,
    /// An app-level event of the line (account) the call went through: its registrations.
    Line,
    /// The account's settings.
    Account,
}

/// One fact a diagnosis rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Evidence {
    /// The event's `seq`: within the call, or within its launch for a line event; 0 for a setting.
    pub seq: i64,
    pub place: Place,
    /// The launch a line event was recorded in.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_id: Option<i64>,
    pub fact: Fact,
    /// What it shows, in words.
    pub note: String,
}

/// Which part of the diagnosis a claim is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Summary,
    Explanation,
    Fix,
    Also,
}

/// One sentence of the diagnosis and the evidence it rests on (indices into `evidence`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Claim {
    pub part: Part,
    pub text: String,
    pub evidence: Vec<usize>,
}

/// A fact as a rule cites it: the evidence without its place in the list yet.
pub type Cite = Evidence;

/// A sentence a rule says, with what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub text: String,
    pub cites: Vec<Cite>,
}

impl Said {
    /// A sentence that rests on `cites`. A rule must cite at least one fact; `assemble` drops a
    /// sentence that cites none (and the tests fail on it).
    pub fn new(text: impl Into<String>, cites: impl IntoIterator<Item = Cite>) -> Said {
        Said { text: text.into(), cites: cites.into_iter().collect() }
    }
}

/// Claims with their evidence numbered once: the same fact cited twice is one piece of evidence.
#[derive(Debug, Default)]
pub struct Ledger {
    pub evidence: Vec<Evidence>,
    pub claims: Vec<Claim>,
}

impl Ledger {
    pub fn add(&mut self, part: Part, said: &Said) {
        if said.cites.is_empty() || said.text.trim().is_empty() {
            return;
        }
        let mut indices = Vec::with_capacity(said.cites.len());
        for cite in &said.cites {
            let index = match self.evidence.iter().position(|e| same_fact(e, cite)) {
                Some(i) => i,
                None => {
                    self.evidence.push(cite.clone());
                    self.evidence.len() - 1
                }
            };
            if !indices.contains(&index) {
                indices.push(index);
            }
        }
        self.claims.push(Claim { part, text: said.text.clone(), evidence: indices });
    }

    /// The texts of one part, in order.
    pub fn texts(&self, part: Part) -> Vec<String> {
        self.claims.iter().filter(|c| c.part == part).map(|c| c.text.clone()).collect()
    }
}

pub fn same_fact(a: &Evidence, b: &Evidence) -> bool {
    a.seq == b.seq && a.place == b.place && a.launch_id == b.launch_id && a.fact == b.fact
}
