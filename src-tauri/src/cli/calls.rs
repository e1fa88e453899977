//! `callscope calls ...`: the journal on the command line.

use callscope_core::journal::{describe, CallDetail, CallSummary, Journal};
use callscope_core::paths::Paths;
use callscope_core::Error;

use super::{name, print_json, CallsCommand};

pub fn calls(paths: &Paths, command: CallsCommand) -> Result<(), Error> {
    paths.ensure()?;
    let journal = Journal::open_for_reading(&paths.journal_file())?;
    match command {
        CallsCommand::List { limit, json } => {
            let calls = journal.list_calls(limit)?;
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
            if json {
                print_json(&detail)
            } else {
                print!("{}", call_text(&detail));
                Ok(())
            }
        }
    }
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
            describe::call_outcome(call),
        ));
    }
    out
}

pub fn call_text(detail: &CallDetail) -> String {
    let call = &detail.call;
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
    out.push_str(&format!("\n{:>4}  {:>10}  {:<10}  {:<7}  {}\n", "SEQ", "T+ms", "SOURCE", "KIND", "EVENT"));
    for event in &detail.events {
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

/// "2026-11-21T13:40:01.123Z" → "2026-11-21 13:40:01".
fn short_time(at: &str) -> String {
    at.get(..19).unwrap_or(at).replace('T', " ")
}


