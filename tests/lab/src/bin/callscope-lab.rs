//! `callscope-lab rest --telnyx-port N --twilio-port M`: starts the Telnyx and Twilio REST fakes
//! on 127.0.0.1, prints one line of JSON (base URLs and seeded credentials) on stdout, and runs
//! until SIGTERM or Ctrl-C.
//!
//! `callscope-lab sip [--json]`: starts the SIP lab (Kamailio, rtpengine, baresip, coturn) on
//! 127.0.0.1, prints how to use it (one line of JSON with `--json`), and runs until SIGTERM or
//! Ctrl-C, then stops every process it started.
//!
//! `callscope-lab telnyx`: starts the Telnyx REST fake and the Verto signalling emulator in one
//! process (so the login tokens the fake mints are checked in-process), prints one line of JSON
//! (REST base URL, seed, the WSS address, Chromium's host-resolver rules and flags, the control
//! API, the scenario numbers) and runs until SIGTERM or Ctrl-C.
//!
//! `callscope-lab twilio`: starts the Twilio REST fake and the PStream signalling emulator in one
//! process (Access Tokens are verified in-process against the fake's API keys), prints one line of
//! JSON (REST base URLs, the seed with its API keys and TwiML app, the WSS address, Chromium's
//! host-resolver rules and flags, the control API, the scenario numbers) and runs until SIGTERM or
//! Ctrl-C.

use clap::{Parser, Subcommand};
use serde_json::json;

use callscope_lab::sip::{SipLab, SipLabConfig, Timers};
use callscope_lab::telnyx_verto::{VertoConfig, VertoEmulator};
use callscope_lab::twilio_pstream::{PStreamConfig, PStreamEmulator, Timings};
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
    /// The SIP lab: Kamailio (ws/wss), rtpengine, baresip far ends, coturn.
    Sip {
        /// Print one line of JSON instead of the guide.
        #[arg(long)]
        json: bool,
        /// Seconds a call may ring before the proxy answers 480 No Answer.
        #[arg(long, default_value_t = 10.0)]
        ring_timeout: f64,
        /// Seconds before the silent next hop (dial 408) gives 408 Request Timeout.
        #[arg(long, default_value_t = 3.0)]
        silent_hop_timeout: f64,
    },
    /// The Telnyx REST fake and the Verto (WSS) signalling emulator, in one process.
    Telnyx {
        /// Port for the REST fake on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        rest_port: u16,
        /// Port for the WSS signalling on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        wss_port: u16,
        /// Port for the emulator's control API on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        control_port: u16,
        /// Seconds between the server's keepalive pings.
        #[arg(long, default_value_t = 30.0)]
        ping_interval: f64,
        /// Seconds calls wait for a dropped client to reconnect and re-attach them.
        #[arg(long, default_value_t = 30.0)]
        reattach_window: f64,
    },
    /// The Twilio REST fake and the PStream (WSS) signalling emulator, in one process.
    Twilio {
        /// Port for the REST fake on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        rest_port: u16,
        /// Port for the TLS listener (signalling, Insights, sounds) on 127.0.0.1 (0: a free one).
        #[arg(long, default_value_t = 0)]
        wss_port: u16,
        /// Port for the emulator's control API on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        control_port: u16,
        /// Seconds between the gateway's "\n" heartbeats.
        #[arg(long, default_value_t = 5.0)]
        heartbeat_interval: f64,
        /// Seconds an answered call may go without media before the gateway hangs up with 53405.
        #[arg(long, default_value_t = 8.0)]
        media_timeout: f64,
        /// Seconds from the answer to the socket cut on the signalling-drop numbers.
        #[arg(long, default_value_t = 3.0)]
        drop_after: f64,
        /// Seconds from the answer to the far end's hangup on the remote-hangup number.
        #[arg(long, default_value_t = 3.0)]
        remote_hangup_after: f64,
        /// Answer a token refresh with a new `connected` (re-arms the SDK's tokenWillExpire).
        #[arg(long)]
        reconfirm_refreshed_tokens: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse().command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("callscope-lab: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Rest { telnyx_port, twilio_port } => rest(telnyx_port, twilio_port).await?,
        Command::Sip { json, ring_timeout, silent_hop_timeout } => {
            let timers = Timers {
                ring_timeout: std::time::Duration::try_from_secs_f64(ring_timeout)?,
                silent_hop_timeout: std::time::Duration::try_from_secs_f64(silent_hop_timeout)?,
            };
            sip(json, SipLabConfig { timers }).await?
        }
        Command::Telnyx { rest_port, wss_port, control_port, ping_interval, reattach_window } => {
            let config = VertoConfig {
                port: wss_port,
                control_port,
                ping_interval: std::time::Duration::try_from_secs_f64(ping_interval)?,
                reattach_window: std::time::Duration::try_from_secs_f64(reattach_window)?,
            };
            telnyx(rest_port, config).await?
        }
        Command::Twilio {
            rest_port,
            wss_port,
            control_port,
            heartbeat_interval,
            media_timeout,
            drop_after,
            remote_hangup_after,
            reconfirm_refreshed_tokens,
        } => {
            let seconds = std::time::Duration::try_from_secs_f64;
            let config = PStreamConfig {
                port: wss_port,
                control_port,
                heartbeat_interval: seconds(heartbeat_interval)?,
                timings: Timings {
                    media_timeout: seconds(media_timeout)?,
                    drop_after: seconds(drop_after)?,
                    remote_hangup_after: seconds(remote_hangup_after)?,
                    ..Timings::default()
                },
                reconfirm_refreshed_tokens,
                declined_applications: Vec::new(),
            };
            twilio(rest_port, config).await?
        }
    }
    Ok(())
}

