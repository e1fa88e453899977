//! The Telnyx fake's state: accounts, their keys and resources, and the rules that guard them.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::errors::ApiError;
use super::records::{self, Record};
use crate::{clock, ids};

/// Account limits the fake enforces (telnyx.md §4.4, §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelnyxLimits {
    /// Connections plus applications per account: 10,000 in the docs.
    pub connections_per_account: usize,
    /// Telephony credentials per account. Telnyx documents no number; the default is this lab's.
    pub telephony_credentials_per_account: usize,
    /// "A single tag can hold at maximum 1000 credentials."
    pub credentials_per_tag: usize,
}

impl Default for TelnyxLimits {
    fn default() -> Self {
        TelnyxLimits {
            connections_per_account: 10_000,
            telephony_credentials_per_account: 10_000,
            credentials_per_tag: 1000,
        }
    }
}

pub struct ApiKey {
    pub key: String,
    /// A key that may read but not change anything: writes get 403 / 10010.
    pub read_only: bool,
}

/// An on-demand (telephony) credential.
pub struct TelephonyCredential {
    pub id: String,
    pub name: String,
    pub tag: Option<String>,
    pub connection_id: String,
    pub sip_username: String,
    pub sip_password: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    /// The opaque `tel_token` claim of every JWT minted for this credential.
    pub tel_token: String,
    /// Tokens already minted per `Idempotency-Key`, so a retried mint returns the same token.
    pub minted: HashMap<String, String>,
}

impl TelephonyCredential {
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|at| at <= OffsetDateTime::now_utc())
    }

    /// The record Telnyx returns; note the timestamps' mixed formats in the reference examples.
    pub fn to_json(&self, user_id: &str) -> Value {
        let plain =
            |at: OffsetDateTime| clock::iso8601(at).trim_end_matches('Z').split('.').next().unwrap_or("").to_string();
        json!({
            "id": self.id,
            "record_type": "credential",
            "name": self.name,
            "expired": self.expired(),
            "user_id": user_id,
            "resource_id": format!("connection:{}", self.connection_id),
            "sip_password": self.sip_password,
            "sip_username": self.sip_username,
            "created_at": plain(self.created_at),
            "expires_at": self.expires_at.map(plain),
            "updated_at": clock::iso8601(self.updated_at),
        })
    }
}

pub struct Account {
    pub user_id: String,
    pub api_keys: Vec<ApiKey>,
    pub balance: (String, String),
    pub connections: Vec<Record>,
    pub credentials: Vec<TelephonyCredential>,
    pub profiles: Vec<Record>,
    pub numbers: Vec<Record>,
}

impl Account {
    pub fn new(api_key: String) -> Self {
        Account {
            user_id: ids::uuid(),
            api_keys: vec![ApiKey { key: api_key, read_only: false }],
            balance: ("100.00".into(), "0.00".into()),
            connections: Vec::new(),
            credentials: Vec::new(),
            profiles: Vec::new(),
            numbers: Vec::new(),
        }
    }

    pub fn connection(&self, id: &str) -> Option<&Record> {
        self.connections.iter().find(|c| c["id"] == id)
    }

    pub fn credential(&self, id: &str) -> Option<&TelephonyCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }

    pub fn credential_mut(&mut self, id: &str) -> Option<&mut TelephonyCredential> {
        self.credentials.iter_mut().find(|c| c.id == id)
    }

    pub fn number_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.numbers.iter_mut().find(|n| n["id"] == id)
    }
}

/// Body of `POST /credential_connections`.
pub struct NewConnection {
    pub connection_name: Option<String>,
    pub user_name: Option<String>,
    pub password: Option<String>,
    pub outbound_voice_profile_id: Option<String>,
}

/// Body of `POST /telephony_credentials`.
pub struct NewCredential {
    pub connection_id: Option<String>,
    pub name: Option<String>,
    pub tag: Option<String>,
    pub expires_at: Option<String>,
}

#[derive(Default)]
pub struct Store {
    pub accounts: Vec<Account>,
    pub limits: TelnyxLimits,
}

