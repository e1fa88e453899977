//! `callscope-lab rest --telnyx-port N --twilio-port M`: starts the Telnyx and Twilio REST fakes
//! on 127.0.0.1, prints one line of JSON (base URLs and seeded credentials) on stdout, and runs
//! until SIGTERM or Ctrl-C.

use clap::{Parser, Subcommand};
use serde_json::json;

use callscope_lab::{TelnyxConfig, TelnyxFake, TwilioConfig, TwilioFake};

#[derive(Parser)]
#[command(name = "callscope-lab", about = "Callscope's lab: local emulators of the voice providers")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The Telnyx and Twilio REST fakes.
    Rest {
        /// Port for the Telnyx fake on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        telnyx_port: u16,
        /// Port for the Twilio fake on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        twilio_port: u16,
    },
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let Command::Rest { telnyx_port, twilio_port } = Cli::parse().command;
    let telnyx = TelnyxFake::start(TelnyxConfig { port: telnyx_port, ..Default::default() }).await?;
    let twilio = TwilioFake::start(TwilioConfig { port: twilio_port }).await?;
    let started = json!({
        "pid": std::process::id(),
        "telnyx": {"origin": telnyx.origin(), "base_url": telnyx.base_url(), "seed": telnyx.seed()},
        "twilio": {
            "origin": twilio.origin(),
            "api_base_url": twilio.api_base_url(),
            "voice_base_url": twilio.voice_base_url(),
            "seed": twilio.seed(),
        },
    });
    println!("{started}");
    wait_for_stop_signal().await?;
    telnyx.stop().await;
    twilio.stop().await;
    Ok(())
}

async fn wait_for_stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => Ok(()),
            result = tokio::signal::ctrl_c() => result,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
