//! Core figures: journal append rate (one committed event each), reading a call back, whole-call
//! diagnosis, and code decoding. Prints numbers; asserts nothing. Run with
//! `cargo run --release -p callscope-core --example bench-core`.

use std::time::Instant;

use callscope_calls::{CallState, Direction, EndInfo, EndedBy, Failure, Provider};
use callscope_journal::diagnosis::diagnose;
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
        std::hint::black_box(diagnose(&detail));
    }
    let diagnosis = started.elapsed() / RUNS;

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
    println!("Decoding a code: {:.1} µs", decode.as_secs_f64() * 1e6);
}
