//! The lab's daemons as child processes: spawned with their output in a log file, each in a process
//! group of its own (so that its workers, e.g. Kamailio's, are stopped with it), and stopped by PID:
//! SIGTERM to the group, then SIGKILL after a grace period. Dropping a [`Daemon`] stops it, so a
//! panicking test leaves nothing behind.
//!
//! The daemons also die if the process that runs the lab dies without unwinding (Ctrl-C on
//! `cargo test`, SIGKILL): the kernel signals them (`PR_SET_PDEATHSIG`, see [`OnLabDeath`]). That
//! signal follows the *thread* that forked, so all spawning happens on one [`Spawner`] thread that
//! lives exactly as long as the lab.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::LabError;

/// How long a daemon gets between SIGTERM and SIGKILL (baresip was seen ignoring SIGTERM for 4 s).
pub const STOP_GRACE: Duration = Duration::from_secs(5);

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// The signal a daemon gets from the kernel when the process running the lab dies without stopping it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLabDeath {
    /// SIGKILL, for a daemon that is a single process.
    Kill,
    /// SIGTERM, for a daemon with worker processes that only its main process stops (Kamailio):
    /// a killed main process would leave its workers running, holding the lab's ports.
    Terminate,
}

/// The one thread that forks the lab's daemons; see the module documentation for why.
pub struct Spawner {
    requests: Option<mpsc::Sender<SpawnRequest>>,
    thread: Option<JoinHandle<()>>,
}

impl Spawner {
    pub fn new() -> Result<Spawner, LabError> {
        let (requests, incoming) = mpsc::channel::<SpawnRequest>();
        let thread = std::thread::Builder::new()
            .name("callscope-lab-spawner".into())
            .spawn(move || {
                for (mut command, reply) in incoming {
                    let _ = reply.send(command.spawn());
                }
            })
            .map_err(|e| LabError::Spawn { program: "the lab's spawner thread".into(), source: e })?;
        Ok(Spawner { requests: Some(requests), thread: Some(thread) })
    }

    /// Starts `program` with `args` in `dir`, its stdout and stderr appended to `log`.
    pub fn spawn(
        &self,
        name: &str,
        program: &str,
        args: &[&str],
        dir: &Path,
        log: PathBuf,
        on_lab_death: OnLabDeath,
    ) -> Result<Daemon, LabError> {
        let output = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| LabError::io("create a log file", &log, e))?;
        let errors = output.try_clone().map_err(|e| LabError::io("open a log file", &log, e))?;
        let mut command = Command::new(program);
        command.args(args).current_dir(dir).stdin(Stdio::null()).stdout(output).stderr(errors).process_group(0);
        let parent = std::process::id();
        let death_signal = match on_lab_death {
            OnLabDeath::Kill => libc::SIGKILL,
            OnLabDeath::Terminate => libc::SIGTERM,
        };
        // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, death_signal) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The lab died between fork and prctl: do not outlive it.
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let (reply, result) = mpsc::channel();
        let requests = self.requests.as_ref().expect("the spawner runs until dropped");
        requests.send((command, reply)).map_err(|_| LabError::SpawnerGone)?;
        let child = result
            .recv()
            .map_err(|_| LabError::SpawnerGone)?
            .map_err(|e| LabError::Spawn { program: program.to_string(), source: e })?;
        Ok(Daemon { name: name.to_string(), child, log, stopped: false })
    }
}

