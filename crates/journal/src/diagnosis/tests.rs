//! Each rule with timelines that should and should not trigger it.

use serde_json::{json, Value};

use super::*;
use crate::calls::{CallState, Direction, EndedBy, Failure, Provider};
use crate::journal::{CallDetail, CallSummary, EventKind, JournalEvent, Source};

/// A call's timeline, written as it would be journaled.
struct Call {
    events: Vec<JournalEvent>,
    state: CallState,
    ended_by: Option<EndedBy>,
    failure: Option<Failure>,
    provider: Provider,
    context: Context,
}

impl Call {
    fn new() -> Call {
        Call { events: Vec::new(), state: CallState::Idle, ended_by: None, failure: None, provider: Provider::Sip, context: Context::default() }
    }

    fn on(mut self, provider: Provider) -> Call {
        self.provider = provider;
        self
    }

    fn setting(mut self, name: &str, value: &str) -> Call {
        self.context.settings.push((name.into(), value.into()));
        self
    }

    /// An app-level event of the call's line, before the call.
    fn line(mut self, kind: EventKind, payload: Value) -> Call {
        let seq = self.context.line_events.len() as i64 + 1;
        self.context.line_events.push(JournalEvent { call_id: None, launch_id: 1, seq, t_ms: seq as f64, at: String::new(), source: Source::Ui, kind, payload });
        self
    }

    /// A SIP message on the wire (`\n` line ends are made `\r\n`).
    fn sip(self, t_ms: f64, received: bool, text: &str) -> Call {
        let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        let summary = text.lines().next().unwrap_or("").to_string();
        let direction = if received { "received" } else { "sent" };
        self.push(t_ms, Source::Signalling, EventKind::Signal, json!({"direction": direction, "protocol": "sip", "summary": summary, "body": text}))
    }

    fn push(mut self, t_ms: f64, source: Source, kind: EventKind, payload: Value) -> Call {
        let seq = self.events.len() as i64 + 1;
        self.events.push(JournalEvent { call_id: Some("c".into()), launch_id: 1, seq, t_ms, at: String::new(), source, kind, payload });
        self
    }

    fn state(mut self, t_ms: f64, state: CallState) -> Call {
        let from = self.state;
        self.state = state;
        self.push(t_ms, Source::Ui, EventKind::State, json!({"state": state, "from": from, "raw": null}))
    }

    fn ended(mut self, t_ms: f64, by: EndedBy, failure: Failure) -> Call {
        let end = json!({"by": by, "failure": failure});
        self.ended_by = Some(by);
        self.failure = Some(failure);
        let from = self.state;
        self.state = CallState::Ended;
        self.push(t_ms, Source::Ui, EventKind::State, json!({"state": "ended", "from": from, "raw": null, "end": end}))
    }

    fn media(self, t_ms: f64, payload: Value) -> Call {
        self.push(t_ms, Source::Ui, EventKind::Media, payload)
    }

    fn received_sdp(self, t_ms: f64) -> Call {
        self.push(t_ms, Source::Signalling, EventKind::Signal, json!({"direction": "received", "protocol": "sip", "summary": "SIP/2.0 200 OK", "body": "SIP/2.0 200 OK\r\n\r\nv=0\r\n"}))
    }

    fn stats(self, t_ms: f64, received: f64, sent: f64, energy: f64) -> Call {
        self.push(t_ms, Source::Ui, EventKind::Stats, json!({"inbound_rtp": {"packetsReceived": received, "totalAudioEnergy": energy}, "outbound_rtp": {"packetsSent": sent}}))
    }

    fn error(self, t_ms: f64, payload: Value) -> Call {
        self.push(t_ms, Source::Ui, EventKind::Error, payload)
    }

    fn answered(self) -> Call {
        self.state(0.0, CallState::Dialing)
            .state(20.0, CallState::Trying)
            .state(300.0, CallState::Ringing)
            .received_sdp(2000.0)
            .state(2000.0, CallState::Active)
    }

    fn diagnose(self) -> Diagnosis {
        let context = self.context.clone();
        let detail = CallDetail {
            call: CallSummary {
                number: 1,
                id: "c".into(),
                provider: self.provider,
                account: None,
                direction: Direction::Outbound,
                destination: "100".into(),
                started_at: String::new(),
                state: self.state,
                ended_at: None,
                ended_by: self.ended_by,
                failure: self.failure,
                timings: None,
                event_count: self.events.len() as i64,
                reason: None,
            },
            events: self.events,
        };
        let diagnosis = super::diagnose(&detail, &context).expect("an ended call gets a diagnosis");
        assert_every_claim_is_backed(&diagnosis);
        diagnosis
    }
}

