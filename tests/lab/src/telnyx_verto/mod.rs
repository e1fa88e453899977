//! A Telnyx signalling emulator: Verto JSON-RPC over WSS as `@telnyx/webrtc` 2.x speaks it
//! (reference/telnyx.md §2), with a dial plan of failures ([`scenarios`]) and str0m media.
//!
//! The unmodified SDK reaches it through Chromium's host-resolver rules for the real host names
//! ([`VertoEmulator::host_resolver_rules`]); logins are checked against the JWTs the Telnyx REST
//! fake minted. Besides the socket it serves a loopback control API ([`control`]).

pub mod control;
mod network;
pub mod protocol;
pub mod scenarios;
mod session;
mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use callscope_rtc_peer::MediaMode;
pub use network::{CallDirection, CallEnd, CallRecord, EndedBy, InboundCall, InboundError, MediaCounters};
pub use tls::SIGNALLING_HOSTS;
pub use crate::wire_log::WireEntry;

use crate::rest::telnyx::LoginTokenVerifier;
use crate::server::Server;
use network::Network;

#[derive(Debug, Clone)]
pub struct VertoConfig {
    /// The WSS port; 0 picks a free one.
    pub port: u16,
    /// The control API's port; 0 picks a free one.
    pub control_port: u16,
    /// How often the server pings an idle client (stock mod_verto: after 30 s idle).
    pub ping_interval: Duration,
    /// How long calls wait for a client whose socket dropped to come back and re-attach them.
    pub reattach_window: Duration,
}

impl Default for VertoConfig {
    fn default() -> Self {
        VertoConfig {
            port: 0,
            control_port: 0,
            ping_interval: Duration::from_secs(30),
            reattach_window: Duration::from_secs(30),
        }
    }
}

pub struct VertoEmulator {
    network: Arc<Network>,
    address: SocketAddr,
    certificate_der: CertificateDer<'static>,
    certificate_pem: String,
    acceptor: JoinHandle<()>,
    control: Option<Server>,
}

impl VertoEmulator {
    pub async fn start(config: VertoConfig, tokens: LoginTokenVerifier) -> std::io::Result<VertoEmulator> {
        let identity = tls::make_identity().map_err(std::io::Error::other)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let address = listener.local_addr()?;
        let control_port = config.control_port;
        let network = Network::new(config, tokens);
        let control = Server::start(control::router(network.clone()), control_port).await?;
        let acceptor = tokio::spawn(accept(listener, network.clone(), identity.acceptor));
        Ok(VertoEmulator {
            network,
            address,
            certificate_der: identity.certificate_der,
            certificate_pem: identity.certificate_pem,
            acceptor,
            control: Some(control),
        })
    }

    /// `127.0.0.1:port`, where the WSS listener is.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The run's certificate, valid for [`SIGNALLING_HOSTS`], localhost and 127.0.0.1.
    pub fn certificate_der(&self) -> &CertificateDer<'static> {
        &self.certificate_der
    }

    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// `http://127.0.0.1:port`, the control API's origin (routes under [`control::PREFIX`]).
    pub fn control_origin(&self) -> String {
        self.control.as_ref().map(Server::origin).unwrap_or_default()
    }

    /// Chromium's `--host-resolver-rules` value: the signalling hosts (regional ones too) go to
    /// this emulator; every other Telnyx host (STUN, TURN) and Google's STUN fail to resolve, so
    /// nothing leaves the machine and ICE uses host candidates. Earlier rules win.
    pub fn host_resolver_rules(&self) -> String {
        let mut rules: Vec<String> =
            SIGNALLING_HOSTS.iter().map(|host| format!("MAP {host} {}", self.address)).collect();
        rules.push("MAP *.telnyx.com ~NOTFOUND".into());
        rules.push("MAP stun.l.google.com ~NOTFOUND".into());
        rules.join(", ")
    }

    /// Chromium's flags for driving the real SDK against this emulator (platform.md §7).
    pub fn chromium_args(&self) -> Vec<String> {
        [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--autoplay-policy=no-user-gesture-required",
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--ignore-certificate-errors",
        ]
        .into_iter()
        .map(str::to_string)
        .chain([format!("--host-resolver-rules={}", self.host_resolver_rules())])
        .collect()
    }

    /// Rings the newest logged-in client (of `call.sip_username`, if given) with our offer.
    pub fn place_inbound_call(&self, call: InboundCall) -> Result<String, InboundError> {
        self.network.place_inbound(call)
    }

    /// Every call so far, ended ones first.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.network.calls()
    }

    pub fn call(&self, call_id: &str) -> Option<CallRecord> {
        self.calls().into_iter().rev().find(|c| c.call_id == call_id)
    }

    /// Every frame in and out, in order.
    pub fn wire_log(&self) -> Vec<WireEntry> {
        self.network.log.entries()
    }

    /// Where to connect and what to dial, as one JSON object (the CLI prints it).
    pub fn describe(&self) -> Value {
        json!({
            "wss_address": self.address.to_string(),
            "signalling_url": "wss://rtc.telnyx.com",
            "host_resolver_rules": self.host_resolver_rules(),
            "chromium_args": self.chromium_args(),
            "control_url": format!("{}{}", self.control_origin(), control::PREFIX),
            "scenarios": scenarios::describe(),
            "unknown_numbers": "answered, echo",
            // Checked with Chromium 156: its WebRTC STUN/TURN lookups ignore the host-resolver
            // rules, so the SDK's default ICE hosts are looked up in real DNS unless the browser
            // runs where DNS cannot leave the machine.
            "isolation": "Chromium's WebRTC STUN/TURN host lookups ignore --host-resolver-rules: run the lab and Chromium in a \
                loopback-only network namespace (unshare -n sh -c 'ip link set lo up; ...') so the SDK's default ICE \
                hosts (stun.telnyx.com, turn.telnyx.com, stun.l.google.com) fail locally; calls then use host candidates \
                and the SDK warns 33005 ONLY_HOST_ICE_CANDIDATES",
        })
    }

    /// Cuts every connection, ends every call, and stops listening.
    pub async fn stop(mut self) {
        self.acceptor.abort();
        self.network.shut_down();
        if let Some(control) = self.control.take() {
            control.stop().await;
        }
    }
}

impl Drop for VertoEmulator {
    fn drop(&mut self) {
        self.acceptor.abort();
        self.network.shut_down();
    }
}

async fn accept(listener: TcpListener, network: Arc<Network>, tls: tokio_rustls::TlsAcceptor) {
    let connections = AtomicU64::new(1);
    loop {
        match listener.accept().await {
            Ok((tcp, _)) => {
                let connection = connections.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(session::serve(network.clone(), tcp, tls.clone(), connection));
            }
            Err(e) => tracing::warn!(target: "lab", "the Verto emulator could not accept a connection: {e}"),
        }
    }
}
