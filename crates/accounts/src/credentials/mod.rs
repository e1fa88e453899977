//! What the UI gets to place a call with an account: short-lived tokens minted here from the
//! secrets in the keychain, plus the settings the provider SDK needs. The long-lived secrets
//! (API keys, key secrets, SIP passwords) never leave the backend.
//!
//! - Telnyx: a login JWT minted from this install's one telephony credential (see
//!   [`telnyx_lifecycle`]), cached until shortly before it expires.
//! - Twilio: an Access Token signed here with the API key secret ([`twilio_token`]).
//! - SIP: the HA1 digest of the password for the account's realm ([`sip_digest`]).

mod check;
pub mod sip_digest;
pub mod telnyx_lifecycle;
pub mod twilio_token;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::ExposeSecret;
use serde::Serialize;
use ts_rs::TS;

pub use check::{AccountCheck, AccountTest, CheckStatus, TelnyxUsage};

use crate::accounts::device::DeviceIdentity;
use crate::accounts::{Accounts, DtmfMode, IceServer, Profile, ProviderSettings, SaveMode, SecretKind};
use crate::accounts::{SipSettings, TelnyxSettings, TwilioSettings};
use crate::error::{Error, Result};
use crate::providers::telnyx::{TelnyxClient, TelnyxOptions};
use crate::providers::twilio::{TwilioAuth, TwilioClient, TwilioOptions};
use crate::providers::HttpOptions;
use telnyx_lifecycle::{ConnectionSource, CredentialLifecycle};
use twilio_token::VoiceGrant;

