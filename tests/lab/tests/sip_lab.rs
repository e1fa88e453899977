//! The SIP lab, started for real: Kamailio, rtpengine, baresip and coturn from Debian's packages.
//! These tests need those packages and fail (not skip) without them, naming what to install.
//!
//! The client here is a small SIP user agent over UDP, ws:// and wss:// (tests/sip_lab/ua.rs) with
//! plain RTP (rtp.rs) and STUN/TURN requests (turn.rs). The browser's side of WebRTC (ICE and
//! DTLS towards rtpengine) is proven with Chromium by the end-to-end tests; here the SDP that a
//! browser would get is checked.

#[path = "sip_lab/rtp.rs"]
mod rtp;
#[path = "sip_lab/transport.rs"]
mod transport;
#[path = "sip_lab/turn.rs"]
mod turn;
#[path = "sip_lab/ua.rs"]
mod ua;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use callscope_lab::sip::dialplan::{Route, UNKNOWN_NUMBER};
use callscope_lab::sip::process::{is_alive, live_group_members};
use callscope_lab::sip::{
    DialPlanEntry, FarEnd, Media, SipLab, SipLabConfig, Timers, ALICE, DIAL_PLAN, TURN_OTHER_USER, TURN_USER,
    TURN_WRONG_PASSWORD,
};

use rtp::{Heard, RtpPeer};
use transport::{Udp, Ws};
use ua::Ua;

/// Starts a lab; a missing Debian package fails the test with the package's name.
fn start(config: SipLabConfig) -> SipLab {
    let started = Instant::now();
    let lab = SipLab::start_with(config).unwrap_or_else(|e| panic!("the SIP lab did not start: {e}"));
    eprintln!("lab up in {} ms: {}", started.elapsed().as_millis(), lab.run_dir().display());
    lab
}

fn default_lab() -> SipLab {
    start(SipLabConfig::default())
}

fn alice_over_udp(lab: &SipLab) -> Ua<Udp> {
    Ua::new(Udp::new(lab.sip_udp()), ALICE.user, ALICE.password)
}

const CALL_TIMEOUT: Duration = Duration::from_secs(15);

#[test]
fn every_rejecting_number_answers_with_its_status_reason_phrase_and_reason_header() {
    let lab = default_lab();
    let mut alice = alice_over_udp(&lab);
    let timers = SipLabConfig::default().timers;
    let rejecting = DIAL_PLAN.iter().filter(|e| matches!(e.route, Route::Reject { .. } | Route::NotRegistered));
    let mut checked = 0;
    for entry in rejecting {
        let expected = entry.expected(timers);
        let outcome = alice.invite(entry.number, &RtpPeer::bind().offer(), CALL_TIMEOUT);
        let (status, reason) = outcome.status();
        eprintln!(
            "{:<8} -> {status} {reason} {:?} in {:?}",
            entry.number,
            outcome.response.header("Reason"),
            outcome.elapsed
        );
        assert_eq!((status, reason.as_str()), (expected.status, expected.reason), "dialled {}", entry.number);
        assert_eq!(
            outcome.response.header("Reason").map(str::to_string),
            expected.q850.map(|q| q.header_value()),
            "dialled {}",
            entry.number
        );
        assert!(outcome.provisional.is_empty(), "{} should fail before ringing", entry.number);
        checked += 1;
    }
    assert_eq!(checked, 7, "486, 404, 403, 480, 503, 603 and the unregistered user");

    // The issue's own words, independent of the dial plan table.
    let busy_circuits = alice.invite("503", &RtpPeer::bind().offer(), CALL_TIMEOUT);
    assert_eq!(busy_circuits.status(), (503, "Service Unavailable".into()));
    assert_eq!(busy_circuits.response.header("Reason"), Some("Q.850;cause=34;text=\"No circuit/channel available\""));
    let unregistered = alice.invite("offline", &RtpPeer::bind().offer(), CALL_TIMEOUT);
    assert_eq!(unregistered.status(), (480, "Not Registered".into()));

    let unknown = alice.invite("nosuchuser", &RtpPeer::bind().offer(), CALL_TIMEOUT);
    assert_eq!(unknown.status(), (UNKNOWN_NUMBER.status, UNKNOWN_NUMBER.reason.into()));
    assert_eq!(unknown.response.header("Reason"), None);
}

