//! The Twilio PStream emulator, driven over WSS by a small client that speaks as the Voice JS SDK
//! does (reference/twilio.md §2.4–§2.5), with str0m media where a call carries audio.

#[path = "twilio_pstream/client.rs"]
mod client;
#[path = "twilio_pstream/media.rs"]
mod media;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callscope_lab::jwt::{self, Algorithm};
use callscope_lab::twilio_pstream::scenarios::{self, Script, Timings};
use callscope_lab::twilio_pstream::{EndedBy, IncomingCall, IncomingError, PStreamConfig, PStreamEmulator};
use callscope_lab::{TwilioConfig, TwilioFake};
use client::{Client, Ended};
use rustls::pki_types::ServerName;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Lab {
    rest: TwilioFake,
    emulator: PStreamEmulator,
}

/// Steps a few tens of milliseconds apart, so each test takes well under a second of script.
fn quick() -> Timings {
    Timings {
        ringing_after: Duration::from_millis(30),
        outcome_after: Duration::from_millis(60),
        remote_hangup_after: Duration::from_millis(300),
        drop_after: Duration::from_millis(300),
        recovery_hold: Duration::from_secs(3),
        media_timeout: Duration::from_secs(20),
    }
}

async fn start_with(configure: impl FnOnce(&mut PStreamConfig, &TwilioFake)) -> Lab {
    let rest = TwilioFake::start(TwilioConfig::default()).await.unwrap();
    let mut config = PStreamConfig { timings: quick(), ..PStreamConfig::default() };
    configure(&mut config, &rest);
    let emulator = PStreamEmulator::start(config, rest.access_tokens()).await.unwrap();
    Lab { rest, emulator }
}

async fn start() -> Lab {
    start_with(|_, _| {}).await
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

impl Lab {
    /// A Voice Access Token as twilio-node mints it, signed with the seeded standard key.
    fn token(&self, identity: &str, ttl: i64) -> String {
        self.token_with(identity, unix_now(), ttl, |_| {})
    }

    fn token_with(&self, identity: &str, iat: i64, ttl: i64, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let seed = self.rest.seed();
        let key = &seed.standard_key;
        let mut claims = object(json!({
            "jti": format!("{}-{iat}", key.sid),
            "iss": key.sid,
            "sub": seed.account_sid,
            "iat": iat,
            "exp": iat + ttl,
            "grants": {
                "identity": identity,
                "voice": {"incoming": {"allow": true}, "outgoing": {"application_sid": seed.application_sid}},
            },
        }));
        edit(&mut claims);
        let header = object(json!({"typ": "JWT", "cty": "twilio-fpa;v=1"}));
        jwt::sign(header, &claims, Algorithm::HS256, key.secret.as_bytes())
    }

    /// A client that has listened and registered as `identity`.
    async fn registered(&self, identity: &str) -> Client {
        let mut client = Client::connect(&self.emulator).await;
        assert_eq!(client.listen(&self.token(identity, 3600), 0).await["type"], "connected");
        assert_eq!(client.register(true).await["type"], "ready");
        client
    }
}

fn error_code(payload: &Value) -> Option<u64> {
    payload["error"]["code"].as_u64()
}

/// An outgoing call up to its `answer`; returns `(temporary sid, CA sid, answer payload, media)`.
async fn answered_call(client: &mut Client, to: &str) -> (String, String, Value, media::PendingOffer) {
    let offer = media::offer();
    let temporary = client.invite(to, &offer.sdp).await;
    let ringing = client.expect("ringing").await;
    let callsid = ringing["callsid"].as_str().unwrap().to_string();
    let answer = client.expect("answer").await;
    assert_eq!(answer["callsid"], callsid.as_str());
    (temporary, callsid, answer, offer)
}

#[tokio::test]
async fn listen_gets_connected_with_identity_ttl_edge_and_home() {
    let lab = start().await;
    let mut client = Client::connect(&lab.emulator).await;
    let connected = client.listen(&lab.token("alice", 3600), 0).await;
    assert_eq!(connected["type"], "connected", "{connected}");
    let payload = &connected["payload"];
    assert_eq!((payload["edge"].as_str(), payload["region"].as_str()), (Some("ashburn"), Some("US_EAST_VIRGINIA")));
    assert_eq!(payload["home"], "us1");
    assert_eq!(payload["token"]["identity"], "alice");
    let ttl = payload["token"]["ttl"].as_i64().unwrap();
    assert!((3595..=3600).contains(&ttl), "ttl {ttl}");

    // A named edge is kept: the SDK reconnects to `voice-js.{edge}` afterwards.
    let mut sydney = Client::connect_to(&lab.emulator, "voice-js.sydney.twilio.com").await;
    let connected = sydney.listen(&lab.token("alice", 3600), 0).await;
    assert_eq!(
        (connected["payload"]["edge"].as_str(), connected["payload"]["region"].as_str()),
        (Some("sydney"), Some("ASIAPAC_SYDNEY"))
    );
}

#[tokio::test]
async fn register_gets_ready_and_unregister_gets_offline() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    assert!(lab.emulator.clients()[0].registered);
    assert_eq!(client.register(false).await["type"], "offline");
    assert!(!lab.emulator.clients()[0].registered);
    // The SDK re-registers every 30 s; each one is answered.
    assert_eq!(client.register(true).await["type"], "ready");
    assert_eq!(client.register(true).await["type"], "ready");
}

