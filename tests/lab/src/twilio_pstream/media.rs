//! The far end's media, as Twilio's media servers would provide it: one str0m peer per call leg.
//!
//! Outgoing calls (and ICE restarts) offer from the browser, and `callscope-rtc-peer` answers with
//! host candidates on this machine (the SDK sends no candidates, so the browser's connectivity
//! checks arrive as peer-reflexive ones, §2.4). Incoming calls need the gateway to offer, which
//! that crate does not do, so [`offer`] makes the offer on str0m and runs a leg of the same kind.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use callscope_rtc_peer::{MediaMode, PeerEvent, RunEnd};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::media::{Direction, MediaKind};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};
use tokio::sync::{mpsc, oneshot};

/// Where a leg reports what it sees.
pub type MediaEvents = Arc<dyn Fn(PeerEvent) + Send + Sync>;

/// An Opus frame of 20 ms of silence, what callscope-rtc-peer sends in its silence mode.
const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];
const COUNTER_INTERVAL: Duration = Duration::from_secs(1);

/// A running leg; dropping it stops the peer.
pub struct MediaLeg {
    _stop: oneshot::Sender<()>,
}

fn spawn<F>(run: impl FnOnce(oneshot::Receiver<()>) -> F, events: MediaEvents) -> MediaLeg
where
    F: std::future::Future<Output = RunEnd> + Send + 'static,
{
    let (stop, stopped) = oneshot::channel();
    let run = run(stopped);
    tokio::spawn(async move {
        if let RunEnd::PathLost(why) = run.await {
            events(PeerEvent::Error { message: why });
        }
    });
    MediaLeg { _stop: stop }
}

/// Answers the browser's offer. Returns the answer SDP and the running leg.
pub fn answer(offer: &str, mode: MediaMode, events: MediaEvents) -> Result<(String, MediaLeg), String> {
    callscope_rtc_peer::install_crypto();
    let session = callscope_rtc_peer::answer(offer, mode)?;
    let answer_sdp = session.answer_sdp.clone();
    let sink = events.clone();
    Ok((answer_sdp, spawn(move |stopped| session.run(move |e| sink(e), stopped), events)))
}

/// The gateway's offer for an incoming call, waiting for the browser's answer.
pub struct Offer {
    pub sdp: String,
    rtc: Rtc,
    pending: SdpPendingOffer,
    sockets: Vec<UdpSocket>,
    mode: MediaMode,
}

/// An audio offer (`a=setup:actpass`) from this machine's addresses.
pub fn offer(mode: MediaMode) -> Result<Offer, String> {
    if mode == MediaMode::Unreachable {
        return Err("an incoming call's media cannot be unreachable".into());
    }
    callscope_rtc_peer::install_crypto();
    let mut rtc = RtcConfig::new().build(Instant::now());
    let sockets = bind_sockets()?;
    for socket in &sockets {
        let addr = socket.local_addr().map_err(|e| format!("reading a media socket's address: {e}"))?;
        rtc.add_local_candidate(Candidate::host(addr, "udp").map_err(|e| format!("host candidate {addr}: {e}"))?);
    }
    let mut changes = rtc.sdp_api();
    changes.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, pending) = changes.apply().ok_or("str0m made no offer for an audio line")?;
    Ok(Offer { sdp: offer.to_sdp_string(), rtc, pending, sockets, mode })
}

impl Offer {
    /// Applies the browser's answer and starts the leg.
    pub fn accept(mut self, answer_sdp: &str, events: MediaEvents) -> Result<MediaLeg, String> {
        let answer = SdpAnswer::from_sdp_string(answer_sdp).map_err(|e| format!("the answer SDP is not valid: {e}"))?;
        self.rtc
            .sdp_api()
            .accept_answer(self.pending, answer)
            .map_err(|e| format!("the answer does not fit the offer: {e}"))?;
        let mut sockets = Vec::with_capacity(self.sockets.len());
        for socket in self.sockets {
            sockets.push(Arc::new(tokio::net::UdpSocket::from_std(socket).map_err(|e| format!("media socket: {e}"))?));
        }
        let leg = OfferedLeg { rtc: self.rtc, sockets, mode: self.mode, rx_packets: 0, tx_packets: 0, rx_bytes: 0 };
        let sink = events.clone();
        Ok(spawn(move |stopped| leg.run(sink, stopped), events))
    }
}

/// Loopback (the browser on this machine) and the other IPv4 addresses (a webview that ignores
/// loopback), as callscope-rtc-peer binds them.
fn bind_sockets() -> Result<Vec<UdpSocket>, String> {
    let mut addrs = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    let interfaces = if_addrs::get_if_addrs().map_err(|e| format!("listing network interfaces: {e}"))?;
    addrs.extend(
        interfaces
            .into_iter()
            .map(|i| i.ip())
            .filter(|ip| matches!(ip, IpAddr::V4(v4) if !v4.is_loopback() && !v4.is_link_local())),
    );
    addrs
        .into_iter()
        .map(|ip| {
            let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).map_err(|e| format!("binding UDP on {ip}: {e}"))?;
            socket.set_nonblocking(true).map_err(|e| format!("UDP socket on {ip}: {e}"))?;
            Ok(socket)
        })
        .collect()
}

