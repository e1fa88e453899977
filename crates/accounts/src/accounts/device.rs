//! Who "this user on this device" is, for credentials Callscope creates at a provider.
//!
//! The device key is a hash of the machine's id and the OS user name: stable across reinstalls,
//! different for another user or another machine, and revealing neither. The install id is
//! random and kept in the config folder: a new install (or a wiped config) gets a new one, which
//! is how credentials left by an earlier install on this device are told apart from ours.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    /// 16 hex digits, the same for this OS user on this machine.
    pub device_key: String,
    /// 16 hex digits, new for every install.
    pub install_id: String,
}

const INSTALL_FILE: &str = "install-id";

impl DeviceIdentity {
    /// This machine's identity, creating the install id on first use.
    pub fn load(config_dir: &Path) -> Result<DeviceIdentity> {
        let machine = machine_uid::get().map_err(|e| Error::Internal(format!("reading this machine's id: {e}")))?;
        let user = whoami::username().unwrap_or_else(|_| "unknown-user".into());
        Ok(DeviceIdentity { device_key: device_key(&machine, &user), install_id: install_id(config_dir)? })
    }

    /// The tag every credential Callscope creates on this device carries.
    pub fn tag(&self) -> String {
        format!("callscope-{}", self.device_key)
    }

    /// The name of this install's credential.
    pub fn credential_name(&self) -> String {
        format!("callscope-{}-{}", self.device_key, self.install_id)
    }
}

pub fn device_key(machine_id: &str, user: &str) -> String {
    let digest = Sha256::digest(format!("callscope device\0{machine_id}\0{user}").as_bytes());
    hex(&digest[..8])
}

fn install_id(config_dir: &Path) -> Result<String> {
    let path = config_dir.join(INSTALL_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() == 16 && existing.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(existing.to_string());
        }
    }
    std::fs::create_dir_all(config_dir).map_err(|e| Error::io(format!("creating {}", config_dir.display()), e))?;
    let fresh = hex(&rand::random::<[u8; 8]>());
    std::fs::write(&path, &fresh).map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    Ok(fresh)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_key_depends_on_machine_and_user_only() {
        assert_eq!(device_key("m1", "alice"), device_key("m1", "alice"));
        assert_ne!(device_key("m1", "alice"), device_key("m1", "bob"));
        assert_ne!(device_key("m1", "alice"), device_key("m2", "alice"));
        assert_eq!(device_key("m1", "alice").len(), 16);
    }

    #[test]
    fn the_install_id_is_kept_until_the_config_is_wiped() {
        let dir = tempfile::tempdir().unwrap();
        let first = install_id(dir.path()).unwrap();
        assert_eq!(install_id(dir.path()).unwrap(), first);
        std::fs::remove_file(dir.path().join(INSTALL_FILE)).unwrap();
        assert_ne!(install_id(dir.path()).unwrap(), first);
    }
}
