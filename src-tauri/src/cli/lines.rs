//! `callscope lines`: each line's (account's) registration history, every failure decoded.

use callscope_accounts::{Accounts, Keychain};
use callscope_core::paths::Paths;
use callscope_journal::diagnosis::registration::{history, Outcome, Registration};
use callscope_journal::Journal;
use callscope_core::Error;
use serde::Serialize;

use super::{name, print_json};

/// How many of a line's latest events are read.
const LINE_EVENTS: u32 = 2_000;

#[derive(Serialize)]
struct Line {
    name: String,
    /// None for a line the journal knows but whose account was removed.
    provider: Option<String>,
    registrations: Vec<Registration>,
}

pub fn lines(paths: &Paths, only: Option<String>, limit: usize, json: bool) -> Result<(), Error> {
    paths.ensure()?;
    let journal = Journal::open_for_reading(&paths.journal_file())?;
    let accounts = Accounts::new(&paths.config_dir, Keychain::new());
    let profiles = accounts.list()?;
    let mut names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    for known in journal.line_names()? {
        if !names.contains(&known) {
            names.push(known);
        }
    }
    if let Some(only) = &only {
        if !names.contains(only) {
            return Err(Error::bad_input("name", format!("no line or account is called \"{only}\" (see `callscope lines`)")));
        }
        names.retain(|n| n == only);
    }
    let mut lines = Vec::new();
    for line in names {
        let events = journal.line_events(&line, None, LINE_EVENTS)?;
        let mut registrations: Vec<Registration> = history(&events).into_iter().map(|r| r.value).collect();
        let skip = registrations.len().saturating_sub(limit);
        registrations.drain(..skip);
        let provider = profiles.iter().find(|p| p.name == line).map(|p| name(&p.provider()));
        lines.push(Line { name: line, provider, registrations });
    }
    if json {
        return print_json(&lines);
    }
    if lines.is_empty() {
        println!("No lines yet: add an account (`callscope accounts add`) and select it in the app to register it.");
        return Ok(());
    }
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print!("{}", line_text(line));
    }
    Ok(())
}

fn line_text(line: &Line) -> String {
    let provider = line.provider.clone().unwrap_or_else(|| "account removed".into());
    let now = match line.registrations.last() {
        Some(last) => format!("{} since {}", state(last.outcome), short_time(&last.at)),
        None => "no registration recorded yet".into(),
    };
    let mut out = format!("{} ({provider}): {now}\n", line.name);
    for r in &line.registrations {
        out.push_str(&format!("  {}  {:<12}  {}\n", short_time(&r.at), state(r.outcome), r.summary));
        if let Some(explanation) = &r.explanation {
            out.push_str(&format!("  {:19}  {:<12}  {}\n", "", "", explanation));
        }
    }
    out
}

fn state(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Registered => "registered",
        Outcome::Failed => "failed",
        Outcome::Unregistered => "unregistered",
        Outcome::Disconnected => "disconnected",
    }
}

/// "2026-11-21T13:40:01.123Z" → "2026-11-21 13:40:01".
fn short_time(at: &str) -> String {
    at.get(..19).unwrap_or(at).replace('T', " ")
}
