//! `callscope accounts ...`: add, edit, show, list and remove provider accounts.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, Subcommand, ValueEnum};
use secrecy::SecretString;

use callscope_accounts::{
    secret_kinds, Accounts, DtmfMode, IceServer, Keychain, Profile, ProviderSettings, SaveMode, SecretInput,
    SecretKind, SipSettings, TelnyxSettings, TwilioSettings,
};
use std::sync::Arc;

use callscope_accounts::credentials::{AccountTest, CheckStatus, Credentials};
use callscope_core::paths::Paths;
use callscope_core::Error;

use super::print_json;

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List the accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show an account's settings and which of its secrets the keychain holds.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Add an account; its secrets are asked for (or read from standard input).
    Add {
        #[command(subcommand)]
        provider: ProviderArgs,
    },
    /// Change an account's settings; give only what changes.
    Edit {
        #[command(subcommand)]
        provider: ProviderArgs,
        /// Also enter the account's secrets again.
        #[arg(long, global = true)]
        update_secrets: bool,
    },
    /// Check an account against its provider: secrets, credentials, what calls need, usage.
    Test {
        name: String,
        /// Telnyx: create the "Callscope WebRTC" credential connection if there is none.
        #[arg(long)]
        create_connection: bool,
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and its secrets from the keychain.
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ProviderArgs {
    /// A Telnyx account (asks for the API key).
    Telnyx(TelnyxArgs),
    /// A Twilio account (asks for the API key secret, and the Auth Token with --with-auth-token).
    Twilio(TwilioArgs),
    /// A SIP-over-WebSocket PBX account (asks for the password, and the TURN password with --turn-user).
    Sip(SipArgs),
}

#[derive(Debug, Args)]
pub struct TelnyxArgs {
    /// The account's name in Callscope.
    name: String,
    /// The credential connection to call through (found or created when not given).
    #[arg(long)]
    connection_id: Option<String>,
    /// WebRTC signalling host, for regions (default rtc.telnyx.com).
    #[arg(long)]
    signalling_host: Option<String>,
    /// REST API base (default https://api.telnyx.com/v2).
    #[arg(long)]
    api_url: Option<String>,
    /// Caller ID for test calls (E.164).
    #[arg(long)]
    caller_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct TwilioArgs {
    name: String,
    /// Account SID (AC…).
    #[arg(long)]
    account_sid: Option<String>,
    /// API key SID (SK…) that signs Access Tokens.
    #[arg(long)]
    api_key_sid: Option<String>,
    /// TwiML app SID (AP…) for outgoing calls.
    #[arg(long)]
    twiml_app_sid: Option<String>,
    /// Client identity in the token (default callscope).
    #[arg(long)]
    identity: Option<String>,
    /// Signalling edge (default roaming).
    #[arg(long)]
    edge: Option<String>,
    /// The API key's region for non-US1 keys (ie1, au1).
    #[arg(long)]
    region: Option<String>,
    /// Publish call quality to Twilio Insights.
    #[arg(long)]
    insights: Option<bool>,
    #[arg(long)]
    caller_id: Option<String>,
    /// REST API base (default https://api.twilio.com/2010-04-01).
    #[arg(long)]
    api_url: Option<String>,
    /// Access Token lifetime in seconds (default 3600, at most 86400).
    #[arg(long)]
    token_ttl: Option<u32>,
    /// Also store the account's Auth Token (some account checks need it).
    #[arg(long)]
    with_auth_token: bool,
}

#[derive(Debug, Args)]
pub struct SipArgs {
    name: String,
    /// The PBX's WebSocket address (wss://…).
    #[arg(long)]
    wss_uri: Option<String>,
    /// Our SIP address (sip:user@domain).
    #[arg(long)]
    sip_uri: Option<String>,
    #[arg(long)]
    auth_user: Option<String>,
    /// Digest realm (default: the SIP URI's domain).
    #[arg(long)]
    realm: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    #[arg(long)]
    outbound_proxy: Option<String>,
    /// A STUN or TURN URL; repeat for several (replaces the list when editing).
    #[arg(long = "ice-server")]
    ice_servers: Vec<String>,
    /// User for the TURN URLs; asks for the TURN password.
    #[arg(long)]
    turn_user: Option<String>,
    /// Media through the TURN relay only (true/false): tests the relay path.
    #[arg(long)]
    relay_only: Option<bool>,
    #[arg(long, value_enum)]
    dtmf: Option<Dtmf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dtmf {
    Rfc2833,
    Info,
}

pub fn accounts(paths: &Paths, command: AccountsCommand) -> Result<(), Error> {
    let accounts = Accounts::new(&paths.config_dir, Keychain::new());
    match command {
        AccountsCommand::List { json } => {
            let all = accounts.list()?;
            if json {
                return print_json(&all);
            }
            if all.is_empty() {
                println!("No accounts yet. Add one with `callscope accounts add telnyx|twilio|sip NAME`.");
            }
            for profile in all {
                println!("{:<24} {:<7} {}", profile.name, profile.provider().as_str(), summary(&profile.settings));
            }
            Ok(())
        }
        AccountsCommand::Show { name, json } => {
            let profile = accounts.get(&name)?;
            let (secrets, keychain_error) = accounts.secret_status(&profile);
            if json {
                return print_json(&serde_json::json!({ "profile": profile, "secrets": secrets }));
            }
            println!("{} ({})", profile.name, profile.provider().as_str());
            let settings = serde_json::to_value(&profile.settings).map_err(|e| Error::Internal(e.to_string()))?;
            for (key, value) in settings.as_object().into_iter().flatten().filter(|(k, _)| *k != "provider") {
                println!("  {key}: {value}");
            }
            for secret in secrets {
                let state = match secret.stored {
                    Some(true) => "in the keychain",
                    Some(false) if secret.required => "MISSING",
                    Some(false) => "not set",
                    None => "unknown (keychain unavailable)",
                };
                println!("  {}: {state}", secret.label);
            }
            match keychain_error {
                Some(e) => Err(e.into()),
                None => Ok(()),
            }
        }
        AccountsCommand::Add { provider } => {
            let (profile, wants) = build(None, provider)?;
            let secrets = read_secrets(&profile, &wants, true)?;
            accounts.save(profile.clone(), secrets, SaveMode::Create)?;
            println!("Added {} ({}). Its secrets are in the OS keychain.", profile.name, profile.provider().as_str());
            Ok(())
        }
        AccountsCommand::Edit { provider, update_secrets } => {
            let existing = accounts.get(provider_name(&provider))?;
            let (profile, wants) = build(Some(existing), provider)?;
            let secrets = read_secrets(&profile, &wants, update_secrets)?;
            accounts.save(profile.clone(), secrets, SaveMode::Update)?;
            println!("Updated {}.", profile.name);
            Ok(())
        }
        AccountsCommand::Test { name, create_connection, json } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::io("starting the async runtime", e))?;
            let credentials = Credentials::new(Arc::new(accounts), &paths.config_dir);
            let test = runtime.block_on(credentials.test(&name, create_connection))?;
            if json {
                return print_json(&test);
            }
            print_test(&test);
            if test.checks.iter().any(|c| c.status == CheckStatus::Fail) {
                return Err(callscope_accounts::Error::NotReady {
                    what: format!("account {name} failed a check"),
                    hint: "Fix what the failed checks say, then test again.".into(),
                }
                .into());
            }
            Ok(())
        }
        AccountsCommand::Remove { name } => {
            accounts.remove(&name)?;
            println!("Removed {name} and its keychain entries.");
            Ok(())
        }
    }
}

fn provider_name(args: &ProviderArgs) -> &str {
    match args {
        ProviderArgs::Telnyx(a) => &a.name,
        ProviderArgs::Twilio(a) => &a.name,
        ProviderArgs::Sip(a) => &a.name,
    }
}

/// Optional secrets the arguments ask for.
struct Wants {
    optional: Vec<SecretKind>,
}

/// The profile the arguments describe, on top of `existing` when editing.
fn build(existing: Option<Profile>, args: ProviderArgs) -> Result<(Profile, Wants), Error> {
    let mismatch = || Error::bad_input("provider", "this account is another provider's; name its own provider");
    let mut optional = Vec::new();
    let (name, settings) = match args {
        ProviderArgs::Telnyx(a) => {
            let mut t = match existing.map(|p| p.settings) {
                None => TelnyxSettings::default(),
                Some(ProviderSettings::Telnyx(t)) => t,
                Some(_) => return Err(mismatch()),
            };
            set(&mut t.credential_connection_id, a.connection_id);
            set(&mut t.signalling_host, a.signalling_host);
            set(&mut t.api_base_url, a.api_url);
            set(&mut t.caller_id, a.caller_id);
            (a.name, ProviderSettings::Telnyx(t))
        }
        ProviderArgs::Twilio(a) => {
            let mut t = match existing.map(|p| p.settings) {
                None => TwilioSettings::default(),
                Some(ProviderSettings::Twilio(t)) => t,
                Some(_) => return Err(mismatch()),
            };
            if let Some(v) = a.account_sid {
                t.account_sid = v;
            }
            if let Some(v) = a.api_key_sid {
                t.api_key_sid = v;
            }
            set(&mut t.twiml_app_sid, a.twiml_app_sid);
            set(&mut t.identity, a.identity);
            set(&mut t.edge, a.edge);
            set(&mut t.region, a.region);
            if let Some(v) = a.insights {
                t.insights = v;
            }
            set(&mut t.caller_id, a.caller_id);
            set(&mut t.api_base_url, a.api_url);
            set(&mut t.token_ttl_secs, a.token_ttl);
            if a.with_auth_token {
                optional.push(SecretKind::TwilioAuthToken);
            }
            (a.name, ProviderSettings::Twilio(t))
        }
        ProviderArgs::Sip(a) => {
            let mut s = match existing.map(|p| p.settings) {
                None => SipSettings::default(),
                Some(ProviderSettings::Sip(s)) => s,
                Some(_) => return Err(mismatch()),
            };
            if let Some(v) = a.wss_uri {
                s.wss_uri = v;
            }
            if let Some(v) = a.sip_uri {
                s.sip_uri = v;
            }
            set(&mut s.auth_user, a.auth_user);
            set(&mut s.realm, a.realm);
            set(&mut s.display_name, a.display_name);
            set(&mut s.outbound_proxy, a.outbound_proxy);
            if !a.ice_servers.is_empty() {
                s.ice_servers = a.ice_servers.into_iter().map(|url| IceServer { urls: vec![url], username: None }).collect();
            }
            if let Some(user) = a.turn_user {
                for server in s.ice_servers.iter_mut().filter(|s| s.urls.iter().any(|u| u.starts_with("turn"))) {
                    server.username = Some(user.clone());
                }
                optional.push(SecretKind::TurnPassword);
            }
            if let Some(v) = a.relay_only {
                s.relay_only = v;
            }
            if let Some(d) = a.dtmf {
                s.dtmf = match d {
                    Dtmf::Rfc2833 => DtmfMode::Rfc2833,
                    Dtmf::Info => DtmfMode::Info,
                };
            }
            (a.name, ProviderSettings::Sip(s))
        }
    };
    let profile = Profile { name, settings };
    profile.validate()?;
    Ok((profile, Wants { optional }))
}

fn set<T>(field: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *field = value;
    }
}

