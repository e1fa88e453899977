//! Secrets in the OS keychain: Keychain on macOS, Credential Manager on Windows, the Secret
//! Service (gnome-keyring, KWallet) over D-Bus elsewhere. There is no in-memory or plaintext
//! fallback: without a keychain, storing a secret fails with an error that says what to do.

use std::sync::{Arc, Mutex};

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// The keychain "service" every Callscope secret is filed under.
pub const SERVICE: &str = "app.callscope.desktop";

/// The OS keychain. The store is opened on first use and kept once it works, so a keychain that
/// was locked or missing at start can be fixed without restarting the app.
pub struct Keychain {
    store: Mutex<Option<Arc<CredentialStore>>>,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new()
    }
}

impl Keychain {
    pub fn new() -> Self {
        Keychain { store: Mutex::new(None) }
    }

    /// The secret filed under `user`, or None if there is none.
    pub fn get(&self, user: &str) -> Result<Option<SecretString>> {
        match self.entry(user)?.get_password() {
            Ok(secret) => Ok(Some(SecretString::from(secret))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(explain(e, "reading")),
        }
    }

    /// Store (or overwrite) the secret filed under `user`.
    pub fn set(&self, user: &str, secret: &SecretString) -> Result<()> {
        self.entry(user)?.set_password(secret.expose_secret()).map_err(|e| explain(e, "storing"))
    }

    /// Remove the secret filed under `user`; removing one that is not there is fine.
    pub fn delete(&self, user: &str) -> Result<()> {
        match self.entry(user)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(explain(e, "deleting")),
        }
    }

    fn entry(&self, user: &str) -> Result<Entry> {
        let store = self.store()?;
        store.build(SERVICE, user, None).map_err(|e| explain(e, "opening"))
    }

    fn store(&self) -> Result<Arc<CredentialStore>> {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(store) = store.as_ref() {
            return Ok(Arc::clone(store));
        }
        let opened = open_platform_store().map_err(|e| explain(e, "opening"))?;
        *store = Some(Arc::clone(&opened));
        Ok(opened)
    }
}

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
fn open_platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn open_platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn open_platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

/// A keychain error in words a support engineer can act on. The raw platform message is kept
/// (it never contains the secret: the keychain only ever reports its own state).
fn explain(error: KeyringError, doing: &str) -> Error {
    let raw = error.to_string();
    let hint = match &error {
        KeyringError::NoStorageAccess(_) => LOCKED_HINT,
        KeyringError::PlatformFailure(_) if is_missing_service(&raw) => MISSING_HINT,
        KeyringError::PlatformFailure(_) if raw.contains("locked") || raw.contains("IsLocked") => LOCKED_HINT,
        KeyringError::NoDefaultStore | KeyringError::PlatformFailure(_) => MISSING_HINT,
        _ => "Check the OS keychain (Keychain Access, Credential Manager, or Seahorse on Linux).",
    };
    Error::Keychain { message: format!("the OS keychain failed while {doing} a secret: {raw}"), hint: hint.into() }
}

fn is_missing_service(raw: &str) -> bool {
    ["ServiceUnknown", "was not provided by any .service", "autolaunch", "DBUS_SESSION_BUS_ADDRESS", "No such file"]
        .iter()
        .any(|needle| raw.contains(needle))
}

const LOCKED_HINT: &str = "The keychain is locked. Unlock it (on Linux: log in to your desktop session, or \
    open Seahorse / 'Passwords and Keys' and unlock the Login keyring) and try again.";
const MISSING_HINT: &str = "No OS keychain is reachable. On Linux, Callscope needs a Secret Service such as \
    gnome-keyring or KWallet running in your desktop session (install gnome-keyring and log in again). \
    Callscope never stores secrets in plain files.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_to_do() {
        let locked = explain(KeyringError::NoStorageAccess(Box::new(std::io::Error::other("no result"))), "reading");
        assert!(locked.hint().unwrap().contains("locked"));
        let missing = explain(
            KeyringError::PlatformFailure(Box::new(std::io::Error::other(
                "The name org.freedesktop.secrets was not provided by any .service files",
            ))),
            "storing",
        );
        assert!(missing.hint().unwrap().contains("gnome-keyring"));
        assert!(missing.to_string().contains("storing"));
    }
}
