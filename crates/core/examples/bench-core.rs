//! Core figures: journal append rate (one committed event each), reading a call back, whole-call
//! diagnosis (of a minute-long call, and of the largest call with its line's history), and code
//! decoding. Prints numbers; asserts nothing. Run with
//! `cargo run --release -p callscope-core --example bench-core`.

use std::time::Instant;

use callscope_calls::{CallState, Direction, EndInfo, EndedBy, Failure, Provider};
use callscope_journal::diagnosis::{diagnose, Context};
use callscope_journal::{EventKind, Journal, NewCall, Source};
use serde_json::json;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let journal = Journal::open(&dir.path().join("journal.sqlite3"), "bench").expect("the journal opens");

    // A call of about a minute: states, signalling, one stats sample a second.
    const EVENTS: usize = 2_000;
    let call = journal
        .create_call(NewCall { provider: Provider::Sip, account: None, ui_clock: None, direction: Direction::Outbound, destination: "100".into() })
        .unwrap();
    journal.record_state(&call.id, Source::Ui, CallState::Dialing, json!(null), None).unwrap();
    journal.record_state(&call.id, Source::Ui, CallState::Trying, json!(null), None).unwrap();
    journal.record_state(&call.id, Source::Ui, CallState::Active, json!(null), None).unwrap();
    let started = Instant::now();
    for i in 0..EVENTS {
        let stats = json!({"inbound_rtp": {"packetsReceived": i * 50, "totalAudioEnergy": i as f64 * 0.01, "jitter": 0.002},
                           "outbound_rtp": {"packetsSent": i * 50}, "candidate_pair": {"currentRoundTripTime": 0.02}});
        journal.append(Some(&call.id), Source::Ui, EventKind::Stats, stats).unwrap();
    }
    let append = started.elapsed();
    let end = EndInfo { by: EndedBy::Remote, failure: Failure { sip_status: Some(486), sip_reason: Some("Busy Here".into()), q850_cause: Some(17), ..Default::default() } };
    journal.record_state(&call.id, Source::Ui, CallState::Ended, json!(null), Some(end)).unwrap();

    let started = Instant::now();
    let detail = journal.call_detail(&call.id).unwrap();
    let read = started.elapsed();

    const RUNS: u32 = 200;
    let started = Instant::now();
    for _ in 0..RUNS {
        std::hint::black_box(diagnose(&detail, &Context::default()));
    }
    let diagnosis = started.elapsed() / RUNS;

    let (largest_events, largest_line, largest) = largest_call(&journal);

    let inputs = ["486", "Q.850;cause=34", "31002", "D38", "USER_BUSY", "NotAllowedError", "Reason: SIP;cause=503;text=\"x\""];
    let started = Instant::now();
    for _ in 0..RUNS {
        for input in inputs {
            std::hint::black_box(callscope_causes::decode(input));
        }
    }
    let decode = started.elapsed() / (RUNS * inputs.len() as u32);

    let size = std::fs::metadata(dir.path().join("journal.sqlite3")).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.path().join("journal.sqlite3-wal")).map(|m| m.len()).unwrap_or(0);
    println!("Journal: {EVENTS} events appended, each committed: {:.1} µs per event ({:.0} events/s)", append.as_secs_f64() * 1e6 / EVENTS as f64, EVENTS as f64 / append.as_secs_f64());
    println!("Journal: reading the call back ({} events): {:.2} ms; on disk {:.0} KiB ({:.0} bytes per event)", detail.events.len(), read.as_secs_f64() * 1e3, size as f64 / 1024.0, size as f64 / detail.events.len() as f64);
    println!("Diagnosis of that call: {:.1} µs", diagnosis.as_secs_f64() * 1e6);
    println!(
        "Diagnosis of the largest call (one hour: {largest_events} events, {largest_line} line events, read with its context): {:.2} ms",
        largest.as_secs_f64() * 1e3
    );
    println!("Decoding a code: {:.1} µs", decode.as_secs_f64() * 1e6);
}