impl Drop for Spawner {
    fn drop(&mut self) {
        self.requests.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One running daemon, stopped on drop.
#[derive(Debug)]
pub struct Daemon {
    name: String,
    child: Child,
    log: PathBuf,
    stopped: bool,
}

impl Daemon {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// `Err` with the exit status and the end of the log if the daemon has already exited.
    pub fn check_running(&mut self) -> Result<(), LabError> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.exited_error(status)),
            Err(e) => Err(LabError::io("wait for a daemon", &self.log, e)),
        }
    }

    /// Polls `ready` every 10 ms until it says yes, failing early if the daemon exits and with the
    /// end of its log if `timeout` passes first.
    pub fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        mut ready: impl FnMut() -> std::io::Result<bool>,
    ) -> Result<(), LabError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.check_running()?;
            if ready()
                .map_err(|e| LabError::Spawn { program: format!("a readiness probe for {}", self.name), source: e })?
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(LabError::NotReady {
                    name: self.name.clone(),
                    what: what.to_string(),
                    waited: timeout,
                    log: self.log.clone(),
                    tail: log_tail(&self.log),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn exited_error(&self, status: ExitStatus) -> LabError {
        LabError::Exited {
            name: self.name.clone(),
            status: status.to_string(),
            log: self.log.clone(),
            tail: log_tail(&self.log),
        }
    }

    /// SIGTERM to the daemon's process group, SIGKILL after [`STOP_GRACE`]; returns once the daemon
    /// is reaped and no live process is left in its group.
    pub fn stop(&mut self) {
        self.stop_with_grace(STOP_GRACE);
    }

    pub fn stop_with_grace(&mut self, grace: Duration) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let group = self.child.id() as i32;
        signal_group(group, libc::SIGTERM);
        let deadline = Instant::now() + grace;
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if self.child.try_wait().ok().flatten().is_none() {
            tracing::warn!(target: "lab", daemon = %self.name, pid = group, "no exit after SIGTERM; sending SIGKILL");
            signal_group(group, libc::SIGKILL);
            let _ = self.child.wait();
        }
        // Workers may outlive their main process by a moment; give them the same grace, then kill.
        let deadline = Instant::now() + grace;
        while !live_group_members(group).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !live_group_members(group).is_empty() {
            signal_group(group, libc::SIGKILL);
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: i32, signal: i32) {
    // SAFETY: kill(2) with a negative id signals only the process group this lab created.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// PIDs of the processes in `group` that are still alive (zombies excluded: they hold no port and
/// are reaped by whoever inherited them), read from /proc.
pub fn live_group_members(group: i32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| parse_state_and_group(&stat))
                .is_some_and(|(state, pgrp)| pgrp == group && state != 'Z' && state != 'X')
        })
        .collect()
}

/// `/proc/PID/stat` is "pid (comm) state ppid pgrp ..."; comm may itself contain spaces or ')'.
fn parse_state_and_group(stat: &str) -> Option<(char, i32)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let _ppid = fields.next()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, pgrp))
}

/// Whether something accepts TCP connections at `address` (a listener that is up).
pub fn accepts_tcp(address: std::net::SocketAddr) -> bool {
    std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100)).is_ok()
}

/// Whether a process with this PID is alive (and not a zombie).
pub fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| parse_state_and_group(&stat))
        .is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

/// The last lines of a log, for error messages.
pub fn log_tail(path: &Path) -> String {
    const TAIL_BYTES: u64 = 3000;
    let Ok(mut file) = File::open(path) else { return String::new() };
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(length.saturating_sub(TAIL_BYTES)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_state_and_group_even_with_odd_command_names() {
        let stat = "4242 (kamailio (x) y) S 1 4240 4240 0 -1 4194560";
        assert_eq!(parse_state_and_group(stat), Some(('S', 4240)));
        assert_eq!(parse_state_and_group("garbage"), None);
    }

    #[test]
    fn stop_ends_a_daemon_and_the_workers_it_forked() {
        let dir = std::env::temp_dir().join(format!("callscope-lab-process-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let spawner = Spawner::new().unwrap();
        // A shell that forks a worker and ignores SIGTERM: only SIGKILL ends it.
        let mut daemon = spawner
            .spawn(
                "stubborn",
                "sh",
                &["-c", "trap '' TERM; sleep 60 & wait"],
                &dir,
                dir.join("stubborn.log"),
                OnLabDeath::Kill,
            )
            .unwrap();
        let group = daemon.pid() as i32;
        let deadline = Instant::now() + Duration::from_secs(5);
        while live_group_members(group).len() < 2 {
            assert!(Instant::now() < deadline, "the worker never started");
            std::thread::sleep(Duration::from_millis(10));
        }
        let members = live_group_members(group);
        let grace = Duration::from_millis(300);
        let started = Instant::now();
        daemon.stop_with_grace(grace);
        assert!(started.elapsed() >= grace, "SIGTERM was ignored, so only the SIGKILL fallback can stop it");
        let deadline = Instant::now() + Duration::from_secs(2);
        while members.iter().any(|&pid| is_alive(pid)) {
            assert!(Instant::now() < deadline, "left behind: {members:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
        daemon.check_running().unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
