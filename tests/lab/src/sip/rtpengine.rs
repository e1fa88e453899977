//! rtpengine in userspace: bridges the browser's WebRTC media (ICE, DTLS-SRTP, rtcp-mux) to plain
//! RTP towards baresip, with two extra interfaces that inject media faults (see the template,
//! `tests/lab/sip/rtpengine.conf`).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::Path;
use std::time::Duration;

use super::installed::Installed;
use super::ports::Ports;
use super::process::{Daemon, OnLabDeath, Spawner};
use super::{template, LabError};

const TEMPLATE: &str = include_str!("../../sip/rtpengine.conf");

pub fn write_config(run_dir: &Path, ports: &Ports) -> Result<std::path::PathBuf, LabError> {
    let config = template::render(
        "rtpengine.conf",
        TEMPLATE,
        &[
            ("NG_PORT", ports.rtpengine_ng.to_string()),
            ("MEDIA_PORT_MIN", ports.media.0.to_string()),
            ("MEDIA_PORT_MAX", ports.media.1.to_string()),
            ("RUN_DIR", run_dir.display().to_string()),
        ],
    )?;
    let path = run_dir.join("rtpengine.conf");
    std::fs::write(&path, config).map_err(|e| LabError::io("write", &path, e))?;
    Ok(path)
}

pub fn spawn(spawner: &Spawner, installed: &Installed, run_dir: &Path, config: &Path) -> Result<Daemon, LabError> {
    let config = format!("--config-file={}", config.display());
    spawner.spawn(
        "rtpengine",
        &installed.rtpengine.display().to_string(),
        &[&config, "--config-section=rtpengine"],
        run_dir,
        run_dir.join("rtpengine.log"),
        OnLabDeath::Kill,
    )
}

/// Ready when the ng control port answers `ping` with `pong`.
pub fn wait_ready(daemon: &mut Daemon, ports: &Ports, timeout: Duration) -> Result<(), LabError> {
    let control = SocketAddr::from((Ipv4Addr::LOCALHOST, ports.rtpengine_ng));
    daemon.wait_until("ng ping answered", timeout, || ng_ping(control))
}

/// One ng-protocol ping: "<cookie> d7:command4:pinge" → "<cookie> d6:result4:ponge".
fn ng_ping(control: SocketAddr) -> std::io::Result<bool> {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    socket.set_read_timeout(Some(Duration::from_millis(50)))?;
    let cookie = super::wire::token();
    socket.send_to(format!("{cookie} d7:command4:pinge").as_bytes(), control)?;
    let mut buffer = [0u8; 512];
    match socket.recv(&mut buffer) {
        Ok(n) => Ok(String::from_utf8_lossy(&buffer[..n]).starts_with(&format!("{cookie} d6:result4:pong"))),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => Ok(false),
        Err(e) => Err(e),
    }
}
