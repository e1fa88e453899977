//! Telnyx API v2 records, as far as a diagnosis reads them (telnyx.md §4.4–§4.9). Unknown fields
//! are ignored, so new ones on Telnyx's side do not break the client.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::providers::secret_string;

/// `GET /balance`; amounts are decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Balance {
    pub balance: String,
    pub credit_limit: String,
    pub available_credit: String,
    #[serde(default)]
    pub pending: Option<String>,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ConnectionInbound {
    #[serde(default)]
    pub codecs: Vec<String>,
    #[serde(default)]
    pub channel_limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ConnectionOutbound {
    /// Without one, WebRTC calls to the PSTN fail with SIP 403 D38.
    #[serde(default)]
    pub outbound_voice_profile_id: Option<String>,
    #[serde(default)]
    pub channel_limit: Option<u32>,
    #[serde(default)]
    pub ani_override: Option<String>,
    #[serde(default)]
    pub localization: Option<String>,
}

/// A credential connection (the SIP side of WebRTC credentials). Its password is never read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CredentialConnection {
    pub id: String,
    pub connection_name: String,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub anchorsite_override: Option<String>,
    #[serde(default)]
    pub sip_uri_calling_preference: Option<String>,
    #[serde(default)]
    pub webhook_event_url: Option<String>,
    #[serde(default)]
    pub inbound: ConnectionInbound,
    #[serde(default)]
    pub outbound: ConnectionOutbound,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `POST /credential_connections`.
#[derive(Debug, Clone)]
pub struct NewCredentialConnection {
    pub connection_name: String,
    /// 4–32 letters and digits, with a letter among the first five.
    pub user_name: String,
    /// 8–128 characters.
    pub password: SecretString,
    pub outbound_voice_profile_id: Option<String>,
}

/// An on-demand telephony credential: what login tokens are minted from.
#[derive(Debug, Clone, Deserialize)]
pub struct TelephonyCredential {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub expired: bool,
    /// `connection:<credential connection id>`.
    #[serde(default)]
    pub resource_id: Option<String>,
    pub sip_username: String,
    #[serde(deserialize_with = "secret_string")]
    pub sip_password: SecretString,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl TelephonyCredential {
    /// The credential connection this credential belongs to.
    pub fn connection_id(&self) -> Option<&str> {
        self.resource_id.as_deref().and_then(|r| r.strip_prefix("connection:"))
    }
}

/// `POST /telephony_credentials`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewTelephonyCredential {
    pub connection_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tags group credentials (at most 1000 per tag) and are what lists filter on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// ISO-8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// `PATCH /telephony_credentials/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TelephonyCredentialUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialStatus {
    Active,
    Expired,
}

/// Filters for `GET /telephony_credentials`.
#[derive(Debug, Clone, Default)]
pub struct CredentialFilter {
    pub tag: Option<String>,
    pub name: Option<String>,
    pub status: Option<CredentialStatus>,
    pub connection_id: Option<String>,
    pub sip_username: Option<String>,
}

/// A JWT for the WebRTC SDK's `login_token`; lives 24 hours.
#[derive(Debug, Clone)]
pub struct LoginToken {
    pub jwt: SecretString,
    pub credential_id: String,
    /// The token's `exp` (Unix seconds), read from its payload.
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OutboundVoiceProfile {
    pub id: String,
    pub name: String,
    /// Disabled: outbound calls are blocked.
    #[serde(default)]
    pub enabled: bool,
    /// ISO alpha-2; other destinations fail with 403 D13.
    #[serde(default)]
    pub whitelisted_destinations: Vec<String>,
    #[serde(default)]
    pub max_destination_rate: Option<f64>,
    #[serde(default)]
    pub concurrent_call_limit: Option<u32>,
    #[serde(default)]
    pub daily_spend_limit: Option<String>,
    #[serde(default)]
    pub daily_spend_limit_enabled: Option<bool>,
    #[serde(default)]
    pub traffic_type: Option<String>,
    #[serde(default)]
    pub service_plan: Option<String>,
    #[serde(default)]
    pub usage_payment_method: Option<String>,
    #[serde(default)]
    pub connections_count: Option<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PhoneNumber {
    pub id: String,
    pub phone_number: String,
    #[serde(default)]
    pub status: Option<String>,
    /// The connection or application inbound calls go to; none means they go nowhere.
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub connection_name: Option<String>,
    #[serde(default)]
    pub phone_number_type: Option<String>,
    #[serde(default)]
    pub country_iso_alpha2: Option<String>,
    #[serde(default)]
    pub emergency_enabled: Option<bool>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Filters for `GET /phone_numbers`.
#[derive(Debug, Clone, Default)]
pub struct PhoneNumberFilter {
    pub connection_id: Option<String>,
    pub phone_number: Option<String>,
    pub tag: Option<String>,
    pub status: Option<String>,
}

/// `GET /phone_numbers/{id}/voice`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct VoiceSettings {
    pub id: String,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub tech_prefix_enabled: Option<bool>,
    #[serde(default)]
    pub translated_number: Option<String>,
    #[serde(default)]
    pub usage_payment_method: Option<String>,
    #[serde(default)]
    pub inbound_call_screening: Option<String>,
}