/// The property every diagnosis keeps: each sentence cites evidence, and the texts are the claims.
fn assert_every_claim_is_backed(d: &Diagnosis) {
    for claim in &d.claims {
        assert!(!claim.evidence.is_empty(), "a claim without evidence: {claim:?}");
        assert!(claim.evidence.iter().all(|i| *i < d.evidence.len()), "{claim:?}");
    }
    let texts = |part: Part| d.claims.iter().filter(|c| c.part == part).map(|c| c.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(Part::Summary), vec![d.summary.clone()]);
    assert_eq!(texts(Part::Explanation).join(" "), d.explanation);
    assert_eq!(texts(Part::Fix), d.fix);
    assert_eq!(texts(Part::Also), d.also);
}

fn failure(status: Option<u16>, reason: Option<&str>, q850: Option<u16>, provider: Option<&str>) -> Failure {
    Failure {
        sip_status: status,
        sip_reason: reason.map(str::to_string),
        q850_cause: q850,
        provider_code: provider.map(str::to_string),
        message: None,
    }
}

#[test]
fn a_call_still_under_way_has_no_diagnosis() {
    let call = Call::new().state(0.0, CallState::Dialing);
    let detail = CallDetail {
        call: CallSummary {
            number: 1, id: "c".into(), provider: Provider::Echo, account: None, direction: Direction::Outbound,
            destination: "1".into(), started_at: String::new(), state: CallState::Dialing, ended_at: None,
            ended_by: None, failure: None, timings: None, event_count: 1, reason: None,
        },
        events: call.events,
    };
    assert!(diagnose(&detail, &Context::default()).is_none());
}

#[test]
fn normal_clearing_right_after_trying_is_a_rejection_before_routing() {
    let d = Call::new()
        .on(Provider::Telnyx)
        .state(0.0, CallState::Dialing)
        .state(40.0, CallState::Trying)
        .ended(900.0, EndedBy::Remote, failure(None, None, Some(16), Some("NORMAL_CLEARING")))
        .diagnose();
    assert_eq!(d.rule, "rejected_before_routing");
    assert_eq!(d.confidence, Confidence::High);
    assert!(d.summary.contains("never rang"));
    assert!(d.fix.iter().any(|f| f.contains("outbound voice profile")));
    assert!(d.codes.iter().any(|c| c.catalog == "Q.850" && c.code == "16"), "{:?}", d.codes);
}

#[test]
fn the_same_code_after_ringing_and_answer_is_a_normal_hangup() {
    let d = Call::new().answered().ended(30_000.0, EndedBy::Remote, failure(None, None, Some(16), Some("NORMAL_CLEARING"))).diagnose();
    assert_eq!(d.rule, "normal_end");
    assert_eq!(d.outcome, Outcome::Ok);
    assert!(d.summary.contains("28.00 s"), "{}", d.summary);

    // Ringing but refused with 16 is not "before routing" either.
    let rang = Call::new()
        .state(0.0, CallState::Dialing)
        .state(40.0, CallState::Trying)
        .state(300.0, CallState::Ringing)
        .ended(900.0, EndedBy::Remote, failure(None, None, Some(16), None))
        .diagnose();
    assert_ne!(rang.rule, "rejected_before_routing");
}

#[test]
fn a_local_hangup_is_not_busy_whatever_the_sdk_says() {
    let before = Call::new()
        .on(Provider::Telnyx)
        .state(0.0, CallState::Dialing)
        .state(30.0, CallState::Trying)
        .state(400.0, CallState::Ringing)
        .push(3000.0, Source::Ui, EventKind::Action, json!({"action": "hangup"}))
        .ended(3010.0, EndedBy::Local, failure(None, None, Some(17), Some("USER_BUSY")))
        .diagnose();
    assert_eq!(before.rule, "local_hangup");
    assert_eq!(before.outcome, Outcome::Ok);
    assert!(before.explanation.contains("USER_BUSY/17") && before.explanation.contains("nobody was busy"), "{}", before.explanation);

    let after = Call::new().on(Provider::Telnyx).answered().ended(9000.0, EndedBy::Local, failure(None, None, Some(16), Some("NORMAL_CLEARING"))).diagnose();
    assert_eq!(after.rule, "local_hangup");
    assert!(after.summary.starts_with("You hung up after"));
    assert!(after.explanation.contains("NORMAL_CLEARING/16"));

    // A real busy from the far end is busy.
    let busy = Call::new()
        .state(0.0, CallState::Dialing)
        .state(30.0, CallState::Trying)
        .ended(200.0, EndedBy::Remote, failure(Some(486), Some("Busy Here"), Some(17), Some("USER_BUSY")))
        .diagnose();
    assert_eq!(busy.rule, "sip_final_response");
    assert!(busy.summary.starts_with("486 Busy Here"), "{}", busy.summary);
}

