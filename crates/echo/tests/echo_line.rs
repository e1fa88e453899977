//! The Echo line's far end, driven by a real WebRTC peer (str0m as the caller): it answers,
//! echoes the audio back (or silence), refuses, rings out and takes our hangups.

use std::net::UdpSocket;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callscope_echo::{EchoLine, EchoSignal, FarEnd, Sink};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

/// Everything the far end reported, and a way to wait for a signal.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<FarEnd>>>);

impl Reports {
    fn sink(&self) -> Sink {
        let reports = self.clone();
        Arc::new(move |report| reports.0.lock().unwrap().push(report))
    }

    fn signals(&self) -> Vec<EchoSignal> {
        self.0.lock().unwrap().iter().filter_map(|r| if let FarEnd::Signal(s) = r { Some(s.clone()) } else { None }).collect()
    }

    async fn wait_for(&self, what: &str, matches: impl Fn(&EchoSignal) -> bool) -> EchoSignal {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(signal) = self.signals().into_iter().find(|s| matches(s)) {
                return signal;
            }
            assert!(Instant::now() < deadline, "no {what} signal; got {:?}", self.signals());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A caller: a str0m peer on loopback with one audio track.
struct Caller {
    rtc: Rtc,
    socket: UdpSocket,
    mid: Mid,
    pending: Option<SdpPendingOffer>,
}

impl Caller {
    fn new() -> (Caller, String) {
        str0m::crypto::from_feature_flags().install_process_default();
        let mut rtc = Rtc::builder().build(Instant::now());
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        rtc.add_local_candidate(Candidate::host(socket.local_addr().unwrap(), "udp").unwrap());
        let mut change = rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        (Caller { rtc, socket, mid, pending: Some(pending) }, offer.to_sdp_string())
    }

    fn accept(&mut self, answer_sdp: &str) {
        let answer = SdpAnswer::from_sdp_string(answer_sdp).unwrap();
        self.rtc.sdp_api().accept_answer(self.pending.take().unwrap(), answer).unwrap();
    }

    /// Send `count` 20 ms Opus frames and collect what comes back, for at most `within`.
    fn exchange(mut self, frame: &'static [u8], count: u32, within: Duration) -> Vec<Vec<u8>> {
        let start = Instant::now();
        let mut received = Vec::new();
        let mut connected = false;
        let mut sent = 0u32;
        let mut next_send = Instant::now();
        let mut buf = vec![0u8; 2000];
        while start.elapsed() < within && received.len() < count as usize {
            let timeout = loop {
                match self.rtc.poll_output().unwrap() {
                    Output::Timeout(t) => break t,
                    Output::Transmit(t) => {
                        self.socket.send_to(&t.contents, t.destination).unwrap();
                    }
                    Output::Event(Event::Connected) => connected = true,
                    Output::Event(Event::MediaData(data)) => received.push(data.data.to_vec()),
                    Output::Event(_) => {}
                }
            };
            if connected && sent < count && Instant::now() >= next_send {
                let writer = self.rtc.writer(self.mid).unwrap();
                let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).unwrap().pt();
                let time = MediaTime::new(u64::from(sent) * 960, Frequency::FORTY_EIGHT_KHZ);
                writer.write(pt, Instant::now(), time, frame.to_vec()).unwrap();
                sent += 1;
                next_send += Duration::from_millis(20);
                continue;
            }
            let wait = timeout.min(next_send).saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
            self.socket.set_read_timeout(Some(wait)).unwrap();
            let input = match self.socket.recv_from(&mut buf) {
                Ok((n, source)) => Input::Receive(
                    Instant::now(),
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.socket.local_addr().unwrap(),
                        contents: buf[..n].try_into().unwrap(),
                    },
                ),
                Err(_) => Input::Timeout(Instant::now()),
            };
            self.rtc.handle_input(input).unwrap();
        }
        received
    }
}

const SPEECH_FRAME: &[u8] = &[0x78, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07];
const OPUS_SILENCE: &[u8] = &[0xF8, 0xFF, 0xFE];