/// Ask for the secrets on the terminal (not echoed), or read one per line from standard input.
fn read_secrets(profile: &Profile, wants: &Wants, include_required: bool) -> Result<Vec<SecretInput>, Error> {
    let (required, _) = secret_kinds(&profile.settings);
    let kinds: Vec<SecretKind> =
        required.iter().copied().filter(|_| include_required).chain(wants.optional.iter().copied()).collect();
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut lines = stdin.lock().lines();
    kinds
        .into_iter()
        .map(|kind| {
            let value = if interactive {
                rpassword::prompt_password(format!("{}: ", kind.label()))
                    .map_err(|e| Error::io(format!("reading the {}", kind.label()), e))?
            } else {
                let _ = std::io::stderr().flush();
                lines
                    .next()
                    .transpose()
                    .map_err(|e| Error::io(format!("reading the {}", kind.label()), e))?
                    .ok_or_else(|| Error::bad_input("stdin", format!("expected the {} on standard input", kind.label())))?
            };
            Ok(SecretInput { kind, value: SecretString::from(value.trim().to_string()) })
        })
        .collect()
}

fn print_test(test: &AccountTest) {
    println!("Account {}", test.account);
    for check in &test.checks {
        let mark = match check.status {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "WARN",
            CheckStatus::Fail => "FAIL",
        };
        println!("  [{mark}] {}: {}", check.name, check.detail);
        if let Some(fix) = &check.fix {
            println!("         fix: {fix}");
        }
    }
    if let Some(usage) = &test.telnyx_usage {
        println!(
            "  usage: {} credential connections, {} telephony credentials ({} of this device)",
            usage.credential_connections, usage.telephony_credentials, usage.this_device
        );
    }
}

fn summary(settings: &ProviderSettings) -> String {
    match settings {
        ProviderSettings::Telnyx(t) => format!(
            "connection {}",
            t.credential_connection_id.as_deref().unwrap_or("(found or created on first use)")
        ),
        ProviderSettings::Twilio(t) => format!("{} · app {}", t.account_sid, t.twiml_app_sid.as_deref().unwrap_or("(none)")),
        ProviderSettings::Sip(s) => format!("{} via {}", s.sip_uri, s.wss_uri),
    }
}
