use serde_json::json;

use super::*;
use crate::calls::{CallState::*, EndInfo, EndedBy, Failure};

fn echo_call(journal: &Journal) -> CallSummary {
    journal
        .create_call(NewCall { provider: Provider::Echo, account: None, ui_clock: None, direction: Direction::Outbound, destination: "echo".into() })
        .unwrap()
}

#[test]
fn a_call_keeps_its_events_in_order_with_timings() {
    let journal = Journal::in_memory("test").unwrap();
    let call = echo_call(&journal);
    assert_eq!(call.state, Idle);
    for state in [Dialing, Trying, Active] {
        journal.record_state(&call.id, Source::Ui, state, json!({"sdk": state.as_str()}), None).unwrap();
    }
    journal.append(Some(&call.id), Source::Ui, EventKind::Media, json!({"pc": "connection", "state": "connected"})).unwrap();
    let end = EndInfo { by: EndedBy::Local, failure: Failure::default() };
    journal.record_state(&call.id, Source::Ui, Ended, json!(null), Some(end)).unwrap();

    let detail = journal.call_detail(&call.id).unwrap();
    let seqs: Vec<i64> = detail.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    assert!(detail.events.windows(2).all(|w| w[0].t_ms <= w[1].t_ms), "monotonic clock");
    assert_eq!(detail.events[2].payload["from"], "trying");
    assert_eq!(detail.events[2].payload["raw"], json!({"sdk": "active"}));
    assert_eq!(detail.call.state, Ended);
    assert_eq!(detail.call.ended_by, Some(EndedBy::Local));
    let timings = detail.call.timings.unwrap();
    assert!(timings.to_answer_ms.is_some() && timings.to_media_ms.is_some() && timings.talk_ms.is_some());
    assert_eq!(detail.call.event_count, 5);
}

#[test]
fn an_unexpected_transition_is_kept_with_a_warning() {
    let journal = Journal::in_memory("test").unwrap();
    let call = echo_call(&journal);
    journal.record_state(&call.id, Source::Ui, Dialing, json!(null), None).unwrap();
    let recorded = journal.record_state(&call.id, Source::Sdk, Held, json!({"state": "held"}), None).unwrap();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].kind, EventKind::Warning);
    assert_eq!(recorded[1].kind, EventKind::State);
    assert_eq!(journal.get_call(&call.id).unwrap().state, Held);
}

#[test]
fn bad_input_names_the_field() {
    let journal = Journal::in_memory("test").unwrap();
    let empty = journal.create_call(NewCall { provider: Provider::Echo, account: None, ui_clock: None, direction: Direction::Outbound, destination: "  ".into() });
    assert!(matches!(empty, Err(Error::BadInput { ref field, .. }) if field == "destination"));

    let call = echo_call(&journal);
    let no_end = journal.record_state(&call.id, Source::Ui, Ended, json!(null), None);
    assert!(matches!(no_end, Err(Error::BadInput { ref field, .. }) if field == "end"));
    let state_via_append = journal.append(Some(&call.id), Source::Ui, EventKind::State, json!({}));
    assert!(matches!(state_via_append, Err(Error::BadInput { ref field, .. }) if field == "kind"));
    assert!(matches!(journal.append(Some("nope"), Source::Ui, EventKind::Action, json!({})), Err(Error::UnknownCall(_))));
}

#[test]
fn an_ended_call_takes_no_more_events_and_loses_none() {
    let journal = Journal::in_memory("test").unwrap();
    let call = echo_call(&journal);
    let end = EndInfo { by: EndedBy::Remote, failure: Failure { sip_status: Some(486), ..Default::default() } };
    journal.record_state(&call.id, Source::Ui, Ended, json!(null), Some(end)).unwrap();
    let late = journal.append(Some(&call.id), Source::Ui, EventKind::Stats, json!({}));
    assert!(matches!(late, Err(Error::CallEnded(_))));
    let summary = journal.get_call(&call.id).unwrap();
    assert_eq!(summary.failure.unwrap().sip_status, Some(486));
    assert_eq!(summary.event_count, 1);
}

#[test]
fn calls_are_found_by_number_or_id_newest_first() {
    let journal = Journal::in_memory("test").unwrap();
    let first = echo_call(&journal);
    let second = echo_call(&journal);
    let list = journal.list_calls(10).unwrap();
    assert_eq!(list.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), vec![second.id.clone(), first.id.clone()]);
    assert_eq!(journal.get_call(&first.number.to_string()).unwrap().id, first.id);
    assert_eq!(journal.get_call(&second.id).unwrap().number, second.number);
    assert!(matches!(journal.get_call("999"), Err(Error::UnknownCall(_))));
}

