//! SIP over WebSocket: what the UI's user agent gets from the backend. The password stays in the
//! keychain; the UA gets the HA1 digest (RFC 2617: MD5 of `user:realm:password`), which answers
//! the PBX's challenges for that one realm and nothing else.

use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};

/// `MD5(user:realm:password)` in lower-case hex, as JsSIP's `ha1` option takes it.
pub fn ha1(user: &str, realm: &str, password: &SecretString) -> String {
    let digest = Md5::digest(format!("{user}:{realm}:{}", password.expose_secret()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The user part and the domain of a SIP URI (`sip:alice@pbx.example.com;transport=ws`).
pub fn user_and_domain(sip_uri: &str) -> Option<(&str, &str)> {
    let rest = sip_uri.strip_prefix("sips:").or_else(|| sip_uri.strip_prefix("sip:"))?;
    let rest = rest.split(';').next()?;
    let (user, host) = rest.split_once('@')?;
    let domain = host.split(':').next()?;
    (!user.is_empty() && !domain.is_empty()).then_some((user, domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ha1_matches_rfc_2617s_example() {
        // RFC 2617 §3.5: Mufasa / testrealm@host.com / Circle Of Life.
        let password = SecretString::from("Circle Of Life".to_string());
        assert_eq!(ha1("Mufasa", "testrealm@host.com", &password), "939e7578ed9e3c518a452acee763bce9");
    }

    #[test]
    fn uris_split_into_user_and_domain() {
        assert_eq!(user_and_domain("sip:alice@pbx.example.com"), Some(("alice", "pbx.example.com")));
        assert_eq!(user_and_domain("sips:bob@pbx.example.com:5061;transport=ws"), Some(("bob", "pbx.example.com")));
        assert_eq!(user_and_domain("sip:pbx.example.com"), None);
        assert_eq!(user_and_domain("tel:+1555"), None);
    }
}