/// `user_name`: 4–32 letters and digits with a letter among the first five (§4.4).
fn valid_user_name(name: &str) -> bool {
    (4..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
        && name.bytes().take(5).any(|b| b.is_ascii_alphabetic())
}

fn parse_expiry(text: &str) -> Result<OffsetDateTime, ApiError> {
    // Clients send ISO-8601, with or without a zone; a bare time is UTC.
    let with_zone = if text.ends_with('Z') || text.rfind(['+', '-']).is_some_and(|i| i > 10) {
        text.to_string()
    } else {
        format!("{text}Z")
    };
    clock::parse_iso8601(&with_zone)
        .ok_or_else(|| ApiError::invalid_field("expires_at", "expires_at must be an ISO-8601 date and time"))
}

impl Store {
    pub fn account_for_key(&self, key: &str) -> Option<(usize, bool)> {
        self.accounts
            .iter()
            .enumerate()
            .find_map(|(i, a)| a.api_keys.iter().find(|k| k.key == key).map(|k| (i, k.read_only)))
    }

    pub fn create_connection(&mut self, account: usize, new: NewConnection) -> Result<Value, ApiError> {
        let name = new
            .connection_name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::missing_parameter("connection_name"))?;
        let user_name = new.user_name.ok_or_else(|| ApiError::missing_parameter("user_name"))?;
        let password = new.password.ok_or_else(|| ApiError::missing_parameter("password"))?;
        if !valid_user_name(&user_name) {
            return Err(ApiError::invalid_field(
                "user_name",
                "user_name must be 4 to 32 letters and digits, with a letter among the first 5 characters.",
            ));
        }
        if !(8..=128).contains(&password.len()) {
            return Err(ApiError::invalid_field("password", "password must be 8 to 128 characters long."));
        }
        // SIP user names are global: another account's connection holds it just the same.
        if self.accounts.iter().flat_map(|a| &a.connections).any(|c| c["user_name"] == user_name.as_str()) {
            return Err(ApiError::invalid_field("user_name", "user_name has already been taken."));
        }
        let limit = self.limits.connections_per_account;
        let account = &mut self.accounts[account];
        if account.connections.len() >= limit {
            return Err(ApiError::limit_reached(&format!(
                "The account has reached its limit of {limit} connections (credential, IP, FQDN and external \
                 connections, TeXML and Call Control applications count together)."
            )));
        }
        if let Some(profile) = &new.outbound_voice_profile_id {
            if !account.profiles.iter().any(|p| p["id"] == profile.as_str()) {
                return Err(ApiError::invalid_field(
                    "outbound/outbound_voice_profile_id",
                    "No outbound voice profile with this id exists on the account.",
                ));
            }
        }
        let record = records::credential_connection(
            &ids::telnyx_numeric_id(),
            &name,
            &user_name,
            &password,
            new.outbound_voice_profile_id.as_deref(),
        );
        let shown = records::masked_connection(&record);
        account.connections.push(record);
        Ok(shown)
    }

    pub fn delete_connection(&mut self, account: usize, id: &str) -> Result<Value, ApiError> {
        let account = &mut self.accounts[account];
        let index = account.connections.iter().position(|c| c["id"] == id).ok_or_else(ApiError::not_found)?;
        // Deleting a connection takes its on-demand credentials with it.
        account.credentials.retain(|c| c.connection_id != id);
        Ok(records::masked_connection(&account.connections.remove(index)))
    }

    pub fn create_credential(&mut self, account: usize, new: NewCredential) -> Result<Value, ApiError> {
        let connection_id =
            new.connection_id.filter(|c| !c.is_empty()).ok_or_else(|| ApiError::missing_parameter("connection_id"))?;
        let expires_at = new.expires_at.as_deref().map(parse_expiry).transpose()?;
        let limits = self.limits;
        let account = &mut self.accounts[account];
        if account.connection(&connection_id).is_none() {
            return Err(ApiError::invalid_field(
                "connection_id",
                "No credential connection with this id exists on the account.",
            ));
        }
        if account.credentials.len() >= limits.telephony_credentials_per_account {
            return Err(ApiError::limit_reached(&format!(
                "The account has reached its limit of {} telephony credentials. Delete unused credentials first.",
                limits.telephony_credentials_per_account
            )));
        }
        if let Some(tag) = &new.tag {
            if account.credentials.iter().filter(|c| c.tag.as_ref() == Some(tag)).count() >= limits.credentials_per_tag
            {
                return Err(ApiError::limit_reached(&format!(
                    "A single tag can hold at maximum {} credentials.",
                    limits.credentials_per_tag
                )));
            }
        }
        let now = OffsetDateTime::now_utc();
        let credential = TelephonyCredential {
            id: ids::uuid(),
            // Without a name Telnyx names the credential after its creation time.
            name: new.name.unwrap_or_else(|| clock::iso8601(now).replace('T', " ")),
            tag: new.tag,
            connection_id,
            sip_username: format!("gencred{}", ids::alphanumeric(22)),
            sip_password: ids::hex(32),
            created_at: now,
            updated_at: now,
            expires_at,
            tel_token: ids::alphanumeric(40),
            minted: HashMap::new(),
        };
        let shown = credential.to_json(&account.user_id);
        account.credentials.push(credential);
        Ok(shown)
    }

    pub fn update_credential(&mut self, account: usize, id: &str, update: NewCredential) -> Result<Value, ApiError> {
        let expires_at = update.expires_at.as_deref().map(parse_expiry).transpose()?;
        let account = &mut self.accounts[account];
        if let Some(connection_id) = &update.connection_id {
            if account.connection(connection_id).is_none() {
                return Err(ApiError::invalid_field(
                    "connection_id",
                    "No credential connection with this id exists on the account.",
                ));
            }
        }
        let user_id = account.user_id.clone();
        let credential = account.credential_mut(id).ok_or_else(ApiError::not_found)?;
        if credential.expired() {
            // The documented exception to the envelope (telnyx.md §4.2).
            return Err(ApiError::object_form(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "status",
                "can't update credentials in expired status",
            ));
        }
        if let Some(name) = update.name {
            credential.name = name;
        }
        if update.tag.is_some() {
            credential.tag = update.tag;
        }
        if let Some(connection_id) = update.connection_id {
            credential.connection_id = connection_id;
        }
        if expires_at.is_some() {
            credential.expires_at = expires_at;
        }
        credential.updated_at = OffsetDateTime::now_utc();
        Ok(credential.to_json(&user_id))
    }

    pub fn delete_credential(&mut self, account: usize, id: &str) -> Result<Value, ApiError> {
        let account = &mut self.accounts[account];
        let index = account.credentials.iter().position(|c| c.id == id).ok_or_else(ApiError::not_found)?;
        let credential = account.credentials.remove(index);
        Ok(credential.to_json(&account.user_id))
    }

    /// Finds a credential in any account (for login tokens, which name no account).
    pub fn find_credential(&self, id: &str) -> Option<(&Account, &TelephonyCredential)> {
        self.accounts.iter().find_map(|a| a.credential(id).map(|c| (a, c)))
    }
}