#[test]
fn telnyx_d_codes_name_the_setting() {
    for (reason, words) in [
        ("Connection has no Outbound Profile assigned D38", "Outbound"),
        ("Invalid caller ID D35", "D35"),
        ("Dialed number is not included in whitelisted countries D13", "D13"),
    ] {
        let d = Call::new()
            .state(0.0, CallState::Dialing)
            .state(30.0, CallState::Trying)
            .ended(2500.0, EndedBy::Remote, failure(Some(403), Some(reason), Some(21), Some("CALL_REJECTED")))
            .diagnose();
        assert_eq!(d.rule, "telnyx_dcode", "{reason}");
        assert!(d.summary.contains(words), "{}", d.summary);
        assert!(!d.fix.is_empty());
    }
    // A 403 without a D-code is a plain SIP refusal.
    let plain = Call::new()
        .state(0.0, CallState::Dialing)
        .ended(100.0, EndedBy::Remote, failure(Some(403), Some("Forbidden"), None, None))
        .diagnose();
    assert_eq!(plain.rule, "sip_final_response");
}

#[test]
fn twilio_31002_lists_its_usual_causes_and_masked_codes_say_so() {
    let declined = Call::new()
        .on(Provider::Twilio)
        .state(0.0, CallState::Dialing)
        .error(800.0, json!({"code": 31002, "message": "Connection Declined"}))
        .ended(810.0, EndedBy::Remote, failure(None, None, None, Some("31002")))
        .diagnose();
    assert_eq!(declined.rule, "twilio_31002");
    for cause in ["Voice URL", "trial", "Geo permissions", "balance"] {
        assert!(declined.fix.iter().any(|f| f.contains(cause)), "{cause} missing from {:?}", declined.fix);
    }
    let masked = Call::new()
        .on(Provider::Twilio)
        .state(0.0, CallState::Dialing)
        .ended(810.0, EndedBy::Error, failure(None, None, None, Some("31005")))
        .diagnose();
    assert_eq!(masked.rule, "twilio_masked");
    assert!(masked.summary.contains("masked"), "{}", masked.summary);
    assert!(masked.fix.iter().any(|f| f.contains("Notifications")), "{:?}", masked.fix);
    assert!(!masked.fix.iter().chain([&masked.explanation]).any(|t| t.to_lowercase().contains("network check")), "{masked:?}");
}