#[tokio::test]
async fn the_gateway_sends_newline_heartbeats_and_takes_them_back() {
    let lab = start_with(|config, _| config.heartbeat_interval = Duration::from_millis(100)).await;
    let mut client = Client::connect(&lab.emulator).await;
    client.listen(&lab.token("alice", 3600), 0).await;
    assert!(client.next_within(Duration::from_millis(450)).await.is_none(), "only heartbeats were due");
    assert!(client.heartbeats >= 3, "{} heartbeats in 450 ms", client.heartbeats);
    // The SDK echoes each one; the gateway takes it without a reply.
    client.send_text("\n").await;
    assert!(client.next_within(Duration::from_millis(200)).await.is_none());
    let log = lab.emulator.wire_log();
    assert!(log.iter().any(|e| e.dir == "C->S" && e.frame == "\n"));
    assert!(log.iter().filter(|e| e.dir == "S->C" && e.frame == "\n").count() >= 3);
}

#[tokio::test]
async fn refused_tokens_get_the_codes_the_sdk_maps_to_20101_20104_and_31207() {
    let lab = start().await;
    let seed = lab.rest.seed().clone();
    let now = unix_now();
    let bad_signature = {
        let token = lab.token("alice", 3600);
        let (signed, _) = token.rsplit_once('.').unwrap();
        format!("{signed}.{}", "A".repeat(43))
    };
    let cases = [
        ("bad signature", bad_signature, 31204),
        (
            "unknown key",
            lab.token_with("alice", now, 3600, |c| c["iss"] = json!(format!("SK{}", "0".repeat(32)))),
            31204,
        ),
        ("other account", lab.token_with("alice", now, 3600, |c| c["sub"] = json!(seed.other_account_sid)), 31204),
        ("no voice grant", lab.token_with("alice", now, 3600, |c| c["grants"] = json!({"identity": "alice"})), 31204),
        ("not a JWT", "not-a-token".to_string(), 31204),
        ("expired", lab.token_with("alice", now - 7200, 3600, |_| {}), 31205),
        ("over 24 h", lab.token_with("alice", now, 90_000, |_| {}), 31207),
    ];
    for (what, token, code) in cases {
        let mut client = Client::connect(&lab.emulator).await;
        let reply = client.listen(&token, 0).await;
        assert_eq!(reply["type"], "error", "{what}: {reply}");
        assert_eq!(error_code(&reply["payload"]), Some(code), "{what}: {reply}");
        assert!(reply["payload"].get("callsid").is_none(), "{what}");
        // No `connected` follows (the SDK's connect() stays pending), and register is refused.
        let refused = client.register(true).await;
        assert_eq!((refused["type"].as_str(), error_code(&refused["payload"])), (Some("error"), Some(31204)), "{what}");
    }
    let notes: Vec<String> =
        lab.emulator.wire_log().iter().filter(|e| e.dir == "NOTE").map(|e| e.frame.to_string()).collect();
    assert!(notes.iter().any(|n| n.contains("signature")), "{notes:?}");
}

