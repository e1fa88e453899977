//! The voice providers' REST APIs: typed clients for Telnyx API v2 and Twilio's 2010-04-01 and
//! Voice v1 APIs, over one shared transport ([`http`]) with timeouts, retries and one error type
//! ([`RestError`]).
//!
//! Secrets (API keys, Auth Tokens, key secrets, SIP passwords, minted tokens) are
//! [`secrecy::SecretString`]s: they never appear in `Debug` output, errors or logs.

pub mod error;
pub mod http;
mod paging;
pub mod telnyx;
pub mod twilio;

pub use error::{ProviderError, ProviderMessage, RestError};
pub use http::{HttpOptions, RetryPolicy};

use serde::Serialize;

/// Which provider a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Telnyx,
    Twilio,
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Provider::Telnyx => "Telnyx",
            Provider::Twilio => "Twilio",
        })
    }
}

impl Provider {
    /// Reads the provider's error body, whatever shape it came in.
    pub(crate) fn parse_error(self, status: u16, body: &[u8]) -> ProviderError {
        match self {
            Provider::Telnyx => telnyx::error_body::parse(status, body),
            Provider::Twilio => twilio::error_body::parse(status, body),
        }
    }

    /// What to check when the provider refuses the credentials.
    pub(crate) fn credential_check(self) -> &'static str {
        match self {
            Provider::Telnyx => {
                "Check the API key saved for this account: it must be a current Telnyx API v2 key of this \
                 account (Mission Control Portal > Account Settings > Keys & Credentials > API Keys; keys \
                 start with KEY), not a SIP connection password or an expired or deleted key."
            }
            Provider::Twilio => {
                "Check the Account SID and the API key SID and secret (or the Auth Token) saved for this \
                 account: the key must still exist, belong to this account rather than a subaccount or \
                 another project, and come from the US1 region unless a region is set."
            }
        }
    }
}

/// Deserializes a string straight into a secret, so it is never held as a plain `String`.
pub(crate) fn secret_string<'de, D>(deserializer: D) -> Result<secrecy::SecretString, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(secrecy::SecretString::from(text))
}
