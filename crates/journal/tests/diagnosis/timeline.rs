//! Call timelines written compactly, as the corpus and the generator write them, turned into
//! what the journal would hold: a `CallDetail` and the line's app-level events.
//!
//! One event is an array `[t_ms, kind, ...]`:
//! `[t, "state", "dialing"]`, `[t, "end"]` (the call's end record), `[t, "sip<", text]` /
//! `[t, "sip>", text]` (received / sent; `\n` line ends become `\r\n`), `[t, "verto<", summary,
//! json]`, `[t, "pstream<", summary, json]` (and `>`), `[t, "echo<", summary, json]`,
//! `[t, "media", {…}]`, `[t, "stats", received, sent, energy]`, `[t, "error", {…}]`,
//! `[t, "warning", {…}]`, `[t, "action", "hangup"]`.

use callscope_calls::{CallState, Direction, EndInfo, EndedBy, Failure, Provider};
use callscope_journal::diagnosis::Context;
use callscope_journal::{CallDetail, CallSummary, EventKind, JournalEvent, Source};
use serde_json::{json, Value};

pub struct Timeline {
    pub provider: Provider,
    pub direction: Direction,
    pub account: Option<String>,
    pub ended_by: EndedBy,
    pub failure: Failure,
    pub settings: Vec<(String, String)>,
    pub events: Vec<Value>,
    pub line: Vec<Value>,
}

impl Timeline {
    pub fn build(&self) -> Result<(CallDetail, Context), String> {
        let mut events = Vec::new();
        let mut state = CallState::Idle;
        for (i, raw) in self.events.iter().enumerate() {
            let event = self.event(raw, i as i64 + 1, Some("c"), &mut state)?;
            events.push(event);
        }
        if state != CallState::Ended {
            return Err("the timeline has no [t, \"end\"]".into());
        }
        let mut line_events = Vec::new();
        let mut ignored = CallState::Idle;
        for (i, raw) in self.line.iter().enumerate() {
            line_events.push(self.event(raw, i as i64 + 1, None, &mut ignored)?);
        }
        let detail = CallDetail {
            call: CallSummary {
                number: 1,
                id: "c".into(),
                provider: self.provider,
                account: self.account.clone(),
                direction: self.direction,
                destination: "corpus".into(),
                started_at: String::new(),
                state: CallState::Ended,
                ended_at: None,
                ended_by: Some(self.ended_by),
                failure: Some(self.failure.clone()),
                timings: None,
                event_count: events.len() as i64,
                reason: None,
            },
            events,
        };
        Ok((detail, Context { settings: self.settings.clone(), line_events }))
    }

    fn event(&self, raw: &Value, seq: i64, call_id: Option<&str>, state: &mut CallState) -> Result<JournalEvent, String> {
        let parts = raw.as_array().ok_or_else(|| format!("event {seq} is not an array: {raw}"))?;
        let t_ms = parts.first().and_then(Value::as_f64).ok_or_else(|| format!("event {seq}: no time"))?;
        let kind = parts.get(1).and_then(Value::as_str).ok_or_else(|| format!("event {seq}: no kind"))?;
        let arg = |i: usize| parts.get(i).cloned().unwrap_or(Value::Null);
        let text = |i: usize| arg(i).as_str().map(str::to_string).ok_or_else(|| format!("event {seq} ({kind}): argument {i} is not text"));
        let signal = |protocol: &str, received: bool, summary: String, body: Value| {
            json!({"direction": if received { "received" } else { "sent" }, "protocol": protocol, "summary": summary, "body": body,
                   "account": self.account})
        };
        let (source, kind, payload) = match kind {
            "state" | "end" => {
                let next: CallState = if kind == "end" { CallState::Ended } else { serde_json::from_value(arg(2)).map_err(|e| format!("event {seq}: {e}"))? };
                let mut payload = json!({"state": next, "from": *state, "raw": arg(3)});
                if next == CallState::Ended {
                    payload["end"] = serde_json::to_value(EndInfo { by: self.ended_by, failure: self.failure.clone() }).unwrap();
                }
                *state = next;
                (Source::Ui, EventKind::State, payload)
            }
            "sip<" | "sip>" => {
                let body = text(2)?.replace("\r\n", "\n").replace('\n', "\r\n");
                let summary = body.lines().next().unwrap_or("").to_string();
                (Source::Signalling, EventKind::Signal, signal("sip", kind == "sip<", summary, Value::String(body)))
            }
            "verto<" | "verto>" | "pstream<" | "pstream>" | "echo<" => {
                let protocol = kind.trim_end_matches(['<', '>']);
                let body = match arg(3) {
                    Value::String(s) => serde_json::from_str(&s).map_err(|e| format!("event {seq}: the frame is not JSON: {e}"))?,
                    other => other,
                };
                (Source::Signalling, EventKind::Signal, signal(protocol, kind.ends_with('<'), text(2)?, body))
            }
            "media" => (Source::Ui, EventKind::Media, arg(2)),
            "stats" => {
                let num = |i: usize| arg(i).as_f64().unwrap_or(0.0);
                let payload = json!({"inbound_rtp": {"packetsReceived": num(2), "totalAudioEnergy": num(4)}, "outbound_rtp": {"packetsSent": num(3)}});
                (Source::Ui, EventKind::Stats, payload)
            }
            "error" => (Source::Ui, EventKind::Error, with_account(arg(2), &self.account, call_id)),
            "warning" => (Source::Ui, EventKind::Warning, with_account(arg(2), &self.account, call_id)),
            "action" => (Source::Ui, EventKind::Action, json!({"action": text(2)?})),
            other => return Err(format!("event {seq}: unknown kind {other}")),
        };
        let at = format!("2026-12-01T10:{:02}:{:02}.{:03}Z", (t_ms / 60_000.0) as u64 % 60, (t_ms / 1000.0) as u64 % 60, t_ms as u64 % 1000);
        Ok(JournalEvent { call_id: call_id.map(str::to_string), launch_id: 1, seq, t_ms, at, source, kind, payload })
    }
}

/// App-level events carry the account they belong to.
fn with_account(mut payload: Value, account: &Option<String>, call_id: Option<&str>) -> Value {
    if call_id.is_none() {
        if let (Some(account), Some(map)) = (account, payload.as_object_mut()) {
            map.entry("account").or_insert(Value::String(account.clone()));
        }
    }
    payload
}