#[tokio::test]
async fn a_token_that_expires_mid_session_gets_31205_then_offline_and_a_new_one_brings_connected() {
    let lab = start().await;
    let mut client = Client::connect(&lab.emulator).await;
    let connected = client.listen(&lab.token("alice", 2), 0).await;
    assert!(connected["payload"]["token"]["ttl"].as_i64().unwrap() <= 2);
    assert_eq!(client.register(true).await["type"], "ready");

    let expired = client.expect("error").await;
    assert_eq!(error_code(&expired), Some(31205));
    assert_eq!(client.expect("offline").await, json!({}));
    assert!(lab.emulator.clients()[0].token_expired);
    let refused = client.register(true).await;
    assert_eq!(refused["payload"]["error"], json!({"code": 31205, "message": "Cannot register. Token is expired"}));

    assert_eq!(client.listen(&lab.token("alice", 3600), 0).await["type"], "connected");
    assert_eq!(client.register(true).await["type"], "ready");
}

#[tokio::test]
async fn a_token_refresh_is_taken_silently_and_outlives_the_first_token() {
    let lab = start().await;
    let mut client = Client::connect(&lab.emulator).await;
    client.listen(&lab.token("alice", 2), 0).await;
    assert_eq!(client.register(true).await["type"], "ready");
    client.send("listen", json!({"token": lab.token("alice", 3600), "reconnectTimeout": 0, "browserinfo": {}})).await;
    // Nothing comes back (issue #93), and the first token's expiry passes without an error.
    assert!(client.next_within(Duration::from_millis(2800)).await.is_none());
    assert_eq!(client.register(true).await["type"], "ready");
    assert!(lab.emulator.clients()[0].token_expires_at.unwrap() > unix_now() + 3000);

    // A refresh with a bad token is refused, and the good one stays.
    let reply = client.listen(&lab.token_with("alice", unix_now() - 7200, 3600, |_| {}), 0).await;
    assert_eq!(error_code(&reply["payload"]), Some(31205));
    assert_eq!(client.register(true).await["type"], "ready");
}

#[tokio::test]
async fn a_reconfirming_gateway_answers_a_refresh_with_connected() {
    let lab = start_with(|config, _| config.reconfirm_refreshed_tokens = true).await;
    let mut client = Client::connect(&lab.emulator).await;
    client.listen(&lab.token("alice", 60), 0).await;
    let again = client.listen(&lab.token("alice", 3600), 0).await;
    assert_eq!(again["type"], "connected");
    assert!(again["payload"]["token"]["ttl"].as_i64().unwrap() > 3000);
}

#[tokio::test]
async fn each_failing_number_ends_with_its_code_addressed_to_the_id_the_sdk_knows() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let failing: Vec<_> = scenarios::all().into_iter().filter(|s| matches!(s.script, Script::Fail { .. })).collect();
    assert!(failing.len() >= 6);
    for scenario in failing {
        let Script::Fail { ring, error } = scenario.script.clone() else { unreachable!() };
        let temporary = client.invite(scenario.to, &media::offer().sdp).await;
        let callsid = if ring {
            let ringing = client.expect("ringing").await;
            assert!(ringing.get("sdp").is_none(), "{}", scenario.name);
            ringing["callsid"].as_str().unwrap().to_string()
        } else {
            // Before `ringing` the SDK knows only its TJS id, and drops a hangup naming anything else.
            temporary.clone()
        };
        let hangup = client.expect("hangup").await;
        assert_eq!(hangup["callsid"], callsid.as_str(), "{}", scenario.name);
        assert_eq!(hangup["error"], json!(error), "{}", scenario.name);
        let record = lab.emulator.call(&temporary).unwrap();
        assert!(record.callsid.starts_with("CA") && record.callsid.len() == 34);
        assert_eq!(record.to, scenario.to);
        assert_eq!(record.params, vec![("Agent".to_string(), "42".to_string())]);
        let ended = record.ended.unwrap();
        assert_eq!((ended.by, ended.error), (EndedBy::Gateway, Some(error)), "{}", scenario.name);
    }
}

#[tokio::test]
async fn an_answered_call_echoes_audio_and_ends_when_the_caller_hangs_up() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, answer, offer) = answered_call(&mut client, "+14155550100").await;
    assert!(answer["sdp"].as_str().unwrap().contains("a=candidate"), "the gateway's answer must carry its candidates");
    assert!(answer["reconnect"].as_str().is_some_and(|r| !r.is_empty()));
    let report = offer.accept(answer["sdp"].as_str().unwrap()).run(Duration::from_millis(1500)).await;
    assert!(report.connected, "{report:?}");
    assert!(report.sent > 20 && report.received > 10, "echo: {report:?}");

    client.send("hangup", json!({"callsid": callsid})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let record = lab.emulator.call(&callsid).unwrap();
    assert_eq!(record.phases, ["invited", "ringing", "answered", "ended"]);
    assert_eq!(record.ended.unwrap().by, EndedBy::Client);
    assert!(
        record.media.dtls_connected && record.media.rx_packets > 10 && record.media.tx_packets > 10,
        "{:?}",
        record.media
    );
}

