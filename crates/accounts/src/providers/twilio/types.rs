//! Twilio REST records, as far as a diagnosis reads them (twilio.md §6.2). Unknown fields, such
//! as the account's `auth_token`, are never read.

use secrecy::SecretString;
use serde::Deserialize;

use crate::providers::secret_string;

/// How requests authenticate: the Auth Token, or an API key (recommended; Standard keys cannot
/// fetch the account or manage keys).
#[derive(Debug, Clone)]
pub enum TwilioAuth {
    AuthToken(SecretString),
    ApiKey { sid: String, secret: SecretString },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    /// `Trial` or `Full`.
    #[serde(rename = "type", default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub owner_account_sid: Option<String>,
    #[serde(default)]
    pub date_created: Option<String>,
}

/// `balance` is a decimal string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Balance {
    pub account_sid: String,
    pub balance: String,
    pub currency: String,
}

/// A TwiML application: where Twilio fetches TwiML for calls placed with its SID.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Application {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub voice_url: Option<String>,
    #[serde(default)]
    pub voice_method: Option<String>,
    #[serde(default)]
    pub voice_fallback_url: Option<String>,
    #[serde(default)]
    pub status_callback: Option<String>,
    #[serde(default)]
    pub voice_caller_id_lookup: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Capabilities {
    #[serde(default)]
    pub voice: bool,
    #[serde(default)]
    pub sms: bool,
    #[serde(default)]
    pub mms: bool,
    #[serde(default)]
    pub fax: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IncomingPhoneNumber {
    pub sid: String,
    pub phone_number: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// Inbound calls go to this TwiML app when set, else to `voice_url`.
    #[serde(default)]
    pub voice_application_sid: Option<String>,
    #[serde(default)]
    pub voice_url: Option<String>,
    #[serde(default)]
    pub voice_method: Option<String>,
    #[serde(default)]
    pub voice_fallback_url: Option<String>,
    #[serde(default)]
    pub status_callback: Option<String>,
    /// `voice` or `fax`.
    #[serde(default)]
    pub voice_receive_mode: Option<String>,
    #[serde(default)]
    pub trunk_sid: Option<String>,
    #[serde(default)]
    pub emergency_status: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiKey {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub date_created: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
}

/// A key just created: the only time Twilio shows its secret.
#[derive(Debug, Clone, Deserialize)]
pub struct NewApiKey {
    pub sid: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    #[serde(deserialize_with = "secret_string")]
    pub secret: SecretString,
    #[serde(default)]
    pub date_created: Option<String>,
}

/// Voice dialing permissions for one country (Voice v1).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DialingPermissionsCountry {
    pub iso_code: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub continent: Option<String>,
    #[serde(default)]
    pub country_codes: Vec<String>,
    #[serde(default)]
    pub low_risk_numbers_enabled: bool,
    #[serde(default)]
    pub high_risk_special_numbers_enabled: bool,
    #[serde(default)]
    pub high_risk_tollfraud_numbers_enabled: bool,
}

/// Filters for the dialing permissions list.
#[derive(Debug, Clone, Default)]
pub struct CountryFilter {
    pub iso_code: Option<String>,
    pub continent: Option<String>,
    pub low_risk_numbers_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Call {
    pub sid: String,
    /// Set on the `<Dial>` leg of an SDK call; the SDK's own leg is the parent.
    #[serde(default)]
    pub parent_call_sid: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// `queued`, `ringing`, `in-progress`, `completed`, `busy`, `failed`, `no-answer`, `canceled`.
    pub status: String,
    #[serde(default)]
    pub direction: Option<String>,
    /// Seconds, as a string.
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub answered_by: Option<String>,
}

/// Filters for the calls list; `limit` stops after that many calls.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub to: Option<String>,
    pub from: Option<String>,
    pub status: Option<String>,
    pub parent_call_sid: Option<String>,
    pub limit: Option<usize>,
}
