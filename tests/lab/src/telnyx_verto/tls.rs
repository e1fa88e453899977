//! The emulator's TLS: a self-signed certificate made at start for the real Telnyx signalling
//! host names, so the browser can be pointed at it with host-resolver rules and
//! `--ignore-certificate-errors`, and a Rust client can trust it outright.

use std::sync::Arc;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The names the SDK can open (§2.2): production, development, and their regional forms.
pub const SIGNALLING_HOSTS: [&str; 4] =
    ["rtc.telnyx.com", "*.rtc.telnyx.com", "rtcdev.telnyx.com", "*.rtcdev.telnyx.com"];

pub struct Identity {
    pub certificate_der: CertificateDer<'static>,
    pub certificate_pem: String,
    pub acceptor: TlsAcceptor,
}

pub fn make_identity() -> Result<Identity, String> {
    let mut names: Vec<String> = SIGNALLING_HOSTS.iter().map(|h| h.to_string()).collect();
    names.extend(["localhost".to_string(), "127.0.0.1".to_string()]);
    let mut params = CertificateParams::new(names).map_err(|e| format!("certificate names: {e}"))?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, "rtc.telnyx.com (callscope-lab)");
    params.distinguished_name = subject;
    let key = KeyPair::generate().map_err(|e| format!("certificate key: {e}"))?;
    let cert = params.self_signed(&key).map_err(|e| format!("self-signing the certificate: {e}"))?;
    let certificate_der = cert.der().clone();
    let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    // An explicit provider: str0m brings aws-lc-rs into the build, and with two providers
    // compiled in rustls will not pick one by itself.
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certificate_der.clone()], private_key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    Ok(Identity { certificate_der, certificate_pem: cert.pem(), acceptor: TlsAcceptor::from(Arc::new(config)) })
}
