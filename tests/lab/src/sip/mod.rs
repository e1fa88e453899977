//! The SIP lab: real Kamailio, rtpengine, baresip and coturn from Debian's packages, on loopback,
//! started and stopped by the tests themselves (or by `callscope-lab sip` for manual use).
//!
//! Each run gets its own directory (configurations, pid files, logs, certificate; kept after the
//! run for debugging) and its own block of ports (`ports.rs`), so runs never collide. Every daemon
//! is a child process stopped by PID ([`process`]); dropping the [`SipLab`] stops them all, and
//! they die with the process that runs the lab even if it never unwinds. How to use it by hand,
//! the dial plan as observed, and baresip's control protocol: `tests/lab/sip/README.md`.

pub mod accounts;
pub mod control;
pub mod dialplan;
pub mod process;
pub mod summary;
pub mod wire;

mod baresip;
mod certs;
mod coturn;
mod installed;
mod kamailio;
mod ports;
mod rtpengine;
mod stun;
mod template;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use accounts::{
    FarEnd, Subscriber, TurnUser, ALICE, BOB, DOMAIN, OFFLINE, TURN_OTHER_USER, TURN_USER, TURN_WRONG_PASSWORD,
};
pub use control::Control;
pub use dialplan::{DialPlanEntry, Expected, Media, Timers, DIAL_PLAN, Q850};
pub use installed::PACKAGES;
pub use summary::LabInfo;

use ports::PortBlock;
use process::{Daemon, Spawner};

/// How long each daemon may take to become ready before the start fails.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("the SIP lab needs {what} (Debian package {package}); install the lab's packages with: apt-get install -y --no-install-recommends {}", installed::PACKAGES)]
    NotInstalled { what: String, package: &'static str },
    #[error("could not {action} {path}: {source}")]
    Io { action: String, path: PathBuf, source: std::io::Error },
    #[error("could not start {program}: {source}")]
    Spawn { program: String, source: std::io::Error },
    #[error("{name} exited ({status}); its log {log}:\n{tail}")]
    Exited { name: String, status: String, log: PathBuf, tail: String },
    #[error("{name} was not ready after {waited:?} ({what}); its log {log}:\n{tail}")]
    NotReady { name: String, what: String, waited: Duration, log: PathBuf, tail: String },
    #[error("no free block of lab ports in {first}-{last} (are 30 labs running?)")]
    NoFreePorts { first: u16, last: u16 },
    #[error("could not make the self-signed certificate: {0}")]
    Certificate(String),
    #[error("configuration template {template}: {problem}")]
    Template { template: String, problem: String },
    #[error("the lab's spawner thread is gone")]
    SpawnerGone,
    #[error("baresip control: {0}")]
    Control(String),
}

impl LabError {
    pub(crate) fn io(action: &str, path: &Path, source: std::io::Error) -> LabError {
        LabError::Io { action: action.to_string(), path: path.to_path_buf(), source }
    }
}

/// What a run may change. The defaults suit a person; tests shorten the timers to go faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SipLabConfig {
    pub timers: Timers,
}

impl Default for SipLabConfig {
    fn default() -> Self {
        SipLabConfig {
            timers: Timers { ring_timeout: Duration::from_secs(10), silent_hop_timeout: Duration::from_secs(3) },
        }
    }
}

/// A running lab. Dropping it stops every process it started.
pub struct SipLab {
    info: LabInfo,
    ports: ports::Ports,
    run_dir: PathBuf,
    certificate_pem: String,
    /// In start order; stopped in reverse.
    daemons: Vec<Daemon>,
    // Dropped after the daemons: the port block stays taken until they are gone, and the spawner
    // thread must outlive them (their PR_SET_PDEATHSIG is tied to it).
    _ports: PortBlock,
    _spawner: Spawner,
}

impl SipLab {
    pub fn start() -> Result<SipLab, LabError> {
        SipLab::start_with(SipLabConfig::default())
    }