#[tokio::test]
async fn a_call_whose_media_never_connects_is_hung_up_with_53405() {
    let lab = start_with(|config, _| config.timings.media_timeout = Duration::from_millis(1200)).await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, answer, offer) = answered_call(&mut client, "+14155553405").await;
    // The browser side tries; the gateway's candidate never answers.
    let report = offer.accept(answer["sdp"].as_str().unwrap()).run(Duration::from_millis(1000)).await;
    assert!(!report.connected);
    let hangup = client.expect("hangup").await;
    assert_eq!(hangup, json!({"callsid": callsid, "error": {"code": 53405, "message": "Media connection failed"}}));

    // The same timer spares a call whose media did connect.
    let (_, callsid, answer, offer) = answered_call(&mut client, "+14155550100").await;
    let report = offer.accept(answer["sdp"].as_str().unwrap()).run(Duration::from_millis(1600)).await;
    assert!(report.connected);
    assert!(lab.emulator.call(&callsid).unwrap().ended.is_none());
}

#[tokio::test]
async fn early_media_comes_in_ringing_and_the_answer_carries_only_the_reconnect_token() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    client.invite("+14155550103", &media::offer().sdp).await;
    let ringing = client.expect("ringing").await;
    assert!(ringing["sdp"].as_str().unwrap().starts_with("v=0"));
    let answer = client.expect("answer").await;
    assert!(answer.get("sdp").is_none(), "{answer}");
    assert!(answer["reconnect"].is_string());
}

#[tokio::test]
async fn the_far_end_hangs_up_without_an_error() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, _, _) = answered_call(&mut client, "+14155550110").await;
    assert_eq!(client.expect("hangup").await, json!({"callsid": callsid}));
    assert_eq!(lab.emulator.call(&callsid).unwrap().ended.unwrap().by, EndedBy::Gateway);
}

#[tokio::test]
async fn a_caller_can_give_up_before_the_answer() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let temporary = client.invite("+14155550120", &media::offer().sdp).await;
    client.expect("ringing").await;
    assert!(client.next_within(Duration::from_millis(400)).await.is_none(), "this number never answers");
    client.send("hangup", json!({"callsid": temporary})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let record = lab.emulator.call(&temporary).unwrap();
    assert_eq!(record.phases, ["invited", "ringing", "ended"]);
    assert_eq!(record.ended.unwrap().by, EndedBy::Client);
}

/// Reconnects as the SDK does after a drop: `listen`, then `invite` with the reconnect token.
async fn come_back(lab: &Lab, callsid: &str, reconnect: &str) -> (Client, Value) {
    let mut client = Client::connect(&lab.emulator).await;
    assert_eq!(client.listen(&lab.token("alice", 3600), 20).await["type"], "connected");
    let sdp = media::offer().sdp;
    client.send("invite", json!({"callsid": callsid, "reconnect": reconnect, "sdp": sdp, "twilio": {}})).await;
    let reply = client.next().await;
    (client, reply)
}

#[tokio::test]
async fn a_dropped_socket_comes_back_and_the_call_is_reconnected() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, answer, _) = answered_call(&mut client, "+14155550130").await;
    let reconnect = answer["reconnect"].as_str().unwrap();
    assert_eq!(client.ended(Duration::from_secs(2)).await, Ended::Abruptly, "a cut, not a close");

    let (_, reply) = come_back(&lab, &callsid, reconnect).await;
    assert_eq!(reply["type"], "answer", "{reply}");
    assert_eq!(reply["payload"], json!({"callsid": callsid, "reconnect": reconnect}));
    let record = lab.emulator.call(&callsid).unwrap();
    assert_eq!(record.phases, ["invited", "ringing", "answered", "signalling_lost", "reconnect_accepted"]);
    assert!(record.ended.is_none());
}

