//! The real OS keychain: gnome-keyring's Secret Service in a private D-Bus session.
//! Run through `scripts/with-keyring` (scripts/test does):
//!   scripts/with-keyring cargo test -p callscope-core --test keychain -- --ignored --test-threads=1

use callscope_accounts::profiles::{Profile, ProviderSettings, TwilioSettings};
use callscope_accounts::{Accounts, Keychain, SaveMode, SecretInput, SecretKind};
use callscope_accounts::Error;
use secrecy::{ExposeSecret, SecretString};

const NEEDS: &str = "needs a Secret Service: run through scripts/with-keyring";

fn secret(value: &str) -> SecretString {
    SecretString::from(value.to_string())
}

#[test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
fn store_read_overwrite_delete() {
    let _ = NEEDS;
    let keychain = Keychain::new();
    let user = format!("test/{}", std::process::id());
    assert!(keychain.get(&user).unwrap().is_none());
    keychain.set(&user, &secret("first")).unwrap();
    // A fresh handle reads what was stored: it is in the keyring, not in this object.
    assert_eq!(Keychain::new().get(&user).unwrap().unwrap().expose_secret(), "first");
    keychain.set(&user, &secret("second")).unwrap();
    assert_eq!(Keychain::new().get(&user).unwrap().unwrap().expose_secret(), "second");
    keychain.delete(&user).unwrap();
    assert!(Keychain::new().get(&user).unwrap().is_none());
    keychain.delete(&user).unwrap();
}

fn twilio_account(name: &str) -> Profile {
    Profile {
        name: name.into(),
        settings: ProviderSettings::Twilio(TwilioSettings {
            account_sid: format!("AC{}", "1".repeat(32)),
            api_key_sid: format!("SK{}", "2".repeat(32)),
            ..Default::default()
        }),
    }
}

#[test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
fn an_account_keeps_its_secret_in_the_keychain_only() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = Accounts::new(dir.path(), Keychain::new());
    let canary = "CANARY-keychain-6f1d2b9a";
    let input = vec![SecretInput { kind: SecretKind::TwilioApiKeySecret, value: secret(canary) }];
    accounts.save(twilio_account("acme"), input, SaveMode::Create).unwrap();

    let file = std::fs::read_to_string(accounts.config_file()).unwrap();
    assert!(file.contains("acme") && !file.contains(canary), "{file}");
    assert_eq!(accounts.secret("acme", SecretKind::TwilioApiKeySecret).unwrap().unwrap().expose_secret(), canary);
    let (status, failure) = accounts.secret_status(&accounts.get("acme").unwrap());
    assert!(failure.is_none());
    assert!(status.iter().any(|s| s.kind == SecretKind::TwilioApiKeySecret && s.stored == Some(true) && s.required));
    assert!(status.iter().any(|s| s.kind == SecretKind::TwilioAuthToken && s.stored == Some(false) && !s.required));

    // An update without secrets keeps them; a new one overwrites.
    accounts.save(twilio_account("acme"), vec![], SaveMode::Update).unwrap();
    assert!(accounts.secret("acme", SecretKind::TwilioApiKeySecret).unwrap().is_some());

    accounts.remove("acme").unwrap();
    assert!(Keychain::new().get("acme/twilio_api_key_secret").unwrap().is_none(), "removing deletes the keychain entry");
    assert!(matches!(accounts.get("acme"), Err(Error::UnknownAccount(_))));
}

#[test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
fn without_a_keychain_the_error_says_what_to_do() {
    // No session bus at all: what a headless machine without gnome-keyring gives.
    let saved = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/callscope-test-bus");
    let result = Keychain::new().set("test/none", &secret("x"));
    match saved {
        Some(value) => std::env::set_var("DBUS_SESSION_BUS_ADDRESS", value),
        None => std::env::remove_var("DBUS_SESSION_BUS_ADDRESS"),
    }
    let error = result.unwrap_err();
    assert_eq!(error.code(), "keychain");
    let hint = error.hint().unwrap();
    assert!(hint.contains("gnome-keyring") && hint.contains("never stores secrets in plain files"), "{hint}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
async fn fifty_app_starts_with_a_token_fetch_leave_one_telnyx_credential() {
    use callscope_accounts::profiles::TelnyxSettings;
    use callscope_api::{Face, Request};
    use callscope_core::backend::{Backend, Caller};
    use callscope_core::paths::Paths;

    let fake = callscope_lab::TelnyxFake::start(Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::under(dir.path());
    let profile = Profile {
        name: "acme-telnyx".into(),
        settings: ProviderSettings::Telnyx(TelnyxSettings {
            credential_connection_id: Some(fake.seed().credential_connection_id.clone()),
            api_base_url: Some(fake.base_url()),
            ..Default::default()
        }),
    };
    let key = vec![SecretInput { kind: SecretKind::TelnyxApiKey, value: secret(&fake.seed().api_key) }];
    Accounts::new(&paths.config_dir, Keychain::new()).save(profile, key, SaveMode::Create).unwrap();

    let mut credential_ids = std::collections::BTreeSet::new();
    for _ in 0..50 {
        // A whole new app each time: new backend, new keychain handle, nothing cached.
        let backend = Backend::open(paths.clone(), Face::Browser, None).unwrap();
        let request = Request::from_json(serde_json::json!({"method": "call_credentials", "params": {"name": "acme-telnyx"}})).unwrap();
        let answer = backend.dispatch(Caller { face: Face::Browser }, request).await.unwrap();
        assert_eq!(answer["provider"], "telnyx");
        let owner = fake.verify_login_token(answer["login_token"].as_str().unwrap()).unwrap();
        assert_eq!(answer["credential_id"], owner.credential_id);
        credential_ids.insert(owner.credential_id);
    }
    assert_eq!(credential_ids.len(), 1);
    assert_eq!(fake.telephony_credential_ids(&fake.seed().api_key).len(), 1);

    // Within one run the token is cached: a second fetch asks Telnyx for nothing new.
    let backend = Backend::open(paths.clone(), Face::Browser, None).unwrap();
    let fetch = || Request::from_json(serde_json::json!({"method": "call_credentials", "params": {"name": "acme-telnyx"}})).unwrap();
    let first = backend.dispatch(Caller { face: Face::Browser }, fetch()).await.unwrap();
    let minted = fake.faults().requests().iter().filter(|r| r.path.ends_with("/token")).count();
    let second = backend.dispatch(Caller { face: Face::Browser }, fetch()).await.unwrap();
    assert_eq!(first["login_token"], second["login_token"]);
    assert_eq!(fake.faults().requests().iter().filter(|r| r.path.ends_with("/token")).count(), minted);
}