struct Packet {
    data: Vec<u8>,
    source: SocketAddr,
    destination: SocketAddr,
}

async fn read_socket(socket: Arc<tokio::net::UdpSocket>, packets: mpsc::Sender<Packet>) {
    let Ok(destination) = socket.local_addr() else { return };
    let mut buf = vec![0u8; 2000];
    while let Ok((n, source)) = socket.recv_from(&mut buf).await {
        if packets.send(Packet { data: buf[..n].to_vec(), source, destination }).await.is_err() {
            return;
        }
    }
}

/// The str0m loop of an offered leg: send what str0m wants sent, feed it packets and time, and
/// answer each received audio packet as the mode says.
struct OfferedLeg {
    rtc: Rtc,
    sockets: Vec<Arc<tokio::net::UdpSocket>>,
    mode: MediaMode,
    rx_packets: u64,
    tx_packets: u64,
    rx_bytes: u64,
}

impl OfferedLeg {
    async fn run(mut self, events: MediaEvents, mut stop: oneshot::Receiver<()>) -> RunEnd {
        let (packets_tx, mut packets) = mpsc::channel(256);
        let readers: Vec<_> =
            self.sockets.iter().map(|s| tokio::spawn(read_socket(Arc::clone(s), packets_tx.clone()))).collect();
        drop(packets_tx);
        let mut next_report = Instant::now() + COUNTER_INTERVAL;
        let end = loop {
            let deadline = match self.drive(&events).await {
                Ok(deadline) => deadline,
                Err(end) => break end,
            };
            tokio::select! {
                packet = packets.recv() => {
                    let Some(packet) = packet else { break RunEnd::PathLost("media sockets closed".into()) };
                    let Ok(contents) = packet.data.as_slice().try_into() else { continue };
                    let input = Input::Receive(Instant::now(), Receive {
                        proto: Protocol::Udp,
                        source: packet.source,
                        destination: packet.destination,
                        contents,
                    });
                    if let Err(e) = self.rtc.handle_input(input) {
                        tracing::debug!(target: "lab", "offered media ignored a packet: {e}");
                    }
                }
                _ = tokio::time::sleep_until(deadline.min(next_report).into()) => {
                    if let Err(e) = self.rtc.handle_input(Input::Timeout(Instant::now())) {
                        break RunEnd::PathLost(format!("media engine: {e}"));
                    }
                    if Instant::now() >= next_report {
                        self.report(&events);
                        next_report = Instant::now() + COUNTER_INTERVAL;
                    }
                }
                _ = &mut stop => {
                    self.rtc.disconnect();
                    break RunEnd::Stopped;
                }
            }
        };
        self.report(&events);
        readers.iter().for_each(|reader| reader.abort());
        end
    }

    async fn drive(&mut self, events: &MediaEvents) -> Result<Instant, RunEnd> {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(deadline)) => return Ok(deadline),
                Ok(Output::Transmit(transmit)) => {
                    if let Some(socket) = self.sockets.iter().find(|s| s.local_addr().ok() == Some(transmit.source)) {
                        let _ = socket.send_to(&transmit.contents, transmit.destination).await;
                    }
                }
                Ok(Output::Event(event)) => self.handle(event, events),
                Err(e) => return Err(RunEnd::PathLost(format!("media engine: {e}"))),
            }
        }
    }

    fn handle(&mut self, event: Event, events: &MediaEvents) {
        match event {
            Event::IceConnectionStateChange(state) => {
                events(PeerEvent::Ice { state: format!("{state:?}").to_ascii_lowercase() });
            }
            Event::Connected => events(PeerEvent::DtlsConnected),
            Event::MediaData(data) => {
                self.rx_packets += 1;
                self.rx_bytes += data.data.len() as u64;
                let payload: Arc<[u8]> = match self.mode {
                    MediaMode::Echo => data.data,
                    MediaMode::Silence => Arc::from(&OPUS_SILENCE[..]),
                    MediaMode::Mute | MediaMode::Unreachable => return,
                };
                let Some(writer) = self.rtc.writer(data.mid) else { return };
                let Some(pt) = writer.match_params(data.params) else { return };
                if writer.write(pt, data.network_time, data.time, payload).is_ok() {
                    self.tx_packets += 1;
                }
            }
            _ => {}
        }
    }

    fn report(&self, events: &MediaEvents) {
        events(PeerEvent::Counters {
            rx_packets: self.rx_packets,
            tx_packets: self.tx_packets,
            rx_bytes: self.rx_bytes,
        });
    }
}