#[tokio::test]
async fn a_call_lost_with_its_socket_refuses_the_reconnect_with_31209() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, answer, _) = answered_call(&mut client, "+14155550131").await;
    assert_eq!(client.ended(Duration::from_secs(2)).await, Ended::Abruptly);
    assert_eq!(lab.emulator.call(&callsid).unwrap().ended.unwrap().by, EndedBy::SignallingLost);

    let (_, reply) = come_back(&lab, &callsid, answer["reconnect"].as_str().unwrap()).await;
    assert_eq!(reply["type"], "hangup");
    assert_eq!(reply["payload"]["callsid"], callsid.as_str());
    assert_eq!(error_code(&reply["payload"]), Some(31209));
}

#[tokio::test]
async fn an_unscripted_drop_holds_the_call_as_long_as_listen_asked() {
    let lab = start().await;
    // reconnectTimeout 0 (the SDK's default maxCallSignalingTimeoutMs): the call ends with the socket.
    let mut client = lab.registered("alice").await;
    let (_, callsid, _, _) = answered_call(&mut client, "+14155550100").await;
    assert_eq!(lab.emulator.cut_sockets(Some("alice")), 1);
    assert_eq!(client.ended(Duration::from_secs(2)).await, Ended::Abruptly);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(lab.emulator.call(&callsid).unwrap().ended.unwrap().by, EndedBy::SignallingLost);

    // reconnectTimeout 5: the call waits, and a wrong reconnect token does not take it.
    let mut client = Client::connect(&lab.emulator).await;
    client.listen(&lab.token("alice", 3600), 5).await;
    let (_, callsid, answer, _) = answered_call(&mut client, "+14155550100").await;
    lab.emulator.cut_sockets(None);
    assert_eq!(client.ended(Duration::from_secs(2)).await, Ended::Abruptly);
    let (_, reply) = come_back(&lab, &callsid, "forged").await;
    assert_eq!(error_code(&reply["payload"]), Some(31107));
    let (_, reply) = come_back(&lab, &callsid, answer["reconnect"].as_str().unwrap()).await;
    assert_eq!(reply["type"], "answer");
    assert!(lab.emulator.call(&callsid).unwrap().ended.is_none());
}

#[tokio::test]
async fn calls_without_an_outgoing_grant_or_to_a_declined_app_get_31002() {
    let lab = start_with(|config, rest| {
        config.declined_applications.push(rest.seed().application_without_voice_url_sid.clone())
    })
    .await;
    let bare_app = lab.rest.seed().application_without_voice_url_sid.clone();
    let tokens = [
        lab.token_with("alice", unix_now(), 3600, |c| c["grants"]["voice"]["outgoing"] = Value::Null),
        lab.token_with("alice", unix_now(), 3600, |c| {
            c["grants"]["voice"]["outgoing"]["application_sid"] = json!(bare_app)
        }),
    ];
    for token in tokens {
        let mut client = Client::connect(&lab.emulator).await;
        client.listen(&token, 0).await;
        let temporary = client.invite("+14155550100", &media::offer().sdp).await;
        let hangup = client.expect("hangup").await;
        assert_eq!(hangup, json!({"callsid": temporary, "error": {"code": 31002, "message": "Connection declined"}}));
    }
}

