//! Account profiles: the non-secret settings of each provider account, in one TOML file in the
//! OS config folder. Secrets never go here; they live in the keychain (see `keychain.rs`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::fields::{self, FieldInput, FieldRule, FieldSpec};

/// One provider account as Callscope knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Profile {
    /// Unique, used on the command line: letters, digits, `-`, `_` and `.`.
    pub name: String,
    #[serde(flatten)]
    pub settings: ProviderSettings,
}

impl Profile {
    /// The settings a diagnosis reads (non-secret): the SIP realm the digest is for (the SIP
    /// URI's domain when none is set), the SIP URI, the auth user; the Telnyx and Twilio ids.
    pub fn diagnosis_settings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut put = |name: &str, value: Option<&str>| {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                out.push((name.to_string(), value.to_string()));
            }
        };
        match &self.settings {
            ProviderSettings::Sip(sip) => {
                let domain = sip.sip_uri.split_once('@').map(|(_, d)| d.split([';', '>', ':']).next().unwrap_or(d));
                put("realm", sip.realm.as_deref().or(domain));
                put("sip_uri", Some(&sip.sip_uri));
                put("auth_user", sip.auth_user.as_deref());
                put("wss_uri", Some(&sip.wss_uri));
            }
            ProviderSettings::Telnyx(telnyx) => {
                put("credential_connection_id", telnyx.credential_connection_id.as_deref());
                put("caller_id", telnyx.caller_id.as_deref());
            }
            ProviderSettings::Twilio(twilio) => {
                put("twiml_app_sid", twilio.twiml_app_sid.as_deref());
                put("edge", twilio.edge.as_deref());
                put("caller_id", twilio.caller_id.as_deref());
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ProviderSettings {
    Telnyx(TelnyxSettings),
    Twilio(TwilioSettings),
    Sip(SipSettings),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct TelnyxSettings {
    /// The credential connection calls go through; found or created by Callscope when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential_connection_id: Option<String>,
    /// The WebRTC signalling host (regions use other hosts). Default `rtc.telnyx.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub signalling_host: Option<String>,
    /// The REST API base. Default `https://api.telnyx.com/v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_base_url: Option<String>,
    /// Caller ID (E.164) for test calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub caller_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct TwilioSettings {
    /// `AC` + 32 hex digits.
    pub account_sid: String,
    /// The API key (`SK` + 32 hex digits) that signs Access Tokens; its secret is in the keychain.
    pub api_key_sid: String,
    /// The TwiML app (`AP` + 32 hex digits) outgoing calls run through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub twiml_app_sid: Option<String>,
    /// The client identity in the token. Default `callscope`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub identity: Option<String>,
    /// Signalling edge (`roaming`, `ashburn`, `dublin`, ...). Default `roaming`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub edge: Option<String>,
    /// The API key's region for non-US1 keys (`ie1`, `au1`); goes into the token as `twr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub region: Option<String>,
    /// Whether the SDK publishes call quality to Twilio Insights.
    #[serde(default)]
    pub insights: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub caller_id: Option<String>,
    /// The REST API base. Default `https://api.twilio.com/2010-04-01`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub api_base_url: Option<String>,
    /// Access Token lifetime in seconds: 3600 by default, at most 86400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub token_ttl_secs: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SipSettings {
    /// The PBX's SIP-over-WebSocket address, `wss://` (or `ws://` on a trusted network).
    pub wss_uri: String,
    /// Our address of record, `sip:user@domain`.
    pub sip_uri: String,
    /// Authentication user when it differs from the SIP URI's user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub auth_user: Option<String>,
    /// Digest realm; defaults to the SIP URI's domain. Needed to hand the UI an HA1 digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub realm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub outbound_proxy: Option<String>,
    /// STUN/TURN servers for the calls. A TURN password goes to the keychain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ice_servers: Vec<IceServer>,
    /// Send media through the TURN relay only (`iceTransportPolicy: 'relay'`): tests the relay
    /// path as on a network where nothing else gets through.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub relay_only: bool,
    #[serde(default)]
    pub dtmf: DtmfMode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub username: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DtmfMode {
    /// RFC 2833 / 4733 telephone-events in the media.
    #[default]
    Rfc2833,
    /// SIP INFO messages.
    Info,
}

impl Profile {
    /// Check every setting with its field's rule (see [`crate::fields`]); the error names the
    /// field and what is wrong with it.
    pub fn validate(&self) -> Result<()> {
        validate_name(&self.name)?;
        let settings = serde_json::to_value(&self.settings).map_err(|e| Error::Internal(format!("reading the settings: {e}")))?;
        for spec in fields::provider_fields(self.provider()) {
            check_field(&spec, settings.get(spec.field))?;
        }
        if let ProviderSettings::Sip(s) = &self.settings {
            // The one rule across fields: sending media through the relay needs a relay.
            let has_turn = s.ice_servers.iter().flat_map(|server| &server.urls).any(|url| url.starts_with("turn"));
            field("relay_only", check(!s.relay_only || has_turn, "needs a turn: or turns: server among the ICE servers"))?;
        }
        Ok(())
    }

    /// The origin the UI's signalling connects to, as a Content Security Policy source: a SIP
    /// PBX's `wss://host:port`, or a Telnyx profile's own signalling host.
    pub fn signalling_source(&self) -> Option<String> {
        match &self.settings {
            ProviderSettings::Sip(s) => {
                let (scheme, rest) = s.wss_uri.split_once("://")?;
                let host = rest.split(['/', '?', '#']).next()?;
                let safe = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
                safe.then(|| format!("{scheme}://{host}"))
            }
            ProviderSettings::Telnyx(t) => t.signalling_host.as_ref().map(|host| format!("wss://{host}")),
            ProviderSettings::Twilio(_) => None,
        }
    }

    pub fn provider(&self) -> crate::calls::Provider {
        match self.settings {
            ProviderSettings::Telnyx(_) => crate::calls::Provider::Telnyx,
            ProviderSettings::Twilio(_) => crate::calls::Provider::Twilio,
            ProviderSettings::Sip(_) => crate::calls::Provider::Sip,
        }
    }
}

type Check = std::result::Result<(), String>;

fn check(ok: bool, problem: &str) -> Check {
    if ok {
        Ok(())
    } else {
        Err(problem.to_string())
    }
}

fn field(name: &str, result: Check) -> Result<()> {
    result.map_err(|problem| Error::bad_input(name, problem))
}

pub fn validate_name(name: &str) -> Result<()> {
    check_field(&fields::name_field(), Some(&Value::from(name)))
}

/// A set value must keep its field's rule; an unset one (absent or null) is left to the
/// defaults. ICE servers are checked row by row, each URL with the field's rule.
fn check_field(spec: &FieldSpec, value: Option<&Value>) -> Result<()> {
    let (Some(rule), Some(value)) = (&spec.rule, value) else { return Ok(()) };
    if !matches!(spec.input, FieldInput::IceServers { .. }) {
        return keeps(rule, value, spec.field);
    }
    for (i, server) in value.as_array().into_iter().flatten().enumerate() {
        let name = format!("{}[{i}].urls", spec.field);
        let urls = server.get("urls").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        field(&name, check(!urls.is_empty(), "needs at least one stun: or turn: URL"))?;
        for url in urls {
            keeps(rule, url, &name)?;
        }
    }
    Ok(())
}

fn keeps(rule: &FieldRule, value: &Value, name: &str) -> Result<()> {
    let ok = rule.allows(value).map_err(|e| Error::Internal(format!("the rule of {name} does not compile: {e}")))?;
    field(name, check(ok, rule.message))
}

/// The profiles file: `[[profile]]` tables.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ProfilesFile {
    #[serde(default, rename = "profile")]
    profiles: Vec<Profile>,
}

pub struct ProfilesStore {
    path: PathBuf,
}

impl ProfilesStore {
    pub fn new(config_dir: &Path) -> Self {
        ProfilesStore { path: config_dir.join("accounts.toml") }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Result<Vec<Profile>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("reading {}", self.path.display()), e)),
        };
        let file: ProfilesFile = toml::from_str(&text).map_err(|e| {
            Error::Config(format!("{} is not a valid accounts file: {e}", self.path.display()))
        })?;
        Ok(file.profiles)
    }

    /// Write all profiles at once, atomically (a crash leaves the old or the new file, never half).
    pub fn save(&self, profiles: &[Profile]) -> Result<()> {
        let text = toml::to_string_pretty(&ProfilesFile { profiles: profiles.to_vec() })
            .map_err(|e| Error::Internal(format!("writing the accounts file: {e}")))?;
        let dir = self.path.parent().expect("the accounts file lives in a folder");
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let temp = self.path.with_extension("toml.tmp");
        let header = "# Callscope accounts: settings only. Secrets are in the OS keychain, never here.\n\n";
        std::fs::write(&temp, format!("{header}{text}")).map_err(|e| Error::io(format!("writing {}", temp.display()), e))?;
        std::fs::rename(&temp, &self.path).map_err(|e| Error::io(format!("replacing {}", self.path.display()), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twilio() -> Profile {
        Profile {
            name: "acme-twilio".into(),
            settings: ProviderSettings::Twilio(TwilioSettings {
                account_sid: format!("AC{}", "a".repeat(32)),
                api_key_sid: format!("SK{}", "b".repeat(32)),
                twiml_app_sid: Some(format!("AP{}", "c".repeat(32))),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn good_profiles_pass() {
        twilio().validate().unwrap();
        let sip = Profile {
            name: "pbx".into(),
            settings: ProviderSettings::Sip(SipSettings {
                wss_uri: "wss://pbx.example.com:8089/ws".into(),
                sip_uri: "sip:alice@pbx.example.com".into(),
                ice_servers: vec![IceServer { urls: vec!["turn:turn.example.com:3478?transport=tcp".into()], username: Some("u".into()) }],
                relay_only: true,
                ..Default::default()
            }),
        };
        sip.validate().unwrap();
        Profile { name: "t".into(), settings: ProviderSettings::Telnyx(TelnyxSettings::default()) }.validate().unwrap();
    }

    #[test]
    fn bad_fields_are_named() {
        let cases: Vec<(Profile, &str)> = vec![
            (Profile { name: "has space".into(), ..twilio() }, "name"),
            (
                Profile { settings: ProviderSettings::Twilio(TwilioSettings { account_sid: "AC123".into(), ..tw() }), ..twilio() },
                "account_sid",
            ),
            (
                Profile { settings: ProviderSettings::Twilio(TwilioSettings { token_ttl_secs: Some(90_000), ..tw() }), ..twilio() },
                "token_ttl_secs",
            ),
            (
                Profile {
                    settings: ProviderSettings::Sip(SipSettings { wss_uri: "https://x".into(), sip_uri: "sip:a@b".into(), ..Default::default() }),
                    ..twilio()
                },
                "wss_uri",
            ),
            (
                Profile {
                    settings: ProviderSettings::Sip(SipSettings {
                        wss_uri: "wss://x".into(),
                        sip_uri: "sip:a@b".into(),
                        ice_servers: vec![IceServer { urls: vec!["stun:stun.example.com".into()], username: None }],
                        relay_only: true,
                        ..Default::default()
                    }),
                    ..twilio()
                },
                "relay_only",
            ),
            (
                Profile {
                    settings: ProviderSettings::Telnyx(TelnyxSettings { caller_id: Some("555-1234".into()), ..Default::default() }),
                    ..twilio()
                },
                "caller_id",
            ),
        ];
        for (profile, expected) in cases {
            match profile.validate() {
                Err(Error::BadInput { field, .. }) => assert_eq!(field, expected),
                other => panic!("{expected}: {other:?}"),
            }
        }
    }

    fn tw() -> TwilioSettings {
        match twilio().settings {
            ProviderSettings::Twilio(t) => t,
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_setting_has_a_field_in_the_form() {
        let every = [
            ProviderSettings::Telnyx(TelnyxSettings {
                credential_connection_id: Some("c".into()),
                signalling_host: Some("h".into()),
                api_base_url: Some("u".into()),
                caller_id: Some("+1".into()),
            }),
            ProviderSettings::Twilio(TwilioSettings {
                twiml_app_sid: Some("a".into()),
                identity: Some("i".into()),
                edge: Some("e".into()),
                region: Some("r".into()),
                caller_id: Some("+1".into()),
                api_base_url: Some("u".into()),
                token_ttl_secs: Some(60),
                ..tw()
            }),
            ProviderSettings::Sip(SipSettings {
                auth_user: Some("a".into()),
                realm: Some("r".into()),
                display_name: Some("d".into()),
                outbound_proxy: Some("sip:p".into()),
                ice_servers: vec![IceServer { urls: vec!["stun:s".into()], username: None }],
                relay_only: true,
                ..Default::default()
            }),
        ];
        for settings in every {
            let profile = Profile { name: "p".into(), settings };
            let json = serde_json::to_value(&profile.settings).unwrap();
            let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "provider").collect();
            let mut specs: Vec<&str> = fields::provider_fields(profile.provider()).iter().map(|s| s.field).collect();
            keys.sort_unstable();
            specs.sort_unstable();
            assert_eq!(keys, specs, "{:?}: a setting without a form field, or a field without a setting", profile.provider());
        }
    }

    #[test]
    fn errors_name_the_field_by_its_label() {
        let bad = Profile { settings: ProviderSettings::Twilio(TwilioSettings { account_sid: "AC123".into(), ..tw() }), ..twilio() };
        assert_eq!(bad.validate().unwrap_err().to_string(), "Account SID: must be AC followed by 32 hexadecimal digits");
        let sip = Profile {
            name: "pbx".into(),
            settings: ProviderSettings::Sip(SipSettings {
                wss_uri: "wss://x".into(),
                sip_uri: "sip:a@b".into(),
                ice_servers: vec![
                    IceServer { urls: vec!["stun:s".into()], username: None },
                    IceServer { urls: vec!["https://t".into()], username: None },
                ],
                ..Default::default()
            }),
        };
        let error = sip.validate().unwrap_err();
        assert!(matches!(&error, Error::BadInput { field, .. } if field == "ice_servers[1].urls"), "{error:?}");
        assert_eq!(error.to_string(), "Server 2 URLs: must start with stun:, stuns:, turn: or turns:");
    }

    #[test]
    fn signalling_sources_are_origins_only() {
        let sip = |uri: &str| Profile {
            name: "p".into(),
            settings: ProviderSettings::Sip(SipSettings { wss_uri: uri.into(), sip_uri: "sip:a@b".into(), ..Default::default() }),
        };
        assert_eq!(sip("wss://pbx.example.com:8089/ws?x=1").signalling_source().as_deref(), Some("wss://pbx.example.com:8089"));
        assert_eq!(sip("ws://127.0.0.1:20401").signalling_source().as_deref(), Some("ws://127.0.0.1:20401"));
        assert_eq!(sip("wss://evil;script-src *").signalling_source(), None, "nothing can inject into the policy");
        assert_eq!(twilio().signalling_source(), None);
    }

    #[test]
    fn the_file_round_trips_and_says_where_secrets_are() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfilesStore::new(dir.path());
        assert!(store.load().unwrap().is_empty());
        store.save(&[twilio()]).unwrap();
        assert_eq!(store.load().unwrap(), vec![twilio()]);
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("keychain") && text.contains("provider = \"twilio\""), "{text}");
    }

    #[test]
    fn a_broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("accounts.toml"), "[[profile]]\nname = 3\n").unwrap();
        let error = ProfilesStore::new(dir.path()).load().unwrap_err();
        assert!(error.to_string().contains("accounts.toml"), "{error}");
    }
}
