//! The far ends: one baresip process per [`FarEnd`], each with one account registered to Kamailio
//! over UDP, an audio set-up for its role, and a `ctrl_tcp` control port (see [`super::control`]).
//! Template: `tests/lab/sip/baresip.conf`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::accounts::{FarEnd, DOMAIN};
use super::installed::Installed;
use super::ports::Ports;
use super::process::{Daemon, OnLabDeath, Spawner};
use super::{template, wire, LabError};

const TEMPLATE: &str = include_str!("../../sip/baresip.conf");

/// The tone's frequency (ausine generates it: a file would end, a generator does not).
pub const TONE_HZ: u32 = 440;

struct Role {
    answer_mode: &'static str,
    audio_source: String,
    audio_player: &'static str,
    modules: &'static [&'static str],
}

fn role(far_end: FarEnd) -> Role {
    // No sound card here: what a far end "hears" goes to ALSA's null device.
    match far_end {
        FarEnd::Tone => Role {
            answer_mode: "auto",
            audio_source: format!("ausine,{TONE_HZ}"),
            audio_player: "alsa,null",
            modules: &["module\t\t\tausine.so", "module\t\t\talsa.so"],
        },
        // The echo module answers every call itself and wires its audio through aubridge, source to
        // player, under a device name per call.
        FarEnd::Echo => Role {
            answer_mode: "manual",
            audio_source: "aubridge,echo".into(),
            audio_player: "aubridge,echo",
            modules: &["module\t\t\taubridge.so", "module\t\t\talsa.so", "module_app\t\techo.so"],
        },
        FarEnd::Ringer => Role {
            answer_mode: "manual",
            audio_source: format!("ausine,{TONE_HZ}"),
            audio_player: "alsa,null",
            modules: &["module\t\t\tausine.so", "module\t\t\talsa.so"],
        },
    }
}

/// Writes `<run>/baresip-<user>/{config,accounts}` and returns that directory.
pub fn write_config(
    run_dir: &Path,
    installed: &Installed,
    ports: &Ports,
    far_end: FarEnd,
) -> Result<PathBuf, LabError> {
    let dir = run_dir.join(format!("baresip-{}", far_end.user()));
    std::fs::create_dir_all(&dir).map_err(|e| LabError::io("create", &dir, e))?;
    let own = ports.baresip(far_end.index());
    let role = role(far_end);
    let config = template::render(
        "baresip.conf",
        TEMPLATE,
        &[
            ("ROLE", far_end.user().to_string()),
            ("SIP_PORT", own.sip.to_string()),
            ("CTRL_PORT", own.ctrl.to_string()),
            ("RTP_PORT_MIN", own.rtp.0.to_string()),
            ("RTP_PORT_MAX", own.rtp.1.to_string()),
            ("AUDIO_SOURCE", role.audio_source.clone()),
            ("AUDIO_PLAYER", role.audio_player.to_string()),
            ("AUDIO_ALERT", "alsa,null".to_string()),
            ("MODULES", role.modules.join("\n")),
            ("MODULE_PATH", installed.baresip_modules.display().to_string()),
        ],
    )?;
    write(&dir.join("config"), &config)?;
    let subscriber = far_end.subscriber();
    // The outbound proxy is Kamailio's UDP port: lab.test is never resolved, and dialled targets
    // such as sip:alice@lab.test go through the proxy too.
    let account = format!(
        "<sip:{user}@{DOMAIN}>;auth_pass={password};outbound=\"sip:127.0.0.1:{proxy};transport=udp\";\
         answermode={answer};regint=3600;audio_codecs=opus/48000/2,PCMU/8000,PCMA/8000\n",
        user = subscriber.user,
        password = subscriber.password,
        proxy = ports.sip,
        answer = role.answer_mode,
    );
    write(&dir.join("accounts"), &account)?;
    // Present but empty, so that baresip does not write its own examples here.
    write(&dir.join("contacts"), "")?;
    Ok(dir)
}

fn write(path: &Path, contents: &str) -> Result<(), LabError> {
    std::fs::write(path, contents).map_err(|e| LabError::io("write", path, e))
}

pub fn spawn(
    spawner: &Spawner,
    installed: &Installed,
    run_dir: &Path,
    config_dir: &Path,
    far_end: FarEnd,
) -> Result<Daemon, LabError> {
    let config_dir = config_dir.display().to_string();
    spawner.spawn(
        &format!("baresip-{}", far_end.user()),
        &installed.baresip.display().to_string(),
        &["-f", &config_dir],
        run_dir,
        run_dir.join(format!("baresip-{}.log", far_end.user())),
        OnLabDeath::Kill,
    )
}

/// Ready when an OPTIONS through Kamailio to `sip:<user>@lab.test` is answered 200 by baresip
/// itself: registered, and reachable along the path calls take.
pub fn wait_registered(daemon: &mut Daemon, ports: &Ports, far_end: FarEnd, timeout: Duration) -> Result<(), LabError> {
    let proxy = SocketAddr::from((Ipv4Addr::LOCALHOST, ports.sip));
    let uri = format!("sip:{}@{DOMAIN}", far_end.user());
    daemon.wait_until(&format!("{uri} registered"), timeout, || {
        let reply = wire::options(proxy, &uri, Duration::from_millis(200))?;
        // Until then Kamailio itself answers 480 Not Registered; it never answers 200 for a user.
        Ok(reply.is_some_and(|r| r.status().is_some_and(|(code, _)| code == 200)))
    })
}
