//! A large set of generated calls (seeded, so every run sees the same ones): every provider,
//! every way to end, codes from every catalog, SIP responses with and without their headers,
//! provider frames, media that connects or not, stats, errors, registrations. Each diagnosis
//! must pass the evidence checks; with the corpus, this is the property test over generated and
//! recorded calls.

use callscope_calls::{Direction, EndedBy, Failure, Provider};
use callscope_journal::diagnosis::diagnose;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::corpus;
use super::timeline::Timeline;
use super::verify;

/// How many calls are generated: enough to reach every rule many times, a few seconds to run.
const CALLS: usize = 4_000;

const STATUSES: [u16; 16] = [200, 302, 401, 403, 404, 407, 408, 480, 481, 486, 487, 488, 500, 503, 603, 606];
const Q850: [u16; 9] = [1, 3, 16, 17, 19, 21, 31, 34, 804];
const TELNYX_CAUSES: [&str; 6] = ["NORMAL_CLEARING", "USER_BUSY", "CALL_REJECTED", "MEDIA_TIMEOUT", "NO_ANSWER", "UNALLOCATED_NUMBER"];
const TWILIO_CODES: [&str; 9] = ["31005", "31000", "31002", "31486", "31603", "53405", "20104", "31209", "53000"];
const SDK_CODES: [i64; 8] = [31005, 31002, 48501, 45003, 33004, 20101, 31209, 53405];
const REASONS: [&str; 6] = ["Busy Here", "OK", "Not Found", "Forbidden", "Service Unavailable", "Connection has no Outbound Profile assigned D38"];

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    *items.choose(rng).unwrap()
}

fn maybe<T>(rng: &mut StdRng, p: f64, value: impl FnOnce(&mut StdRng) -> T) -> Option<T> {
    if rng.random_bool(p) { Some(value(rng)) } else { None }
}

fn sip_response(rng: &mut StdRng, status: u16, cseq: u32) -> String {
    let reason = pick(rng, &REASONS);
    let mut text = format!("SIP/2.0 {status} {reason}\nCSeq: {cseq} INVITE\nTo: <sip:x@y>;tag=t\n");
    if rng.random_bool(0.4) {
        text.push_str(&format!("Server: {}\n", pick(rng, &["edge-proxy", "far-gateway", "lab-kamailio"])));
    }
    if rng.random_bool(0.3) {
        text.push_str(&format!("Reason: Q.850;cause={};text=\"generated\"\n", pick(rng, &Q850)));
    }
    if rng.random_bool(0.2) {
        text.push_str(&format!("Warning: {} far-gateway \"generated warning\"\n", pick(rng, &[305u16, 399, 370])));
    }
    if matches!(status, 401 | 407) && rng.random_bool(0.8) {
        let header = if status == 401 { "WWW-Authenticate" } else { "Proxy-Authenticate" };
        text.push_str(&format!("{header}: Digest realm=\"{}\", nonce=\"n\"\n", pick(rng, &["lab.test", "carrier.example"])));
    }
    if (300..400).contains(&status) && rng.random_bool(0.8) {
        text.push_str("Contact: <sip:elsewhere@branch.example>\n");
    }
    text.push('\n');
    if rng.random_bool(0.2) {
        text.push_str("v=0\n");
    }
    text
}

