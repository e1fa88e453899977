//! A Twilio signalling emulator: PStream 1.6 over WSS as `@twilio/voice-sdk` 2.x speaks it
//! (reference/twilio.md §2), with a dial plan of failures ([`scenarios`]), str0m media, and the
//! Insights and sound hosts the SDK also reaches, all on one loopback TLS port.
//!
//! The unmodified SDK reaches it through Chromium's host-resolver rules for the real host names
//! ([`PStreamEmulator::host_resolver_rules`]); Access Tokens are checked against the API keys of
//! the Twilio REST fake ([`crate::TwilioFake::access_tokens`]). Besides the TLS port it serves a
//! loopback control API ([`control`]).

mod calls;
pub mod control;
mod gateway;
mod http;
mod incoming;
mod insights;
mod outgoing;
pub mod protocol;
pub mod scenarios;
mod session;
mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use calls::{CallDirection, CallEnd, CallRecord, EndedBy, MediaCounters};
pub use callscope_rtc_peer::MediaMode;
pub use gateway::ClientRecord;
pub use incoming::{IncomingCall, IncomingError};
pub use insights::InsightsPost;
pub use protocol::GatewayError;
pub use scenarios::Timings;
pub use crate::wire_log::WireEntry;

use crate::rest::twilio::AccessTokenVerifier;
use crate::server::Server;
use gateway::Gateway;

/// The hosts sent to this emulator, in Chromium's pattern syntax: every signalling edge, both
/// Insights forms and the sounds host.
pub const MAPPED_HOSTS: [&str; 4] =
    ["voice-js.*.twilio.com", "eventgw.twilio.com", "eventgw.*.twilio.com", "sdk.twilio.com"];

#[derive(Debug, Clone)]
pub struct PStreamConfig {
    /// The TLS port (signalling, Insights, sounds); 0 picks a free one.
    pub port: u16,
    /// The control API's port; 0 picks a free one.
    pub control_port: u16,
    /// How often the gateway sends the `"\n"` heartbeat (the SDK gives up after 15 s of silence).
    pub heartbeat_interval: Duration,
    pub timings: Timings,
    /// Answer a token refresh (`listen` on a socket that already has a good token) with a new
    /// `connected`, which re-arms the SDK's `tokenWillExpire`. Off by default: issue #93 suggests
    /// the real gateway does not.
    pub reconfirm_refreshed_tokens: bool,
    /// TwiML apps whose calls are declined with 31002, as an app without a Voice URL would be
    /// (the CLI puts the REST fake's seeded app without one here).
    pub declined_applications: Vec<String>,
}

impl Default for PStreamConfig {
    fn default() -> Self {
        PStreamConfig {
            port: 0,
            control_port: 0,
            heartbeat_interval: Duration::from_secs(5),
            timings: Timings::default(),
            reconfirm_refreshed_tokens: false,
            declined_applications: Vec::new(),
        }
    }
}

pub struct PStreamEmulator {
    gateway: Arc<Gateway>,
    address: SocketAddr,
    certificate_der: CertificateDer<'static>,
    certificate_pem: String,
    server: Option<JoinHandle<()>>,
    control: Option<Server>,
}

