//! The Telnyx credential lifecycle against the lab's Telnyx fake: one credential per user, device
//! and install, reused across starts; stale ones of this device cleaned; others never touched.

use callscope_accounts::device::DeviceIdentity;
use callscope_accounts::credentials::telnyx_lifecycle::{ConnectionSource, CredentialLifecycle, CONNECTION_NAME};
use callscope_accounts::providers::telnyx::{CredentialFilter, NewTelephonyCredential, TelnyxClient, TelnyxOptions};
use callscope_lab::{TelnyxConfig, TelnyxFake};
use secrecy::SecretString;

fn client(fake: &TelnyxFake) -> TelnyxClient {
    let key = SecretString::from(fake.seed().api_key.clone());
    TelnyxClient::new(key, TelnyxOptions { base_url: fake.base_url(), ..Default::default() }).unwrap()
}

fn device(key: &str, install: &str) -> DeviceIdentity {
    DeviceIdentity { device_key: key.into(), install_id: install.into() }
}

const THIS_DEVICE: &str = "0123456789abcdef";

#[tokio::test]
async fn fifty_starts_leave_exactly_one_credential() {
    let fake = TelnyxFake::start(TelnyxConfig::default()).await.unwrap();
    let connection = fake.seed().credential_connection_id.clone();
    let me = device(THIS_DEVICE, "1111111111111111");
    let mut credential_ids = std::collections::BTreeSet::new();
    for _ in 0..50 {
        // Every start is a fresh client with no memory of the last one.
        let client = client(&fake);
        let lifecycle = CredentialLifecycle::new(&client, &me);
        let outcome = lifecycle.ensure_credential(&connection).await.unwrap();
        let token = lifecycle.login_token(&outcome.credential.id).await.unwrap();
        assert_eq!(fake.verify_login_token(secrecy::ExposeSecret::expose_secret(&token.jwt)).unwrap().credential_id, outcome.credential.id);
        credential_ids.insert(outcome.credential.id);
    }
    assert_eq!(credential_ids.len(), 1, "the same credential every time");
    assert_eq!(fake.telephony_credential_ids(&fake.seed().api_key).len(), 1, "exactly one in the account");
}

#[tokio::test]
async fn an_earlier_installs_credential_is_cleaned_and_other_devices_are_untouched() {
    let fake = TelnyxFake::start(TelnyxConfig::default()).await.unwrap();
    let connection = fake.seed().credential_connection_id.clone();
    let api = client(&fake);
    let create = |name: String, tag: Option<String>| NewTelephonyCredential {
        connection_id: connection.clone(),
        name: Some(name),
        tag,
        expires_at: None,
    };
    let earlier = device(THIS_DEVICE, "2222222222222222");
    let stale = api.create_telephony_credential(&create(earlier.credential_name(), Some(earlier.tag()))).await.unwrap();
    let other_device = device("fedcba9876543210", "3333333333333333");
    let theirs = api.create_telephony_credential(&create(other_device.credential_name(), Some(other_device.tag()))).await.unwrap();
    let other_tool = api.create_telephony_credential(&create("softphone-alice".into(), None)).await.unwrap();
    // Same tag but not a name Callscope gives: not ours to delete either.
    let lookalike = api.create_telephony_credential(&create("alice-laptop".into(), Some(earlier.tag()))).await.unwrap();

    let me = device(THIS_DEVICE, "4444444444444444");
    let outcome = CredentialLifecycle::new(&api, &me).ensure_credential(&connection).await.unwrap();
    assert!(outcome.created);
    assert_eq!(outcome.deleted, vec![stale.id.clone()]);

    let left = fake.telephony_credential_ids(&fake.seed().api_key);
    assert!(!left.contains(&stale.id), "the earlier install's credential is gone");
    for kept in [&theirs.id, &other_tool.id, &lookalike.id, &outcome.credential.id] {
        assert!(left.contains(kept), "{kept} must stay");
    }
    assert_eq!(left.len(), 4);
}

#[tokio::test]
async fn an_expired_credential_of_this_install_is_replaced() {
    let fake = TelnyxFake::start(TelnyxConfig::default()).await.unwrap();
    let connection = fake.seed().credential_connection_id.clone();
    let api = client(&fake);
    let me = device(THIS_DEVICE, "5555555555555555");
    let lifecycle = CredentialLifecycle::new(&api, &me);
    let first = lifecycle.ensure_credential(&connection).await.unwrap().credential;
    assert!(fake.expire_credential(&first.id));
    let second = lifecycle.ensure_credential(&connection).await.unwrap();
    assert!(second.created);
    assert_eq!(second.deleted, vec![first.id]);
    let mine = api.list_telephony_credentials(&CredentialFilter { tag: Some(me.tag()), ..Default::default() }).await.unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn the_connection_is_configured_found_or_created_only_when_asked() {
    let fake = TelnyxFake::start(TelnyxConfig::default()).await.unwrap();
    let api = client(&fake);
    let me = device(THIS_DEVICE, "6666666666666666");
    let lifecycle = CredentialLifecycle::new(&api, &me);

    let configured = fake.seed().credential_connection_id.clone();
    let (found, source) = lifecycle.connection(Some(&configured), false).await.unwrap().unwrap();
    assert_eq!((found.id.as_str(), source), (configured.as_str(), ConnectionSource::Configured));

    assert!(lifecycle.connection(None, false).await.unwrap().is_none(), "nothing is created unless asked");
    let (created, source) = lifecycle.connection(None, true).await.unwrap().unwrap();
    assert_eq!(source, ConnectionSource::Created);
    assert_eq!(created.connection_name, CONNECTION_NAME);
    assert_eq!(created.outbound.outbound_voice_profile_id.as_deref(), Some(fake.seed().outbound_voice_profile_id.as_str()));

    let (again, source) = lifecycle.connection(None, true).await.unwrap().unwrap();
    assert_eq!((again.id, source), (created.id, ConnectionSource::Found), "found by name, not created twice");
}
