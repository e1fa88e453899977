//! The emulator's TLS: a self-signed certificate made at start for the real Twilio host names the
//! SDK opens (signalling, Insights, sounds), and a listener that hands axum finished TLS streams.
//!
//! The browser is pointed here with host-resolver rules and trusts the certificate through
//! `--ignore-certificate-errors`; a Rust client trusts it outright ([`Identity::certificate_der`]).

use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The edges the SDK knows (regions.ts `Edge`), each reached at `voice-js.{edge}.twilio.com`.
pub const EDGES: [&str; 16] = [
    "sydney",
    "sao-paulo",
    "dublin",
    "frankfurt",
    "tokyo",
    "singapore",
    "ashburn",
    "umatilla",
    "roaming",
    "ashburn-ix",
    "san-jose-ix",
    "london-ix",
    "frankfurt-ix",
    "singapore-ix",
    "sydney-ix",
    "tokyo-ix",
];

/// Home regions, each with its Insights host `eventgw.{home}.twilio.com` (regions.ts `Region`).
const HOMES: [&str; 8] = ["us1", "us2", "ie1", "de1", "au1", "jp1", "sg1", "br1"];

/// The names on the certificate. A wildcard covers one label only, so `*.twilio.com` takes
/// `eventgw.twilio.com` and `sdk.twilio.com`, and the two-label names are listed one by one.
fn certificate_names() -> Vec<String> {
    let mut names = vec!["*.twilio.com".to_string()];
    names.extend(EDGES.iter().map(|edge| format!("voice-js.{edge}.twilio.com")));
    names.extend(HOMES.iter().map(|home| format!("eventgw.{home}.twilio.com")));
    names.extend(["localhost".to_string(), "127.0.0.1".to_string()]);
    names
}

pub struct Identity {
    pub certificate_der: CertificateDer<'static>,
    pub certificate_pem: String,
    pub acceptor: TlsAcceptor,
}

pub fn make_identity() -> Result<Identity, String> {
    let mut params = CertificateParams::new(certificate_names()).map_err(|e| format!("certificate names: {e}"))?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, "voice-js.roaming.twilio.com (callscope-lab)");
    params.distinguished_name = subject;
    let key = KeyPair::generate().map_err(|e| format!("certificate key: {e}"))?;
    let cert = params.self_signed(&key).map_err(|e| format!("self-signing the certificate: {e}"))?;
    let certificate_der = cert.der().clone();
    let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    // An explicit provider: str0m brings aws-lc-rs into the build, and with two providers
    // compiled in rustls will not pick one by itself.
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certificate_der.clone()], private_key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    // HTTP/1.1 only: a WebSocket upgrade needs it, and Insights posts are happy with it.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Identity { certificate_der, certificate_pem: cert.pem(), acceptor: TlsAcceptor::from(Arc::new(config)) })
}

/// A TCP listener whose connections reach axum only once their TLS handshake is done. Each
/// handshake runs in its own task, so one stalled client cannot hold up the others.
pub struct TlsListener {
    address: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let address = listener.local_addr()?;
        let (ready_tx, ready) = mpsc::channel(64);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (tcp, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(target: "lab", "the PStream emulator could not accept a connection: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let ready_tx = ready_tx.clone();
                tokio::spawn(async move {
                    match acceptor.accept(tcp).await {
                        Ok(stream) => {
                            let _ = ready_tx.send((stream, peer)).await;
                        }
                        Err(e) => tracing::debug!(target: "lab", %peer, "TLS handshake failed: {e}"),
                    }
                });
            }
        });
        Ok(TlsListener { address, ready, acceptor_task })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The acceptor task only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.address)
    }
}