#[test]
fn media_that_never_connects_is_told_apart_by_its_errors() {
    let base = || Call::new().answered().media(2100.0, json!({"pc": "connection", "state": "checking"}));
    let turn_auth = base()
        .media(2200.0, json!({"pc": "ice_candidate_error", "url": "turn:127.0.0.1:3478?transport=udp", "errorCode": 401, "errorText": "Unauthorized"}))
        .media(12_000.0, json!({"pc": "connection", "state": "failed"}))
        .ended(12_010.0, EndedBy::Error, Failure { message: Some("media never connected".into()), ..Default::default() })
        .diagnose();
    assert_eq!(turn_auth.rule, "media_never_connected");
    assert!(turn_auth.summary.contains("refused the credentials"), "{}", turn_auth.summary);

    let denied = base()
        .media(2200.0, json!({"pc": "ice_candidate_error", "url": "turn:127.0.0.1:3478", "errorCode": 403, "errorText": "Forbidden IP"}))
        .media(12_000.0, json!({"pc": "connection", "state": "failed"}))
        .ended(12_010.0, EndedBy::Error, Failure::default())
        .diagnose();
    assert!(denied.summary.contains("denied relaying"), "{}", denied.summary);

    let udp_blocked = base()
        .media(2200.0, json!({"pc": "ice_candidate_error", "url": "stun:stun.example.com:3478", "errorCode": 701, "errorText": "timeout"}))
        .media(2200.0, json!({"pc": "ice_candidate_error", "url": "turn:turn.example.com:3478", "errorCode": 701, "errorText": "timeout"}))
        .media(17_000.0, json!({"pc": "ice_connection", "ice_connection_state": "failed"}))
        .ended(17_010.0, EndedBy::Error, Failure::default())
        .diagnose();
    assert!(udp_blocked.summary.contains("UDP blocked"), "{}", udp_blocked.summary);

    let plain = base()
        .ended(17_010.0, EndedBy::Error, Failure { message: Some("media never connected (ICE checking 15 s after answer)".into()), ..Default::default() })
        .diagnose();
    assert!(plain.summary.contains("ICE found no working path"), "{}", plain.summary);

    // Relay-only, the relay allocated, and no candidate error: the relay's path to the far end failed.
    let relay_only = base()
        .media(2300.0, json!({"pc": "ice_candidates", "host": 0, "srflx": 0, "relay": 2}))
        .ended(17_010.0, EndedBy::Error, Failure { message: Some("media never connected (ICE checking 15 s after answer)".into()), ..Default::default() })
        .diagnose();
    assert!(relay_only.summary.contains("through the TURN relay"), "{}", relay_only.summary);
    assert!(relay_only.evidence.iter().any(|e| e.note.contains("only relay candidates")), "{:?}", relay_only.evidence);
    let with_host = base()
        .media(2300.0, json!({"pc": "ice_candidates", "host": 2, "srflx": 0, "relay": 2}))
        .ended(17_010.0, EndedBy::Error, Failure { message: Some("media never connected".into()), ..Default::default() })
        .diagnose();
    assert!(with_host.summary.contains("ICE found no working path"), "{}", with_host.summary);

    // Connected media is not "never connected".
    let fine = Call::new().answered().media(2100.0, json!({"pc": "connection", "state": "connected"})).ended(9000.0, EndedBy::Local, Failure::default()).diagnose();
    assert_ne!(fine.rule, "media_never_connected");
}

#[test]
fn one_way_audio_silence_versus_nothing() {
    let connected = || Call::new().answered().media(2100.0, json!({"pc": "connection", "state": "connected"}));
    let silence = connected()
        .stats(3000.0, 50.0, 50.0, 0.0)
        .stats(6000.0, 200.0, 200.0, 0.0)
        .ended(7000.0, EndedBy::Local, Failure::default())
        .diagnose();
    assert_eq!(silence.rule, "one_way_audio");
    assert!(silence.summary.contains("silence"));
    assert_eq!(silence.outcome, Outcome::Degraded);
    assert_eq!(silence.also, Vec::<String>::new(), "the local hang-up is normal, not listed as a problem");

    let nothing = connected().stats(3000.0, 0.0, 50.0, 0.0).stats(6000.0, 0.0, 200.0, 0.0).ended(7000.0, EndedBy::Local, Failure::default()).diagnose();
    assert!(nothing.summary.contains("no audio packets arrived"));

    let fine = connected().stats(3000.0, 50.0, 50.0, 0.2).stats(6000.0, 200.0, 200.0, 0.9).ended(7000.0, EndedBy::Local, Failure::default()).diagnose();
    assert_eq!(fine.rule, "local_hangup");

    // Too short to judge.
    let short = connected().stats(3000.0, 0.0, 50.0, 0.0).ended(3500.0, EndedBy::Local, Failure::default()).diagnose();
    assert_eq!(short.rule, "local_hangup");
}

#[test]
fn media_lost_mid_call_and_a_media_timeout_read_with_the_media_before_it() {
    let lost = Call::new()
        .answered()
        .media(2100.0, json!({"pc": "connection", "state": "connected"}))
        .media(20_000.0, json!({"pc": "ice_connection", "ice_connection_state": "disconnected"}))
        .ended(50_000.0, EndedBy::Remote, failure(None, None, Some(16), None))
        .diagnose();
    assert_eq!(lost.rule, "media_lost");

    // The provider ended it for lack of media; a TURN refusal beside it does not headline.
    let timeout = Call::new()
        .on(Provider::Telnyx)
        .answered()
        .media(2050.0, json!({"pc": "ice_candidate_error", "url": "turn:turn.telnyx.com:3478", "errorCode": 701, "errorText": "timeout"}))
        .media(2100.0, json!({"pc": "connection", "state": "connected"}))
        .stats(3000.0, 50.0, 50.0, 0.1)
        .stats(4000.0, 100.0, 100.0, 0.2)
        .stats(5000.0, 100.0, 150.0, 0.2)
        .stats(6000.0, 100.0, 200.0, 0.2)
        .ended(8000.0, EndedBy::Remote, failure(None, None, Some(804), Some("MEDIA_TIMEOUT")))
        .diagnose();
    assert_eq!(timeout.rule, "media_timeout", "{timeout:?}");
    assert!(timeout.explanation.contains("kept sending"), "{}", timeout.explanation);
    assert!(timeout.also.iter().any(|a| a.contains("TURN")), "{:?}", timeout.also);
    assert!(timeout.codes.iter().any(|c| c.catalog == "Telnyx hangup cause" && c.code == "MEDIA_TIMEOUT"), "{:?}", timeout.codes);
}