    pub fn start_with(config: SipLabConfig) -> Result<SipLab, LabError> {
        let started = Instant::now();
        let installed = installed::find()?;
        let block = PortBlock::reserve()?;
        let ports = *block.ports();
        let run_dir = make_run_dir(ports.sip)?;
        let cert = certs::make_self_signed(&run_dir, DOMAIN)?;

        let rtpengine_config = rtpengine::write_config(&run_dir, &ports)?;
        let kamailio_config = kamailio::write_config(&run_dir, &installed, &ports, &cert, config.timers)?;
        let coturn_config = coturn::write_config(&run_dir, &ports, &cert)?;
        let far_end_dirs = FarEnd::ALL
            .iter()
            .map(|&far_end| baresip::write_config(&run_dir, &installed, &ports, far_end))
            .collect::<Result<Vec<_>, _>>()?;

        // Declared before the daemons, so that an early return (`?`) stops every daemon started so
        // far while the spawner thread still lives.
        let spawner = Spawner::new()?;
        // rtpengine, Kamailio and coturn start together; the far ends once Kamailio can register them.
        let mut rtpengine = rtpengine::spawn(&spawner, &installed, &run_dir, &rtpengine_config)?;
        let mut kamailio = kamailio::spawn(&spawner, &installed, &run_dir, &kamailio_config)?;
        let mut coturn = coturn::spawn(&spawner, &installed, &run_dir, &coturn_config)?;
        kamailio::wait_ready(&mut kamailio, &ports, READY_TIMEOUT)?;
        let mut far_ends = FarEnd::ALL
            .iter()
            .zip(&far_end_dirs)
            .map(|(&far_end, dir)| baresip::spawn(&spawner, &installed, &run_dir, dir, far_end))
            .collect::<Result<Vec<_>, _>>()?;
        rtpengine::wait_ready(&mut rtpengine, &ports, READY_TIMEOUT)?;
        coturn::wait_ready(&mut coturn, &ports, READY_TIMEOUT)?;
        for (daemon, far_end) in far_ends.iter_mut().zip(FarEnd::ALL) {
            baresip::wait_registered(daemon, &ports, far_end, READY_TIMEOUT)?;
        }

        let mut daemons = vec![rtpengine, kamailio, coturn];
        daemons.append(&mut far_ends);
        let info = summary::describe(&ports, &run_dir, &cert, config.timers, &daemons, started.elapsed());
        Ok(SipLab { info, ports, run_dir, certificate_pem: cert.cert_pem, daemons, _ports: block, _spawner: spawner })
    }

    /// Everything a client needs: URIs, users, dial plan, TURN, control ports, PIDs, logs.
    pub fn info(&self) -> &LabInfo {
        &self.info
    }

    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// The run's self-signed certificate (PEM), for clients that should trust exactly it.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// Kamailio's SIP address for UDP (and TCP) clients.
    pub fn sip_udp(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.ports.sip))
    }

    /// coturn's STUN/TURN address (UDP and TCP).
    pub fn turn_address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.ports.turn))
    }

    /// coturn's TLS address.
    pub fn turn_tls_address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.ports.turn_tls))
    }

    /// `(name, pid)` of every daemon the lab started.
    pub fn pids(&self) -> Vec<(String, u32)> {
        self.daemons.iter().map(|d| (d.name().to_string(), d.pid())).collect()
    }

    /// The baresip control port of a far end (protocol: [`control`]).
    pub fn control_address(&self, far_end: FarEnd) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.ports.baresip(far_end.index()).ctrl))
    }

    /// Makes a far end call `target`: a user of the lab ("alice", dialled as `sip:alice@lab.test`)
    /// or a whole SIP URI. The call goes through Kamailio, so the app registered as that user rings.
    /// Returns the control connection, to follow the call's events (CALL_RINGING,
    /// CALL_ESTABLISHED, CALL_CLOSED) or send `hangup`.
    pub fn baresip_dial(&self, far_end: FarEnd, target: &str) -> Result<Control, LabError> {
        let mut control = Control::connect(self.control_address(far_end))?;
        let uri = if target.starts_with("sip:") { target.to_string() } else { format!("sip:{target}@{DOMAIN}") };
        let response = control.command("dial", &uri)?;
        if !response.ok {
            return Err(LabError::Control(format!("dial {uri} refused: {}", response.data)));
        }
        Ok(control)
    }

    /// Stops every daemon (SIGTERM, SIGKILL after 5 s), latest started first.
    pub fn stop(mut self) {
        self.stop_daemons();
    }

    fn stop_daemons(&mut self) {
        while let Some(mut daemon) = self.daemons.pop() {
            daemon.stop();
        }
    }
}

impl Drop for SipLab {
    fn drop(&mut self) {
        self.stop_daemons();
    }
}

const RUN_DIR_PREFIX: &str = "callscope-sip-lab-";

/// Run directories are kept for their logs, for this long.
const KEEP_RUNS_FOR: Duration = Duration::from_secs(24 * 3600);

/// `<tmp>/callscope-sip-lab-<pid>-<n>-<first port>`: unique per run, kept after it for the logs.
fn make_run_dir(first_port: u16) -> Result<PathBuf, LabError> {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let temp = std::env::temp_dir();
    prune_old_runs(&temp);
    let dir = temp.join(format!("{RUN_DIR_PREFIX}{}-{run}-{first_port}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| LabError::io("clear the old run directory", &dir, e))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| LabError::io("create the run directory", &dir, e))?;
    Ok(dir)
}

/// Removes run directories older than [`KEEP_RUNS_FOR`] whose Kamailio is no longer running, so
/// that test runs do not fill the temp directory.
fn prune_old_runs(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    for entry in entries.flatten() {
        let is_run = entry.file_name().to_str().is_some_and(|name| name.starts_with(RUN_DIR_PREFIX));
        let old =
            entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().unwrap_or_default() > KEEP_RUNS_FOR);
        let running = std::fs::read_to_string(entry.path().join("kamailio.pid"))
            .ok()
            .and_then(|pid| pid.trim().parse().ok())
            .is_some_and(process::is_alive);
        if is_run && old && !running {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
