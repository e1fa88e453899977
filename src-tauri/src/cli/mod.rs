//! The command line: argument definitions and the `calls` commands.

use clap::{Parser, Subcommand};

mod accounts;
mod calls;
pub mod decode;
mod lines;

pub use accounts::accounts;
pub use calls::calls;
pub use lines::lines;

const ABOUT: &str = "Callscope: a softphone with built-in call diagnostics, for support engineers.";

const LONG_ABOUT: &str = "\
Callscope: a softphone with built-in call diagnostics, for support engineers.

Place test calls (the built-in Echo line works with no account), watch every state transition and
signalling message on one clock, and read the call journal from the command line.

Without a command it opens the desktop window. Where the window's engine has no WebRTC (Debian's and
Ubuntu's WebKitGTK), it offers to open the same app in your browser (`callscope serve`).";

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
    /// Each line's (account's) registration history, every failure decoded.
    ///
    /// A 401 after credentials were sent is a rejected password; a 401 that got no retry is a
    /// realm the account has no digest for; a 403 after credentials is how many registrars
    /// refuse a bad password. Registrations are journaled when a line is selected in the app.
    Lines {
        /// Only this line (an account name).
        name: Option<String>,
        /// How many of each line's latest registration outcomes to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Explain a failure code: SIP status, Q.850 cause, Telnyx cause or D-code, Twilio code,
    /// browser error.
    ///
    /// Examples: `486`, `Q.850;cause=34`, `31002`, `D38`, `USER_BUSY`, `NotAllowedError`.
    /// Every catalog the code can belong to answers (486 is SIP Busy Here and TURN Allocation
    /// Quota Reached).
    Decode {
        /// The code, name or message.
        #[arg(required = true, num_args = 1..)]
        code: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Provider accounts: settings in the config folder, secrets in the OS keychain.
    ///
    /// Secrets are never taken as arguments (other users can read a command line): they are asked
    /// for on the terminal, or read one per line from standard input.
    Accounts {
        #[command(subcommand)]
        command: Box<accounts::AccountsCommand>,
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

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<(), callscope_core::Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| callscope_core::Error::Internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// An enum's name as it is in JSON ("remote", "signalling").
pub(crate) fn name<T: serde::Serialize>(value: &T) -> String {
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
        for command in ["window", "serve", "calls", "lines", "accounts", "decode"] {
            assert!(help.contains(command), "{command} missing from --help");
        }
        let mut calls = Args::command();
        let calls_help = calls.find_subcommand_mut("calls").unwrap().render_long_help().to_string();
        assert!(calls_help.contains("list") && calls_help.contains("show"));
    }
}
