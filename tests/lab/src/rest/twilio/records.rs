//! The JSON records the Twilio fake serves, in the shapes of `twilio_api_v2010.json` and
//! `twilio_voice_v1.json` (twilio.md §6.2): snake_case fields, RFC 2822 dates, `.json` URIs.

use serde_json::{json, Map, Value};

use crate::clock;

pub type Record = Map<String, Value>;

fn object(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("records are built from JSON objects"),
    }
}

pub fn account_uri(account_sid: &str) -> String {
    format!("/2010-04-01/Accounts/{account_sid}")
}

pub fn account(sid: &str, auth_token: &str, friendly_name: &str, status: &str, kind: &str, created: &str) -> Value {
    let base = account_uri(sid);
    let sub = |name: &str| format!("{base}/{name}.json");
    json!({
        "auth_token": auth_token,
        "date_created": created,
        "date_updated": created,
        "friendly_name": friendly_name,
        "owner_account_sid": sid,
        "sid": sid,
        "status": status,
        "subresource_uris": {
            "available_phone_numbers": sub("AvailablePhoneNumbers"),
            "calls": sub("Calls"),
            "conferences": sub("Conferences"),
            "incoming_phone_numbers": sub("IncomingPhoneNumbers"),
            "notifications": sub("Notifications"),
            "outgoing_caller_ids": sub("OutgoingCallerIds"),
            "recordings": sub("Recordings"),
            "transcriptions": sub("Transcriptions"),
            "addresses": sub("Addresses"),
            "signing_keys": sub("SigningKeys"),
            "connect_apps": sub("ConnectApps"),
            "sip": sub("SIP"),
            "authorized_connect_apps": sub("AuthorizedConnectApps"),
            "usage": sub("Usage"),
            "keys": sub("Keys"),
            "applications": sub("Applications"),
            "short_codes": sub("SMS/ShortCodes"),
            "queues": sub("Queues"),
            "messages": sub("Messages"),
            "balance": sub("Balance"),
        },
        "type": kind,
        "uri": format!("{base}.json"),
    })
}

/// A TwiML application; `voice_url` empty when none is set.
pub fn application(account_sid: &str, sid: &str, friendly_name: &str, voice_url: &str) -> Record {
    let now = clock::rfc2822_now();
    object(json!({
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "date_created": now,
        "date_updated": now,
        "friendly_name": friendly_name,
        "message_status_callback": null,
        "sid": sid,
        "sms_fallback_method": "POST",
        "sms_fallback_url": null,
        "sms_method": "POST",
        "sms_status_callback": null,
        "sms_url": null,
        "status_callback": null,
        "status_callback_method": "POST",
        "uri": format!("{}/Applications/{sid}.json", account_uri(account_sid)),
        "voice_caller_id_lookup": false,
        "voice_fallback_method": "POST",
        "voice_fallback_url": null,
        "voice_method": "POST",
        "voice_url": voice_url,
        "public_application_connect_enabled": false,
    }))
}

/// An IncomingPhoneNumber, routed to a TwiML app, a Voice URL, or nothing.
pub fn incoming_phone_number(
    account_sid: &str,
    sid: &str,
    e164: &str,
    voice: bool,
    voice_application_sid: Option<&str>,
    voice_url: &str,
) -> Record {
    let now = clock::rfc2822_now();
    object(json!({
        "account_sid": account_sid,
        "address_requirements": "none",
        "address_sid": null,
        "api_version": "2010-04-01",
        "beta": false,
        "bundle_sid": null,
        "capabilities": {"fax": false, "mms": true, "sms": true, "voice": voice},
        "date_created": now,
        "date_updated": now,
        "emergency_address_sid": null,
        "emergency_address_status": "unregistered",
        "emergency_status": "Inactive",
        "friendly_name": format!("({}) {}-{}", &e164[2..5], &e164[5..8], &e164[8..]),
        "identity_sid": null,
        "origin": "twilio",
        "phone_number": e164,
        "sid": sid,
        "sms_application_sid": null,
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": "",
        "status": "in-use",
        "status_callback": "",
        "status_callback_method": "POST",
        "subresource_uris": {"assigned_add_ons": format!("{}/IncomingPhoneNumbers/{sid}/AssignedAddOns.json", account_uri(account_sid))},
        "trunk_sid": null,
        "uri": format!("{}/IncomingPhoneNumbers/{sid}.json", account_uri(account_sid)),
        "voice_application_sid": voice_application_sid,
        "voice_caller_id_lookup": false,
        "voice_fallback_method": "POST",
        "voice_fallback_url": null,
        "voice_method": "POST",
        "voice_receive_mode": "voice",
        "voice_url": voice_url,
    }))
}

pub struct CallLeg<'a> {
    pub sid: &'a str,
    pub parent_call_sid: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a str,
    pub status: &'a str,
    pub direction: &'a str,
    pub duration_secs: u32,
}

pub fn call(account_sid: &str, leg: &CallLeg) -> Record {
    let now = clock::rfc2822_now();
    let base = format!("{}/Calls/{}", account_uri(account_sid), leg.sid);
    object(json!({
        "account_sid": account_sid,
        "annotation": null,
        "answered_by": null,
        "api_version": "2010-04-01",
        "caller_name": null,
        "date_created": now,
        "date_updated": now,
        "direction": leg.direction,
        "duration": leg.duration_secs.to_string(),
        "end_time": now,
        "forwarded_from": null,
        "from": leg.from,
        "from_formatted": leg.from,
        "group_sid": null,
        "parent_call_sid": leg.parent_call_sid,
        "phone_number_sid": null,
        "price": if leg.duration_secs > 0 { Value::from("-0.01400") } else { Value::Null },
        "price_unit": "USD",
        "queue_time": "0",
        "sid": leg.sid,
        "start_time": now,
        "status": leg.status,
        "subresource_uris": {
            "notifications": format!("{base}/Notifications.json"),
            "recordings": format!("{base}/Recordings.json"),
            "events": format!("{base}/Events.json"),
        },
        "to": leg.to,
        "to_formatted": leg.to,
        "trunk_sid": null,
        "uri": format!("{base}.json"),
    }))
}

/// A voice dialing permissions country; `url` and `links` are added per request (absolute URLs).
pub fn country(iso_code: &str, name: &str, continent: &str, country_codes: &[&str], low_risk: bool) -> Record {
    object(json!({
        "iso_code": iso_code,
        "name": name,
        "continent": continent,
        "country_codes": country_codes,
        "low_risk_numbers_enabled": low_risk,
        "high_risk_special_numbers_enabled": false,
        "high_risk_tollfraud_numbers_enabled": false,
    }))
}

pub fn with_country_urls(country: &Record, origin: &str) -> Value {
    let url = format!("{origin}/v1/DialingPermissions/Countries/{}", country["iso_code"].as_str().unwrap_or(""));
    let mut shown = country.clone();
    shown.insert("links".into(), json!({"highrisk_special_prefixes": format!("{url}/HighRiskSpecialPrefixes")}));
    shown.insert("url".into(), Value::from(url));
    Value::Object(shown)
}