/// A Telnyx login token is reused until this long before it expires (they live 24 h).
const TELNYX_REFRESH_MARGIN: Duration = Duration::from_secs(10 * 60);
const DEFAULT_TELNYX_HOST: &str = "rtc.telnyx.com";
const DEFAULT_TWILIO_IDENTITY: &str = "callscope";
const DEFAULT_TWILIO_EDGE: &str = "roaming";

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum CallCredentials {
    Telnyx(TelnyxCall),
    Twilio(TwilioCall),
    Sip(SipCall),
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TelnyxCall {
    /// For the SDK's `login_token`; valid 24 h from minting.
    pub login_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// The WebRTC signalling host (`rtc.telnyx.com` unless a region is set).
    pub signalling_host: String,
    pub caller_id: Option<String>,
    pub connection_id: String,
    pub credential_id: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TwilioCall {
    /// The Voice SDK's Access Token.
    pub access_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub identity: String,
    pub edge: String,
    pub insights: bool,
    pub caller_id: Option<String>,
    /// Whether the token can place calls (it has a TwiML app).
    pub can_call_out: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SipCall {
    pub wss_uri: String,
    pub sip_uri: String,
    pub auth_user: String,
    pub realm: String,
    /// MD5(auth_user:realm:password): answers the PBX's digest challenges without the password.
    pub ha1: String,
    pub display_name: Option<String>,
    pub outbound_proxy: Option<String>,
    pub ice_servers: Vec<IceServerConfig>,
    /// Media through the TURN relay only (`iceTransportPolicy: 'relay'`).
    pub relay_only: bool,
    pub dtmf: DtmfMode,
}

/// An ICE server as `RTCPeerConnection` takes it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IceServerConfig {
    pub urls: Vec<String>,
    pub username: Option<String>,
    /// A static TURN user's password: WebRTC itself needs it in the page to authenticate to the
    /// TURN server, so this one secret does reach the UI, for the call's peer connection only.
    pub credential: Option<String>,
}

struct CachedTelnyx {
    call: TelnyxCall,
}

pub struct Credentials {
    accounts: Arc<Accounts>,
    config_dir: std::path::PathBuf,
    device: OnceLock<DeviceIdentity>,
    /// Login tokens by account. The lock also serialises fetches, so two calls starting at once
    /// cannot create two credentials.
    telnyx: tokio::sync::Mutex<HashMap<String, CachedTelnyx>>,
    http: HttpOptions,
}

impl Credentials {
    pub fn new(accounts: Arc<Accounts>, config_dir: &std::path::Path) -> Self {
        Credentials {
            accounts,
            config_dir: config_dir.to_path_buf(),
            device: OnceLock::new(),
            telnyx: tokio::sync::Mutex::new(HashMap::new()),
            http: HttpOptions::default(),
        }
    }

    fn device(&self) -> Result<&DeviceIdentity> {
        if let Some(device) = self.device.get() {
            return Ok(device);
        }
        let loaded = DeviceIdentity::load(&self.config_dir)?;
        Ok(self.device.get_or_init(|| loaded))
    }

    /// Everything the UI needs to place a call with `account`; `fresh` skips a cached token.
    pub async fn for_call(&self, account: &str, fresh: bool) -> Result<CallCredentials> {
        let profile = self.profile(account).await?;
        match &profile.settings {
            ProviderSettings::Telnyx(settings) => Ok(CallCredentials::Telnyx(self.telnyx(&profile, settings, fresh).await?)),
            ProviderSettings::Twilio(settings) => Ok(CallCredentials::Twilio(self.twilio(&profile, settings).await?)),
            ProviderSettings::Sip(settings) => Ok(CallCredentials::Sip(self.sip(&profile, settings).await?)),
        }
    }

    /// Check an account against its provider (and, for Telnyx with `create_connection`, create
    /// the credential connection Callscope calls through).
    pub async fn test(&self, account: &str, create_connection: bool) -> Result<AccountTest> {
        let profile = self.profile(account).await?;
        check::run(self, &profile, create_connection).await
    }

    async fn profile(&self, account: &str) -> Result<Profile> {
        let accounts = Arc::clone(&self.accounts);
        let name = account.to_string();
        blocking(move || accounts.get(&name)).await
    }

    async fn secret(&self, account: &str, kind: SecretKind) -> Result<secrecy::SecretString> {
        let accounts = Arc::clone(&self.accounts);
        let name = account.to_string();
        blocking(move || accounts.required_secret(&name, kind)).await
    }

    pub(crate) async fn telnyx_client(&self, profile: &Profile, settings: &TelnyxSettings) -> Result<TelnyxClient> {
        let key = self.secret(&profile.name, SecretKind::TelnyxApiKey).await?;
        let base_url = settings.api_base_url.clone().unwrap_or_else(|| TelnyxOptions::PRODUCTION_BASE_URL.into());
        Ok(TelnyxClient::new(key, TelnyxOptions { base_url, http: self.http.clone() })?)
    }

    pub(crate) async fn twilio_client(&self, profile: &Profile, settings: &TwilioSettings) -> Result<TwilioClient> {
        let secret = self.secret(&profile.name, SecretKind::TwilioApiKeySecret).await?;
        let api_base_url = settings.api_base_url.clone().unwrap_or_else(|| TwilioOptions::PRODUCTION_API_BASE_URL.into());
        // The lab serves both APIs on one address; production has a separate Voice host.
        let voice_base_url = match settings.api_base_url {
            Some(ref custom) => custom.replace("/2010-04-01", "/v1"),
            None => TwilioOptions::PRODUCTION_VOICE_BASE_URL.into(),
        };
        let auth = TwilioAuth::ApiKey { sid: settings.api_key_sid.clone(), secret };
        Ok(TwilioClient::new(&settings.account_sid, auth, TwilioOptions { api_base_url, voice_base_url, http: self.http.clone() })?)
    }

    async fn telnyx(&self, profile: &Profile, settings: &TelnyxSettings, fresh: bool) -> Result<TelnyxCall> {
        // One fetch per account at a time: a second caller waits and then finds the cache.
        let mut cache = self.telnyx.lock().await;
        if let Some(cached) = cache.get(&profile.name).filter(|_| !fresh) {
            if still_fresh(cached.call.expires_at, unix_now()) {
                return Ok(cached.call.clone());
            }
        }
        let client = self.telnyx_client(profile, settings).await?;
        let device = self.device()?.clone();
        let lifecycle = CredentialLifecycle::new(&client, &device);
        let (connection, source) = lifecycle
            .connection(settings.credential_connection_id.as_deref(), false)
            .await?
            .ok_or_else(|| Error::NotReady {
                what: format!("account {} has no Telnyx credential connection to call through", profile.name),
                hint: format!(
                    "Set one (`callscope accounts edit telnyx {} --connection-id ID`) or let Callscope create \
                     \"{}\" (`callscope accounts test {} --create-connection`, or Accounts → Test in the app).",
                    profile.name,
                    telnyx_lifecycle::CONNECTION_NAME,
                    profile.name
                ),
            })?;
        if source != ConnectionSource::Configured {
            self.remember_connection(profile, &connection.id).await?;
        }
        let outcome = lifecycle.ensure_credential(&connection.id).await?;
        let token = lifecycle.login_token(&outcome.credential.id).await?;
        let call = TelnyxCall {
            login_token: token.jwt.expose_secret().to_string(),
            expires_at: token.expires_at,
            signalling_host: settings.signalling_host.clone().unwrap_or_else(|| DEFAULT_TELNYX_HOST.into()),
            caller_id: settings.caller_id.clone(),
            connection_id: connection.id,
            credential_id: outcome.credential.id,
        };
        cache.insert(profile.name.clone(), CachedTelnyx { call: call.clone() });
        Ok(call)
    }

    /// Keep the connection Callscope found or created in the account's settings.
    pub(crate) async fn remember_connection(&self, profile: &Profile, connection_id: &str) -> Result<()> {
        let ProviderSettings::Telnyx(mut settings) = profile.settings.clone() else { return Ok(()) };
        settings.credential_connection_id = Some(connection_id.to_string());
        let updated = Profile { name: profile.name.clone(), settings: ProviderSettings::Telnyx(settings) };
        let accounts = Arc::clone(&self.accounts);
        blocking(move || accounts.save(updated, Vec::new(), SaveMode::Update).map(|_| ())).await
    }

    async fn twilio(&self, profile: &Profile, settings: &TwilioSettings) -> Result<TwilioCall> {
        let secret = self.secret(&profile.name, SecretKind::TwilioApiKeySecret).await?;
        let identity = settings.identity.clone().unwrap_or_else(|| DEFAULT_TWILIO_IDENTITY.into());
        let ttl = settings.token_ttl_secs.map_or(twilio_token::DEFAULT_TTL, |s| Duration::from_secs(s.into()));
        let grant = VoiceGrant {
            account_sid: &settings.account_sid,
            api_key_sid: &settings.api_key_sid,
            identity: &identity,
            outgoing_application_sid: settings.twiml_app_sid.as_deref(),
            incoming_allow: true,
            region: settings.region.as_deref(),
        };
        let minted = twilio_token::mint(&grant, &secret, ttl, SystemTime::now())?;
        Ok(TwilioCall {
            access_token: minted.jwt,
            expires_at: minted.expires_at as i64,
            identity,
            edge: settings.edge.clone().unwrap_or_else(|| DEFAULT_TWILIO_EDGE.into()),
            insights: settings.insights,
            caller_id: settings.caller_id.clone(),
            can_call_out: settings.twiml_app_sid.is_some(),
        })
    }

    async fn sip(&self, profile: &Profile, settings: &SipSettings) -> Result<SipCall> {
        let password = self.secret(&profile.name, SecretKind::SipPassword).await?;
        let (uri_user, domain) = sip_digest::user_and_domain(&settings.sip_uri)
            .ok_or_else(|| Error::bad_input("sip_uri", "must be sip:user@domain to compute the digest"))?;
        let auth_user = settings.auth_user.clone().unwrap_or_else(|| uri_user.to_string());
        let realm = settings.realm.clone().unwrap_or_else(|| domain.to_string());
        let turn_password = {
            let accounts = Arc::clone(&self.accounts);
            let name = profile.name.clone();
            blocking(move || accounts.secret(&name, SecretKind::TurnPassword)).await?
        };
        let ice_servers = settings
            .ice_servers
            .iter()
            .map(|server: &IceServer| IceServerConfig {
                urls: server.urls.clone(),
                username: server.username.clone(),
                credential: server
                    .username
                    .as_ref()
                    .and(turn_password.as_ref())
                    .map(|password| password.expose_secret().to_string()),
            })
            .collect();
        Ok(SipCall {
            ha1: sip_digest::ha1(&auth_user, &realm, &password),
            wss_uri: settings.wss_uri.clone(),
            sip_uri: settings.sip_uri.clone(),
            auth_user,
            realm,
            display_name: settings.display_name.clone(),
            outbound_proxy: settings.outbound_proxy.clone(),
            ice_servers,
            relay_only: settings.relay_only,
            dtmf: settings.dtmf,
        })
    }
}

/// A cached token is reused until [`TELNYX_REFRESH_MARGIN`] before it expires.
fn still_fresh(expires_at: i64, now: i64) -> bool {
    expires_at - now > TELNYX_REFRESH_MARGIN.as_secs() as i64
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Keychain and config-file work off the async threads.
async fn blocking<T: Send + 'static>(op: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(op).await.map_err(|e| Error::Internal(format!("blocking task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_refreshed_ten_minutes_before_it_expires() {
        let now = 1_000_000;
        assert!(still_fresh(now + 86_400, now));
        assert!(still_fresh(now + 601, now));
        assert!(!still_fresh(now + 600, now));
        assert!(!still_fresh(now - 5, now), "an expired token is never reused");
    }
}