#[test]
fn token_expiry_and_microphone_problems_come_first() {
    let expired = Call::new()
        .on(Provider::Twilio)
        .state(0.0, CallState::Dialing)
        .error(50.0, json!({"code": 20104, "message": "AccessTokenExpired"}))
        .ended(60.0, EndedBy::Error, failure(None, None, None, Some("20104")))
        .diagnose();
    assert_eq!(expired.rule, "token");
    assert!(expired.summary.contains("expired"));

    let denied = Call::new()
        .error(10.0, json!({"during": "dial", "code": "microphone", "message": "microphone: NotAllowedError: Permission denied"}))
        .ended(12.0, EndedBy::Error, Failure { message: Some("microphone: NotAllowedError: Permission denied".into()), ..Default::default() })
        .diagnose();
    assert_eq!(denied.rule, "microphone");
    assert_eq!(denied.summary, "Microphone access was denied");

    let missing = Call::new()
        .error(10.0, json!({"code": "microphone", "message": "microphone: NotFoundError: Requested device not found"}))
        .ended(12.0, EndedBy::Error, Failure::default())
        .diagnose();
    assert_eq!(missing.summary, "No microphone was found");
}

#[test]
fn a_ring_out_with_480_says_nobody_answered() {
    let d = Call::new()
        .state(0.0, CallState::Dialing)
        .state(30.0, CallState::Trying)
        .state(300.0, CallState::Ringing)
        .ended(15_300.0, EndedBy::Remote, failure(Some(480), Some("Temporarily Unavailable"), Some(19), None))
        .diagnose();
    assert_eq!(d.rule, "sip_final_response");
    assert!(d.explanation.contains("nobody answered"), "{}", d.explanation);
    assert!(d.summary.contains("Q.850 19"), "{}", d.summary);
}

#[test]
fn an_interrupted_call_says_callscope_stopped() {
    let d = Call::new().answered().ended(3000.0, EndedBy::Interrupted, Failure::default()).diagnose();
    assert_eq!(d.rule, "interrupted");
}

#[test]
fn a_far_end_bye_answered_200_is_a_normal_end() {
    let d = Call::new().answered().ended(19_000.0, EndedBy::Remote, failure(Some(200), Some("OK"), Some(16), Some("NORMAL_CLEARING"))).diagnose();
    assert_eq!(d.rule, "normal_end");
    assert_eq!(d.outcome, Outcome::Ok);
}

#[test]
fn a_dropped_signalling_connection_that_lost_the_call_says_so() {
    let d = Call::new()
        .on(Provider::Telnyx)
        .answered()
        .media(2100.0, json!({"pc": "connection", "state": "connected"}))
        .error(8000.0, json!({"code": 48501, "name": "SESSION_NOT_REATTACHED", "message": "the session was not re-attached"}))
        .ended(8010.0, EndedBy::Error, failure(None, None, Some(16), Some("NORMAL_CLEARING")))
        .diagnose();
    assert_eq!(d.rule, "signalling_lost");
    assert!(d.summary.contains("48501"), "{}", d.summary);

    let twilio = Call::new()
        .on(Provider::Twilio)
        .answered()
        .error(8000.0, json!({"code": 31209, "message": "Reconnect attempt is not authorized."}))
        .ended(8010.0, EndedBy::Error, failure(None, None, None, Some("31209")))
        .diagnose();
    assert_eq!(twilio.rule, "signalling_lost");
}