#[test]
fn a_reopened_journal_keeps_everything_and_closes_interrupted_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let (call_id, launch_event) = {
        let journal = Journal::open(&path, "test").unwrap();
        let call = echo_call(&journal);
        journal.record_state(&call.id, Source::Ui, Dialing, json!(null), None).unwrap();
        journal.record_state(&call.id, Source::Ui, Active, json!(null), None).unwrap();
        let probe = journal.append(None, Source::Ui, EventKind::Probe, json!({"rtc_peer_connection": false})).unwrap();
        // Dropped without ending the call, as a crash would.
        (call.id, probe)
    };
    let journal = Journal::open(&path, "test").unwrap();
    let detail = journal.call_detail(&call_id).unwrap();
    assert_eq!(detail.call.state, Ended);
    assert_eq!(detail.call.ended_by, Some(EndedBy::Interrupted));
    assert_eq!(detail.events.len(), 3, "both states plus the interruption warning");
    assert_eq!(detail.events[2].kind, EventKind::Warning);
    assert_ne!(journal.launch_id(), Some(launch_event.launch_id));
    assert!(journal.launch_events().unwrap().is_empty(), "the new launch starts with no events");
}

#[test]
fn timestamps_are_utc_with_milliseconds() {
    let at = now_utc();
    assert_eq!(at.len(), "2026-11-21T13:00:00.000Z".len());
    assert!(at.ends_with('Z'));
    time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).unwrap();
}

#[test]
fn reading_the_journal_never_closes_a_running_apps_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let app = Journal::open(&path, "test").unwrap();
    let call = echo_call(&app);
    app.record_state(&call.id, Source::Ui, Dialing, json!(null), None).unwrap();

    let reader = Journal::open_for_reading(&path).unwrap();
    assert_eq!(reader.get_call(&call.id).unwrap().state, Dialing);
    assert_eq!(reader.launch_id(), None);
    let refused = reader.create_call(NewCall { provider: Provider::Echo, account: None, ui_clock: None, direction: Direction::Outbound, destination: "1".into() });
    assert!(refused.is_err(), "a reader records nothing");

    // The app can still record after the reader came and went.
    app.record_state(&call.id, Source::Ui, Trying, json!(null), None).unwrap();
}

#[test]
fn calls_of_a_launch_whose_process_still_runs_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let call_id = {
        let first = Journal::open(&path, "test").unwrap();
        let call = echo_call(&first);
        // Pretend the launch belongs to another process that is still running (pid 1 always is).
        first.lock().conn.execute("UPDATE launches SET pid = 1", []).unwrap();
        call.id
    };
    let second = Journal::open(&path, "test").unwrap();
    assert_eq!(second.get_call(&call_id).unwrap().state, Idle);
}

#[test]
fn an_event_that_waited_is_stamped_when_it_happened() {
    let journal = Journal::in_memory("test").unwrap();
    let call = echo_call(&journal);
    std::thread::sleep(std::time::Duration::from_millis(60));
    let late = journal
        .append_observed(Some(&call.id), Source::Signalling, EventKind::Action, json!({}), Observed::Ago(std::time::Duration::from_millis(50)))
        .unwrap();
    let now = journal.append(Some(&call.id), Source::Ui, EventKind::Action, json!({})).unwrap();
    assert!(now.t_ms - late.t_ms >= 50.0, "{} vs {}", late.t_ms, now.t_ms);
    assert!(late.t_ms >= 0.0);
    // Never before the call started.
    let early = journal
        .append_observed(Some(&call.id), Source::Ui, EventKind::Action, json!({}), Observed::Ago(std::time::Duration::from_secs(3600)))
        .unwrap();
    assert_eq!(early.t_ms, 0.0);
}

#[test]
fn ui_events_are_stamped_on_the_ui_clock_mapped_at_creation() {
    let journal = Journal::in_memory("test").unwrap();
    // The UI's clock read 5000 ms as it created the call.
    let call = journal
        .create_call(NewCall { provider: Provider::Echo, account: None, ui_clock: Some(5000.0), direction: Direction::Outbound, destination: "100".into() })
        .unwrap();
    // Written late and out of order, stamped when they happened.
    let trying = journal.record_state_observed(&call.id, Source::Ui, Trying, json!(null), None, Observed::UiClock(5040.0)).unwrap();
    let invite = journal.append_observed(Some(&call.id), Source::Signalling, EventKind::Signal, json!({}), Observed::UiClock(5012.5)).unwrap();
    assert_eq!(trying.last().unwrap().t_ms, 40.0);
    assert_eq!(invite.t_ms, 12.5);
    assert!(invite.seq > trying.last().unwrap().seq, "seq keeps the order of writing");
    // Before the call's creation is the call's start.
    let early = journal.append_observed(Some(&call.id), Source::Ui, EventKind::Media, json!({}), Observed::UiClock(4000.0)).unwrap();
    assert_eq!(early.t_ms, 0.0);
}