#[test]
fn a_call_without_credentials_is_challenged_and_wrong_credentials_are_refused() {
    let lab = default_lab();
    let mut mallory = Ua::new(Udp::new(lab.sip_udp()), ALICE.user, "not-alices-password");
    let outcome = mallory.invite("tone", &RtpPeer::bind().offer(), CALL_TIMEOUT);
    assert_eq!(outcome.status(), (403, "Forbidden".into()), "after the 407 challenge, a wrong password");
}

#[test]
fn the_silent_next_hop_and_the_unanswered_ring_end_on_the_lab_timers() {
    let timers = Timers { ring_timeout: Duration::from_millis(2500), silent_hop_timeout: Duration::from_millis(1200) };
    let lab = start(SipLabConfig { timers });
    let silent = {
        let mut caller = alice_over_udp(&lab);
        std::thread::spawn(move || caller.invite("408", &RtpPeer::bind().offer(), CALL_TIMEOUT))
    };
    let mut caller = alice_over_udp(&lab);
    let unanswered = caller.invite(FarEnd::Ringer.user(), &RtpPeer::bind().offer(), CALL_TIMEOUT);
    let silent = silent.join().unwrap();

    let expected = DialPlanEntry::find("408").unwrap().expected(timers);
    assert_eq!(silent.status(), (408, "Request Timeout".into()));
    assert_eq!((expected.status, expected.reason), (408, "Request Timeout"));
    assert!(silent.provisional.is_empty(), "nothing ever answers: {:?}", silent.provisional);
    // Kamailio's timer wheel may fire a few milliseconds before our clock's full span.
    assert!(silent.elapsed >= timers.silent_hop_timeout - Duration::from_millis(100), "{:?}", silent.elapsed);
    assert!(silent.elapsed < timers.silent_hop_timeout + Duration::from_millis(1500), "{:?}", silent.elapsed);

    assert_eq!(unanswered.provisional.first().map(|p| p.0), Some(180), "the ringer rings first");
    assert_eq!(unanswered.status(), (480, "No Answer".into()));
    assert_eq!(
        unanswered.response.header("Reason"),
        Some("Q.850;cause=19;text=\"No answer from user (user alerted)\"")
    );
    let ringing_for = unanswered.elapsed - unanswered.provisional[0].1;
    assert!(ringing_for >= timers.ring_timeout - Duration::from_millis(100), "rang for {ringing_for:?}");
    assert!(unanswered.elapsed < timers.ring_timeout + Duration::from_millis(1500), "{:?}", unanswered.elapsed);
    eprintln!(
        "408 after {:?}; ringer: 180 at {:?}, 480 after {:?}",
        silent.elapsed, unanswered.provisional[0].1, unanswered.elapsed
    );
}

