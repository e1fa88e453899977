//! The JSON records the Telnyx fake serves, in the shapes of the API reference and the Stainless SDK
//! types (telnyx.md §4.4–§4.9). Fields a diagnosis reads are set from state; the rest carry the
//! reference examples' values so clients meet full-size objects.

use serde_json::{json, Map, Value};

use crate::clock;

pub type Record = Map<String, Value>;

fn object(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("records are built from JSON objects"),
    }
}

/// A credential connection as stored (with its password; reads mask it).
pub fn credential_connection(
    id: &str,
    connection_name: &str,
    user_name: &str,
    password: &str,
    outbound_voice_profile_id: Option<&str>,
) -> Record {
    let now = clock::iso8601_now();
    object(json!({
        "id": id,
        "record_type": "credential_connection",
        "active": true,
        "anchorsite_override": "Latency",
        "connection_name": connection_name,
        "user_name": user_name,
        "password": password,
        "created_at": now,
        "updated_at": now,
        "sip_uri_calling_preference": "disabled",
        "default_on_hold_comfort_noise_enabled": false,
        "dtmf_type": "RFC 2833",
        "encode_contact_header_enabled": false,
        "encrypted_media": null,
        "onnet_t38_passthrough_enabled": false,
        "ios_push_credential_id": null,
        "android_push_credential_id": null,
        "webhook_event_url": null,
        "webhook_event_failover_url": null,
        "webhook_api_version": "1",
        "webhook_timeout_secs": null,
        "tags": [],
        "rtcp_settings": {"port": "rtp+1", "capture_enabled": false, "report_frequency_secs": 5},
        "inbound": {
            "ani_number_format": "+E.164",
            "dnis_number_format": "+e164",
            "codecs": ["G722", "G711U", "G711A", "G729", "OPUS", "H.264"],
            "channel_limit": null,
            "generate_ringback_tone": false,
            "isup_headers_enabled": false,
            "prack_enabled": false,
            "sip_compact_headers_enabled": true,
            "timeout_1xx_secs": 3,
            "timeout_2xx_secs": 90,
            "shaken_stir_enabled": false,
            "simultaneous_ringing": "disabled",
        },
        "outbound": {
            "call_parking_enabled": false,
            "ani_override": "",
            "ani_override_type": "always",
            "channel_limit": null,
            "instant_ringback_enabled": true,
            "generate_ringback_tone": false,
            "localization": "US",
            "t38_reinvite_source": "customer",
            "outbound_voice_profile_id": outbound_voice_profile_id,
        },
    }))
}

/// What a read returns: the password masked, as for accounts created after 2026-09-08 (§4.4).
pub fn masked_connection(stored: &Record) -> Value {
    let mut shown = stored.clone();
    if shown.contains_key("password") {
        shown.insert("password".into(), Value::from("********"));
    }
    Value::Object(shown)
}

pub fn outbound_voice_profile(id: &str, name: &str, whitelisted_destinations: &[&str]) -> Record {
    let now = clock::iso8601_now();
    object(json!({
        "id": id,
        "record_type": "outbound_voice_profile",
        "name": name,
        "connections_count": 0,
        "traffic_type": "conversational",
        "service_plan": "global",
        "concurrent_call_limit": 10,
        "enabled": true,
        "tags": [],
        "usage_payment_method": "rate-deck",
        "whitelisted_destinations": whitelisted_destinations,
        "max_destination_rate": 0.5,
        "daily_spend_limit": "100.00",
        "daily_spend_limit_enabled": false,
        "call_recording": {"call_recording_type": "none", "call_recording_caller_phone_numbers": [], "call_recording_channels": "single", "call_recording_format": "wav"},
        "billing_group_id": null,
        "calling_window": {"start_time": "08:00:00.00Z", "end_time": "20:00:00.00Z", "calls_per_cld": 5},
        "created_at": now,
        "updated_at": now,
    }))
}

/// A phone number (`numbers_phone_number_detailed`), routed to `connection` if given.
pub fn phone_number(id: &str, e164: &str, connection: Option<(&str, &str)>) -> Record {
    let now = clock::iso8601_now();
    object(json!({
        "id": id,
        "record_type": "phone_number",
        "phone_number": e164,
        "status": "active",
        "tags": [],
        "external_pin": null,
        "connection_id": connection.map(|c| c.0),
        "connection_name": connection.map(|c| c.1),
        "customer_reference": null,
        "messaging_profile_id": null,
        "messaging_profile_name": null,
        "billing_group_id": null,
        "emergency_enabled": false,
        "emergency_address_id": null,
        "call_forwarding_enabled": false,
        "cnam_listing_enabled": false,
        "caller_id_name_enabled": false,
        "call_recording_enabled": false,
        "t38_fax_gateway_enabled": false,
        "phone_number_type": "local",
        "country_iso_alpha2": "US",
        "number_level_routing": "disabled",
        "source_type": "number_order",
        "purchased_at": now,
        "created_at": now,
        "updated_at": now,
    }))
}

/// `GET /phone_numbers/{id}/voice` for a stored number.
pub fn voice_settings(number: &Record) -> Value {
    json!({
        "id": number["id"],
        "record_type": "voice_settings",
        "phone_number": number["phone_number"],
        "connection_id": number["connection_id"],
        "customer_reference": number["customer_reference"],
        "tech_prefix_enabled": false,
        "translated_number": number["phone_number"],
        "call_forwarding": {"call_forwarding_enabled": false, "forwards_to": null, "forwarding_type": null},
        "cnam_listing": {"cnam_listing_enabled": false, "cnam_listing_details": null},
        "usage_payment_method": "pay-per-minute",
        "media_features": {"rtp_auto_adjust_enabled": true, "accept_any_rtp_packets_enabled": false, "t38_fax_gateway_enabled": false},
        "call_recording": {"inbound_call_recording_enabled": false, "inbound_call_recording_format": "wav", "inbound_call_recording_channels": "single"},
        "inbound_call_screening": "disabled",
        "emergency": {"emergency_enabled": false, "emergency_address_id": null, "emergency_status": "disabled"},
    })
}

/// `GET /balance`: amounts are strings; available credit is balance plus credit limit (§4.9).
pub fn balance(balance: &str, credit_limit: &str) -> Value {
    let available = balance.parse::<f64>().unwrap_or(0.0) + credit_limit.parse::<f64>().unwrap_or(0.0);
    json!({
        "record_type": "balance",
        "balance": balance,
        "credit_limit": credit_limit,
        "available_credit": format!("{available:.2}"),
        "pending": "0.00",
        "currency": "USD",
    })
}
