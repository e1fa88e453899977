//! The browser's media side, on str0m: it offers (outgoing calls) or answers (incoming calls),
//! connects ICE and DTLS to the gateway's peer, sends a 20 ms Opus frame every 20 ms and counts
//! what comes back.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;

const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];
const FRAME: Duration = Duration::from_millis(20);

#[derive(Debug, Default)]
pub struct MediaReport {
    pub connected: bool,
    pub sent: u64,
    pub received: u64,
}

pub struct Peer {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    /// The audio line: known at once to the offerer, from `MediaAdded` to the answerer.
    audio: Option<Mid>,
}

pub struct PendingOffer {
    peer: Peer,
    pending: SdpPendingOffer,
    pub sdp: String,
}

fn new_peer() -> Peer {
    callscope_rtc_peer::install_crypto();
    let socket = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    socket.set_nonblocking(true).unwrap();
    let local = socket.local_addr().unwrap();
    let mut rtc = RtcConfig::new().build(Instant::now());
    rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
    Peer { rtc, socket: UdpSocket::from_std(socket).unwrap(), local, audio: None }
}

/// An audio offer, as the SDK makes for an outgoing call (with a candidate, which the SDK's
/// offers usually lack; the gateway's peer does not depend on it).
pub fn offer() -> PendingOffer {
    let mut peer = new_peer();
    let mut changes = peer.rtc.sdp_api();
    let mid = changes.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, pending) = changes.apply().unwrap();
    peer.audio = Some(mid);
    PendingOffer { peer, pending, sdp: offer.to_sdp_string() }
}

impl PendingOffer {
    pub fn accept(mut self, answer: &str) -> Peer {
        let answer = SdpAnswer::from_sdp_string(answer).unwrap();
        self.peer.rtc.sdp_api().accept_answer(self.pending, answer).unwrap();
        self.peer
    }
}

/// Answers the gateway's offer (an incoming call).
pub fn answer(offer: &str) -> (Peer, String) {
    let mut peer = new_peer();
    let offer = SdpOffer::from_sdp_string(offer).unwrap();
    let answer = peer.rtc.sdp_api().accept_offer(offer).unwrap();
    (peer, answer.to_sdp_string())
}

impl Peer {
    /// Runs the media for `duration`.
    pub async fn run(mut self, duration: Duration) -> MediaReport {
        let end = Instant::now() + duration;
        let mut report = MediaReport::default();
        let mut next_frame = Instant::now();
        let mut buf = vec![0u8; 2000];
        while Instant::now() < end {
            let deadline = loop {
                match self.rtc.poll_output().unwrap() {
                    Output::Timeout(deadline) => break deadline,
                    Output::Transmit(t) => {
                        let _ = self.socket.send_to(&t.contents, t.destination).await;
                    }
                    Output::Event(Event::Connected) => report.connected = true,
                    Output::Event(Event::MediaAdded(added)) => self.audio = Some(added.mid),
                    Output::Event(Event::MediaData(_)) => report.received += 1,
                    Output::Event(_) => {}
                }
            };
            if !report.connected {
                next_frame = Instant::now() + FRAME;
            } else if Instant::now() >= next_frame {
                if let Some(mid) = self.audio {
                    self.send_frame(mid, &mut report);
                }
                next_frame += FRAME;
                continue;
            }
            let wake = deadline.min(next_frame).min(end);
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => {
                    let Ok((n, source)) = received else { continue };
                    let Ok(contents) = buf[..n].try_into() else { continue };
                    let input = Receive { proto: Protocol::Udp, source, destination: self.local, contents };
                    let _ = self.rtc.handle_input(Input::Receive(Instant::now(), input));
                }
                _ = tokio::time::sleep_until(wake.into()) => {
                    let _ = self.rtc.handle_input(Input::Timeout(Instant::now()));
                }
            }
        }
        report
    }

    fn send_frame(&mut self, mid: Mid, report: &mut MediaReport) {
        let Some(writer) = self.rtc.writer(mid) else { return };
        let Some(pt) = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).map(|p| p.pt()) else { return };
        let rtp_time = MediaTime::new(report.sent * 960, Frequency::FORTY_EIGHT_KHZ);
        if writer.write(pt, Instant::now(), rtp_time, &OPUS_SILENCE[..]).is_ok() {
            report.sent += 1;
        }
    }
}
