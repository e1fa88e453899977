//! A small PStream client over WSS, speaking as `@twilio/voice-sdk` 2.18 does (twilio.md §2.4).

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use callscope_lab::twilio_pstream::PStreamEmulator;

/// The default signalling host (edge `roaming`).
pub const ROAMING: &str = "voice-js.roaming.twilio.com";
const PATIENCE: Duration = Duration::from_secs(5);

pub struct Client {
    ws: WebSocketStream<TlsStream<TcpStream>>,
    /// `"\n"` frames received so far.
    pub heartbeats: usize,
}

/// How a socket ended, seen from the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// A WebSocket close frame came first.
    CloseFrame,
    /// The connection went away without one (what a browser reports as 1006).
    Abruptly,
}

impl Client {
    pub async fn connect(emulator: &PStreamEmulator) -> Client {
        Client::connect_to(emulator, ROAMING).await
    }

    /// Opens `wss://{host}/signal` on the emulator, trusting the run's certificate.
    pub async fn connect_to(emulator: &PStreamEmulator, host: &str) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(emulator.certificate_der().clone()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = TcpStream::connect(emulator.address()).await.unwrap();
        let name = ServerName::try_from(host.to_string()).unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        let (ws, _) = tokio_tungstenite::client_async(format!("wss://{host}/signal"), tls).await.unwrap();
        Client { ws, heartbeats: 0 }
    }

    /// Sends `{"payload", "type", "version": "1.6"}`, as `PStream._publish` does.
    pub async fn send(&mut self, kind: &str, payload: Value) {
        self.send_text(&json!({"payload": payload, "type": kind, "version": "1.6"}).to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    /// The next frame that is not a heartbeat, or `None` if none comes within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()?;
            match message {
                Some(Ok(Message::Text(text))) if text.as_str() == "\n" => self.heartbeats += 1,
                Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(text.as_str()).unwrap()),
                Some(Ok(_)) => {}
                other => panic!("the socket ended while a frame was awaited: {other:?}"),
            }
        }
    }

    /// The next frame that is not a heartbeat; fails the test if none comes.
    pub async fn next(&mut self) -> Value {
        self.next_within(PATIENCE).await.expect("no frame from the gateway within 5 s")
    }

    /// The next frame, which must be of `kind`; returns its payload.
    pub async fn expect(&mut self, kind: &str) -> Value {
        let frame = self.next().await;
        assert_eq!(frame["type"], kind, "expected {kind}, got {frame}");
        assert_eq!(frame["version"], "1.6", "{frame}");
        frame["payload"].clone()
    }

    /// Waits for the socket to end, skipping frames.
    pub async fn ended(&mut self, wait: Duration) -> Ended {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await.expect("the socket stayed open") {
                Some(Ok(Message::Close(_))) => return Ended::CloseFrame,
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Ended::Abruptly,
            }
        }
    }

    /// `listen` as the SDK sends it on open; returns the next frame (`connected` or `error`).
    pub async fn listen(&mut self, token: &str, reconnect_timeout: u64) -> Value {
        let browserinfo = json!({"browser": {"platform": "Linux x86_64", "userAgent": "callscope-lab test"}, "p": "browser", "plugin": "rtc", "v": "2.18.5"});
        self.send("listen", json!({"browserinfo": browserinfo, "reconnectTimeout": reconnect_timeout, "token": token}))
            .await;
        self.next().await
    }

    pub async fn register(&mut self, audio: bool) -> Value {
        self.send("register", json!({"media": {"audio": audio}})).await;
        self.next().await
    }

    /// An outgoing call to `to`, with the SDK's temporary id; returns that id.
    pub async fn invite(&mut self, to: &str, sdp: &str) -> String {
        let temporary = format!("TJS{}", uuid::Uuid::new_v4());
        let params = serde_urlencoded::to_string([("To", to), ("Agent", "42")]).unwrap();
        self.send("invite", json!({"callsid": temporary, "sdp": sdp, "twilio": {"params": params}})).await;
        temporary
    }
}
