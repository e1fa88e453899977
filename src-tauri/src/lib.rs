//! The Callscope app: one binary, three faces over one core.
//!
//! - no command (or `window`): the Tauri desktop window ([`window`]);
//! - `serve`: browser mode, the same UI and API on 127.0.0.1 ([`serve`]);
//! - `calls ...`: the command line ([`cli`]).

mod assets;
mod cli;
mod serve;
mod window;

use clap::Parser;

use callscope_core::paths::Paths;
use callscope_api::ApiError;
use callscope_core::{logging, Error};

/// Parse the command line, run the chosen face, and return the process exit code.
pub fn run() -> i32 {
    let args = cli::Args::parse();
    match run_face(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}", ApiError::from(e));
            1
        }
    }
}

fn run_face(args: cli::Args) -> Result<(), Error> {
    let paths = Paths::from_os()?;
    if matches!(
        args.command,
        Some(cli::Command::Calls { .. } | cli::Command::Lines { .. } | cli::Command::Decode { .. } | cli::Command::Accounts { .. })
    ) {
        quiet_on_closed_pipe();
    }
    let log_level = args.log_level.as_deref();
    match args.command.unwrap_or(cli::Command::Window) {
        cli::Command::Window => {
            let _logs = logging::init(&paths.log_dir, log_level, "info")?;
            window::run(paths)
        }
        cli::Command::Serve { port, no_open } => {
            let _logs = logging::init(&paths.log_dir, log_level, "info")?;
            serve::run(paths, port, !no_open)
        }
        cli::Command::Calls { command } => {
            // The CLI's stderr stays quiet unless asked; its output is the answer.
            let _logs = logging::init(&paths.log_dir, log_level, "warn")?;
            cli::calls(&paths, command)
        }
        cli::Command::Lines { name, limit, json } => {
            let _logs = logging::init(&paths.log_dir, log_level, "warn")?;
            cli::lines(&paths, name, limit, json)
        }
        cli::Command::Decode { code, json } => cli::decode::run(&code.join(" "), json),
        cli::Command::Accounts { command } => {
            let _logs = logging::init(&paths.log_dir, log_level, "warn")?;
            cli::accounts(&paths, *command)
        }
    }
}

/// `callscope calls list | head` must end quietly when `head` stops reading, as other command-line
/// tools do, instead of panicking on the write. Only for the CLI: the window and browser mode keep
/// Rust's default (SIGPIPE ignored, write errors handled).
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