fn timeline(rng: &mut StdRng) -> Timeline {
    let provider = pick(rng, &[Provider::Echo, Provider::Sip, Provider::Telnyx, Provider::Twilio]);
    let ended_by = pick(rng, &[EndedBy::Local, EndedBy::Remote, EndedBy::Remote, EndedBy::Error, EndedBy::Interrupted]);
    let mut events: Vec<Value> = Vec::new();
    let mut t = 0.0;
    let mut step = |rng: &mut StdRng| {
        t += rng.random_range(5.0..4000.0);
        t
    };
    if rng.random_bool(0.2) {
        events.push(json!([step(rng), "state", "connecting", {"registration": {"state": pick(rng, &["failed", "registered", "registering"]), "status_code": 403}}]));
        if rng.random_bool(0.5) {
            events.push(json!([step(rng), "warning", {"message": "the line lab is not registered (failed: 403 Forbidden); calling anyway"}]));
        }
    }
    events.push(json!([step(rng), "state", "dialing"]));
    let sip = provider == Provider::Sip;
    if sip {
        events.push(json!([step(rng), "sip>", "INVITE sip:x@y SIP/2.0\nCSeq: 1 INVITE\n\nv=0\n"]));
        if rng.random_bool(0.6) {
            events.push(json!([step(rng), "sip<", "SIP/2.0 100 Trying\nCSeq: 1 INVITE\nServer: edge-proxy\n\n"]));
        }
    }
    let path = pick(rng, &[0u8, 1, 2, 3, 4]);
    if path >= 1 {
        events.push(json!([step(rng), "state", "trying"]));
    }
    if path >= 2 {
        events.push(json!([step(rng), "state", pick(rng, &["ringing", "early"])]));
    }
    if path >= 3 {
        events.push(json!([step(rng), "state", "active"]));
        if rng.random_bool(0.7) {
            events.push(json!([step(rng), "media", {"pc": "connection", "state": pick(rng, &["connected", "connected", "checking", "failed"])}]));
        }
        if rng.random_bool(0.3) {
            events.push(json!([step(rng), "media", {"pc": "ice_connection", "ice_connection_state": pick(rng, &["checking", "disconnected", "failed"])}]));
        }
        if rng.random_bool(0.3) {
            events.push(json!([step(rng), "media", {"pc": "ice_candidate_error", "url": "turn:turn.example:3478", "errorCode": pick(rng, &[401i64, 403, 701]), "errorText": "x"}]));
        }
        let mut received = 0.0;
        let mut sent = 0.0;
        for _ in 0..rng.random_range(0..8) {
            received += pick(rng, &[0.0, 0.0, 50.0]);
            sent += pick(rng, &[0.0, 50.0, 50.0]);
            events.push(json!([step(rng), "stats", received, sent, pick(rng, &[0.0, 0.4])]));
        }
        if path == 4 && sip && rng.random_bool(0.5) {
            events.push(json!([step(rng), "sip>", "INVITE sip:x@y SIP/2.0\nCSeq: 5 INVITE\nTo: <sip:x@y>;tag=t\n\nv=0\n"]));
            let status = pick(rng, &[200u16, 488, 491]);
            events.push(json!([step(rng), "sip<", sip_response(rng, status, 5)]));
        }
    }
    if sip && matches!(ended_by, EndedBy::Remote | EndedBy::Error) {
        if path >= 3 {
            let bye = if rng.random_bool(0.5) { "BYE sip:a@b SIP/2.0\nCSeq: 9 BYE\nUser-Agent: far-gateway\nReason: Q.850;cause=16\n\n" } else { "BYE sip:a@b SIP/2.0\nCSeq: 9 BYE\n\n" };
            events.push(json!([step(rng), "sip<", bye]));
        } else {
            let status = pick(rng, &STATUSES);
            events.push(json!([step(rng), "sip<", sip_response(rng, status, 1)]));
            if matches!(status, 401 | 407) && rng.random_bool(0.5) {
                events.push(json!([step(rng), "sip>", "INVITE sip:x@y SIP/2.0\nCSeq: 2 INVITE\nProxy-Authorization: [redacted]\n\nv=0\n"]));
                events.push(json!([step(rng), "sip<", sip_response(rng, status, 2)]));
            }
        }
    }
    if provider == Provider::Telnyx && ended_by == EndedBy::Remote {
        let params = if rng.random_bool(0.5) { json!({"callID": "c", "cause": pick(rng, &TELNYX_CAUSES), "causeCode": 16}) } else { json!({"callID": "c"}) };
        events.push(json!([step(rng), "verto<", "telnyx_rtc.bye", {"jsonrpc": "2.0", "id": 1, "method": "telnyx_rtc.bye", "params": params}]));
    }
    if provider == Provider::Twilio && ended_by == EndedBy::Remote {
        let payload = if rng.random_bool(0.5) { json!({"callsid": "CA0123", "error": {"code": 31486, "message": "Busy Here"}}) } else { json!({"callsid": "CA0123"}) };
        events.push(json!([step(rng), "pstream<", "hangup", {"type": "hangup", "version": "1.6", "payload": payload}]));
    }
    for _ in 0..rng.random_range(0..3) {
        let source = match provider {
            Provider::Telnyx => "telnyx.error",
            Provider::Twilio => "twilio.call",
            _ => "app",
        };
        let mut payload = json!({"source": source, "code": pick(rng, &SDK_CODES), "message": pick(rng, &["generated", "microphone: NotAllowedError: Permission denied", "token expired", "credential limit reached"])});
        if rng.random_bool(0.3) {
            payload["gateway_error"] = json!({"code": 31503, "message": "Service Unavailable", "type": "hangup"});
        }
        events.push(json!([step(rng), pick(rng, &["error", "warning"]), payload]));
    }
    if ended_by == EndedBy::Local && rng.random_bool(0.7) {
        events.push(json!([step(rng), "action", "hangup"]));
    }
    events.push(json!([step(rng), "end"]));

    let failure = Failure {
        sip_status: maybe(rng, 0.4, |r| pick(r, &STATUSES)),
        sip_reason: maybe(rng, 0.4, |r| pick(r, &REASONS).to_string()),
        q850_cause: maybe(rng, 0.4, |r| pick(r, &Q850)),
        provider_code: match provider {
            Provider::Telnyx => maybe(rng, 0.7, |r| pick(r, &TELNYX_CAUSES).to_string()),
            Provider::Twilio => maybe(rng, 0.6, |r| pick(r, &TWILIO_CODES).to_string()),
            _ => None,
        },
        message: maybe(rng, 0.2, |r| pick(r, &["media never connected (ICE checking 15 s after answer)", "generated"]).to_string()),
    };
    let mut line = Vec::new();
    if rng.random_bool(0.3) {
        line.push(json!([1, "sip>", "REGISTER sip:lab.test SIP/2.0\nCSeq: 1 REGISTER\n\n"]));
        line.push(json!([2, "sip<", "SIP/2.0 401 Unauthorized\nCSeq: 1 REGISTER\nWWW-Authenticate: Digest realm=\"lab.test\", nonce=\"x\"\n\n"]));
        line.push(json!([3, "sip>", "REGISTER sip:lab.test SIP/2.0\nCSeq: 2 REGISTER\nAuthorization: [redacted]\n\n"]));
        line.push(json!([4, "sip<", format!("SIP/2.0 {} x\nCSeq: 2 REGISTER\n\n", pick(rng, &[200u16, 403]))]));
    }
    let settings = if rng.random_bool(0.5) { vec![("realm".to_string(), pick(rng, &["lab.test", "pbx.example.com"]).to_string())] } else { Vec::new() };
    Timeline {
        provider,
        direction: pick(rng, &[Direction::Outbound, Direction::Inbound]),
        account: Some("lab".into()),
        ended_by,
        failure,
        settings,
        events,
        line,
    }
}

#[test]
fn every_claim_of_every_generated_and_corpus_call_maps_to_evidence_that_exists() {
    let mut rng = StdRng::seed_from_u64(16);
    let mut failures = Vec::new();
    let mut rules = std::collections::BTreeMap::<String, usize>::new();
    let corpus = corpus::load().into_iter().map(|(_, call)| call.timeline());
    let generated = (0..CALLS).map(|_| timeline(&mut rng));
    for (i, timeline) in generated.chain(corpus).enumerate() {
        let (detail, context) = timeline.build().expect("a generated timeline builds");
        let d = diagnose(&detail, &context).expect("an ended call gets a diagnosis");
        *rules.entry(d.rule.clone()).or_default() += 1;
        let problems = verify::problems(&detail, &context, &d);
        if !problems.is_empty() && failures.len() < 10 {
            failures.push(format!("call {i} ({:?}, {:?}): {}\n    {}\n    events: {}", detail.call.provider, detail.call.ended_by, d.summary, problems.join("\n    "), serde_json::to_string(&timeline.events).unwrap()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The set reaches the rules (a generator that only hits the fallback proves nothing).
    assert!(rules.len() >= 15, "headlines reached: {rules:?}");
}
