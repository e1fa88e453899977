//! Provider accounts: profiles (non-secret settings in the config folder) and their secrets
//! (in the OS keychain). A secret enters once, from the user, and never leaves Rust: the UI and
//! every API response only ever learn whether it is stored.

pub mod device;
pub mod keychain;
pub mod profiles;

use std::path::Path;
use std::sync::Mutex;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use keychain::Keychain;
pub use profiles::{DtmfMode, IceServer, Profile, ProviderSettings, SipSettings, TelnyxSettings, TwilioSettings};

use crate::error::{Error, Result};
use crate::fields::{self, FieldSpec};
use profiles::ProfilesStore;

/// Every kind of secret an account can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// Telnyx API key (Portal → Account settings → Keys & Credentials → API Keys).
    TelnyxApiKey,
    /// The secret of the Twilio API key that signs Access Tokens.
    TwilioApiKeySecret,
    /// The Twilio account's Auth Token (optional: only some account checks need it).
    TwilioAuthToken,
    /// The SIP account's password.
    SipPassword,
    /// The password of the SIP profile's TURN user.
    TurnPassword,
}

impl SecretKind {
    pub const ALL: [SecretKind; 5] = [
        SecretKind::TelnyxApiKey,
        SecretKind::TwilioApiKeySecret,
        SecretKind::TwilioAuthToken,
        SecretKind::SipPassword,
        SecretKind::TurnPassword,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SecretKind::TelnyxApiKey => "telnyx_api_key",
            SecretKind::TwilioApiKeySecret => "twilio_api_key_secret",
            SecretKind::TwilioAuthToken => "twilio_auth_token",
            SecretKind::SipPassword => "sip_password",
            SecretKind::TurnPassword => "turn_password",
        }
    }

    /// What the user is asked for.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::TelnyxApiKey => "Telnyx API key",
            SecretKind::TwilioApiKeySecret => "Twilio API key secret",
            SecretKind::TwilioAuthToken => "Twilio Auth Token",
            SecretKind::SipPassword => "SIP password",
            SecretKind::TurnPassword => "TURN password",
        }
    }

    /// Where to find it, or what it is for.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            SecretKind::TelnyxApiKey => Some("Portal → Account settings → Keys & Credentials → API Keys."),
            SecretKind::TwilioApiKeySecret => Some("Shown once when the API key is created."),
            SecretKind::TwilioAuthToken => Some("Only some account checks need it."),
            SecretKind::SipPassword => None,
            SecretKind::TurnPassword => Some("For the TURN usernames in the ICE servers."),
        }
    }

    fn keychain_user(self, profile: &str) -> String {
        format!("{profile}/{}", self.name())
    }
}

/// The secrets a provider's account needs, and those it may have.
pub fn secret_kinds(settings: &ProviderSettings) -> (&'static [SecretKind], &'static [SecretKind]) {
    match settings {
        ProviderSettings::Telnyx(_) => (&[SecretKind::TelnyxApiKey], &[]),
        ProviderSettings::Twilio(_) => (&[SecretKind::TwilioApiKeySecret], &[SecretKind::TwilioAuthToken]),
        ProviderSettings::Sip(_) => (&[SecretKind::SipPassword], &[SecretKind::TurnPassword]),
    }
}

/// A secret an account of some provider needs (or may have).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecretSpec {
    pub provider: crate::calls::Provider,
    pub kind: SecretKind,
    pub label: String,
    pub required: bool,
    pub hint: Option<String>,
}

/// Every provider's secrets, for forms that add a new account.
pub fn secret_specs() -> Vec<SecretSpec> {
    let samples = [
        ProviderSettings::Telnyx(TelnyxSettings::default()),
        ProviderSettings::Twilio(TwilioSettings::default()),
        ProviderSettings::Sip(SipSettings::default()),
    ];
    samples
        .iter()
        .flat_map(|settings| {
            let provider = Profile { name: String::new(), settings: settings.clone() }.provider();
            let (required, optional) = secret_kinds(settings);
            let kinds = required.iter().map(|k| (*k, true)).chain(optional.iter().map(|k| (*k, false)));
            kinds.map(move |(kind, required)| SecretSpec {
                provider,
                kind,
                label: kind.label().to_string(),
                required,
                hint: kind.hint().map(str::to_string),
            })
        })
        .collect()
}

/// One provider's account form: its settings in form order, and its secrets.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProviderFields {
    pub provider: crate::calls::Provider,
    pub fields: Vec<FieldSpec>,
    pub secrets: Vec<SecretSpec>,
}

/// Every account form: the name every account has, then each provider's settings and secrets.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AccountFields {
    pub name: FieldSpec,
    pub providers: Vec<ProviderFields>,
}

/// What the UI renders its account forms from.
pub fn account_fields() -> AccountFields {
    let secrets = secret_specs();
    AccountFields {
        name: fields::name_field(),
        providers: fields::ACCOUNT_PROVIDERS
            .iter()
            .map(|&provider| ProviderFields {
                provider,
                fields: fields::provider_fields(provider),
                secrets: secrets.iter().filter(|s| s.provider == provider).cloned().collect(),
            })
            .collect(),
    }
}

/// Whether a secret is in the keychain; never its value. `stored` is none when the keychain
/// could not be asked (it is locked or missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecretStatus {
    pub kind: SecretKind,
    pub label: String,
    pub required: bool,
    pub stored: Option<bool>,
    pub hint: Option<String>,
}