/// Calls `number` from alice over UDP with plain RTP, sends a tone for a second and then silence
/// for a second, and returns what came back in each half.
fn call_and_listen(lab: &SipLab, number: &str) -> (Heard, Heard) {
    let mut alice = alice_over_udp(lab);
    let mut media = RtpPeer::bind();
    let mut outcome = alice.invite(number, &media.offer(), CALL_TIMEOUT);
    assert_eq!(outcome.status().0, 200, "{number}: {:?}", outcome.response);
    assert_eq!(outcome.provisional.first().map(|p| p.0), Some(180), "{number} rings before it answers");
    let dialog = outcome.dialog.as_mut().unwrap();
    alice.ack(dialog);
    let far = rtp::media_address(&outcome.response.body).expect("an SDP answer");
    let (low, high) = lab.info().signalling.media_ports;
    assert_eq!(far.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert!((low..=high).contains(&far.port()), "{number}: media at {far} is not rtpengine's ({low}-{high})");

    let (mut talking, mut silent) = (Heard::default(), Heard::default());
    media.talk(far, 1000.0, 8000.0, Duration::from_secs(1), &mut talking);
    media.talk(far, 1000.0, 0.0, Duration::from_secs(1), &mut silent);
    let bye = alice.bye(outcome.dialog.as_mut().unwrap());
    assert_eq!(bye.status().map(|s| s.0), Some(200), "BYE to {number}");
    (talking, silent)
}

#[test]
fn the_tone_and_echo_far_ends_answer_and_their_audio_flows_through_rtpengine() {
    let lab = default_lab();
    let (tone, echo) = std::thread::scope(|scope| {
        let tone = scope.spawn(|| call_and_listen(&lab, "tone"));
        let echo = scope.spawn(|| call_and_listen(&lab, "echo"));
        (tone.join().unwrap(), echo.join().unwrap())
    });
    const LOUD: f64 = 1000.0;
    const QUIET: f64 = 200.0;
    let last_half_second = 25;
    eprintln!(
        "tone: {} + {} packets, loudness {:.0} then {:.0}; echo: {} + {} packets, loudness {:.0} then {:.0}",
        tone.0.packets,
        tone.1.packets,
        tone.0.recent_loudness(last_half_second),
        tone.1.recent_loudness(last_half_second),
        echo.0.packets,
        echo.1.packets,
        echo.0.recent_loudness(last_half_second),
        echo.1.recent_loudness(last_half_second),
    );
    // 50 packets a second each way; allow for the call's set-up.
    assert!(tone.0.packets + tone.1.packets >= 80, "tone packets: {}", tone.0.packets + tone.1.packets);
    assert!(echo.0.packets + echo.1.packets >= 80, "echo packets: {}", echo.0.packets + echo.1.packets);
    // The tone plays whatever we send; the echo returns our tone, then our silence.
    assert!(tone.0.recent_loudness(last_half_second) > LOUD);
    assert!(tone.1.recent_loudness(last_half_second) > LOUD, "the tone keeps playing while we are silent");
    assert!(echo.0.recent_loudness(last_half_second) > LOUD, "our tone comes back");
    assert!(echo.1.recent_loudness(last_half_second) < QUIET, "our silence comes back");
}

#[test]
fn register_with_a_wrong_password_is_refused_over_udp_ws_and_wss_and_the_right_one_accepted() {
    let lab = default_lab();
    let info = lab.info().clone();
    let codes = |finals: Vec<callscope_lab::sip::wire::SipMessage>| {
        finals.iter().map(|r| r.status().unwrap().0).collect::<Vec<_>>()
    };

    let mut over_udp = alice_over_udp(&lab);
    assert_eq!(codes(over_udp.register("wrong-password")), [401, 403]);
    assert_eq!(codes(over_udp.register(ALICE.password)), [401, 200]);

    let mut over_ws = Ua::new(Ws::connect(&info.signalling.ws, None).unwrap(), ALICE.user, ALICE.password);
    assert_eq!(codes(over_ws.register("wrong-password")), [401, 403]);
    let accepted = over_ws.register(ALICE.password);
    assert_eq!(codes(accepted.clone()), [401, 200]);
    let contact = accepted[1].header("Contact").unwrap();
    assert!(contact.contains(";transport=ws") && contact.contains("received="), "{contact}");

    let mut over_wss =
        Ua::new(Ws::connect(&info.signalling.wss, Some(lab.certificate_pem())).unwrap(), "bob", "bob-lab-pass");
    assert_eq!(codes(over_wss.register("wrong-password")), [401, 403]);
    assert_eq!(codes(over_wss.register("bob-lab-pass")), [401, 200]);
}

/// What Chromium offers, near enough for rtpengine: ICE, DTLS-SRTP, rtcp-mux, Opus and PCMU.
fn webrtc_offer() -> String {
    webrtc_sdp(2, "sendrecv", "actpass")
}

/// A browser's SDP: version `version` of its session, media `direction`, DTLS `setup` role (a
/// hold is the same session with a higher version and `sendonly`).
fn webrtc_sdp(version: u32, direction: &str, setup: &str) -> String {
    let fingerprint: Vec<String> = (0..32).map(|i| format!("{:02X}", i * 7 % 256)).collect();
    format!(
        "v=0\r\no=- 4611731400430051336 {version} IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         m=audio 40000 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 127.0.0.1\r\na=rtcp:9 IN IP4 0.0.0.0\r\n\
         a=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host\r\n\
         a=ice-ufrag:lab1\r\na=ice-pwd:labpasswordlabpassword12\r\na=fingerprint:sha-256 {}\r\na=setup:{setup}\r\n\
         a=mid:0\r\na={direction}\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n",
        fingerprint.join(":")
    )
}

/// An SDP line's value (`a=fingerprint:` → the fingerprint), the first one.
fn sdp_value<'a>(sdp: &'a str, prefix: &str) -> Option<&'a str> {
    sdp.lines().find_map(|l| l.strip_prefix(prefix)).map(str::trim)
}