async fn answered_call(number: &str) -> (Arc<EchoLine>, Reports, Caller) {
    let line = Arc::new(EchoLine::new(Duration::from_secs(15)));
    let reports = Reports::default();
    let (mut caller, offer) = Caller::new();
    line.dial(number, number, &offer, reports.sink()).unwrap();
    let answer = reports.wait_for("answer", |s| matches!(s, EchoSignal::Answer { .. })).await;
    let EchoSignal::Answer { sdp } = answer else { unreachable!() };
    caller.accept(&sdp);
    (line, reports, caller)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_echo_number_sends_our_audio_back() {
    let (line, reports, caller) = answered_call("100").await;
    let echoed = tokio::task::spawn_blocking(move || caller.exchange(SPEECH_FRAME, 25, Duration::from_secs(10))).await.unwrap();
    assert!(echoed.len() >= 20, "only {} frames came back", echoed.len());
    assert!(echoed.iter().all(|frame| frame == SPEECH_FRAME), "the echo must be our own audio");
    assert!(line.hangup("100"));
    reports.wait_for("200 after BYE", |s| matches!(s, EchoSignal::HangupConfirmed { status: 200, .. })).await;
    let signals = reports.signals();
    assert_eq!(signals[0], EchoSignal::Trying);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_silence_number_answers_with_silent_packets() {
    let (_line, _reports, caller) = answered_call("silence").await;
    let echoed = tokio::task::spawn_blocking(move || caller.exchange(SPEECH_FRAME, 20, Duration::from_secs(10))).await.unwrap();
    assert!(echoed.len() >= 15, "packets must still flow, got {}", echoed.len());
    assert!(echoed.iter().all(|frame| frame == OPUS_SILENCE));
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_carry_sip_status_and_q850_cause() {
    for (number, status, cause) in [("103", 603, 21), ("busy", 486, 17), ("+15550000000", 404, 1)] {
        let line = Arc::new(EchoLine::new(Duration::from_secs(15)));
        let reports = Reports::default();
        let (_caller, offer) = Caller::new();
        line.dial("call", number, &offer, reports.sink()).unwrap();
        let reject = reports.wait_for("reject", |s| matches!(s, EchoSignal::Reject { .. })).await;
        assert!(
            matches!(reject, EchoSignal::Reject { status: s, q850_cause: c, .. } if s == status && c == cause),
            "{number}: {reject:?}"
        );
        assert_eq!(reports.signals()[0], EchoSignal::Trying, "{number} tries first");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ring_number_rings_until_it_gives_up_or_we_cancel() {
    let line = Arc::new(EchoLine::new(Duration::from_millis(400)));
    let reports = Reports::default();
    let (_caller, offer) = Caller::new();
    line.dial("a", "101", &offer, reports.sink()).unwrap();
    reports.wait_for("ringing", |s| *s == EchoSignal::Ringing).await;
    let gave_up = reports.wait_for("480", |s| matches!(s, EchoSignal::Reject { .. })).await;
    assert!(matches!(gave_up, EchoSignal::Reject { status: 480, q850_cause: 19, .. }), "{gave_up:?}");

    let reports = Reports::default();
    line.dial("b", "ring", &offer, reports.sink()).unwrap();
    reports.wait_for("ringing", |s| *s == EchoSignal::Ringing).await;
    assert!(line.hangup("b"));
    reports.wait_for("487 after CANCEL", |s| matches!(s, EchoSignal::HangupConfirmed { status: 487, .. })).await;
    assert!(!line.hangup("b"), "a finished call cannot be hung up twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_icefail_number_answers_but_its_media_never_replies() {
    let (_line, _reports, caller) = answered_call("105").await;
    let echoed = tokio::task::spawn_blocking(move || caller.exchange(SPEECH_FRAME, 5, Duration::from_secs(2))).await.unwrap();
    assert!(echoed.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_offer_is_refused_with_488() {
    let line = Arc::new(EchoLine::new(Duration::from_secs(15)));
    let reports = Reports::default();
    line.dial("x", "100", "v=0\r\nnot an sdp", reports.sink()).unwrap();
    let refusal = reports.wait_for("488", |s| matches!(s, EchoSignal::Reject { .. })).await;
    assert!(matches!(refusal, EchoSignal::Reject { status: 488, .. }));
    assert!(line.dial("y", "100", "  ", reports.sink()).is_err(), "an empty offer is bad input");
}