#[test]
fn a_refused_turn_server_is_told_beside_a_call_that_worked() {
    let call = || {
        Call::new()
            .answered()
            .media(2050.0, json!({"pc": "ice_candidate_error", "url": "turn:127.0.0.1:3478?transport=udp", "errorCode": 401, "errorText": "Unauthorized"}))
            .media(2100.0, json!({"pc": "connection", "state": "connected"}))
    };
    let remote_bye = call().ended(19_000.0, EndedBy::Remote, Failure::default()).diagnose();
    assert_eq!(remote_bye.outcome, Outcome::Ok, "{remote_bye:?}");
    assert!(remote_bye.also.iter().any(|a| a.contains("refused the TURN credentials")), "{:?}", remote_bye.also);
    let local = call().ended(9000.0, EndedBy::Local, Failure::default()).diagnose();
    assert!(local.also.iter().any(|a| a.contains("media connected without it")), "{:?}", local.also);
    // Without the error, nothing is said.
    let clean = Call::new().answered().media(2100.0, json!({"pc": "connection", "state": "connected"})).ended(19_000.0, EndedBy::Remote, Failure::default()).diagnose();
    assert!(clean.also.is_empty(), "{:?}", clean.also);
}

// ---- The cases: short and strange successes, context, layers, masking ----------------

#[test]
fn a_call_the_far_end_hangs_up_within_seconds_is_not_ok() {
    let d = Call::new()
        .answered()
        .media(2100.0, json!({"pc": "connection", "state": "connected"}))
        .sip(3900.0, true, "BYE sip:alice@x.invalid SIP/2.0\nCSeq: 2 BYE\nUser-Agent: Carrier SBC 4.2\n\n")
        .ended(3910.0, EndedBy::Remote, failure(None, None, Some(16), Some("NORMAL_CLEARING")))
        .diagnose();
    assert_eq!(d.rule, "short_call", "{d:?}");
    assert_ne!(d.outcome, Outcome::Ok);
    assert!(d.summary.starts_with("The far end hung up 1.91 s after answering"), "{}", d.summary);
    assert!(d.explanation.contains("Carrier SBC 4.2") && d.explanation.contains("no Reason header"), "{}", d.explanation);
    assert!(d.fix.iter().any(|f| f.contains("who sent the BYE")), "{:?}", d.fix);
    assert!(d.fix.iter().any(|f| f.contains("another phone")), "{:?}", d.fix);
    // Ten seconds and more is a normal end.
    let long = Call::new().answered().ended(12_500.0, EndedBy::Remote, Failure::default()).diagnose();
    assert_eq!(long.rule, "normal_end");
}

#[test]
fn no_media_is_not_ok_even_when_you_hung_up() {
    let d = Call::new()
        .answered()
        .media(2100.0, json!({"pc": "ice_connection", "ice_connection_state": "checking"}))
        .stats(8000.0, 0.0, 0.0, 0.0)
        .push(17_000.0, Source::Ui, EventKind::Action, json!({"action": "hangup"}))
        .ended(17_010.0, EndedBy::Local, Failure::default())
        .diagnose();
    assert_eq!(d.rule, "media_never_connected", "{d:?}");
    assert_eq!(d.outcome, Outcome::Failed);
    assert!(d.explanation.contains("'checking'") && d.explanation.contains("You hung up"), "{}", d.explanation);
    // Hanging up a second after the answer says nothing about media.
    let quick = Call::new().answered().ended(2900.0, EndedBy::Local, Failure::default()).diagnose();
    assert_eq!(quick.rule, "local_hangup");
}

#[test]
fn a_challenge_for_another_realm_says_no_credentials_were_sent() {
    let challenged = "SIP/2.0 407 Proxy Authentication Required\nCSeq: 1 INVITE\nProxy-Authenticate: Digest realm=\"carrier.example\", nonce=\"n1\"\nServer: edge-proxy\n\n";
    let d = Call::new()
        .setting("realm", "pbx.example.com")
        .state(0.0, CallState::Dialing)
        .sip(1.0, false, "INVITE sip:5550100@pbx.example.com SIP/2.0\nCSeq: 1 INVITE\n\nv=0\n")
        .sip(40.0, true, challenged)
        .ended(45.0, EndedBy::Remote, failure(Some(407), Some("Proxy Authentication Required"), None, None))
        .diagnose();
    assert_eq!(d.rule, "auth_challenge");
    assert!(d.summary.contains("no credentials were sent"), "{}", d.summary);
    assert!(!d.explanation.contains("rejected"), "{}", d.explanation);
    assert!(d.fix.iter().any(|f| f.contains("Set the account's realm to \"carrier.example\"")), "{:?}", d.fix);
    assert!(d.evidence.iter().any(|e| e.place == Place::Account), "{:?}", d.evidence);

    // Credentials sent and refused: that is what it says then.
    let refused = Call::new()
        .state(0.0, CallState::Dialing)
        .sip(1.0, false, "INVITE sip:5550100@pbx.example.com SIP/2.0\nCSeq: 1 INVITE\n\nv=0\n")
        .sip(40.0, true, challenged)
        .sip(50.0, false, "INVITE sip:5550100@pbx.example.com SIP/2.0\nCSeq: 2 INVITE\nProxy-Authorization: [redacted]\n\nv=0\n")
        .sip(90.0, true, &challenged.replace("CSeq: 1", "CSeq: 2"))
        .ended(95.0, EndedBy::Remote, failure(Some(407), Some("Proxy Authentication Required"), None, None))
        .diagnose();
    assert!(refused.summary.contains("rejected the credentials"), "{}", refused.summary);
}

