//! One-line, human descriptions of journaled events and calls, for the CLI and text reports.

use serde_json::Value;

use super::{CallSummary, EventKind, JournalEvent};
use crate::calls::Timings;

/// "dialing → trying", "→ INVITE 100", "← 486 Busy Here", "connection connected", ...
pub fn event(event: &JournalEvent) -> String {
    let p = &event.payload;
    match event.kind {
        EventKind::State => {
            let mut line = format!("{} → {}", text(&p["from"]), text(&p["state"]));
            if let Some(end) = p.get("end") {
                line.push_str(&format!(" (ended by {})", text(&end["by"])));
                if let Some(reason) = failure_line(&end["failure"]) {
                    line.push_str(&format!(": {reason}"));
                }
            }
            line
        }
        EventKind::Signal => {
            let arrow = if p["direction"] == "sent" { "→" } else { "←" };
            format!("{arrow} {} [{}]", text(&p["summary"]), text(&p["protocol"]))
        }
        _ => match p.get("message").and_then(Value::as_str) {
            Some(message) => message.to_string(),
            None => compact(p),
        },
    }
}

/// The failure one-liner of a call, or what its end was when nothing failed.
pub fn call_outcome(call: &CallSummary) -> String {
    let reason = call.failure.as_ref().and_then(|f| f.one_line());
    match (&call.ended_by, reason) {
        (Some(by), Some(reason)) => format!("ended by {}: {reason}", name(by)),
        (Some(by), None) => format!("ended by {}", name(by)),
        (None, _) => format!("still {}", call.state.as_str()),
    }
}

pub fn timings(t: &Timings) -> String {
    let parts: Vec<String> = [
        ("trying", t.to_trying_ms),
        ("ringing", t.to_ring_ms),
        ("answer", t.to_answer_ms),
        ("media", t.to_media_ms),
        ("talk", t.talk_ms),
        ("total", t.total_ms),
    ]
    .into_iter()
    .filter_map(|(label, ms)| ms.map(|ms| format!("{label} {}", duration(ms))))
    .collect();
    if parts.is_empty() {
        "none recorded".into()
    } else {
        parts.join(", ")
    }
}

/// "35 ms", "1.25 s".
pub fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn failure_line(failure: &Value) -> Option<String> {
    serde_json::from_value::<crate::calls::Failure>(failure.clone()).ok()?.one_line()
}

fn name<T: serde::Serialize>(value: &T) -> String {
    text(&serde_json::to_value(value).unwrap_or(Value::Null))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "?".into(),
        other => other.to_string(),
    }
}

/// A payload on one line, long values shortened (SDP bodies can be kilobytes).
fn compact(payload: &Value) -> String {
    const MAX: usize = 160;
    let line = payload.to_string();
    if line.chars().count() <= MAX {
        line
    } else {
        let cut: String = line.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Source;
    use serde_json::json;

    fn ev(kind: EventKind, payload: Value) -> JournalEvent {
        JournalEvent { call_id: None, launch_id: 1, seq: 1, t_ms: 0.0, at: String::new(), source: Source::Ui, kind, payload }
    }

    #[test]
    fn states_signals_and_others_read_naturally() {
        assert_eq!(event(&ev(EventKind::State, json!({"from": "trying", "state": "active"}))), "trying → active");
        let ended = json!({"from": "trying", "state": "ended",
            "end": {"by": "remote", "failure": {"sip_status": 486, "sip_reason": "Busy Here", "q850_cause": 17}}});
        assert_eq!(event(&ev(EventKind::State, ended)), "trying → ended (ended by remote): 486 Busy Here · Q.850 17");
        let sent = json!({"direction": "sent", "protocol": "echo", "summary": "INVITE 100", "body": null});
        assert_eq!(event(&ev(EventKind::Signal, sent)), "→ INVITE 100 [echo]");
        assert_eq!(event(&ev(EventKind::Warning, json!({"message": "odd"}))), "odd");
        let long = json!({"sdp": "x".repeat(500)});
        assert!(event(&ev(EventKind::Media, long)).chars().count() <= 161);
    }

    #[test]
    fn durations_switch_to_seconds() {
        assert_eq!(duration(35.4), "35 ms");
        assert_eq!(duration(1250.0), "1.25 s");
        assert_eq!(timings(&Timings::default()), "none recorded");
    }
}
