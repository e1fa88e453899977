//! A locked keychain gives an error that says to unlock it. Locks the test keyring for good, so
//! it runs in its own session: `scripts/with-keyring cargo test -p callscope-accounts --test
//! keychain_locked -- --ignored`.

use callscope_accounts::Keychain;
use secrecy::SecretString;

#[test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
fn a_locked_keychain_says_to_unlock_it() {
    let locked = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.secrets",
            "--print-reply",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ])
        .output()
        .expect("dbus-send runs");
    assert!(locked.status.success(), "locking the test keyring: {}", String::from_utf8_lossy(&locked.stderr));

    let error = Keychain::new().set("test/locked", &SecretString::from("x".to_string())).unwrap_err();
    assert_eq!(error.code(), "keychain");
    assert!(error.to_string().contains("storing"), "{error}");
    assert!(error.hint().unwrap().contains("locked"), "{:?}", error.hint());
}