#[tokio::test]
async fn an_incoming_call_rings_a_registered_client_and_is_answered_with_media() {
    let lab = start().await;
    let mut client = lab.registered("bob").await;
    let mut call = IncomingCall::new(Some("bob".into()));
    call.params.push(("ticket".into(), "123".into()));
    let callsid = lab.emulator.place_incoming_call(call).unwrap();

    let invite = client.expect("invite").await;
    assert_eq!(invite["callsid"], callsid.as_str());
    let offer = invite["sdp"].as_str().unwrap();
    assert!(offer.contains("a=setup:actpass"), "the gateway offers: {offer}");
    let parameters = &invite["parameters"];
    assert_eq!(parameters["CallSid"], callsid.as_str());
    assert_eq!((parameters["From"].as_str(), parameters["To"].as_str()), (Some("+15558675310"), Some("client:bob")));
    assert_eq!(parameters["AccountSid"], lab.rest.seed().account_sid.as_str());
    assert_eq!(parameters["Params"], "ticket=123");
    assert!(invite["reconnect"].is_string());

    let (peer, answer) = media::answer(offer);
    client.send("answer", json!({"sdp": answer, "callsid": callsid})).await;
    let report = peer.run(Duration::from_millis(1500)).await;
    assert!(report.connected && report.received > 10, "echo: {report:?}");
    client.send("hangup", json!({"callsid": callsid})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let record = lab.emulator.call(&callsid).unwrap();
    assert_eq!(record.phases, ["invited", "answered", "ended"]);
    assert_eq!(record.ended.unwrap().by, EndedBy::Client);
}

#[tokio::test]
async fn an_incoming_call_can_be_rejected_or_given_up_by_its_caller() {
    let lab = start().await;
    assert_eq!(
        lab.emulator.place_incoming_call(IncomingCall::new(None)),
        Err(IncomingError::NobodyRegistered(None)),
        "nobody is registered yet"
    );
    let mut client = lab.registered("bob").await;

    let rejected = lab.emulator.place_incoming_call(IncomingCall::new(None)).unwrap();
    client.expect("invite").await;
    client.send("reject", json!({"callsid": rejected})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(lab.emulator.call(&rejected).unwrap().ended.unwrap().by, EndedBy::Rejected);

    let mut call = IncomingCall::new(Some("bob".into()));
    call.cancel_after = Some(Duration::from_millis(200));
    let cancelled = lab.emulator.place_incoming_call(call).unwrap();
    client.expect("invite").await;
    assert_eq!(client.expect("cancel").await, json!({"callsid": cancelled}));
    assert_eq!(lab.emulator.call(&cancelled).unwrap().ended.unwrap().by, EndedBy::Cancelled);

    // A token without the incoming grant is never rung.
    let mut carol = Client::connect(&lab.emulator).await;
    carol
        .listen(&lab.token_with("carol", unix_now(), 3600, |c| c["grants"]["voice"]["incoming"] = Value::Null), 0)
        .await;
    assert_eq!(carol.register(true).await["type"], "ready");
    let refused = lab.emulator.place_incoming_call(IncomingCall::new(Some("carol".into())));
    assert_eq!(refused, Err(IncomingError::NobodyRegistered(Some("carol".into()))));
}

#[tokio::test]
async fn an_ice_restart_reinvite_gets_a_fresh_answer() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, answer, _) = answered_call(&mut client, "+14155550100").await;
    let restart = media::offer();
    client.send("reinvite", json!({"sdp": restart.sdp, "callsid": callsid})).await;
    let fresh = client.expect("answer").await;
    assert_eq!(fresh["callsid"], callsid.as_str());
    assert!(fresh.get("reconnect").is_none());
    assert_ne!(fresh["sdp"], answer["sdp"]);
    let report = restart.accept(fresh["sdp"].as_str().unwrap()).run(Duration::from_millis(1200)).await;
    assert!(report.connected && report.received > 5, "{report:?}");
    assert!(lab.emulator.call(&callsid).unwrap().phases.contains(&"ice_restart"));
}

#[tokio::test]
async fn messages_are_acknowledged_and_a_wrong_type_gets_31210() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    let (_, callsid, _, _) = answered_call(&mut client, "+14155550100").await;
    let message = |kind: &str, id: &str| json!({"callsid": callsid, "content": {"hello": "world"}, "contenttype": "application/json", "messagetype": kind, "voiceeventsid": id});
    client.send("message", message("user-defined-message", "KX1")).await;
    assert_eq!(client.expect("ack").await, json!({"acktype": "message", "callsid": callsid, "voiceeventsid": "KX1"}));
    client.send("message", message("other", "KX2")).await;
    let refused = client.expect("error").await;
    assert_eq!((error_code(&refused), refused["voiceeventsid"].as_str()), (Some(31210), Some("KX2")));
    client.send("dtmf", json!({"callsid": callsid, "dtmf": "12#"})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let record = lab.emulator.call(&callsid).unwrap();
    assert_eq!((record.messages.len(), record.dtmf.as_str()), (1, "12#"));
}

#[tokio::test]
async fn malformed_frames_get_31100_and_unknown_ones_are_ignored() {
    let lab = start().await;
    let mut client = lab.registered("alice").await;
    client.send("invite", json!({"callsid": "TJS1", "twilio": {}})).await;
    let refused = client.expect("error").await;
    assert_eq!((error_code(&refused), refused["callsid"].as_str()), (Some(31100), Some("TJS1")));
    client.send("candidate", json!({"candidate": "x"})).await;
    client.send_text("not json").await;
    assert!(client.next_within(Duration::from_millis(300)).await.is_none());
    assert_eq!(client.register(true).await["type"], "ready", "the socket is still good");
}

