//! The command-line face, run as a user would: the real binary against a journal in a temporary
//! home.

use std::process::{Command, Output};

use callscope_calls::{CallState, Direction, EndInfo, EndedBy, Failure, Provider};
use callscope_journal::{EventKind, Journal, NewCall, Source};
use serde_json::{json, Value};

struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        Home(tempfile::tempdir().unwrap())
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_callscope"))
            .args(args)
            .env("XDG_DATA_HOME", self.0.path().join("data"))
            .env("XDG_STATE_HOME", self.0.path().join("state"))
            .env("XDG_CONFIG_HOME", self.0.path().join("config"))
            .env_remove("CALLSCOPE_LOG")
            .output()
            .unwrap()
    }

    fn journal(&self) -> Journal {
        let dir = self.0.path().join("data/callscope");
        std::fs::create_dir_all(&dir).unwrap();
        Journal::open(&dir.join("journal.sqlite3"), "test").unwrap()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A busy call: dialing → trying → ended by the far end with 486 / Q.850 17.
fn seed_busy_call(journal: &Journal) -> String {
    let call = journal
        .create_call(NewCall { provider: Provider::Echo, account: None, ui_clock: None, direction: Direction::Outbound, destination: "104".into() })
        .unwrap();
    journal.record_state(&call.id, Source::Ui, CallState::Dialing, Value::Null, None).unwrap();
    let invite = json!({"direction": "sent", "protocol": "echo", "summary": "INVITE 104", "body": null});
    journal.append(Some(&call.id), Source::Signalling, EventKind::Signal, invite).unwrap();
    journal.record_state(&call.id, Source::Ui, CallState::Trying, Value::Null, None).unwrap();
    let failure = Failure { sip_status: Some(486), sip_reason: Some("Busy Here".into()), q850_cause: Some(17), ..Default::default() };
    journal
        .record_state(&call.id, Source::Ui, CallState::Ended, Value::Null, Some(EndInfo { by: EndedBy::Remote, failure }))
        .unwrap();
    call.id
}

#[test]
fn help_documents_every_command() {
    let home = Home::new();
    let help = stdout(&home.run(&["--help"]));
    for words in ["window", "serve", "calls", "--log-level", "journal.sqlite3"] {
        assert!(help.contains(words), "--help lacks {words}:\n{help}");
    }
    let calls_help = stdout(&home.run(&["calls", "--help"]));
    assert!(calls_help.contains("list") && calls_help.contains("show"));
}

#[test]
fn an_empty_journal_says_so() {
    let home = Home::new();
    let output = home.run(&["calls", "list"]);
    assert!(output.status.success());
    assert!(stdout(&output).contains("No calls yet"));
    let json: Value = serde_json::from_str(&stdout(&home.run(&["calls", "list", "--json"]))).unwrap();
    assert_eq!(json, json!([]));
}

#[test]
fn calls_list_and_show_print_the_journal() {
    let home = Home::new();
    let id = seed_busy_call(&home.journal());

    let list = stdout(&home.run(&["calls", "list"]));
    assert!(list.contains("104") && list.contains("486 Busy Here (Q.850 17: User busy)"), "{list}");

    let show = home.run(&["calls", "show", "1"]);
    assert!(show.status.success(), "{}", stderr(&show));
    let text = stdout(&show);
    for expected in [id.as_str(), "idle → dialing", "→ INVITE 104 [echo]", "dialing → trying", "trying → ended (ended by remote): 486 Busy Here"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }

    let json: Value = serde_json::from_str(&stdout(&home.run(&["calls", "show", &id, "--json"]))).unwrap();
    assert_eq!(json["call"]["failure"]["sip_status"], 486);
    assert_eq!(json["events"].as_array().unwrap().len(), 4);
    assert_eq!(json["events"][1]["kind"], "signal");
}

#[test]
fn reading_the_journal_leaves_a_live_call_alone() {
    let home = Home::new();
    let journal = home.journal();
    let call = journal
        .create_call(NewCall { provider: Provider::Echo, account: None, ui_clock: None, direction: Direction::Outbound, destination: "100".into() })
        .unwrap();
    journal.record_state(&call.id, Source::Ui, CallState::Dialing, Value::Null, None).unwrap();
    let list = stdout(&home.run(&["calls", "list"]));
    assert!(list.contains("still dialing"), "{list}");
    // The app can go on recording.
    journal.record_state(&call.id, Source::Ui, CallState::Trying, Value::Null, None).unwrap();
}

#[test]
fn mistakes_get_clear_errors_and_a_failing_exit_code() {
    let home = Home::new();
    let unknown = home.run(&["calls", "show", "99"]);
    assert_eq!(unknown.status.code(), Some(1));
    let message = stderr(&unknown);
    assert!(message.contains("no call with id 99") && message.contains("calls list"), "{message}");

    let bad_level = home.run(&["--log-level", "loud=[", "calls", "list"]);
    assert_eq!(bad_level.status.code(), Some(1));
    assert!(stderr(&bad_level).contains("log level"), "{}", stderr(&bad_level));

    let usage = home.run(&["calls", "frobnicate"]);
    assert_eq!(usage.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn decode_explains_codes_from_every_catalog() {
    let home = Home::new();
    let busy = stdout(&home.run(&["decode", "486"]));
    assert!(busy.contains("SIP 486: Busy Here") && busy.contains("STUN/TURN 486"), "{busy}");
    let reason = stdout(&home.run(&["decode", "Q.850;cause=34"]));
    assert!(reason.contains("Q.850 34"), "{reason}");
    for (code, expected) in [("31002", "Twilio 31002"), ("D38", "D38"), ("USER_BUSY", "USER_BUSY"), ("NotAllowedError", "NotAllowedError")] {
        let text = stdout(&home.run(&["decode", code]));
        assert!(text.contains(expected) && text.contains("What to do"), "{code}:\n{text}");
    }
    let json: Value = serde_json::from_str(&stdout(&home.run(&["decode", "17", "--json"]))).unwrap();
    let catalogs: Vec<&str> = json.as_array().unwrap().iter().map(|m| m["catalog"].as_str().unwrap()).collect();
    assert!(catalogs.contains(&"q850") && catalogs.contains(&"telnyx-cause"), "{catalogs:?}");

    let unknown = home.run(&["decode", "frobnicate"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("frobnicate"));
}

#[test]
fn calls_show_says_what_happened() {
    let home = Home::new();
    seed_busy_call(&home.journal());
    let text = stdout(&home.run(&["calls", "show", "1"]));
    assert!(text.contains("What happened: 486 Busy Here"), "{text}");
    assert!(text.contains("What to do:"), "{text}");
    let list = stdout(&home.run(&["calls", "list"]));
    assert!(list.contains("486 Busy Here (Q.850 17"), "{list}");
    let json: Value = serde_json::from_str(&stdout(&home.run(&["calls", "show", "1", "--json"]))).unwrap();
    assert_eq!(json["diagnosis"]["rule"], "sip_final_response");
}

/// A line's REGISTER challenged, answered with credentials, refused with 403; then one
/// challenged for another realm that got no retry.
fn seed_registrations(journal: &Journal) {
    let sip = |direction: &str, text: &str| {
        let text = text.replace('\n', "\r\n");
        let summary = text.lines().next().unwrap().to_string();
        json!({"direction": direction, "protocol": "sip", "summary": summary, "body": text, "account": "office"})
    };
    for (direction, text) in [
        ("sent", "REGISTER sip:pbx.example.com SIP/2.0\nCSeq: 1 REGISTER\n\n"),
        ("received", "SIP/2.0 401 Unauthorized\nCSeq: 1 REGISTER\nWWW-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"a\"\n\n"),
        ("sent", "REGISTER sip:pbx.example.com SIP/2.0\nCSeq: 2 REGISTER\nAuthorization: [redacted]\n\n"),
        ("received", "SIP/2.0 403 Forbidden\nCSeq: 2 REGISTER\n\n"),
        ("sent", "REGISTER sip:pbx.example.com SIP/2.0\nCSeq: 3 REGISTER\n\n"),
        ("received", "SIP/2.0 401 Unauthorized\nCSeq: 3 REGISTER\nWWW-Authenticate: Digest realm=\"other.example\", nonce=\"b\"\n\n"),
    ] {
        journal.append(None, Source::Signalling, EventKind::Signal, sip(direction, text)).unwrap();
    }
    let failed = json!({"account": "office", "registration": "failed", "status_code": 401, "reason": "Unauthorized", "message": "registering office failed: 401 Unauthorized"});
    journal.append(None, Source::Ui, EventKind::Error, failed).unwrap();
}

#[test]
fn lines_show_each_registration_decoded() {
    let home = Home::new();
    seed_registrations(&home.journal());
    let text = stdout(&home.run(&["lines"]));
    assert!(text.contains("office (account removed): failed since"), "{text}");
    assert!(text.contains("403 Forbidden after credentials were sent"), "{text}");
    assert!(text.contains("challenged for realm \"other.example\", no credentials sent"), "{text}");
    assert!(text.contains("Set the account's realm to \"other.example\""), "{text}");
    let json: Value = serde_json::from_str(&stdout(&home.run(&["lines", "office", "--json"]))).unwrap();
    let registrations = json[0]["registrations"].as_array().unwrap();
    assert_eq!(registrations.len(), 2, "{json}");
    assert_eq!(registrations[0]["status"], 403);
    assert_eq!(registrations[0]["credentials_sent"], true);
    assert_eq!(registrations[1]["credentials_sent"], false);
    let unknown = home.run(&["lines", "nobody"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no line or account is called \"nobody\""), "{}", stderr(&unknown));
}