#[test]
fn context_on_the_final_response_is_said_only_when_it_is_there() {
    let d = Call::new()
        .state(0.0, CallState::Dialing)
        .sip(10.0, true, "SIP/2.0 100 Trying\nCSeq: 1 INVITE\nServer: pbx-proxy\n\n")
        .sip(200.0, true, "SIP/2.0 183 Session Progress\nCSeq: 1 INVITE\n\nv=0\n")
        .state(200.0, CallState::Early)
        .sip(6200.0, true, "SIP/2.0 488 Busy Here\nCSeq: 1 INVITE\nServer: far-gateway\nWarning: 305 far-gateway \"Incompatible media format\"\n\n")
        .ended(6210.0, EndedBy::Remote, failure(Some(488), Some("Busy Here"), None, None))
        .diagnose();
    assert_eq!(d.rule, "sip_final_response");
    assert!(d.explanation.contains("early media for 6.00 s"), "{}", d.explanation);
    assert!(d.explanation.contains("Warning from far-gateway: 305"), "{}", d.explanation);
    assert!(d.explanation.contains("past the proxy (pbx-proxy)"), "{}", d.explanation);
    assert!(d.explanation.contains("phrase of 486"), "{}", d.explanation);
    assert!(d.fix.iter().any(|f| f.contains("Listen to the early media")), "{:?}", d.fix);

    // The same code with none of that around it says none of it.
    let bare = Call::new()
        .state(0.0, CallState::Dialing)
        .ended(100.0, EndedBy::Remote, failure(Some(488), Some("Not Acceptable Here"), None, None))
        .diagnose();
    for absent in ["early media", "Warning", "Reason", "proxy"] {
        assert!(!bare.explanation.contains(absent) && !bare.fix.iter().any(|f| f.contains(absent)), "{absent}: {bare:?}");
    }
}

#[test]
fn the_proxy_answering_itself_is_told() {
    let d = Call::new()
        .state(0.0, CallState::Dialing)
        .sip(10.0, true, "SIP/2.0 100 Trying\nCSeq: 1 INVITE\nServer: lab-kamailio\n\n")
        .sip(130.0, true, "SIP/2.0 404 Not Found\nCSeq: 1 INVITE\nServer: lab-kamailio\nReason: Q.850;cause=1;text=\"Unallocated (unassigned) number\"\n\n")
        .ended(135.0, EndedBy::Remote, failure(Some(404), Some("Not Found"), Some(1), None))
        .diagnose();
    assert!(d.explanation.contains("The proxy itself (lab-kamailio) answered"), "{}", d.explanation);
    assert!(d.explanation.contains("Q.850 1 (Unallocated (unassigned) number)"), "{}", d.explanation);
}

#[test]
fn a_redirect_names_its_target() {
    let d = Call::new()
        .state(0.0, CallState::Dialing)
        .sip(80.0, true, "SIP/2.0 302 Moved Temporarily\nCSeq: 1 INVITE\nContact: <sip:bob@branch.example.com>\n\n")
        .ended(85.0, EndedBy::Remote, failure(Some(302), Some("Moved Temporarily"), None, None))
        .diagnose();
    assert_eq!(d.rule, "redirected");
    assert!(d.explanation.contains("sip:bob@branch.example.com"), "{}", d.explanation);
    assert!(d.fix.iter().any(|f| f.contains("sip:bob@branch.example.com")), "{:?}", d.fix);
}