async fn rest(telnyx_port: u16, twilio_port: u16) -> std::io::Result<()> {
    let stop = StopSignal::install()?;
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
    stop.wait().await?;
    telnyx.stop().await;
    twilio.stop().await;
    Ok(())
}

async fn telnyx(rest_port: u16, config: VertoConfig) -> std::io::Result<()> {
    let stop = StopSignal::install()?;
    let rest = TelnyxFake::start(TelnyxConfig { port: rest_port, ..Default::default() }).await?;
    let verto = VertoEmulator::start(config, rest.login_tokens()).await?;
    let started = json!({
        "pid": std::process::id(),
        "rest": {"origin": rest.origin(), "base_url": rest.base_url(), "seed": rest.seed()},
        "verto": verto.describe(),
        "login": "POST {base_url}/telephony_credentials {\"connection_id\": seed.credential_connection_id}, then POST {base_url}/telephony_credentials/{id}/token: the JWT is the SDK's login_token",
    });
    println!("{started}");
    stop.wait().await?;
    verto.stop().await;
    rest.stop().await;
    Ok(())
}

async fn twilio(rest_port: u16, mut config: PStreamConfig) -> std::io::Result<()> {
    let stop = StopSignal::install()?;
    let rest = TwilioFake::start(TwilioConfig { port: rest_port }).await?;
    let seed = rest.seed().clone();
    config.declined_applications.push(seed.application_without_voice_url_sid.clone());
    let pstream = PStreamEmulator::start(config, rest.access_tokens()).await?;
    let started = json!({
        "pid": std::process::id(),
        "rest": {
            "origin": rest.origin(),
            "api_base_url": rest.api_base_url(),
            "voice_base_url": rest.voice_base_url(),
            "seed": seed,
        },
        "pstream": pstream.describe(),
        "access_token": {
            "header": {"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"},
            "claims": {
                "jti": "{iss}-{now}",
                "iss": seed.standard_key.sid,
                "sub": seed.account_sid,
                "exp": "now + ttl (at most 86400)",
                "grants": {
                    "identity": "any",
                    "voice": {"incoming": {"allow": true}, "outgoing": {"application_sid": seed.application_sid}},
                },
            },
            "secret": "rest.seed.standard_key.secret (or main_key.secret); HMAC-SHA256",
            "declined_application_sid": seed.application_without_voice_url_sid,
        },
    });
    println!("{started}");
    stop.wait().await?;
    pstream.stop().await;
    rest.stop().await;
    Ok(())
}

async fn sip(json: bool, config: SipLabConfig) -> Result<(), Box<dyn std::error::Error>> {
    let stop = StopSignal::install()?;
    let lab = SipLab::start_with(config)?;
    if json {
        println!("{}", serde_json::to_string(lab.info())?);
    } else {
        print!("{}", lab.info().guide());
    }
    use std::io::Write as _;
    std::io::stdout().flush()?;
    stop.wait().await?;
    lab.stop();
    Ok(())
}

/// SIGTERM or Ctrl-C, caught from the moment this exists. It is installed before the first line is
/// printed, so a client that signals as soon as it has read that line is not met by the default
/// action (death by signal, without stopping anything).
struct StopSignal {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> std::io::Result<StopSignal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(StopSignal { terminate: signal(SignalKind::terminate())?, interrupt: signal(SignalKind::interrupt())? })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignal {})
        }
    }

    async fn wait(mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.terminate.recv() => Ok(()),
                _ = self.interrupt.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    }
}