/// The seeded account's keys and resource ids, as the CLI prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TelnyxSeed {
    pub api_key: String,
    /// The same account, but a key that gets 403 on every write.
    pub read_only_api_key: String,
    pub outbound_voice_profile_id: String,
    /// A credential connection with the outbound voice profile: ready for WebRTC calls.
    pub credential_connection_id: String,
    /// A credential connection without an outbound voice profile (calls fail with 403 D38).
    pub connection_without_profile_id: String,
    /// Numbers routed to the first connection, to no connection, and to the second connection.
    pub phone_number_ids: Vec<String>,
    /// A second account, whose resources the first account's key must not see (404).
    pub other_account_api_key: String,
    pub other_account_connection_id: String,
}

pub fn seed(store: &mut Store) -> TelnyxSeed {
    let mut main = Account::new(ids::telnyx_api_key());
    let read_only_api_key = ids::telnyx_api_key();
    main.api_keys.push(ApiKey { key: read_only_api_key.clone(), read_only: true });
    main.balance = ("25.30".into(), "100.00".into());

    let profile_id = ids::telnyx_numeric_id();
    let mut profile = records::outbound_voice_profile(&profile_id, "Callscope lab profile", &["US", "CA", "GB"]);
    profile.insert("connections_count".into(), Value::from(1));
    main.profiles.push(profile);

    let webrtc_id = ids::telnyx_numeric_id();
    let bare_id = ids::telnyx_numeric_id();
    main.connections.push(records::credential_connection(
        &webrtc_id,
        "callscope-webrtc",
        "callscopelab1",
        &ids::hex(16),
        Some(&profile_id),
    ));
    main.connections.push(records::credential_connection(
        &bare_id,
        "no-outbound-profile",
        "callscopelab2",
        &ids::hex(16),
        None,
    ));

    let numbers = [
        ("+13125550101", Some((webrtc_id.as_str(), "callscope-webrtc"))),
        ("+13125550102", None),
        ("+13125550103", Some((bare_id.as_str(), "no-outbound-profile"))),
    ];
    let mut phone_number_ids = Vec::new();
    for (e164, connection) in numbers {
        let id = ids::telnyx_numeric_id();
        main.numbers.push(records::phone_number(&id, e164, connection));
        phone_number_ids.push(id);
    }

    let seed = TelnyxSeed {
        api_key: main.api_keys[0].key.clone(),
        read_only_api_key,
        outbound_voice_profile_id: profile_id,
        credential_connection_id: webrtc_id,
        connection_without_profile_id: bare_id,
        phone_number_ids,
        other_account_api_key: ids::telnyx_api_key(),
        other_account_connection_id: ids::telnyx_numeric_id(),
    };
    let mut other = Account::new(seed.other_account_api_key.clone());
    other.connections.push(records::credential_connection(
        &seed.other_account_connection_id,
        "someone-else",
        "otheruser1",
        &ids::hex(16),
        None,
    ));
    store.accounts.push(main);
    store.accounts.push(other);
    seed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_the_documented_rule() {
        assert!(valid_user_name("abcd"));
        assert!(valid_user_name("1234a5678"));
        assert!(!valid_user_name("12345abc"), "no letter among the first five");
        assert!(!valid_user_name("ab"), "too short");
        assert!(!valid_user_name("abc-def"), "not alphanumeric");
        assert!(!valid_user_name(&"a".repeat(33)), "too long");
    }

    #[test]
    fn expiry_accepts_iso8601_with_or_without_zone() {
        assert_eq!(parse_expiry("2042-06-18T21:32:38").unwrap().year(), 2042);
        assert_eq!(parse_expiry("2018-02-02T22:25:27.521Z").unwrap().year(), 2018);
        assert_eq!(parse_expiry("2018-02-02T22:25:27+02:00").unwrap().hour(), 22);
        assert!(parse_expiry("next tuesday").is_err());
    }
}