/// SDP a browser can take: ICE, DTLS-SRTP and rtcp-mux on the WebRTC profile.
fn assert_webrtc_sdp(sdp: &str, what: &str) {
    assert!(sdp.contains(" UDP/TLS/RTP/SAVPF "), "{what}: not the WebRTC profile:\n{sdp}");
    for line in ["a=fingerprint:", "a=ice-ufrag:", "a=ice-pwd:", "a=rtcp-mux", "a=candidate:"] {
        assert!(sdp.contains(line), "{what}: no {line}\n{sdp}");
    }
}

fn candidate_addresses(sdp: &str) -> Vec<String> {
    sdp.lines()
        .filter_map(|l| l.strip_prefix("a=candidate:"))
        .filter_map(|c| c.split_whitespace().nth(4).map(str::to_string))
        .collect()
}

#[test]
fn webrtc_offers_over_wss_get_ice_and_dtls_answers_and_the_media_fault_numbers_advertise_their_addresses() {
    let lab = default_lab();
    let wss = lab.info().signalling.wss.clone();
    let mut alice = Ua::new(Ws::connect(&wss, Some(lab.certificate_pem())).unwrap(), ALICE.user, ALICE.password);
    let answered = DIAL_PLAN.iter().filter(|e| e.expected(SipLabConfig::default().timers).status == 200);
    for entry in answered {
        let media = entry.media().unwrap();
        let mut outcome = alice.invite(entry.number, &webrtc_offer(), CALL_TIMEOUT);
        assert_eq!(outcome.status().0, 200, "{}: {:?}", entry.number, outcome.response);
        let answer = outcome.response.body.clone();
        let candidates = candidate_addresses(&answer);
        eprintln!(
            "{:<9} answer over wss: candidates {candidates:?}, ice-lite {}",
            entry.number,
            answer.contains("a=ice-lite")
        );
        assert!(answer.contains(" UDP/TLS/RTP/SAVPF "), "{}: {answer}", entry.number);
        assert!(
            answer.contains("a=fingerprint:") && answer.contains("a=ice-ufrag:") && answer.contains("a=rtcp-mux"),
            "{answer}"
        );
        assert!(!candidates.is_empty(), "{}: no candidates", entry.number);
        assert!(candidates.iter().all(|c| c == media.advertised_address()), "{}: {candidates:?}", entry.number);
        assert_eq!(
            answer.contains("a=ice-lite"),
            media == Media::IceFailure,
            "{}: only the ICE-failure number is ICE-lite",
            entry.number
        );
        let dialog = outcome.dialog.as_mut().unwrap();
        alice.ack(dialog);
        assert_eq!(alice.bye(dialog).status().map(|s| s.0), Some(200));
    }
    assert_eq!(Media::IceFailure.advertised_address(), "127.0.0.9");
    assert_eq!(Media::TurnPeerDenied.advertised_address(), "127.0.0.66");
}

