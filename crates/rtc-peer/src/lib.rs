//! A WebRTC answering peer on str0m: it accepts an SDP offer, answers from this machine's
//! addresses, and then echoes the caller's audio, answers it with silence, sends nothing, or
//! never replies at all. The Echo line's far end uses it, and so do the lab's provider emulators.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::media::{Direction, MediaKind};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};
use tokio::sync::{mpsc, oneshot};

use serde::Serialize;

/// An Opus frame of 20 ms of silence (TOC 0xF8: CELT fullband, 20 ms, mono; then the silence
/// payload). What a far end with a dead microphone sends.
const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];
const COUNTER_INTERVAL: Duration = Duration::from_secs(2);

/// What the peer observed, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PeerEvent {
    Ice { state: String },
    DtlsConnected,
    Counters { rx_packets: u64, tx_packets: u64, rx_bytes: u64 },
    Error { message: String },
}

/// str0m needs its crypto provider installed once per process.
pub fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaMode {
    /// Send every audio packet back as it came.
    Echo,
    /// Answer each packet with a silent one: packets flow, nobody hears anything.
    Silence,
    /// Connect, receive, and send nothing back.
    Mute,
    /// Advertise an address that never answers, so ICE cannot connect.
    Unreachable,
}

/// How the media session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// Told to stop.
    Stopped,
    /// The media path was lost.
    PathLost(String),
}

/// A negotiated media session, ready to [`run`](Session::run).
pub struct Session {
    /// The answer (ours when we answered, theirs when we offered).
    pub answer_sdp: String,
    rtc: Rtc,
    sockets: Vec<UdpSocket>,
    mode: MediaMode,
}

/// Accept the caller's offer and build the answer.
pub fn answer(offer: &str, mode: MediaMode) -> Result<Session, String> {
    let offer = SdpOffer::from_sdp_string(offer).map_err(|e| format!("the offer SDP is not valid: {e}"))?;
    let (mut rtc, sockets) = peer_on_local_addresses(mode)?;
    let answer = rtc.sdp_api().accept_offer(offer).map_err(|e| format!("the offer could not be answered: {e}"))?;
    Ok(Session { answer_sdp: answer.to_sdp_string(), rtc, sockets, mode })
}

/// An audio offer from this peer, waiting for the other side's answer: what a network sends
/// when it places a call to the app (an incoming call, or a re-attach after a reconnect).
pub struct PendingOffer {
    pub offer_sdp: String,
    rtc: Rtc,
    pending: SdpPendingOffer,
    sockets: Vec<UdpSocket>,
    mode: MediaMode,
}

/// Make an audio offer (send and receive) from this machine's addresses.
pub fn offer(mode: MediaMode) -> Result<PendingOffer, String> {
    let (mut rtc, sockets) = peer_on_local_addresses(mode)?;
    let mut changes = rtc.sdp_api();
    changes.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, pending) = changes.apply().ok_or("str0m made no offer for an audio line")?;
    Ok(PendingOffer { offer_sdp: offer.to_sdp_string(), rtc, pending, sockets, mode })
}

impl PendingOffer {
    /// Apply the answer; the session then runs like an answering one.
    pub fn accept(mut self, answer_sdp: &str) -> Result<Session, String> {
        let answer = SdpAnswer::from_sdp_string(answer_sdp).map_err(|e| format!("the answer SDP is not valid: {e}"))?;
        self.rtc
            .sdp_api()
            .accept_answer(self.pending, answer)
            .map_err(|e| format!("the answer does not fit the offer: {e}"))?;
        Ok(Session { answer_sdp: answer_sdp.to_string(), rtc: self.rtc, sockets: self.sockets, mode: self.mode })
    }
}

fn peer_on_local_addresses(mode: MediaMode) -> Result<(Rtc, Vec<UdpSocket>), String> {
    install_crypto();
    let mut rtc = RtcConfig::new().build(Instant::now());
    let sockets = bind_sockets(mode)?;
    for socket in &sockets {
        let addr = socket.local_addr().map_err(|e| format!("reading a media socket's address: {e}"))?;
        let candidate = Candidate::host(addr, "udp").map_err(|e| format!("host candidate {addr}: {e}"))?;
        rtc.add_local_candidate(candidate);
    }
    Ok((rtc, sockets))
}

/// One UDP socket per local IPv4 address, so the caller can reach us whether it is this
/// machine's browser (loopback) or the webview (a LAN address). The unreachable mode binds
/// only loopback and never reads it.
fn bind_sockets(mode: MediaMode) -> Result<Vec<UdpSocket>, String> {
    let mut addrs = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
    if mode != MediaMode::Unreachable {
        let interfaces = if_addrs::get_if_addrs().map_err(|e| format!("listing network interfaces: {e}"))?;
        addrs.extend(
            interfaces
                .into_iter()
                .map(|i| i.ip())
                .filter(|ip| matches!(ip, IpAddr::V4(v4) if !v4.is_loopback() && !v4.is_link_local())),
        );
    }
    addrs
        .into_iter()
        .map(|ip| {
            let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).map_err(|e| format!("binding UDP on {ip}: {e}"))?;
            socket.set_nonblocking(true).map_err(|e| format!("UDP socket on {ip}: {e}"))?;
            Ok(socket)
        })
        .collect()
}

#[derive(Default)]
struct Counters {
    rx_packets: u64,
    tx_packets: u64,
    rx_bytes: u64,
}

