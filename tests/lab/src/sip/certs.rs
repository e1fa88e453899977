//! The run's self-signed certificate, for Kamailio's wss:// listener and coturn's TLS listener.
//! Made fresh at every start (an ECDSA P-256 key, so it takes about a millisecond).

use std::path::{Path, PathBuf};

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

use super::LabError;

pub struct Certificate {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub cert_pem: String,
}

/// Writes `lab-cert.pem` and `lab-key.pem` into `dir`, valid for 127.0.0.1, localhost and `domain`.
pub fn make_self_signed(dir: &Path, domain: &str) -> Result<Certificate, LabError> {
    let names = vec!["127.0.0.1".to_string(), "localhost".to_string(), domain.to_string()];
    let mut params = CertificateParams::new(names).map_err(|e| LabError::Certificate(e.to_string()))?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, "callscope-lab");
    params.distinguished_name = subject;
    let key = KeyPair::generate().map_err(|e| LabError::Certificate(e.to_string()))?;
    let cert = params.self_signed(&key).map_err(|e| LabError::Certificate(e.to_string()))?;

    let cert_file = dir.join("lab-cert.pem");
    let key_file = dir.join("lab-key.pem");
    let cert_pem = cert.pem();
    std::fs::write(&cert_file, &cert_pem).map_err(|e| LabError::io("write the certificate", &cert_file, e))?;
    std::fs::write(&key_file, key.serialize_pem()).map_err(|e| LabError::io("write the private key", &key_file, e))?;
    Ok(Certificate { cert_file, key_file, cert_pem })
}