/// Hold and resume are re-INVITEs; rtpengine must answer them for each leg as it did the INVITE:
/// a browser that gets plain RTP/AVP back (no ICE, no fingerprint) drops the call.
#[test]
fn hold_and_resume_re_invites_from_either_end_get_webrtc_sdp_towards_the_browser() {
    let lab = default_lab();
    let wss = lab.info().signalling.wss.clone();

    // The browser holds and resumes, as JsSIP does: the same session, sendonly, then sendrecv.
    let mut alice = Ua::new(Ws::connect(&wss, Some(lab.certificate_pem())).unwrap(), ALICE.user, ALICE.password);
    let mut outcome = alice.invite("tone", &webrtc_offer(), CALL_TIMEOUT);
    assert_eq!(outcome.status().0, 200, "{:?}", outcome.response);
    let first = outcome.response.body.clone();
    assert_webrtc_sdp(&first, "the answer");
    let dialog = outcome.dialog.as_mut().unwrap();
    alice.ack(dialog);
    for (version, offered, answered) in [(3, "sendonly", "a=recvonly"), (4, "sendrecv", "a=sendrecv")] {
        let response = alice.reinvite(dialog, &webrtc_sdp(version, offered, "actpass"));
        assert_eq!(response.status().map(|s| s.0), Some(200), "{offered}: {response:?}");
        let answer = &response.body;
        eprintln!("re-INVITE {offered}: {} / {answered}", answer.lines().find(|l| l.starts_with("m=")).unwrap_or(""));
        assert_webrtc_sdp(answer, &format!("the answer to the {offered} re-INVITE"));
        assert!(answer.lines().any(|l| l == answered), "{offered} answered with {answered}:\n{answer}");
        // The same DTLS identity and ICE session: the browser keeps its connection.
        for line in ["a=fingerprint:", "a=ice-ufrag:"] {
            assert_eq!(sdp_value(answer, line), sdp_value(&first, line), "{line} changed on the {offered} re-INVITE");
        }
    }
    assert_eq!(alice.bye(dialog).status().map(|s| s.0), Some(200));

    // The far end holds a call to a browser: baresip's re-INVITE (plain RTP, over UDP) reaches
    // the WebRTC user registered over wss:// as a WebRTC offer.
    let mut bob = Ua::new(Ws::connect(&wss, Some(lab.certificate_pem())).unwrap(), "bob", "bob-lab-pass");
    assert_eq!(bob.register("bob-lab-pass").last().unwrap().status().unwrap().0, 200);
    let mut control = lab.baresip_dial(FarEnd::Tone, "bob").unwrap();
    let invite = bob.wait_request("INVITE", Duration::from_secs(5)).expect("the tone far end calls bob");
    assert_webrtc_sdp(&invite.body, "the INVITE to bob");
    bob.reply(&invite, 200, "OK", &webrtc_sdp(2, "sendrecv", "active"));
    bob.wait_request("ACK", Duration::from_secs(5)).expect("baresip ACKs our 200");
    control.wait_event("CALL_ESTABLISHED", Duration::from_secs(5)).unwrap();
    for (command, offered, answer) in [("hold", "a=sendonly", "recvonly"), ("resume", "a=sendrecv", "sendrecv")] {
        assert!(control.command(command, "").unwrap().ok, "baresip refused {command}");
        let reinvite =
            bob.wait_request("INVITE", Duration::from_secs(5)).unwrap_or_else(|| panic!("no re-INVITE on {command}"));
        assert_webrtc_sdp(&reinvite.body, &format!("baresip's {command} re-INVITE"));
        assert!(reinvite.body.lines().any(|l| l == offered), "{command} offers {offered}:\n{}", reinvite.body);
        bob.reply(&reinvite, 200, "OK", &webrtc_sdp(3, answer, "active"));
        bob.wait_request("ACK", Duration::from_secs(5)).expect("baresip ACKs the re-INVITE's 200");
    }
    assert!(control.command("hangup", "").unwrap().ok);
    let bye = bob.wait_request("BYE", Duration::from_secs(5)).expect("the far end hangs up");
    bob.reply(&bye, 200, "OK", "");
}

#[test]
fn a_far_end_calls_a_registered_user_when_told_through_its_control_port() {
    let lab = default_lab();
    let mut alice = alice_over_udp(&lab);
    assert_eq!(alice.register(ALICE.password).last().unwrap().status().unwrap().0, 200);

    let mut control = lab.baresip_dial(FarEnd::Tone, ALICE.user).unwrap();
    let invite = alice.wait_request("INVITE", Duration::from_secs(5)).expect("the tone far end calls alice");
    assert!(invite.header("From").unwrap().contains("sip:tone@lab.test"), "{:?}", invite.header("From"));
    let offered = rtp::media_address(&invite.body).expect("an SDP offer");
    let (low, high) = lab.info().signalling.media_ports;
    assert!((low..=high).contains(&offered.port()), "the offer's media {offered} is not rtpengine's");

    let mut media = RtpPeer::bind();
    alice.reply(&invite, 180, "Ringing", "");
    control.wait_event("CALL_RINGING", Duration::from_secs(5)).unwrap();
    alice.reply(&invite, 200, "OK", &media.offer());
    alice.wait_request("ACK", Duration::from_secs(5)).expect("baresip ACKs our 200");
    let established = control.wait_event("CALL_ESTABLISHED", Duration::from_secs(5)).unwrap();
    assert_eq!(established["peeruri"], "sip:alice@lab.test", "{established}");

    let mut heard = Heard::default();
    media.talk(offered, 1000.0, 0.0, Duration::from_secs(1), &mut heard);
    assert!(heard.packets >= 30 && heard.recent_loudness(25) > 1000.0, "the tone reaches alice: {heard:?}");

    assert!(control.command("hangup", "").unwrap().ok);
    let bye = alice.wait_request("BYE", Duration::from_secs(5)).expect("the far end hangs up");
    alice.reply(&bye, 200, "OK", "");
    control.wait_event("CALL_CLOSED", Duration::from_secs(5)).unwrap();
}

