//! The Telnyx credential lifecycle: one telephony credential per user, device and install.
//!
//! A real app once created a new credential on every page load until the account limit stopped
//! all calls. Callscope instead finds this install's credential by its name (tagged with this
//! user-and-device's key) and reuses it; it creates one only when there is none, and deletes the
//! ones an earlier install on this same device left behind. Credentials of other devices and of
//! other tools carry other tags and are never touched.

use secrecy::SecretString;

use crate::accounts::device::DeviceIdentity;
use crate::providers::telnyx::{CredentialConnection, CredentialFilter, NewCredentialConnection, NewTelephonyCredential};
use crate::providers::telnyx::{LoginToken, TelephonyCredential, TelnyxClient};
use crate::providers::RestError;

/// The name of the credential connection Callscope creates when asked to.
pub const CONNECTION_NAME: &str = "Callscope WebRTC";

/// What `ensure_credential` found and did.
#[derive(Debug, Clone)]
pub struct CredentialOutcome {
    pub credential: TelephonyCredential,
    pub created: bool,
    /// Ids of the stale credentials (earlier installs on this device, or expired) it deleted.
    pub deleted: Vec<String>,
}

/// How the connection was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionSource {
    /// The id set in the account's settings.
    Configured,
    /// Found by Callscope's connection name.
    Found,
    /// Created now, because the user asked for it.
    Created,
}

pub struct CredentialLifecycle<'a> {
    client: &'a TelnyxClient,
    device: &'a DeviceIdentity,
}

impl<'a> CredentialLifecycle<'a> {
    pub fn new(client: &'a TelnyxClient, device: &'a DeviceIdentity) -> Self {
        CredentialLifecycle { client, device }
    }

    /// The credential connection to call through: the configured one, else the one named
    /// [`CONNECTION_NAME`], else (only with `create_if_missing`) a new one, with the account's
    /// outbound voice profile when it has exactly one. `Ok(None)`: there is none to use.
    pub async fn connection(
        &self,
        configured: Option<&str>,
        create_if_missing: bool,
    ) -> Result<Option<(CredentialConnection, ConnectionSource)>, RestError> {
        if let Some(id) = configured {
            return Ok(Some((self.client.get_credential_connection(id).await?, ConnectionSource::Configured)));
        }
        let named = self.client.list_credential_connections(Some("Callscope")).await?;
        if let Some(found) = named.into_iter().find(|c| c.connection_name == CONNECTION_NAME) {
            return Ok(Some((found, ConnectionSource::Found)));
        }
        if !create_if_missing {
            return Ok(None);
        }
        let profiles = self.client.list_outbound_voice_profiles(None).await?;
        let outbound_voice_profile_id = match profiles.as_slice() {
            [only] => Some(only.id.clone()),
            _ => None,
        };
        let new = NewCredentialConnection {
            connection_name: CONNECTION_NAME.into(),
            // WebRTC logs in with telephony credentials; the connection's own SIP login is never
            // used, so it gets a random one that nobody keeps.
            user_name: format!("callscope{}", &self.device.device_key[..8]),
            password: SecretString::from(random_password()),
            outbound_voice_profile_id,
        };
        let created = self.client.create_credential_connection(&new).await?;
        tracing::info!(connection_id = created.id, "created the Telnyx credential connection");
        Ok(Some((created, ConnectionSource::Created)))
    }

    /// This install's credential on `connection_id`: reused when it exists, created when not;
    /// this device's stale ones (earlier installs, expired) are deleted on the way.
    pub async fn ensure_credential(&self, connection_id: &str) -> Result<CredentialOutcome, RestError> {
        let ours_name = self.device.credential_name();
        let device_prefix = format!("callscope-{}-", self.device.device_key);
        let tagged = self
            .client
            .list_telephony_credentials(&CredentialFilter { tag: Some(self.device.tag()), ..Default::default() })
            .await?;

        let mut keep: Option<TelephonyCredential> = None;
        let mut deleted = Vec::new();
        for credential in tagged {
            // Only what this device created: the tag and the name must both say so.
            let name = credential.name.as_deref().unwrap_or("");
            if !name.starts_with(&device_prefix) {
                continue;
            }
            let usable = name == ours_name && !credential.expired && credential.connection_id() == Some(connection_id);
            if usable && keep.is_none() {
                keep = Some(credential);
            } else {
                self.client.delete_telephony_credential(&credential.id).await?;
                tracing::info!(credential_id = credential.id, name, "deleted a stale Telnyx credential of this device");
                deleted.push(credential.id);
            }
        }
        if let Some(credential) = keep {
            return Ok(CredentialOutcome { credential, created: false, deleted });
        }
        let new = NewTelephonyCredential {
            connection_id: connection_id.to_string(),
            name: Some(ours_name),
            tag: Some(self.device.tag()),
            expires_at: None,
        };
        let credential = self.client.create_telephony_credential(&new).await?;
        tracing::info!(credential_id = credential.id, "created this install's Telnyx credential");
        Ok(CredentialOutcome { credential, created: true, deleted })
    }

    pub async fn login_token(&self, credential_id: &str) -> Result<LoginToken, RestError> {
        self.client.mint_login_token(credential_id).await
    }
}

fn random_password() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}