#[test]
fn advice_fits_the_account_and_catalog_text_is_not_lower_cased() {
    let sip = Call::new()
        .state(0.0, CallState::Dialing)
        .ended(100.0, EndedBy::Remote, failure(Some(404), Some("Not Found"), None, None))
        .diagnose();
    let all = |d: &Diagnosis| [d.explanation.clone()].into_iter().chain(d.fix.clone()).collect::<Vec<_>>().join(" ");
    assert!(!all(&sip).contains("Telnyx") && !all(&sip).contains("Twilio"), "{}", all(&sip));
    assert!(sip.explanation.contains("Likely cause: A mistyped"), "{}", sip.explanation);
    let telnyx = Call::new()
        .on(Provider::Telnyx)
        .state(0.0, CallState::Dialing)
        .ended(100.0, EndedBy::Remote, failure(Some(404), Some("Not Found"), Some(1), Some("UNALLOCATED_NUMBER")))
        .diagnose();
    assert!(telnyx.fix.first().is_some_and(|f| f.contains("Telnyx")), "{:?}", telnyx.fix);
    assert!(!all(&telnyx).contains("Twilio"), "{}", all(&telnyx));
}

#[test]
fn a_code_is_read_in_the_catalog_of_the_layer_that_gave_it() {
    let twilio = Call::new()
        .on(Provider::Twilio)
        .answered()
        .error(3000.0, json!({"source": "twilio.call", "code": 31005, "message": "ConnectionError (31005): Error sent from gateway in HANGUP",
                              "gateway_error": {"code": 31503, "message": "Service Unavailable", "type": "hangup"}}))
        .ended(3010.0, EndedBy::Remote, failure(None, None, None, Some("31005")))
        .diagnose();
    assert!(!twilio.codes.iter().any(|c| c.catalog == "Telnyx SDK"), "{:?}", twilio.codes);
    assert_eq!(twilio.rule, "twilio_masked");
    assert!(twilio.summary.contains("31503"), "{}", twilio.summary);

    let telnyx = Call::new()
        .on(Provider::Telnyx)
        .answered()
        .push(2500.0, Source::Sdk, EventKind::Warning, json!({"source": "telnyx.warning", "code": 31005, "name": "LOW_LOCAL_AUDIO", "message": "low local audio"}))
        .ended(30_000.0, EndedBy::Local, failure(None, None, Some(16), Some("NORMAL_CLEARING")))
        .diagnose();
    assert!(telnyx.codes.iter().any(|c| c.catalog == "Telnyx SDK" && c.code == "31005"), "{:?}", telnyx.codes);
    assert!(!telnyx.codes.iter().any(|c| c.catalog == "Twilio"), "{:?}", telnyx.codes);
}

#[test]
fn a_call_on_a_line_that_failed_to_register_says_so() {
    let d = Call::new()
        .line(EventKind::Signal, json!({"direction": "sent", "protocol": "sip", "summary": "REGISTER sip:lab.test SIP/2.0", "account": "lab",
                                        "body": "REGISTER sip:lab.test SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n"}))
        .line(EventKind::Signal, json!({"direction": "received", "protocol": "sip", "summary": "SIP/2.0 401 Unauthorized", "account": "lab",
                                        "body": "SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm=\"lab.test\", nonce=\"x\"\r\n\r\n"}))
        .line(EventKind::Signal, json!({"direction": "sent", "protocol": "sip", "summary": "REGISTER sip:lab.test SIP/2.0", "account": "lab",
                                        "body": "REGISTER sip:lab.test SIP/2.0\r\nCSeq: 2 REGISTER\r\nAuthorization: [redacted]\r\n\r\n"}))
        .line(EventKind::Signal, json!({"direction": "received", "protocol": "sip", "summary": "SIP/2.0 403 Forbidden", "account": "lab",
                                        "body": "SIP/2.0 403 Forbidden\r\nCSeq: 2 REGISTER\r\n\r\n"}))
        .state(0.0, CallState::Connecting)
        .push(5.0, Source::Ui, EventKind::Warning, json!({"message": "the line lab is not registered (failed: 403 Forbidden); calling anyway"}))
        .state(10.0, CallState::Dialing)
        .ended(200.0, EndedBy::Remote, failure(Some(403), Some("Forbidden"), None, None))
        .diagnose();
    let registered = d.also.iter().find(|a| a.contains("not registered")).unwrap_or_else(|| panic!("{:?}", d.also));
    assert!(registered.contains("403 Forbidden after credentials were sent"), "{registered}");
    assert!(d.evidence.iter().any(|e| e.place == Place::Line), "{:?}", d.evidence);
}