#[test]
fn coturn_answers_stun_and_turn_allocate_with_good_and_wrong_credentials() {
    let lab = default_lab();
    let server = lab.turn_address();

    let mut udp = turn::UdpChannel::new(server);
    let mapped = turn::binding(&mut udp);
    assert_eq!(mapped.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));

    let mut good = turn::Session::challenge(turn::UdpChannel::new(server), TURN_USER.username, TURN_USER.credential);
    assert_eq!(good.realm(), "lab.test");
    let allocation = good.allocate().success();
    let relayed = turn::relayed_address(&allocation);
    assert_eq!(relayed.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert!(turn::lifetime(&allocation) > Duration::ZERO);
    let rtpengine = SocketAddr::from((Ipv4Addr::LOCALHOST, lab.info().signalling.media_ports.0));
    assert_eq!(good.create_permission(rtpengine).error_code(), None, "loopback peers are allowed");
    let denied = SocketAddr::from(([127, 0, 0, 66], 5000));
    assert_eq!(good.create_permission(denied).error_code(), Some(403), "the turnblock address is a denied peer");

    let mut wrong = turn::Session::challenge(
        turn::UdpChannel::new(server),
        TURN_WRONG_PASSWORD.username,
        TURN_WRONG_PASSWORD.credential,
    );
    assert_eq!(wrong.allocate().error_code(), Some(401));
    let mut other =
        turn::Session::challenge(turn::UdpChannel::new(server), TURN_OTHER_USER.username, TURN_OTHER_USER.credential);
    assert_eq!(other.allocate().error_code(), None, "the second static user is valid too");

    let mut over_tcp =
        turn::Session::challenge(turn::StreamChannel::tcp(server), TURN_USER.username, TURN_USER.credential);
    assert_eq!(over_tcp.allocate().error_code(), None, "TURN over TCP");
    let tls = lab.turn_tls_address();
    let mut over_tls = turn::Session::challenge(
        turn::StreamChannel::tls(tls, lab.certificate_pem()),
        TURN_USER.username,
        TURN_USER.credential,
    );
    assert_eq!(over_tls.allocate().error_code(), None, "TURN over TLS");
    let mut wrong_over_tls = turn::Session::challenge(
        turn::StreamChannel::tls(tls, lab.certificate_pem()),
        TURN_WRONG_PASSWORD.username,
        TURN_WRONG_PASSWORD.credential,
    );
    assert_eq!(wrong_over_tls.allocate().error_code(), Some(401));
}

#[test]
fn two_labs_run_at_once_on_their_own_ports_and_directories() {
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(default_lab);
        let second = scope.spawn(default_lab);
        (first.join().unwrap(), second.join().unwrap())
    });
    let (a, b) = (first.info(), second.info());
    assert_ne!(a.run_dir, b.run_dir);
    let ports = |info: &callscope_lab::sip::LabInfo| {
        let mut all = vec![
            info.signalling.ws.clone(),
            info.signalling.wss.clone(),
            info.signalling.sip.clone(),
            info.turn.udp.clone(),
        ];
        all.extend(info.far_ends.iter().map(|f| f.control.clone()));
        all
    };
    for address in ports(a) {
        assert!(!ports(b).contains(&address), "both labs use {address}");
    }
    let (a_media, b_media) = (a.signalling.media_ports, b.signalling.media_ports);
    assert!(a_media.1 < b_media.0 || b_media.1 < a_media.0, "media ranges overlap: {a_media:?} {b_media:?}");
    for lab in [&first, &second] {
        let mut alice = alice_over_udp(lab);
        assert_eq!(alice.invite("486", &RtpPeer::bind().offer(), CALL_TIMEOUT).status().0, 486);
        let mut answered = alice.invite("tone", &RtpPeer::bind().offer(), CALL_TIMEOUT);
        assert_eq!(answered.status().0, 200);
        let dialog = answered.dialog.as_mut().unwrap();
        alice.ack(dialog);
        assert_eq!(alice.bye(dialog).status().map(|s| s.0), Some(200));
    }
}