/// A secret on its way from the user to the keychain. It deserialises straight into a type that
/// never prints, so a logged request shows `[REDACTED]`.
#[derive(Debug, Deserialize, TS)]
pub struct SecretInput {
    pub kind: SecretKind,
    #[ts(type = "string")]
    pub value: SecretString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SaveMode {
    /// A new account: the name must be free and the required secrets given.
    Create,
    /// Change an existing account's settings; secrets not given are kept.
    Update,
}

pub struct Accounts {
    profiles: ProfilesStore,
    keychain: Keychain,
    /// One change at a time: the file and the keychain are updated together.
    changes: Mutex<()>,
}

impl Accounts {
    pub fn new(config_dir: &Path, keychain: Keychain) -> Self {
        Accounts { profiles: ProfilesStore::new(config_dir), keychain, changes: Mutex::new(()) }
    }

    pub fn config_file(&self) -> &Path {
        self.profiles.path()
    }

    pub fn list(&self) -> Result<Vec<Profile>> {
        self.profiles.load()
    }

    pub fn get(&self, name: &str) -> Result<Profile> {
        self.list()?.into_iter().find(|p| p.name == name).ok_or_else(|| Error::UnknownAccount(name.to_string()))
    }

    /// Create or update an account. Secrets go to the keychain first; the settings file is only
    /// written once they are stored, and a new account's secrets are removed again if it is not.
    pub fn save(&self, profile: Profile, secrets: Vec<SecretInput>, mode: SaveMode) -> Result<Profile> {
        profile.validate()?;
        let _change = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.list()?;
        let existing = all.iter().position(|p| p.name == profile.name);
        match (mode, existing) {
            (SaveMode::Create, Some(_)) => {
                return Err(Error::bad_input("name", format!("an account named {} already exists", profile.name)))
            }
            (SaveMode::Update, None) => return Err(Error::UnknownAccount(profile.name.clone())),
            (SaveMode::Update, Some(i)) if all[i].provider() != profile.provider() => {
                return Err(Error::bad_input("provider", "an account cannot change provider; add a new one instead"))
            }
            _ => {}
        }
        let (required, optional) = secret_kinds(&profile.settings);
        for secret in &secrets {
            if !required.contains(&secret.kind) && !optional.contains(&secret.kind) {
                return Err(Error::bad_input("secrets", format!("a {} account has no {}", profile.provider().as_str(), secret.kind.label())));
            }
            if secrecy::ExposeSecret::expose_secret(&secret.value).trim().is_empty() {
                return Err(Error::bad_input("secrets", format!("the {} is empty", secret.kind.label())));
            }
        }
        for kind in required {
            let given = secrets.iter().any(|s| s.kind == *kind);
            if !given && (mode == SaveMode::Create || self.keychain.get(&kind.keychain_user(&profile.name))?.is_none()) {
                return Err(Error::bad_input("secrets", format!("the {} is required", kind.label())));
            }
        }

        for secret in &secrets {
            self.keychain.set(&secret.kind.keychain_user(&profile.name), &secret.value)?;
        }
        match existing {
            Some(i) => all[i] = profile.clone(),
            None => all.push(profile.clone()),
        }
        if let Err(e) = self.profiles.save(&all) {
            if mode == SaveMode::Create {
                for secret in &secrets {
                    let _ = self.keychain.delete(&secret.kind.keychain_user(&profile.name));
                }
            }
            return Err(e);
        }
        tracing::info!(account = profile.name, provider = profile.provider().as_str(), ?mode, "account saved");
        Ok(profile)
    }

    /// Remove an account and every secret it had in the keychain.
    pub fn remove(&self, name: &str) -> Result<()> {
        let _change = self.changes.lock().unwrap_or_else(|p| p.into_inner());
        let mut all = self.list()?;
        let index = all.iter().position(|p| p.name == name).ok_or_else(|| Error::UnknownAccount(name.to_string()))?;
        let (required, optional) = secret_kinds(&all[index].settings);
        for kind in required.iter().chain(optional) {
            self.keychain.delete(&kind.keychain_user(name))?;
        }
        all.remove(index);
        self.profiles.save(&all)?;
        tracing::info!(account = name, "account removed");
        Ok(())
    }

    /// A secret of an account, for the backend's own use (tokens, REST calls).
    pub fn secret(&self, name: &str, kind: SecretKind) -> Result<Option<SecretString>> {
        self.keychain.get(&kind.keychain_user(name))
    }

    /// A required secret, or an error that says which one is missing and how to add it.
    pub fn required_secret(&self, name: &str, kind: SecretKind) -> Result<SecretString> {
        self.secret(name, kind)?.ok_or_else(|| Error::MissingSecret {
            account: name.to_string(),
            label: kind.label(),
        })
    }

    /// Which of an account's secrets the keychain holds. When the keychain cannot be asked, every
    /// `stored` is none and the error comes back beside them, so the settings can still be shown.
    pub fn secret_status(&self, profile: &Profile) -> (Vec<SecretStatus>, Option<Error>) {
        let (required, optional) = secret_kinds(&profile.settings);
        let kinds = required.iter().map(|k| (*k, true)).chain(optional.iter().map(|k| (*k, false)));
        let mut failure = None;
        let statuses = kinds
            .map(|(kind, required)| {
                let stored = match (&failure, self.secret(&profile.name, kind)) {
                    (Some(_), _) => None,
                    (None, Ok(secret)) => Some(secret.is_some()),
                    (None, Err(e)) => {
                        failure = Some(e);
                        None
                    }
                };
                SecretStatus { kind, label: kind.label().to_string(), required, stored, hint: kind.hint().map(str::to_string) }
            })
            .collect();
        (statuses, failure)
    }
}
