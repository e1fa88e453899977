//! "Test" an account: are its secrets there, does the provider accept them, is there what calls
//! need (a credential connection, a TwiML app)? Each check says pass, warn or fail, and what to do.

use serde::Serialize;
use ts_rs::TS;

use super::telnyx_lifecycle::{ConnectionSource, CredentialLifecycle, CONNECTION_NAME};
use super::{sip_digest, Credentials};
use crate::accounts::{Profile, ProviderSettings, SipSettings, TelnyxSettings, TwilioSettings};
use crate::error::Result;
use crate::providers::telnyx::CredentialFilter;
use crate::providers::RestError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountCheck {
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
    pub fix: Option<String>,
}

/// How much of the Telnyx account's credential space is used (a real app once filled it).
#[derive(Debug, Clone, Serialize, TS)]
pub struct TelnyxUsage {
    pub credential_connections: u32,
    pub telephony_credentials: u32,
    /// Those Callscope created for this user on this device (one is right).
    pub this_device: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountTest {
    pub account: String,
    pub checks: Vec<AccountCheck>,
    pub telnyx_usage: Option<TelnyxUsage>,
}

impl AccountTest {
    fn push(&mut self, name: &str, status: CheckStatus, detail: impl Into<String>, fix: Option<String>) {
        self.checks.push(AccountCheck { name: name.into(), status, detail: detail.into(), fix });
    }