/// Every live process of the lab, workers included (each daemon leads a process group).
fn lab_processes(lab: &SipLab) -> Vec<u32> {
    lab.pids().iter().flat_map(|(_, pid)| live_group_members(*pid as i32)).collect()
}

#[test]
fn stop_and_drop_leave_no_process_behind() {
    let lab = default_lab();
    let processes = lab_processes(&lab);
    assert!(processes.len() > 6, "kamailio has workers besides its main process: {processes:?}");
    assert!(processes.iter().all(|&pid| is_alive(pid)));
    let stopping = Instant::now();
    lab.stop();
    eprintln!("{} processes stopped in {} ms", processes.len(), stopping.elapsed().as_millis());
    let left: Vec<u32> = processes.iter().copied().filter(|&pid| is_alive(pid)).collect();
    assert!(left.is_empty(), "still running after stop: {left:?}");

    // A test that panics while holding a lab stops it while unwinding.
    let (sender, receiver) = std::sync::mpsc::channel();
    let panicked = std::thread::spawn(move || {
        let lab = default_lab();
        sender.send(lab_processes(&lab)).unwrap();
        panic!("a failing test");
    })
    .join();
    assert!(panicked.is_err());
    let processes = receiver.recv().unwrap();
    let left: Vec<u32> = processes.iter().copied().filter(|&pid| is_alive(pid)).collect();
    assert!(left.is_empty(), "still running after the panic: {left:?}");
}

/// Starts `callscope-lab sip --json` and returns it with the JSON it printed.
fn start_sip_command() -> (std::process::Child, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callscope-lab"))
        .args(["sip", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    if line.is_empty() {
        let mut errors = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut errors).unwrap();
        panic!("callscope-lab sip printed nothing: {errors}");
    }
    (child, serde_json::from_str(&line).unwrap())
}

/// The live processes of every daemon the command listed, workers included.
fn command_processes(info: &Value) -> Vec<u32> {
    let leaders = info["processes"].as_array().unwrap().iter().map(|p| p["pid"].as_u64().unwrap() as i32);
    leaders.flat_map(live_group_members).collect()
}

fn assert_all_gone_within(processes: &[u32], limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let left: Vec<u32> = processes.iter().copied().filter(|&pid| is_alive(pid)).collect();
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "still running: {left:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_sip_command_prints_the_lab_as_json_and_stops_everything_on_sigterm() {
    let (mut child, info) = start_sip_command();
    assert_eq!(info["pid"].as_u64(), Some(u64::from(child.id())));
    assert!(info["signalling"]["ws"].as_str().unwrap().starts_with("ws://127.0.0.1:"));
    assert!(info["signalling"]["wss"].as_str().unwrap().starts_with("wss://127.0.0.1:"));
    assert_eq!(info["domain"], "lab.test");
    assert_eq!(info["timers"]["ring_timeout_ms"], 10_000);
    assert_eq!(info["timers"]["silent_hop_timeout_ms"], 3_000);
    let busy = info["dial_plan"].as_array().unwrap().iter().find(|n| n["number"] == "503").unwrap();
    assert_eq!(busy["reason_header"], "Q.850;cause=34;text=\"No circuit/channel available\"");
    assert_eq!(info["turn"]["wrong"]["credential"], "WRONG");
    assert!(info["callscope"]["add_account"].as_str().unwrap().contains("--wss-uri wss://127.0.0.1:"));

    // The lab really is up: its proxy answers on the printed address.
    let sip: SocketAddr = info["signalling"]["sip"].as_str().unwrap().parse().unwrap();
    let mut alice = Ua::new(Udp::new(sip), ALICE.user, ALICE.password);
    assert_eq!(alice.invite("603", &RtpPeer::bind().offer(), CALL_TIMEOUT).status().0, 603);

    let processes = command_processes(&info);
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the lab did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_all_gone_within(&processes, Duration::ZERO);
}

#[test]
fn the_daemons_die_with_the_sip_command_even_when_it_is_killed_outright() {
    let (mut child, info) = start_sip_command();
    let processes = command_processes(&info);
    assert!(processes.len() > 6, "kamailio's workers are there too: {processes:?}");
    // SIGKILL: no unwinding, no Drop. The kernel's parent-death signal must do the stopping.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_all_gone_within(&processes, Duration::from_secs(5));
}
