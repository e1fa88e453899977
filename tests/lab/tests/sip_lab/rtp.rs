//! Plain RTP for the tests: PCMU (G.711 µ-law) at 8 kHz, 20 ms packets, and the loudness of what
//! comes back, so a test can tell a tone from an echo from silence.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

pub struct RtpPeer {
    socket: UdpSocket,
    sequence: u16,
    timestamp: u32,
    phase: f64,
}

/// What arrived while we were sending.
#[derive(Debug, Default)]
pub struct Heard {
    pub packets: usize,
    /// RMS of the decoded samples of every packet, in arrival order (full scale is 32767).
    pub loudness: Vec<f64>,
}

impl Heard {
    /// Mean loudness over the last `packets` packets (0 if none).
    pub fn recent_loudness(&self, packets: usize) -> f64 {
        let recent = &self.loudness[self.loudness.len().saturating_sub(packets)..];
        if recent.is_empty() {
            0.0
        } else {
            recent.iter().sum::<f64>() / recent.len() as f64
        }
    }
}

impl RtpPeer {
    pub fn bind() -> RtpPeer {
        RtpPeer { socket: UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap(), sequence: 1, timestamp: 0, phase: 0.0 }
    }

    pub fn port(&self) -> u16 {
        self.socket.local_addr().unwrap().port()
    }

    /// An SDP offer for plain RTP/AVP PCMU on our port.
    pub fn offer(&self) -> String {
        format!(
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n",
            self.port()
        )
    }

    /// For `duration`, sends a tone of `frequency` Hz at `amplitude` (0 for silence) to `to` every
    /// 20 ms, and records everything that arrives.
    pub fn talk(&mut self, to: SocketAddr, frequency: f64, amplitude: f64, duration: Duration, heard: &mut Heard) {
        let started = Instant::now();
        let mut next_send = started;
        let mut buffer = [0u8; 1500];
        while started.elapsed() < duration {
            if Instant::now() >= next_send {
                let packet = self.packet(frequency, amplitude);
                self.socket.send_to(&packet, to).unwrap();
                next_send += Duration::from_millis(20);
            }
            let wait = next_send.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
            self.socket.set_read_timeout(Some(wait)).unwrap();
            if let Ok(n) = self.socket.recv(&mut buffer) {
                if n > 12 && buffer[0] >> 6 == 2 && buffer[1] & 0x7f == 0 {
                    heard.packets += 1;
                    heard.loudness.push(rms(&buffer[12..n]));
                }
            }
        }
    }

    fn packet(&mut self, frequency: f64, amplitude: f64) -> Vec<u8> {
        const SAMPLES: usize = 160;
        let mut packet = vec![0x80, 0x00];
        packet.extend(self.sequence.to_be_bytes());
        packet.extend(self.timestamp.to_be_bytes());
        packet.extend(0x4c41_4221u32.to_be_bytes());
        for _ in 0..SAMPLES {
            let sample = (self.phase.sin() * amplitude) as i16;
            packet.push(linear_to_ulaw(sample));
            self.phase += 2.0 * std::f64::consts::PI * frequency / 8000.0;
        }
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(SAMPLES as u32);
        packet
    }
}

/// The connection address and port of the first audio stream of an SDP body.
pub fn media_address(sdp: &str) -> Option<SocketAddr> {
    let ip = sdp.lines().find_map(|l| l.strip_prefix("c=IN IP4 "))?.trim();
    let port = sdp.lines().find_map(|l| l.strip_prefix("m=audio "))?.split_whitespace().next()?;
    format!("{ip}:{port}").parse().ok()
}

fn rms(payload: &[u8]) -> f64 {
    let sum: f64 = payload.iter().map(|&b| f64::from(ulaw_to_linear(b)).powi(2)).sum();
    (sum / payload.len() as f64).sqrt()
}

/// G.711 µ-law encoding (ITU-T G.711, with the usual bias of 0x84 and clip at 32635).
fn linear_to_ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    let mut value = i32::from(sample);
    let sign = if value < 0 {
        value = -value;
        0x80
    } else {
        0
    };
    value = value.min(32_635) + BIAS;
    let exponent = (7 - (value as u32).leading_zeros().saturating_sub(17).min(7)) as i32;
    let mantissa = (value >> (exponent + 3)) & 0x0f;
    !(sign | (exponent << 4) | mantissa) as u8
}

fn ulaw_to_linear(byte: u8) -> i16 {
    let byte = !byte;
    let sign = byte & 0x80;
    let exponent = i32::from((byte >> 4) & 0x07);
    let mantissa = i32::from(byte & 0x0f);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

#[test]
fn ulaw_round_trips_within_its_quantisation_error() {
    for sample in [-32_000i16, -1000, -1, 0, 1, 100, 1000, 8000, 32_000] {
        let back = ulaw_to_linear(linear_to_ulaw(sample));
        let error = (i32::from(back) - i32::from(sample)).abs();
        assert!(error <= i32::from(sample).abs() / 16 + 8, "{sample} came back as {back}");
    }
}
