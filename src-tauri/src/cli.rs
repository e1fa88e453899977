//! The command line: argument definitions and the `calls` commands.

use clap::{Parser, Subcommand};

use callscope_core::journal::{describe, CallDetail, CallSummary, Journal};
use callscope_core::paths::Paths;
use callscope_core::Error;

const ABOUT: &str = "Callscope: a softphone with built-in call diagnostics, for support engineers.";

const LONG_ABOUT: &str = "\
Callscope: a softphone with built-in call diagnostics, for support engineers.

Place test calls (the built-in Echo line works with no account), watch every state transition and
signalling message on one clock, and read the call journal from the command line.

Without a command it opens the desktop window. On Linux the window's engine has no WebRTC, so it
offers to open the same app in your browser (`callscope serve`).";

const FILES: &str = "\
Files:
  journal   <data dir>/journal.sqlite3   (Linux: ~/.local/share/callscope)
  logs      <state dir>/logs/callscope.log.YYYY-MM-DD  (Linux: ~/.local/state/callscope/logs)
  config    <config dir>                 (Linux: ~/.config/callscope)
The XDG_DATA_HOME, XDG_STATE_HOME and XDG_CONFIG_HOME variables move them on Linux.";

#[derive(Debug, Parser)]
#[command(name = "callscope", version, about = ABOUT, long_about = LONG_ABOUT, after_help = FILES)]
pub struct Args {
    /// Log level or filter: error, warn, info, debug, trace, or e.g. `info,callscope_core=debug`.
    /// Defaults to the CALLSCOPE_LOG variable, then `info` (the CLI prints only warnings).
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop window (the default when no command is given).
    Window,
    /// Browser mode: serve the app to your browser on 127.0.0.1 only.
    ///
    /// Prints an address with a key that changes every launch; open it once and the browser keeps
    /// a cookie. Pages from other sites, and requests under other host names, are refused.
    Serve {
        /// Port on 127.0.0.1; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Print the address but do not open the default browser.
        #[arg(long)]
        no_open: bool,
    },
    /// Read the call journal.
    Calls {
        #[command(subcommand)]
        command: CallsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CallsCommand {
    /// List recent calls, newest first.
    List {
        /// How many calls to list.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one call with every event, by its number (from `calls list`) or its id.
    Show {
        /// The call's number or id.
        call: String,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
}

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

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
    println!("{text}");
    Ok(())
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

fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_arguments_are_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn help_documents_every_command() {
        let help = Args::command().render_long_help().to_string();
        for command in ["window", "serve", "calls"] {
            assert!(help.contains(command), "{command} missing from --help");
        }
        let mut calls = Args::command();
        let calls_help = calls.find_subcommand_mut("calls").unwrap().render_long_help().to_string();
        assert!(calls_help.contains("list") && calls_help.contains("show"));
    }
}
