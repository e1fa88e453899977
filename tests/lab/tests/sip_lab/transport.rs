//! How the test client's SIP messages travel: UDP, or SIP over WebSocket (ws:// and wss://, the
//! way a browser talks to Kamailio, `Sec-WebSocket-Protocol: sip`).

use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

use callscope_lab::sip::wire::SipMessage;

pub trait Transport {
    /// `UDP` or `WS`/`WSS`, for the Via header.
    fn via_protocol(&self) -> &'static str;
    /// The host:port this client puts in Via and Contact.
    fn local_host(&self) -> String;
    /// The `;transport=` parameter for our Contact, if any.
    fn contact_transport(&self) -> &'static str;
    fn send(&mut self, message: &str);
    /// The next SIP message, or `None` after `timeout`.
    fn recv(&mut self, timeout: Duration) -> Option<SipMessage>;
}

pub struct Udp {
    socket: UdpSocket,
    proxy: SocketAddr,
}

impl Udp {
    pub fn new(proxy: SocketAddr) -> Udp {
        Udp { socket: UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap(), proxy }
    }
}

impl Transport for Udp {
    fn via_protocol(&self) -> &'static str {
        "UDP"
    }

    fn local_host(&self) -> String {
        self.socket.local_addr().unwrap().to_string()
    }

    fn contact_transport(&self) -> &'static str {
        ""
    }

    fn send(&mut self, message: &str) {
        self.socket.send_to(message.as_bytes(), self.proxy).unwrap();
    }

    fn recv(&mut self, timeout: Duration) -> Option<SipMessage> {
        let deadline = Instant::now() + timeout;
        let mut buffer = [0u8; 65_535];
        loop {
            let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?;
            self.socket.set_read_timeout(Some(left)).unwrap();
            match self.socket.recv(&mut buffer) {
                Ok(n) => {
                    if let Some(message) = SipMessage::parse(&buffer[..n]) {
                        return Some(message);
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return None,
                Err(e) => panic!("UDP receive failed: {e}"),
            }
        }
    }
}

type Stream = Box<dyn ReadWrite>;
trait ReadWrite: std::io::Read + std::io::Write + Send {
    fn set_read_timeout(&self, timeout: Option<Duration>);
}

impl ReadWrite for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        TcpStream::set_read_timeout(self, timeout).unwrap();
    }
}

impl ReadWrite for rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    fn set_read_timeout(&self, timeout: Option<Duration>) {
        self.sock.set_read_timeout(timeout).unwrap();
    }
}

/// SIP over a WebSocket, like JsSIP in a browser: a made-up `*.invalid` host in Via and Contact.
pub struct Ws {
    socket: WebSocket<Stream>,
    secure: bool,
    host: String,
}

impl Ws {
    /// `ws://` when `certificate_pem` is `None`; `wss://` trusting exactly that certificate otherwise.
    pub fn connect(uri: &str, certificate_pem: Option<&str>) -> Result<Ws, String> {
        let url = uri.strip_prefix("ws://").or_else(|| uri.strip_prefix("wss://")).ok_or("not a ws(s) URI")?;
        let address: SocketAddr = url.trim_end_matches('/').parse().map_err(|e| format!("{url}: {e}"))?;
        let tcp = TcpStream::connect_timeout(&address, Duration::from_secs(2)).map_err(|e| e.to_string())?;
        let stream: Stream = match certificate_pem {
            None => Box::new(tcp),
            Some(pem) => {
                let mut roots = rustls::RootCertStore::empty();
                roots
                    .add(CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let config = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| e.to_string())?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                let name = ServerName::from(address.ip());
                let connection = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
                Box::new(rustls::StreamOwned::new(connection, tcp))
            }
        };
        let mut request = uri.into_client_request().map_err(|e| e.to_string())?;
        request.headers_mut().insert("Sec-WebSocket-Protocol", "sip".parse().unwrap());
        let (socket, response) =
            tungstenite::client(request, stream).map_err(|e| format!("WebSocket handshake with {uri}: {e}"))?;
        let protocol = response.headers().get("Sec-WebSocket-Protocol").and_then(|v| v.to_str().ok());
        if protocol != Some("sip") {
            return Err(format!("the server chose protocol {protocol:?}, not sip"));
        }
        let host = format!("{}.invalid", callscope_lab::sip::wire::token());
        Ok(Ws { socket, secure: certificate_pem.is_some(), host })
    }
}

impl Transport for Ws {
    fn via_protocol(&self) -> &'static str {
        if self.secure {
            "WSS"
        } else {
            "WS"
        }
    }

    fn local_host(&self) -> String {
        self.host.clone()
    }

    fn contact_transport(&self) -> &'static str {
        ";transport=ws"
    }

    fn send(&mut self, message: &str) {
        self.socket.send(Message::text(message)).unwrap();
    }

    fn recv(&mut self, timeout: Duration) -> Option<SipMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?;
            self.socket.get_ref().set_read_timeout(Some(left));
            match self.socket.read() {
                Ok(Message::Text(text)) => return SipMessage::parse(text.as_bytes()),
                Ok(Message::Binary(bytes)) => return SipMessage::parse(&bytes),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return None
                }
                Err(e) => panic!("WebSocket receive failed: {e}"),
            }
        }
    }
}
