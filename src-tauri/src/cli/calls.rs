//! `callscope calls ...`: the journal on the command line.

use callscope_accounts::{Accounts, Keychain};
use callscope_api::CallView;
use callscope_calls::CallState;
use callscope_core::paths::Paths;
use callscope_core::Error;
use callscope_journal::diagnosis::{diagnose, Context, Diagnosis};
use callscope_journal::{describe, CallDetail, CallSummary, Journal};

use super::{name, print_json, CallsCommand};

pub fn calls(paths: &Paths, command: CallsCommand) -> Result<(), Error> {
    paths.ensure()?;
    let journal = Journal::open_for_reading(&paths.journal_file())?;
    match command {
        CallsCommand::List { limit, json } => {
            let mut calls = journal.list_calls(limit)?;
            // The reader never writes: a call without a kept reason is diagnosed for the listing only.
            for call in calls.iter_mut().filter(|c| c.state == CallState::Ended && c.reason.is_none()) {
                call.reason = diagnosis_of(paths, &journal, &journal.call_detail(&call.id)?)?.map(|d| d.summary);
            }
            if json {
                print_json(&calls)
            } else if calls.is_empty() {
                println!("No calls yet (journal: {}).", paths.journal_file().display());
                Ok(())
            } else {
                print!("{}", calls_table(&calls));
                Ok(())
            }
        }
        CallsCommand::Show { call, json } => {
            let detail = journal.call_detail(&call)?;
            let view = CallView { diagnosis: diagnosis_of(paths, &journal, &detail)?, detail };
            if json {
                print_json(&view)
            } else {
                print!("{}", call_text(&view));
                Ok(())
            }
        }
    }
}

/// A call's diagnosis with its context: the account's settings (when the account still exists)
/// and the line's history in the journal.
fn diagnosis_of(paths: &Paths, journal: &Journal, detail: &CallDetail) -> Result<Option<Diagnosis>, Error> {
    let settings = match &detail.call.account {
        Some(name) => Accounts::new(&paths.config_dir, Keychain::new()).get(name).map(|p| p.diagnosis_settings()).unwrap_or_default(),
        None => Vec::new(),
    };
    let context = Context::of_call(journal, &detail.call, settings)?;
    Ok(diagnose(detail, &context))
}

pub fn calls_table(calls: &[CallSummary]) -> String {
    let mut out = format!("{:>4}  {:<19}  {:<8}  {:<24}  {:<7}  {}\n", "#", "STARTED (UTC)", "PROVIDER", "DESTINATION", "STATE", "OUTCOME");
    for call in calls {
        out.push_str(&format!(
            "{:>4}  {:<19}  {:<8}  {:<24}  {:<7}  {}\n",
            call.number,
            short_time(&call.started_at),
            name(&call.provider),
            call.destination,
            call.state.as_str(),
            call.reason.clone().unwrap_or_else(|| describe::call_outcome(call)),
        ));
    }
    out
}

pub fn call_text(view: &CallView) -> String {
    let call = &view.detail.call;
    let mut out = format!("Call {} ({})\n", call.number, call.id);
    out.push_str(&format!(
        "  {} call via {} to {}\n  started {}  ·  {}\n",
        name(&call.direction),
        name(&call.provider),
        call.destination,
        short_time(&call.started_at),
        describe::call_outcome(call)
    ));
    if let Some(timings) = &call.timings {
        out.push_str(&format!("  timings: {}\n", describe::timings(timings)));
    }
    if let Some(diagnosis) = &view.diagnosis {
        out.push_str(&diagnosis_text(diagnosis));
    }
    out.push_str(&format!("\n{:>4}  {:>10}  {:<10}  {:<7}  {}\n", "SEQ", "T+ms", "SOURCE", "KIND", "EVENT"));
    for event in &view.detail.events {
        out.push_str(&format!(
            "{:>4}  {:>10.1}  {:<10}  {:<7}  {}\n",
            event.seq,
            event.t_ms,
            name(&event.source),
            name(&event.kind),
            describe::event(event)
        ));
    }
    out
}

pub fn diagnosis_text(d: &Diagnosis) -> String {
    let mut out = format!("\nWhat happened: {} ({} confidence)\n", d.summary, name(&d.confidence));
    out.push_str(&wrap(&d.explanation, "  "));
    if !d.fix.is_empty() {
        out.push_str("What to do:\n");
        for fix in &d.fix {
            out.push_str(&wrap(fix, "  - "));
        }
    }
    if !d.evidence.is_empty() {
        let evidence: Vec<String> = d.evidence.iter().map(|e| format!("#{} {}", e.seq, e.note)).collect();
        out.push_str(&format!("Evidence: {}\n", evidence.join("; ")));
    }
    for code in &d.codes {
        out.push_str(&format!("Code: {} {} ({}): {}\n", code.catalog, code.code, code.name, code.meaning));
    }
    for other in &d.also {
        out.push_str(&format!("Also: {other}\n"));
    }
    out
}

/// One paragraph, indented, wrapped at about 100 columns.
fn wrap(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut line = String::from(prefix);
    let indent = " ".repeat(prefix.chars().count());
    for word in text.split_whitespace() {
        if line.chars().count() + word.len() > 100 && line.trim().len() > prefix.trim().len() {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.clone();
        }
        line.push_str(word);
        line.push(' ');
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// "2026-11-21T13:40:01.123Z" → "2026-11-21 13:40:01".
fn short_time(at: &str) -> String {
    at.get(..19).unwrap_or(at).replace('T', " ")
}


