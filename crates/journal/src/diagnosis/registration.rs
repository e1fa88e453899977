//! A line's registration history, read from the app-level events its line journaled: every
//! REGISTER answer on the wire (SIP), the gateway states (Telnyx), `ready`/`offline` (Twilio),
//! and the registration errors and transport drops the UI recorded. Each outcome is decoded:
//! a 401 after credentials were sent is a rejected password; a 401 that got no retry is a realm
//! the account has no digest for.

use callscope_causes::{lookup, lookup_num, Catalog};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::evidence::Fact;
use super::facts::{line_at, text_of, At};
use super::sip::SipMessage;
use crate::journal::{EventKind, JournalEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Registered,
    Failed,
    Unregistered,
    /// The signalling connection dropped.
    Disconnected,
}

/// One outcome of a line's registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Registration {
    /// When it was recorded (UTC).
    pub at: String,
    pub launch_id: i64,
    pub seq: i64,
    pub outcome: Outcome,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The realm the registrar challenged with, in this attempt.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Whether this attempt sent credentials (an authenticated REGISTER).
    pub credentials_sent: bool,
    /// One line: what happened.
    pub summary: String,
    /// What it means and what to do, when it failed.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// Error codes that mean a provider line could not log in or register.
const LOGIN_CODES: [(i64, Catalog); 11] = [
    (46001, Catalog::TelnyxSdk),
    (46002, Catalog::TelnyxSdk),
    (46003, Catalog::TelnyxSdk),
    (45003, Catalog::TelnyxSdk),
    (45004, Catalog::TelnyxSdk),
    (20101, Catalog::Twilio),
    (20104, Catalog::Twilio),
    (20151, Catalog::Twilio),
    (31201, Catalog::Twilio),
    (31204, Catalog::Twilio),
    (31205, Catalog::Twilio),
];

#[derive(Default)]
struct Attempt {
    credentials_sent: bool,
    unregistering: bool,
    realm: Option<String>,
}

/// Every registration outcome in `events` (one line's app-level events, oldest first).
pub fn history(events: &[JournalEvent]) -> Vec<At<Registration>> {
    let mut out: Vec<At<Registration>> = Vec::new();
    let mut attempt = Attempt::default();
    for event in events {
        let p = &event.payload;
        let record = |outcome: Outcome, fact: Fact, summary: String, attempt: &Attempt| {
            line_at(event, fact, Registration {
                at: event.at.clone(),
                launch_id: event.launch_id,
                seq: event.seq,
                outcome,
                status: None,
                reason: None,
                realm: attempt.realm.clone(),
                credentials_sent: attempt.credentials_sent,
                summary,
                explanation: None,
            })
        };
        match event.kind {
            EventKind::Signal => {
                let summary = p["summary"].as_str().unwrap_or("").to_string();
                let fact = Fact::Signal { summary: summary.clone() };
                let received = p["direction"] == "received";
                match (p["protocol"].as_str(), &p["body"]) {
                    (Some("sip"), Value::String(text)) => {
                        let Some(message) = SipMessage::parse(text) else { continue };
                        if !received && message.method.as_deref() == Some("REGISTER") {
                            if !message.has_credentials() {
                                attempt = Attempt::default();
                            }
                            attempt.credentials_sent |= message.has_credentials();
                            attempt.unregistering = message.header("expires").is_some_and(|e| e.trim() == "0")
                                || message.header("contact").is_some_and(|c| c.replace(' ', "").contains(";expires=0"));
                        } else if received && message.cseq_method().as_deref() == Some("REGISTER") {
                            if let Some(found) = sip_outcome(&message, &mut attempt) {
                                let (outcome, summary, explanation) = found;
                                let mut r = record(outcome, fact, summary, &attempt);
                                r.value.status = message.status;
                                r.value.reason = message.reason.clone();
                                r.value.explanation = explanation;
                                out.push(r);
                            }
                        }
                    }
                    (Some("verto"), body) if summary.contains("gatewayState") => {
                        let state = body["result"]["params"]["state"].as_str().or(body["params"]["state"].as_str()).unwrap_or("");
                        match state {
                            "REGED" | "REGISTER" => out.push(record(Outcome::Registered, fact, format!("registered (gateway state {state})"), &attempt)),
                            "FAILED" | "FAIL_WAIT" | "TIMEOUT" => {
                                let mut r = record(Outcome::Failed, fact, format!("the Telnyx gateway registration failed (state {state})"), &attempt);
                                r.value.explanation = Some(
                                    "Telnyx could not register this line's credential: the SDK reconnects by itself; if it keeps \
                                     failing, check the credential connection is active and the credential not expired."
                                        .into(),
                                );
                                out.push(r);
                            }
                            _ => {}
                        }
                    }
                    (Some("pstream"), _) if received && summary == "ready" => {
                        out.push(record(Outcome::Registered, fact, "registered (ready)".into(), &attempt));
                    }
                    (Some("pstream"), _) if received && summary == "offline" => {
                        out.push(record(Outcome::Unregistered, fact, "unregistered (offline)".into(), &attempt));
                    }
                    _ => {}
                }
            }
            EventKind::Error => {
                let code = p["code"].as_i64();
                let login = code.and_then(|c| LOGIN_CODES.iter().find(|(l, _)| *l == c));
                let registration = p["registration"].as_str().is_some();
                if !registration && login.is_none() {
                    continue;
                }
                let status = p["status_code"].as_u64().and_then(|s| u16::try_from(s).ok());
                // JsSIP reports a refusal the wire already showed: keep one outcome, with the hint.
                if let Some(last) = out.last_mut().filter(|l| status.is_some() && l.value.status == status && l.value.outcome == Outcome::Failed) {
                    if let Some(hint) = p["hint"].as_str() {
                        last.value.explanation = Some(join(last.value.explanation.take(), hint));
                    }
                    continue;
                }
                let fact = Fact::Error { code: code.map(|c| c.to_string()) };
                let mut r = record(Outcome::Failed, fact, text_of(p), &attempt);
                r.value.status = status;
                r.value.reason = p["reason"].as_str().map(str::to_string);
                if let Some(status) = status {
                    let (summary, explanation) = sip_failure(status, r.value.reason.as_deref(), &attempt);
                    r.value.summary = summary;
                    r.value.explanation = Some(explanation);
                } else if let Some((code, catalog)) = login {
                    if let Some(entry) = lookup(*catalog, &code.to_string()) {
                        r.value.summary = format!("{} {} {}: {}", catalog.label(), entry.code, entry.name, p["message"].as_str().unwrap_or(&entry.meaning));
                        r.value.explanation = Some(entry.meaning.clone());
                    }
                }
                if let Some(hint) = p["hint"].as_str() {
                    r.value.explanation = Some(join(r.value.explanation.take(), hint));
                }
                out.push(r);
            }
            EventKind::Warning => {
                let fact = Fact::Warning { code: p["code"].as_i64().map(|c| c.to_string()) };
                if p["transport"] == "disconnected" {
                    out.push(record(Outcome::Disconnected, fact, text_of(p), &attempt));
                } else if p["registration"].as_str().is_some() {
                    out.push(record(Outcome::Unregistered, fact, text_of(p), &attempt));
                }
            }
            _ => {}
        }
    }
    out
}

