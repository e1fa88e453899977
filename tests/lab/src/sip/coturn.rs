//! coturn: STUN and TURN with static long-term users on UDP, TCP and TLS, loopback peers allowed
//! (rtpengine is one) and the turnblock address denied. Template: `tests/lab/sip/turnserver.conf`.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use super::accounts::{DOMAIN, TURN_OTHER_USER, TURN_USER};
use super::certs::Certificate;
use super::installed::Installed;
use super::ports::Ports;
use super::process::{self, Daemon, OnLabDeath, Spawner};
use super::{stun, template, LabError};

const TEMPLATE: &str = include_str!("../../sip/turnserver.conf");

pub fn write_config(run_dir: &Path, ports: &Ports, cert: &Certificate) -> Result<std::path::PathBuf, LabError> {
    let mut users = String::new();
    for user in [TURN_USER, TURN_OTHER_USER] {
        let _ = writeln!(users, "user={}:{}", user.username, user.credential);
    }
    let config = template::render(
        "turnserver.conf",
        TEMPLATE,
        &[
            ("PORT", ports.turn.to_string()),
            ("TLS_PORT", ports.turn_tls.to_string()),
            ("RELAY_PORT_MIN", ports.turn_relay.0.to_string()),
            ("RELAY_PORT_MAX", ports.turn_relay.1.to_string()),
            ("REALM", DOMAIN.to_string()),
            ("USERS", users.trim_end().to_string()),
            ("CERT_FILE", cert.cert_file.display().to_string()),
            ("KEY_FILE", cert.key_file.display().to_string()),
            ("RUN_DIR", run_dir.display().to_string()),
        ],
    )?;
    let path = run_dir.join("turnserver.conf");
    std::fs::write(&path, config).map_err(|e| LabError::io("write", &path, e))?;
    Ok(path)
}

pub fn spawn(spawner: &Spawner, installed: &Installed, run_dir: &Path, config: &Path) -> Result<Daemon, LabError> {
    let config = config.display().to_string();
    spawner.spawn(
        "coturn",
        &installed.turnserver.display().to_string(),
        &["-c", &config],
        run_dir,
        run_dir.join("coturn.log"),
        OnLabDeath::Kill,
    )
}

/// Ready when a STUN Binding over UDP succeeds and the TCP and TLS listeners accept.
pub fn wait_ready(daemon: &mut Daemon, ports: &Ports, timeout: Duration) -> Result<(), LabError> {
    let udp = SocketAddr::from((Ipv4Addr::LOCALHOST, ports.turn));
    daemon.wait_until("STUN Binding over UDP answered", timeout, || {
        stun::binding_succeeds(udp, Duration::from_millis(100))
    })?;
    for port in [ports.turn, ports.turn_tls] {
        daemon.wait_until(&format!("TCP {port} accepting"), timeout, || {
            Ok(process::accepts_tcp(SocketAddr::from((Ipv4Addr::LOCALHOST, port))))
        })?;
    }
    Ok(())
}