impl Session {
    /// Run the media until `stop` fires (or its sender is dropped) or the path is lost.
    pub async fn run(self, on_event: impl Fn(PeerEvent) + Send + Sync, stop: oneshot::Receiver<()>) -> RunEnd {
        let sink: &(dyn Fn(PeerEvent) + Send + Sync) = &on_event;
        if self.mode == MediaMode::Unreachable {
            // Keep the sockets bound (so the address stays dead, not reused) until stopped.
            let _sockets = self.sockets;
            let _ = stop.await;
            return RunEnd::Stopped;
        }
        let mut sockets = Vec::with_capacity(self.sockets.len());
        for socket in self.sockets {
            match tokio::net::UdpSocket::from_std(socket) {
                Ok(socket) => sockets.push(Arc::new(socket)),
                Err(e) => return RunEnd::PathLost(format!("media socket: {e}")),
            }
        }
        let (packets_tx, packets_rx) = mpsc::channel(256);
        let readers: Vec<_> = sockets.iter().map(|s| tokio::spawn(read_socket(Arc::clone(s), packets_tx.clone()))).collect();
        drop(packets_tx);
        let end = MediaLoop { rtc: self.rtc, sockets, mode: self.mode, counters: Counters::default() }
            .run(sink, packets_rx, stop)
            .await;
        readers.iter().for_each(|reader| reader.abort());
        end
    }
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

type Sink<'a> = &'a (dyn Fn(PeerEvent) + Send + Sync);

struct MediaLoop {
    rtc: Rtc,
    sockets: Vec<Arc<tokio::net::UdpSocket>>,
    mode: MediaMode,
    counters: Counters,
}

impl MediaLoop {
    async fn run(mut self, sink: Sink<'_>, mut packets: mpsc::Receiver<Packet>, mut stop: oneshot::Receiver<()>) -> RunEnd {
        let mut next_report = Instant::now() + COUNTER_INTERVAL;
        loop {
            let deadline = match self.drive(sink).await {
                Ok(deadline) => deadline,
                Err(end) => {
                    self.report(sink);
                    return end;
                }
            };
            let wake = deadline.min(next_report);
            tokio::select! {
                packet = packets.recv() => {
                    let Some(packet) = packet else { return RunEnd::PathLost("media sockets closed".into()) };
                    let Ok(contents) = packet.data.as_slice().try_into() else { continue };
                    let input = Input::Receive(Instant::now(), Receive {
                        proto: Protocol::Udp,
                        source: packet.source,
                        destination: packet.destination,
                        contents,
                    });
                    if let Err(e) = self.rtc.handle_input(input) {
                        tracing::debug!("echo peer ignored a packet: {e}");
                    }
                }
                _ = tokio::time::sleep_until(wake.into()) => {
                    if let Err(e) = self.rtc.handle_input(Input::Timeout(Instant::now())) {
                        return RunEnd::PathLost(format!("media engine: {e}"));
                    }
                    if Instant::now() >= next_report {
                        self.report(sink);
                        next_report = Instant::now() + COUNTER_INTERVAL;
                    }
                }
                _ = &mut stop => {
                    self.report(sink);
                    self.rtc.disconnect();
                    return RunEnd::Stopped;
                }
            }
        }
    }

    /// Send what str0m wants sent and handle its events, until it next wants time to pass.
    async fn drive(&mut self, sink: Sink<'_>) -> Result<Instant, RunEnd> {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(deadline)) => return Ok(deadline),
                Ok(Output::Transmit(transmit)) => {
                    if let Some(socket) = self.sockets.iter().find(|s| s.local_addr().ok() == Some(transmit.source)) {
                        if let Err(e) = socket.send_to(&transmit.contents, transmit.destination).await {
                            tracing::debug!("echo peer could not send to {}: {e}", transmit.destination);
                        }
                    }
                }
                Ok(Output::Event(event)) => self.handle(event, sink)?,
                Err(e) => return Err(RunEnd::PathLost(format!("media engine: {e}"))),
            }
        }
    }

    fn handle(&mut self, event: Event, sink: Sink<'_>) -> Result<(), RunEnd> {
        match event {
            Event::IceConnectionStateChange(state) => {
                let name = format!("{state:?}").to_ascii_lowercase();
                sink(PeerEvent::Ice { state: name });
                if state == IceConnectionState::Disconnected {
                    return Err(RunEnd::PathLost("the media path was lost (ICE disconnected)".into()));
                }
            }
            Event::Connected => sink(PeerEvent::DtlsConnected),
            Event::MediaData(data) => {
                self.counters.rx_packets += 1;
                self.counters.rx_bytes += data.data.len() as u64;
                let payload: Arc<[u8]> = match self.mode {
                    MediaMode::Silence => Arc::from(&OPUS_SILENCE[..]),
                    MediaMode::Echo => data.data,
                    MediaMode::Mute | MediaMode::Unreachable => return Ok(()),
                };
                let Some(writer) = self.rtc.writer(data.mid) else { return Ok(()) };
                let Some(pt) = writer.match_params(data.params) else { return Ok(()) };
                match writer.write(pt, data.network_time, data.time, payload) {
                    Ok(()) => self.counters.tx_packets += 1,
                    Err(e) => tracing::debug!("echo peer could not write media: {e}"),
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn report(&self, sink: Sink<'_>) {
        sink(PeerEvent::Counters {
            rx_packets: self.counters.rx_packets,
            tx_packets: self.counters.tx_packets,
            rx_bytes: self.counters.rx_bytes,
        });
    }
}
