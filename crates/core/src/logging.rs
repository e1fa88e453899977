//! Logging: `tracing` to stderr and to a daily rolling file in the OS log directory.
//!
//! The level comes from `--log-level` or `CALLSCOPE_LOG` (an EnvFilter string such as `debug` or
//! `info,callscope_core=debug`). The webview's console arrives under target `webview`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use crate::error::{Error, Result};

pub const LOG_ENV: &str = "CALLSCOPE_LOG";
pub const LOG_FILE_PREFIX: &str = "callscope.log";

/// Keeps the file writer flushing; hold it until the process ends.
pub struct LogGuard {
    _file: WorkerGuard,
}

/// Start logging. `level` (from the command line) wins over the environment; `stderr_default`
/// is what stderr shows when neither is given (the CLI keeps stderr quiet, the app does not).
pub fn init(log_dir: &Path, level: Option<&str>, stderr_default: &str) -> Result<LogGuard> {
    std::fs::create_dir_all(log_dir).map_err(|e| Error::io(format!("creating {}", log_dir.display()), e))?;
    let chosen = level.map(str::to_string).or_else(|| std::env::var(LOG_ENV).ok());
    let filter = |default: &str| -> Result<EnvFilter> {
        let spec = chosen.clone().unwrap_or_else(|| default.to_string());
        EnvFilter::try_new(&spec)
            .map_err(|e| Error::bad_input("log level", format!("`{spec}` is not a level or filter: {e}")))
    };

    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .max_log_files(14)
        .build(log_dir)
        .map_err(|e| Error::Internal(format!("opening the log file in {}: {e}", log_dir.display())))?;
    let (file_writer, guard) = tracing_appender::non_blocking(appender);

    let file_layer = fmt::layer().with_writer(file_writer).with_ansi(false).with_filter(filter("info")?);
    let stderr_layer = fmt::layer().with_writer(std::io::stderr).with_filter(filter(stderr_default)?);
    // A second init (tests, or the window opening browser mode) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init();
    Ok(LogGuard { _file: guard })
}
