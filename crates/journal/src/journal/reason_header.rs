//! An ended call's codes, completed from the raw `Reason:` header the adapter journaled beside
//! them (`raw.reason_header`, one string per header line, as the SIP message carried it). The
//! header is parsed here, once, with `callscope-causes`; adapters hand it over unparsed.

use callscope_causes::{ReasonHeader, ReasonProtocol, ReasonValue};
use serde_json::Value;

use crate::calls::Failure;

/// Fill what `failure` lacks from the Reason header lines in `raw`: the first Q.850 cause (its
/// text goes to the message), and the first SIP cause as the status when the end had none (a
/// BYE or CANCEL carries no status of its own), or as a note beside the status it had. Lines
/// that do not parse stay in the raw event only. Codes the adapter already gave are kept, and a
/// note already in the message is not added again.
pub(super) fn complete(failure: &mut Failure, raw: &Value) {
    let lines: Vec<&str> = match raw.get("reason_header") {
        Some(Value::String(line)) => vec![line.as_str()],
        Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).collect(),
        _ => return,
    };
    let values: Vec<ReasonValue> = lines.iter().filter_map(|line| ReasonHeader::parse(line).ok()).flat_map(|h| h.values).collect();
    let first = |protocol: ReasonProtocol| values.iter().find(|v| v.protocol == protocol && v.cause.is_some());

    let mut notes = Vec::new();
    if let (None, Some(q850)) = (failure.q850_cause, first(ReasonProtocol::Q850)) {
        failure.q850_cause = q850.cause.and_then(|cause| u16::try_from(cause).ok());
        notes.extend(q850.text.clone());
    }
    if let Some(sip) = first(ReasonProtocol::Sip) {
        let cause = sip.cause.unwrap_or_default();
        if failure.sip_status.is_none() {
            failure.sip_status = u16::try_from(cause).ok();
            if sip.text.is_some() {
                failure.sip_reason = sip.text.clone();
            }
        } else {
            notes.push(match &sip.text {
                Some(text) => format!("Reason: SIP {cause} {text}"),
                None => format!("Reason: SIP {cause}"),
            });
        }
    }
    notes.retain(|note| !failure.message.as_deref().is_some_and(|message| message.contains(note.as_str())));
    if !notes.is_empty() {
        // The header explains the end, so it leads; what the adapter said follows.
        failure.message = Some(notes.into_iter().chain(failure.message.take()).collect::<Vec<_>>().join("; "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn completed(failure: Failure, raw: Value) -> Failure {
        let mut failure = failure;
        complete(&mut failure, &raw);
        failure
    }

    fn status(code: u16, reason: &str) -> Failure {
        Failure { sip_status: Some(code), sip_reason: Some(reason.into()), ..Default::default() }
    }

    #[test]
    fn a_q850_cause_and_its_text_come_from_the_header() {
        let raw = json!({ "reason_header": ["Q.850;cause=34;text=\"No circuit/channel available\""] });
        let failure = completed(status(503, "Service Unavailable"), raw);
        assert_eq!(failure.q850_cause, Some(34));
        assert_eq!(failure.message.as_deref(), Some("No circuit/channel available"));
        assert_eq!((failure.sip_status, failure.sip_reason.as_deref()), (Some(503), Some("Service Unavailable")));
    }

    #[test]
    fn a_bye_without_status_takes_the_sip_cause_and_values_span_lines() {
        let raw = json!({ "reason_header": ["SIP ;cause=200 ;text=\"Call completed, elsewhere\", Q.850;cause=16"] });
        let failure = completed(Failure::default(), raw);
        assert_eq!((failure.sip_status, failure.sip_reason.as_deref()), (Some(200), Some("Call completed, elsewhere")));
        assert_eq!(failure.q850_cause, Some(16));
        assert_eq!(failure.message, None);
    }

    #[test]
    fn a_sip_cause_beside_a_status_is_noted_before_the_adapters_message() {
        let failure = Failure { message: Some("the far end hung up".into()), ..status(486, "Busy Here") };
        let failure = completed(failure, json!({ "reason_header": "SIP;cause=600;text=\"Busy Everywhere\"" }));
        assert_eq!(failure.message.as_deref(), Some("Reason: SIP 600 Busy Everywhere; the far end hung up"));
    }

    #[test]
    fn codes_already_given_are_kept_and_not_noted_twice() {
        let given = Failure { q850_cause: Some(17), message: Some("User busy".into()), ..status(486, "Busy Here") };
        let raw = json!({ "reason_header": ["Q.850;cause=34;text=\"No circuit\""] });
        assert_eq!(completed(given.clone(), raw), given, "the adapter's own Q.850 cause wins");
        let once = completed(status(503, "Service Unavailable"), json!({ "reason_header": ["Q.850;cause=34;text=\"No circuit\""] }));
        assert_eq!(completed(once.clone(), json!({ "reason_header": ["Q.850;cause=34;text=\"No circuit\""] })), once);
    }

    #[test]
    fn an_ended_sip_call_is_stored_with_the_codes_its_header_gave() {
        use crate::calls::{CallState, Direction, EndInfo, EndedBy, Provider};
        use crate::journal::{Journal, NewCall, Source};

        let journal = Journal::in_memory("test").unwrap();
        let new = NewCall { provider: Provider::Sip, account: Some("pbx".into()), ui_clock: None, direction: Direction::Outbound, destination: "503".into() };
        let call = journal.create_call(new).unwrap();
        journal.record_state(&call.id, Source::Ui, CallState::Dialing, json!(null), None).unwrap();
        let raw = json!({ "jssip": "failed", "reason_header": ["Q.850;cause=34;text=\"No circuit/channel available\""] });
        let end = EndInfo { by: EndedBy::Remote, failure: status(503, "Service Unavailable") };
        let recorded = journal.record_state(&call.id, Source::Ui, CallState::Ended, raw, Some(end)).unwrap();

        let stored = journal.get_call(&call.id).unwrap().failure.unwrap();
        assert_eq!(stored.q850_cause, Some(34));
        assert_eq!(stored.one_line().unwrap(), "503 Service Unavailable · Q.850 34 · No circuit/channel available");
        assert_eq!(recorded.last().unwrap().payload["end"]["failure"]["q850_cause"], 34, "the state event says the same");
    }

    #[test]
    fn lines_that_do_not_parse_are_left_alone() {
        let raw = json!({ "reason_header": ["", "Q.850;cause=abc", "preemption ;cause=1 ;text=\"UA preemption\""] });
        assert_eq!(completed(status(480, "Temporarily Unavailable"), raw), status(480, "Temporarily Unavailable"));
        assert_eq!(completed(Failure::default(), json!({ "no_header": true })), Failure::default());
    }
}