/// What a REGISTER's answer means for the attempt: an outcome, or nothing (a challenge the
/// client answers).
fn sip_outcome(message: &SipMessage, attempt: &mut Attempt) -> Option<(Outcome, String, Option<String>)> {
    let status = message.status?;
    if status < 200 {
        return None;
    }
    if let Some(realm) = message.challenge_realm() {
        attempt.realm = Some(realm);
    }
    if matches!(status, 401 | 407) && !attempt.credentials_sent {
        return None;
    }
    let realm = attempt.realm.as_deref().map(|r| format!(", realm \"{r}\"")).unwrap_or_default();
    if (200..300).contains(&status) {
        return Some(if attempt.unregistering {
            (Outcome::Unregistered, format!("unregistered ({status} {})", message.reason.as_deref().unwrap_or("")).replace(" )", ")"), None)
        } else {
            (Outcome::Registered, format!("registered ({status} {}{realm})", message.reason.as_deref().unwrap_or("")), None)
        });
    }
    let (summary, explanation) = sip_failure(status, message.reason.as_deref(), attempt);
    Some((Outcome::Failed, summary, Some(explanation)))
}

/// A registrar's refusal, decoded with what the attempt sent.
fn sip_failure(status: u16, reason: Option<&str>, attempt: &Attempt) -> (String, String) {
    let phrase = reason.map(str::to_string).or_else(|| lookup_num(Catalog::Sip, status.into()).map(|e| e.name.clone())).unwrap_or_default();
    let realm = attempt.realm.clone().unwrap_or_default();
    match status {
        401 | 407 if !attempt.credentials_sent => (
            format!("{status} {phrase}: challenged for realm \"{realm}\", no credentials sent"),
            format!(
                "The registrar asked for credentials for the realm \"{realm}\" and Callscope sent none: it keeps the password only \
                 as a digest for the account's realm. Set the account's realm to \"{realm}\"."
            ),
        ),
        401 | 407 => (
            format!("{status} {phrase}: the credentials were rejected"),
            "Callscope sent credentials and the registrar rejected them: check the auth user and the password.".into(),
        ),
        403 if attempt.credentials_sent => (
            format!("{status} {phrase} after credentials were sent"),
            "The registrar refused this account after it authenticated: a wrong password or auth user (many registrars answer \
             403 to a bad password), or an account that may not register from here."
                .into(),
        ),
        _ => (
            format!("{status} {phrase}"),
            lookup_num(Catalog::Sip, status.into()).map(|e| e.meaning.clone()).unwrap_or_else(|| "The registrar refused the registration.".into()),
        ),
    }
}

fn join(first: Option<String>, more: &str) -> String {
    match first {
        Some(first) if first.contains(more) => first,
        Some(first) => format!("{first} {more}"),
        None => more.to_string(),
    }
}