/// One HTTPS request to the emulator's TLS port with a given Host; returns the status line,
/// headers and body as text.
async fn https(lab: &Lab, host: &str, request: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(lab.emulator.certificate_der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(lab.emulator.address()).await.unwrap();
    let name = ServerName::try_from(host.to_string()).unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response).to_string()
}

#[tokio::test]
async fn insights_posts_are_kept_with_their_token_check_and_sounds_are_served() {
    let lab = start().await;
    let token = lab.token("alice", 3600);
    let body = r#"{"group":"connection","name":"outgoing","level":"INFO"}"#;
    let post = |token: &str| {
        format!(
            "POST /v4/EndpointEvents HTTP/1.1\r\nHost: eventgw.us1.twilio.com\r\nContent-Type: application/json\r\nX-Twilio-Token: {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let accepted = https(&lab, "eventgw.us1.twilio.com", &post(&token)).await;
    assert!(accepted.starts_with("HTTP/1.1 200"), "{accepted}");
    let refused = https(&lab, "eventgw.us1.twilio.com", &post("forged")).await;
    assert!(refused.starts_with("HTTP/1.1 401") && refused.contains("20107"), "{refused}");
    let posts = lab.emulator.insights();
    assert_eq!(posts.len(), 2);
    assert_eq!(
        (posts[0].host.as_str(), posts[0].path.as_str(), posts[0].token_valid),
        ("eventgw.us1.twilio.com", "/v4/EndpointEvents", true)
    );
    assert_eq!(posts[0].body["name"], "outgoing");
    assert!(!posts[1].token_valid);

    let preflight = https(&lab, "eventgw.twilio.com", "OPTIONS /v4/EndpointMetrics HTTP/1.1\r\nHost: eventgw.twilio.com\r\nOrigin: http://127.0.0.1:1\r\nAccess-Control-Request-Headers: content-type,x-twilio-token\r\nConnection: close\r\n\r\n").await;
    let preflight = preflight.to_ascii_lowercase();
    assert!(
        preflight.contains("access-control-allow-origin: *") && preflight.contains("x-twilio-token"),
        "{preflight}"
    );

    let sound = https(&lab, "sdk.twilio.com", "GET /js/client/sounds/releases/1.0.0/incoming.mp3?cache=2.18.5 HTTP/1.1\r\nHost: sdk.twilio.com\r\nConnection: close\r\n\r\n").await;
    assert!(
        sound.starts_with("HTTP/1.1 200") && sound.contains("RIFF") && sound.contains("WAVE"),
        "{}",
        &sound[..sound.len().min(300)]
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_twilio_command_prints_one_json_line_and_stops_on_sigterm() {
    let mut child =
        Command::new(env!("CARGO_BIN_EXE_callscope-lab")).arg("twilio").stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(started["pid"].as_u64(), Some(child.id() as u64));
    let seed = &started["rest"]["seed"];
    assert!(
        seed["standard_key"]["sid"].as_str().unwrap().starts_with("SK") && seed["standard_key"]["secret"].is_string()
    );
    assert!(seed["application_sid"].as_str().unwrap().starts_with("AP"));
    let pstream = &started["pstream"];
    let address = pstream["wss_address"].as_str().unwrap();
    assert!(address.starts_with("127.0.0.1:"));
    let rules = pstream["host_resolver_rules"].as_str().unwrap();
    assert!(rules.starts_with(&format!("MAP voice-js.*.twilio.com {address}")), "{rules}");
    assert!(pstream["chromium_args"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == &json!(format!("--host-resolver-rules={rules}"))));
    let numbers = pstream["scenarios"]["numbers"].as_array().unwrap();
    assert!(numbers.iter().any(|n| n["to"] == "+14155551486" && n["name"] == "busy"));
    assert_eq!(started["access_token"]["declined_application_sid"], seed["application_without_voice_url_sid"]);

    // The control API answers while it runs.
    let clients = reqwest::get(format!("{}/clients", pstream["control_url"].as_str().unwrap())).await.unwrap();
    assert_eq!(clients.json::<Value>().await.unwrap(), json!([]));

    // Only the process this test started, by its id.
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the lab did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