/// The largest call a support engineer is likely to keep: an hour on a SIP line, one stats
/// sample a second, a session refresh every 90 s, a BYE, and a line that re-registered all
/// along. Returns its event count, its line's event count and the time to diagnose it with its
/// context read from the journal.
fn largest_call(journal: &Journal) -> (usize, usize, std::time::Duration) {
    let sip = |summary: &str, received: bool, body: String| {
        json!({"direction": if received { "received" } else { "sent" }, "protocol": "sip", "summary": summary, "body": body, "account": "office"})
    };
    for i in 0..300 {
        let register = format!("REGISTER sip:pbx.example.com SIP/2.0\r\nCSeq: {} REGISTER\r\nAuthorization: [redacted]\r\n\r\n", i * 2 + 2);
        journal.append(None, Source::Signalling, EventKind::Signal, sip("REGISTER sip:pbx.example.com SIP/2.0", false, register)).unwrap();
        let ok = format!("SIP/2.0 200 OK\r\nCSeq: {} REGISTER\r\n\r\n", i * 2 + 2);
        journal.append(None, Source::Signalling, EventKind::Signal, sip("SIP/2.0 200 OK", true, ok)).unwrap();
    }
    let call = journal
        .create_call(NewCall { provider: Provider::Sip, account: Some("office".into()), ui_clock: None, direction: Direction::Outbound, destination: "200".into() })
        .unwrap();
    let signal = |summary: &str, received: bool, body: String| {
        journal.append(Some(&call.id), Source::Signalling, EventKind::Signal, sip(summary, received, body)).unwrap();
    };
    journal.record_state(&call.id, Source::Ui, CallState::Dialing, json!(null), None).unwrap();
    signal("INVITE sip:200@pbx.example.com SIP/2.0", false, "INVITE sip:200@pbx.example.com SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\nv=0\r\n".into());
    signal("SIP/2.0 100 Trying", true, "SIP/2.0 100 Trying\r\nCSeq: 1 INVITE\r\nServer: pbx\r\n\r\n".into());
    journal.record_state(&call.id, Source::Ui, CallState::Trying, json!(null), None).unwrap();
    signal("SIP/2.0 200 OK", true, "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nSession-Expires: 90\r\n\r\nv=0\r\n".into());
    journal.record_state(&call.id, Source::Ui, CallState::Active, json!(null), None).unwrap();
    journal.append(Some(&call.id), Source::Ui, EventKind::Media, json!({"pc": "connection", "state": "connected"})).unwrap();
    for second in 0..3600u64 {
        let stats = json!({"inbound_rtp": {"packetsReceived": second * 50, "totalAudioEnergy": second as f64 * 0.01, "jitter": 0.002},
                           "outbound_rtp": {"packetsSent": second * 50}, "candidate_pair": {"currentRoundTripTime": 0.02}});
        journal.append(Some(&call.id), Source::Ui, EventKind::Stats, stats).unwrap();
        if second % 90 == 89 {
            let cseq = second / 90 + 2;
            signal("INVITE sip:200@10.0.0.5 SIP/2.0", false, format!("INVITE sip:200@10.0.0.5 SIP/2.0\r\nCSeq: {cseq} INVITE\r\nTo: <sip:200@pbx>;tag=p\r\n\r\nv=0\r\n"));
            signal("SIP/2.0 200 OK", true, format!("SIP/2.0 200 OK\r\nCSeq: {cseq} INVITE\r\nTo: <sip:200@pbx>;tag=p\r\n\r\nv=0\r\n"));
        }
    }
    signal("BYE sip:alice@x.invalid SIP/2.0", true, "BYE sip:alice@x.invalid SIP/2.0\r\nCSeq: 9 BYE\r\nReason: Q.850;cause=16\r\n\r\n".into());
    let end = EndInfo { by: EndedBy::Remote, failure: Failure { q850_cause: Some(16), ..Default::default() } };
    journal.record_state(&call.id, Source::Ui, CallState::Ended, json!(null), Some(end)).unwrap();
    let detail = journal.call_detail(&call.id).unwrap();

    const RUNS: u32 = 20;
    let started = Instant::now();
    let mut line_events = 0;
    for _ in 0..RUNS {
        let context = Context::of_call(journal, &detail.call, vec![("realm".into(), "pbx.example.com".into())]).unwrap();
        line_events = context.line_events.len();
        std::hint::black_box(diagnose(&detail, &context));
    }
    (detail.events.len(), line_events, started.elapsed() / RUNS)
}