    fn fail(&mut self, name: &str, error: &crate::Error) {
        self.push(name, CheckStatus::Fail, error.to_string(), error.hint());
    }
}

pub(super) async fn run(credentials: &Credentials, profile: &Profile, create_connection: bool) -> Result<AccountTest> {
    let mut test = AccountTest { account: profile.name.clone(), checks: Vec::new(), telnyx_usage: None };
    match &profile.settings {
        ProviderSettings::Telnyx(settings) => telnyx(credentials, profile, settings, create_connection, &mut test).await?,
        ProviderSettings::Twilio(settings) => twilio(credentials, profile, settings, &mut test).await,
        ProviderSettings::Sip(settings) => sip_checks(credentials, profile, settings, &mut test).await,
    }
    Ok(test)
}

async fn telnyx(
    credentials: &Credentials,
    profile: &Profile,
    settings: &TelnyxSettings,
    create_connection: bool,
    test: &mut AccountTest,
) -> Result<()> {
    let client = match credentials.telnyx_client(profile, settings).await {
        Ok(client) => client,
        Err(e) => {
            test.fail("API key", &e);
            return Ok(());
        }
    };
    match client.balance().await {
        Ok(balance) => test.push(
            "API key",
            CheckStatus::Pass,
            format!("accepted; balance {} {}", balance.balance, balance.currency),
            None,
        ),
        Err(e) => {
            test.fail("API key", &e.into());
            return Ok(());
        }
    }

    let device = credentials.device()?.clone();
    let lifecycle = CredentialLifecycle::new(&client, &device);
    let connection = match lifecycle.connection(settings.credential_connection_id.as_deref(), create_connection).await {
        Ok(connection) => connection,
        Err(e @ RestError::NotFound { .. }) => {
            test.fail("Credential connection", &e.into());
            None
        }
        Err(e) => return Err(e.into()),
    };
    match &connection {
        Some((connection, source)) => {
            let how = match source {
                ConnectionSource::Configured => "the one set for this account",
                ConnectionSource::Found => "found by its name",
                ConnectionSource::Created => "created now",
            };
            test.push(
                "Credential connection",
                CheckStatus::Pass,
                format!("{} ({}), {how}", connection.connection_name, connection.id),
                None,
            );
            if *source != ConnectionSource::Configured {
                credentials.remember_connection(profile, &connection.id).await?;
            }
            if connection.outbound.outbound_voice_profile_id.is_none() {
                test.push(
                    "Outbound voice profile",
                    CheckStatus::Warn,
                    "the connection has no outbound voice profile: calls to phone numbers will fail with 403 (D38)",
                    Some("Portal → Voice → Outbound Voice Profiles: add this connection to a profile.".into()),
                );
            }
        }
        None if settings.credential_connection_id.is_none() => test.push(
            "Credential connection",
            CheckStatus::Warn,
            format!("none set and none named \"{CONNECTION_NAME}\""),
            Some(format!(
                "Set the connection id (`callscope accounts edit telnyx {0} --connection-id ID`), or let Callscope \
                 create \"{CONNECTION_NAME}\" (`callscope accounts test {0} --create-connection`, or Accounts → \
                 Test → Create the connection in the app).",
                profile.name
            )),
        ),
        None => {}
    }

    let all = client.list_telephony_credentials(&CredentialFilter::default()).await?;
    let connections = client.list_credential_connections(None).await?;
    let this_device = all.iter().filter(|c| c.name.as_deref().is_some_and(|n| n.starts_with(&format!("callscope-{}-", device.device_key)))).count();
    test.telnyx_usage = Some(TelnyxUsage {
        credential_connections: connections.len() as u32,
        telephony_credentials: all.len() as u32,
        this_device: this_device as u32,
    });
    let (status, fix) = match this_device {
        0 | 1 => (CheckStatus::Pass, None),
        _ => (CheckStatus::Warn, Some("The next call's token fetch deletes the extra ones this device left.".into())),
    };
    test.push(
        "Telephony credentials",
        status,
        format!("{} in the account, {this_device} of them this device's", all.len()),
        fix,
    );
    Ok(())
}

async fn twilio(credentials: &Credentials, profile: &Profile, settings: &TwilioSettings, test: &mut AccountTest) {
    let client = match credentials.twilio_client(profile, settings).await {
        Ok(client) => client,
        Err(e) => return test.fail("API key", &e),
    };
    match client.fetch_account().await {
        Ok(account) if account.status != "active" => test.push(
            "Account",
            CheckStatus::Fail,
            format!("the account is {}", account.status),
            Some("Twilio Console → Account: reactivate the account or use another.".into()),
        ),
        Ok(account) => {
            let trial = account.account_type.as_deref() == Some("Trial");
            test.push(
                "Account",
                if trial { CheckStatus::Warn } else { CheckStatus::Pass },
                format!("{} is active{}", account.sid, if trial { " (a trial account)" } else { "" }),
                trial.then(|| "Trial accounts can only call verified numbers (31002 otherwise): verify the test number or upgrade.".into()),
            );
        }
        // A Standard key may not read the account; it can still sign tokens and read balance.
        Err(e @ RestError::Forbidden { .. }) => {
            test.push("Account", CheckStatus::Warn, e.to_string(), Some("Add the Auth Token for the full checks.".into()))
        }
        Err(e) => return test.fail("API key", &e.into()),
    }
    match &settings.twiml_app_sid {
        None => test.push(
            "TwiML app",
            CheckStatus::Warn,
            "no TwiML app set: the token can receive calls but not place them",
            Some("Set the TwiML app SID (Console → Voice → TwiML Apps).".into()),
        ),
        Some(sid) => match client.get_application(sid).await {
            Ok(app) if app.voice_url.as_deref().is_none_or(str::is_empty) => test.push(
                "TwiML app",
                CheckStatus::Fail,
                format!("{sid} has no Voice URL: outgoing calls fail with 31002"),
                Some("Console → Voice → TwiML Apps → this app: set the Voice Request URL.".into()),
            ),
            Ok(app) => test.push(
                "TwiML app",
                CheckStatus::Pass,
                format!("{sid} posts calls to {}", app.voice_url.unwrap_or_default()),
                None,
            ),
            Err(e) => test.fail("TwiML app", &e.into()),
        },
    }
    match credentials.twilio(profile, settings).await {
        Ok(_) => test.push("Access Token", CheckStatus::Pass, "minted and signed with the API key secret", None),
        Err(e) => test.fail("Access Token", &e),
    }
}

async fn sip_checks(credentials: &Credentials, profile: &Profile, settings: &SipSettings, test: &mut AccountTest) {
    match credentials.sip(profile, settings).await {
        Ok(call) => test.push(
            "Password",
            CheckStatus::Pass,
            format!("in the keychain; the UI gets its digest for realm {} as user {}", call.realm, call.auth_user),
            None,
        ),
        Err(e) => test.fail("Password", &e),
    }
    if sip_digest::user_and_domain(&settings.sip_uri).is_none() {
        test.push("SIP URI", CheckStatus::Fail, "not sip:user@domain", None);
    }
}
