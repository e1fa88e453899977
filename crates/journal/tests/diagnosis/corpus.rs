//! The corpus: realistic call timelines, each with the headline and the fix its diagnosis must
//! give. How they were made is in tests/corpus/README.md; each call names its source.

use std::collections::BTreeMap;
use std::path::Path;

use callscope_calls::{Direction, EndedBy, Failure, Provider};
use callscope_journal::diagnosis::{diagnose, Diagnosis, Outcome};
use serde::Deserialize;
use serde_json::Value;

use super::timeline::Timeline;
use super::verify;

/// The floor for the corpus.
const AT_LEAST: usize = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    call: Vec<Call>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub title: String,
    /// Where the timeline comes from.
    pub source: String,
    provider: Provider,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    account: Option<String>,
    ended_by: EndedBy,
    #[serde(default)]
    failure: Failure,
    #[serde(default)]
    settings: BTreeMap<String, String>,
    events: Vec<Value>,
    #[serde(default)]
    line: Vec<Value>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    rule: String,
    /// The headline contains this.
    summary: String,
    outcome: Outcome,
    /// Each must be in one of the steps to take.
    #[serde(default)]
    fix: Vec<String>,
    /// Each must be in the explanation.
    #[serde(default)]
    explanation: Vec<String>,
    /// Each must be in one of the "also" notes.
    #[serde(default)]
    also: Vec<String>,
    /// None may appear anywhere in the diagnosis's text.
    #[serde(default)]
    absent: Vec<String>,
}

impl Call {
    pub fn timeline(&self) -> Timeline {
        Timeline {
            provider: self.provider,
            direction: self.direction.unwrap_or(Direction::Outbound),
            account: self.account.clone(),
            ended_by: self.ended_by,
            failure: self.failure.clone(),
            settings: self.settings.clone().into_iter().collect(),
            events: self.events.clone(),
            line: self.line.clone(),
        }
    }

    fn problems(&self, d: &Diagnosis) -> Vec<String> {
        let e = &self.expect;
        let mut out = Vec::new();
        if d.rule != e.rule {
            out.push(format!("rule {} (expected {})", d.rule, e.rule));
        }
        if !d.summary.contains(&e.summary) {
            out.push(format!("headline {:?} (expected it to contain {:?})", d.summary, e.summary));
        }
        if d.outcome != e.outcome {
            out.push(format!("outcome {:?} (expected {:?})", d.outcome, e.outcome));
        }
        for fix in &e.fix {
            if !d.fix.iter().any(|f| f.contains(fix.as_str())) {
                out.push(format!("no step says {fix:?}: {:?}", d.fix));
            }
        }
        for words in &e.explanation {
            if !d.explanation.contains(words.as_str()) {
                out.push(format!("the explanation does not say {words:?}: {}", d.explanation));
            }
        }
        for words in &e.also {
            if !d.also.iter().any(|a| a.contains(words.as_str())) {
                out.push(format!("no also note says {words:?}: {:?}", d.also));
            }
        }
        let all = [d.summary.clone(), d.explanation.clone()].into_iter().chain(d.fix.clone()).chain(d.also.clone()).collect::<Vec<_>>().join(" ");
        for words in &e.absent {
            if all.contains(words.as_str()) {
                out.push(format!("says {words:?}, which it must not: {all}"));
            }
        }
        out
    }
}

/// Every call of every corpus file.
pub fn load() -> Vec<(String, Call)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("tests/corpus").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "toml"));
    files.sort();
    let mut calls = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        calls.extend(file.call.into_iter().map(|c| (name.clone(), c)));
    }
    calls
}

#[test]
fn every_corpus_call_gets_its_headline_and_fix_with_evidence() {
    let calls = load();
    assert!(calls.len() >= AT_LEAST, "the corpus has {} calls; it needs at least {AT_LEAST}", calls.len());
    let mut failures = Vec::new();
    for (file, call) in &calls {
        let (detail, context) = match call.timeline().build() {
            Ok(built) => built,
            Err(e) => {
                failures.push(format!("{file}: {}: {e}", call.title));
                continue;
            }
        };
        let Some(d) = diagnose(&detail, &context) else {
            failures.push(format!("{file}: {}: no diagnosis", call.title));
            continue;
        };
        if std::env::var_os("CALLSCOPE_CORPUS_PRINT").is_some() {
            println!("== {} [{}]\n{} ({:?})\n{}\n- {}\nalso: {:?}\n", call.title, d.rule, d.summary, d.outcome, d.explanation, d.fix.join("\n- "), d.also);
        }
        let problems: Vec<String> = call.problems(&d).into_iter().chain(verify::problems(&detail, &context, &d)).collect();
        if !problems.is_empty() {
            failures.push(format!("{file}: {} ({})\n    {}", call.title, call.source, problems.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} corpus calls fail:\n{}", failures.len(), calls.len(), failures.join("\n"));
}
