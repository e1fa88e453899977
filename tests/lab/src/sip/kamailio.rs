//! Kamailio: registrar and proxy, with UDP/TCP SIP, ws:// and wss:// listeners, digest
//! authentication, the dial plan and the rtpengine hook. Configuration: `tests/lab/sip/kamailio.cfg`.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use super::accounts::{self, DOMAIN};
use super::dialplan::{self, Timers};
use super::installed::Installed;
use super::ports::Ports;
use super::process::{self, Daemon, OnLabDeath, Spawner};
use super::{certs::Certificate, template, wire, LabError};

const TEMPLATE: &str = include_str!("../../sip/kamailio.cfg");

pub fn write_config(
    run_dir: &Path,
    installed: &Installed,
    ports: &Ports,
    cert: &Certificate,
    timers: Timers,
) -> Result<std::path::PathBuf, LabError> {
    let ms = |d: Duration| d.as_millis().to_string();
    let config = template::render(
        "kamailio.cfg",
        TEMPLATE,
        &[
            // First: these two bring placeholders of their own.
            ("DIAL_PLAN", dialplan::kamailio_route()),
            ("PASSWORDS", password_route().trim_end().to_string()),
            ("SIP_PORT", ports.sip.to_string()),
            ("WS_PORT", ports.ws.to_string()),
            ("WSS_PORT", ports.wss.to_string()),
            ("RTPENGINE_NG_PORT", ports.rtpengine_ng.to_string()),
            ("SILENT_HOP_PORT", ports.silent_hop.to_string()),
            ("SILENT_HOP_TIMEOUT_MS", ms(timers.silent_hop_timeout)),
            ("RING_TIMEOUT_MS", ms(timers.ring_timeout)),
            ("DOMAIN", DOMAIN.to_string()),
            ("MODULE_DIR", installed.kamailio_modules.display().to_string()),
            ("RUN_DIR", run_dir.display().to_string()),
            ("CERT_FILE", cert.cert_file.display().to_string()),
            ("KEY_FILE", cert.key_file.display().to_string()),
        ],
    )?;
    let path = run_dir.join("kamailio.cfg");
    std::fs::write(&path, config).map_err(|e| LabError::io("write", &path, e))?;
    Ok(path)
}

/// The body of `route[PASSWORD]`: `$var(user)` → `$var(password)`.
fn password_route() -> String {
    let mut route = String::new();
    for subscriber in accounts::subscribers() {
        let _ = writeln!(
            route,
            "\tif ($var(user) == \"{}\") {{ $var(password) = \"{}\"; }}",
            subscriber.user, subscriber.password
        );
    }
    route
}

pub fn spawn(spawner: &Spawner, installed: &Installed, run_dir: &Path, config: &Path) -> Result<Daemon, LabError> {
    let config = config.display().to_string();
    let pid_file = run_dir.join("kamailio.pid").display().to_string();
    let run = run_dir.display().to_string();
    spawner.spawn(
        "kamailio",
        &installed.kamailio.display().to_string(),
        // -DD: stay in the foreground (our child is the main process); -E: log to stderr (the log
        // file); -S: no SCTP; small memory pools, per-run runtime directory and pid file.
        &["-f", &config, "-DD", "-E", "-S", "-m", "64", "-M", "8", "-Y", &run, "-P", &pid_file, "-w", &run],
        run_dir,
        run_dir.join("kamailio.log"),
        OnLabDeath::Terminate,
    )
}

/// Ready when SIP over UDP answers an OPTIONS and the ws:// and wss:// listeners accept.
pub fn wait_ready(daemon: &mut Daemon, ports: &Ports, timeout: Duration) -> Result<(), LabError> {
    let udp = SocketAddr::from((Ipv4Addr::LOCALHOST, ports.sip));
    daemon.wait_until("OPTIONS over UDP answered", timeout, || {
        Ok(wire::options(udp, "sip:127.0.0.1", Duration::from_millis(100))?
            .is_some_and(|r| r.status().is_some_and(|(c, _)| c == 200)))
    })?;
    for port in [ports.ws, ports.wss] {
        daemon.wait_until(&format!("TCP {port} accepting"), timeout, || {
            Ok(process::accepts_tcp(SocketAddr::from((Ipv4Addr::LOCALHOST, port))))
        })?;
    }
    Ok(())
}