impl PStreamEmulator {
    pub async fn start(config: PStreamConfig, tokens: AccessTokenVerifier) -> std::io::Result<PStreamEmulator> {
        let identity = tls::make_identity().map_err(std::io::Error::other)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let address = listener.local_addr()?;
        let control_port = config.control_port;
        let gateway = Gateway::new(config, tokens);
        let control = Server::start(control::router(gateway.clone()), control_port).await?;
        let listener = tls::TlsListener::new(listener, identity.acceptor)?;
        let router = http::router(gateway.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!(target: "lab", "the PStream emulator stopped: {e}");
            }
        });
        Ok(PStreamEmulator {
            gateway,
            address,
            certificate_der: identity.certificate_der,
            certificate_pem: identity.certificate_pem,
            server: Some(server),
            control: Some(control),
        })
    }

    /// `127.0.0.1:port`, where the TLS listener is.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The run's certificate, for the Twilio host names, localhost and 127.0.0.1.
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

    /// Chromium's `--host-resolver-rules` value: [`MAPPED_HOSTS`] come here; every other Twilio
    /// host (media.twiliocdn.com, the REST hosts) fails to resolve, so nothing leaves the machine.
    /// Earlier rules win.
    pub fn host_resolver_rules(&self) -> String {
        let mut rules: Vec<String> = MAPPED_HOSTS.iter().map(|host| format!("MAP {host} {}", self.address)).collect();
        rules.push("MAP *.twilio.com ~NOTFOUND".into());
        rules.push("MAP *.twiliocdn.com ~NOTFOUND".into());
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

    /// Rings a registered client (the newest, or `call.identity`) with the gateway's offer.
    pub fn place_incoming_call(&self, call: IncomingCall) -> Result<String, IncomingError> {
        self.gateway.place_incoming(call)
    }

    /// The gateway hangs a call up, with an error in its `hangup` if given.
    pub fn hang_up(&self, callsid: &str, error: Option<GatewayError>) -> bool {
        self.gateway.hang_up(callsid, error)
    }

    /// Drops the sockets of `identity` (or every socket) without a close frame.
    pub fn cut_sockets(&self, identity: Option<&str>) -> usize {
        self.gateway.cut(identity)
    }

    /// Every call so far, in the order they began.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.gateway.calls()
    }

    /// The call with this `CA…` or `TJS…` sid.
    pub fn call(&self, sid: &str) -> Option<CallRecord> {
        self.calls().into_iter().find(|c| c.callsid == sid || c.temporary_sid.as_deref() == Some(sid))
    }

    /// The sockets open now.
    pub fn clients(&self) -> Vec<ClientRecord> {
        self.gateway.clients()
    }

    /// Every frame in and out, in order.
    pub fn wire_log(&self) -> Vec<WireEntry> {
        self.gateway.log.entries()
    }

    /// Every Insights post so far.
    pub fn insights(&self) -> Vec<InsightsPost> {
        self.gateway.insights.posts()
    }

    /// Where to connect and what to dial, as one JSON object (the CLI prints it).
    pub fn describe(&self) -> Value {
        json!({
            "wss_address": self.address.to_string(),
            "signalling_url": "wss://voice-js.roaming.twilio.com/signal",
            "mapped_hosts": MAPPED_HOSTS,
            "host_resolver_rules": self.host_resolver_rules(),
            "chromium_args": self.chromium_args(),
            "control_url": format!("{}{}", self.control_origin(), control::PREFIX),
            "heartbeat_interval_ms": self.gateway.config.heartbeat_interval.as_millis() as u64,
            "reconfirm_refreshed_tokens": self.gateway.config.reconfirm_refreshed_tokens,
            "scenarios": scenarios::describe(&self.gateway.config.timings),
            "token_outcomes": [
                {"token": "bad signature, unknown key, wrong account or region, no voice grant or identity, not a JWT", "wire": "error{code:31204}", "sdk": "Device error 20101 AccessTokenInvalid; connect()/register() never settle"},
                {"token": "expired at listen", "wire": "error{code:31205}", "sdk": "Device error 20104 AccessTokenExpired"},
                {"token": "lifetime over 24 h", "wire": "error{code:31207}", "sdk": "Device error 31207 (53000 without the precision flag)"},
                {"token": "expires while the socket is open", "wire": "error{code:31205} then offline (if registered)", "sdk": "Device error 20104, state unregistered; updateToken() brings connected again"},
                {"token": "no outgoing grant, or a declined TwiML app", "wire": "hangup{error:{code:31002}}", "sdk": "Call error 31002, disconnect"},
            ],
            "signalling_drop": "a call whose socket drops is held for listen.reconnectTimeout (the SDK's maxCallSignalingTimeoutMs), then ended; the drop numbers override it",
        })
    }

    /// Cuts every socket, ends every call, and stops listening.
    pub async fn stop(mut self) {
        self.gateway.shut_down();
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
        if let Some(control) = self.control.take() {
            control.stop().await;
        }
    }
}

impl Drop for PStreamEmulator {
    fn drop(&mut self) {
        self.gateway.shut_down();
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
