//! What a running lab offers, in one value: printed as one line of JSON by `callscope-lab sip --json`
//! (for scripts and the Node end-to-end tests) or as a guide for a person.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::accounts::{self, FarEnd, Subscriber, TurnUser, DOMAIN};
use super::certs::Certificate;
use super::dialplan::{After, Expected, Media, Timers, DIAL_PLAN, UNKNOWN_NUMBER};
use super::ports::Ports;
use super::process::Daemon;

#[derive(Debug, Clone, Default, Serialize)]
pub struct LabInfo {
    /// The process that runs the lab (SIGTERM it to stop everything).
    pub pid: u32,
    pub run_dir: String,
    pub domain: String,
    pub signalling: Signalling,
    /// Accounts for the app (register as one of these).
    pub users: Vec<UserInfo>,
    pub far_ends: Vec<FarEndInfo>,
    pub dial_plan: Vec<NumberInfo>,
    /// Any number that is neither in the dial plan nor a subscriber.
    pub unknown_number: NumberInfo,
    pub timers: TimersInfo,
    pub turn: TurnInfo,
    pub processes: Vec<ProcessInfo>,
    pub started_in_ms: u64,
    pub callscope: HowTo,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Signalling {
    pub ws: String,
    pub wss: String,
    /// Kamailio for plain SIP clients (UDP and TCP): `127.0.0.1:port`.
    pub sip: String,
    /// The self-signed certificate of wss:// and turns: (PEM file).
    pub certificate: String,
    /// rtpengine's media ports (both ends included): every call's media goes through one of them.
    pub media_ports: (u16, u16),
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UserInfo {
    pub user: String,
    pub password: String,
    pub uri: String,
    pub purpose: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FarEndInfo {
    pub name: String,
    pub uri: String,
    pub password: String,
    pub behaviour: String,
    /// baresip's ctrl_tcp port, `127.0.0.1:port` (protocol: src/sip/control.rs).
    pub control: String,
    pub sip: String,
    pub pid: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct NumberInfo {
    pub number: String,
    pub uri: String,
    pub summary: String,
    /// A provisional reply expected before the final one (180).
    pub provisional: Option<u16>,
    pub status: u16,
    pub reason: String,
    /// The whole `Reason` header value, e.g. `Q.850;cause=34;text="No circuit/channel available"`.
    pub reason_header: Option<String>,
    pub q850_cause: Option<u16>,
    /// When the final reply comes, from the INVITE: 0 for at once.
    pub after_ms: u64,
    /// For answered calls: which media the caller gets, and the address rtpengine advertises.
    pub media: Option<Media>,
    pub media_address: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TimersInfo {
    pub ring_timeout_ms: u64,
    pub silent_hop_timeout_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TurnInfo {
    pub realm: String,
    pub stun: String,
    pub udp: String,
    pub tcp: String,
    pub tls: String,
    pub good: TurnCredentials,
    /// Valid too; on the first user's allocation it gets 441 Wrong Credentials.
    pub other: TurnCredentials,
    /// Allocate gets 401 Unauthorized; in Chromium, icecandidateerror 401 and no relay candidate.
    pub wrong: TurnCredentials,
    /// coturn refuses this peer (403 Forbidden IP): the `turnblock` number's media address.
    pub denied_peer: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TurnCredentials {
    pub username: String,
    pub credential: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ProcessInfo {
    pub name: String,
    pub pid: u32,
    pub log: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HowTo {
    /// Adds the lab as a SIP account in Callscope; standard input gives the SIP password, then the
    /// TURN password (the lines in `stdin`).
    pub add_account: String,
    pub stdin: Vec<String>,
    /// For Chromium (and Chrome): accept the lab's self-signed certificate on wss://, and let
    /// WebRTC gather loopback candidates. Or use the ws:// URI and skip the first flag.
    pub chromium_flags: Vec<String>,
}

pub(super) fn describe(
    ports: &Ports,
    run_dir: &Path,
    cert: &Certificate,
    timers: Timers,
    daemons: &[Daemon],
    took: Duration,
) -> LabInfo {
    let local = |port: u16| format!("127.0.0.1:{port}");
    let pid_of = |name: &str| daemons.iter().find(|d| d.name() == name).map_or(0, Daemon::pid);
    let signalling = Signalling {
        ws: format!("ws://{}", local(ports.ws)),
        wss: format!("wss://{}", local(ports.wss)),
        sip: local(ports.sip),
        certificate: cert.cert_file.display().to_string(),
        media_ports: ports.media,
    };
    let turn = TurnInfo {
        realm: DOMAIN.to_string(),
        stun: format!("stun:{}", local(ports.turn)),
        udp: format!("turn:{}?transport=udp", local(ports.turn)),
        tcp: format!("turn:{}?transport=tcp", local(ports.turn)),
        tls: format!("turns:{}?transport=tcp", local(ports.turn_tls)),
        good: credentials(accounts::TURN_USER),
        other: credentials(accounts::TURN_OTHER_USER),
        wrong: credentials(accounts::TURN_WRONG_PASSWORD),
        denied_peer: Media::TurnPeerDenied.advertised_address().to_string(),
    };
    let callscope =
        HowTo {
            add_account: format!(
            "callscope accounts add sip lab --wss-uri {} --sip-uri sip:{}@{DOMAIN} --ice-server '{}' --turn-user {}",
            signalling.wss, accounts::ALICE.user, turn.udp, turn.good.username
        ),
            stdin: vec![accounts::ALICE.password.to_string(), turn.good.credential.clone()],
            chromium_flags: vec!["--ignore-certificate-errors".into(), "--allow-loopback-in-peer-connection".into()],
        };
    LabInfo {
        pid: std::process::id(),
        run_dir: run_dir.display().to_string(),
        domain: DOMAIN.to_string(),
        signalling,
        users: [accounts::ALICE, accounts::BOB].map(user_info).to_vec(),
        far_ends: FarEnd::ALL
            .iter()
            .map(|&far_end| {
                let own = ports.baresip(far_end.index());
                let subscriber = far_end.subscriber();
                FarEndInfo {
                    name: subscriber.user.to_string(),
                    uri: format!("sip:{}@{DOMAIN}", subscriber.user),
                    password: subscriber.password.to_string(),
                    behaviour: subscriber.purpose.to_string(),
                    control: local(own.ctrl),
                    sip: local(own.sip),
                    pid: pid_of(&format!("baresip-{}", subscriber.user)),
                }
            })
            .collect(),
        dial_plan: DIAL_PLAN
            .iter()
            .map(|entry| {
                let media = entry.media();
                NumberInfo {
                    media,
                    media_address: media.map(|m| m.advertised_address().to_string()),
                    ..number_info(entry.number, entry.summary, entry.expected(timers))
                }
            })
            .collect(),
        unknown_number: number_info("*", "any other number: the proxy knows no such user", UNKNOWN_NUMBER),
        timers: TimersInfo {
            ring_timeout_ms: timers.ring_timeout.as_millis() as u64,
            silent_hop_timeout_ms: timers.silent_hop_timeout.as_millis() as u64,
        },
        turn,
        processes: daemons
            .iter()
            .map(|d| ProcessInfo { name: d.name().to_string(), pid: d.pid(), log: d.log_path().display().to_string() })
            .collect(),
        started_in_ms: took.as_millis() as u64,
        callscope,
    }
}

fn credentials(user: TurnUser) -> TurnCredentials {
    TurnCredentials { username: user.username.to_string(), credential: user.credential.to_string() }
}

fn user_info(subscriber: Subscriber) -> UserInfo {
    UserInfo {
        user: subscriber.user.to_string(),
        password: subscriber.password.to_string(),
        uri: format!("sip:{}@{DOMAIN}", subscriber.user),
        purpose: subscriber.purpose.to_string(),
    }
}

fn number_info(number: &str, summary: &str, expected: Expected) -> NumberInfo {
    NumberInfo {
        number: number.to_string(),
        uri: format!("sip:{number}@{DOMAIN}"),
        summary: summary.to_string(),
        provisional: expected.provisional,
        status: expected.status,
        reason: expected.reason.to_string(),
        reason_header: expected.q850.map(|q| q.header_value()),
        q850_cause: expected.q850.map(|q| q.cause),
        after_ms: match expected.after {
            After::AtOnce => 0,
            After::RingTimeout(ms) | After::SilentHopTimeout(ms) => ms,
        },
        media: None,
        media_address: None,
    }
}

impl LabInfo {
    /// The readable form: where things are, the dial plan, and how to point Callscope at it.
    pub fn guide(&self) -> String {
        let mut out = String::new();
        let s = &self.signalling;
        let _ = writeln!(
            out,
            "Callscope SIP lab is up ({} ms). Everything listens on 127.0.0.1 only.\n",
            self.started_in_ms
        );
        let _ =
            writeln!(out, "SIP over WebSocket   {}   (or {}; self-signed certificate {})", s.wss, s.ws, s.certificate);
        let _ = writeln!(out, "Plain SIP (UDP/TCP)  {}", s.sip);
        let _ = writeln!(out, "Domain and realm     {}", self.domain);
        for user in &self.users {
            let _ = writeln!(out, "User                 {} / {}   ({})", user.uri, user.password, user.purpose);
        }
        let _ = writeln!(out, "\nDial plan (dial the number, or sip:NUMBER@{}):", self.domain);
        for n in self.dial_plan.iter().chain([&self.unknown_number]) {
            let reason = n.reason_header.as_deref().map(|r| format!("  Reason: {r}")).unwrap_or_default();
            let when =
                if n.after_ms > 0 { format!(" after {:.1} s", n.after_ms as f64 / 1000.0) } else { String::new() };
            let _ =
                writeln!(out, "  {:<10} {} {}{when}{reason}\n             {}", n.number, n.status, n.reason, n.summary);
        }
        let t = &self.turn;
        let _ = writeln!(out, "\nTURN (realm {}): {}  {}  {}  (STUN {})", t.realm, t.udp, t.tcp, t.tls, t.stun);
        let _ = writeln!(
            out,
            "  good {}/{}, other {}/{}, wrong {}/{}; denied peer {}",
            t.good.username,
            t.good.credential,
            t.other.username,
            t.other.credential,
            t.wrong.username,
            t.wrong.credential,
            t.denied_peer
        );
        let _ = writeln!(
            out,
            "\nFar ends (baresip; control with netstring JSON on ctrl_tcp, see tests/lab/sip/README.md):"
        );
        for far_end in &self.far_ends {
            let _ = writeln!(
                out,
                "  {:<7} {}  control {}  pid {}  ({})",
                far_end.name, far_end.uri, far_end.control, far_end.pid, far_end.behaviour
            );
        }
        if let Some(tone) = self.far_ends.first() {
            let command = format!(
                "{{\"command\":\"dial\",\"params\":\"{}\"}}",
                self.users.first().map_or("", |u| u.uri.as_str())
            );
            let _ = writeln!(
                out,
                "  Make the {} far end call alice: send the netstring {}:{command}, to {}",
                tone.name,
                command.len(),
                tone.control
            );
        }
        let _ = writeln!(out, "\nPoint Callscope at it:");
        let _ = writeln!(out, "  printf '%s\\n' {} | {}", self.callscope.stdin.join(" "), self.callscope.add_account);
        let _ = writeln!(
            out,
            "  Chromium: {}  (or use {} instead of wss://)",
            self.callscope.chromium_flags.join(" "),
            s.ws
        );
        let _ = writeln!(out, "\nRun directory (configurations and logs, kept after stop): {}", self.run_dir);
        for p in &self.processes {
            let _ = writeln!(out, "  {:<15} pid {:<7} {}", p.name, p.pid, p.log);
        }
        let _ = writeln!(out, "\nCtrl-C or SIGTERM stops the lab.");
        out
    }
}
