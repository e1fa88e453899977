//! STUN and TURN requests against the lab's coturn, built with `stun-rs`, over UDP, TCP or TLS.
//! Each request reports success or coturn's STUN error code, the way the app's probe will.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
use stun_rs::attributes::stun::{ErrorCode, MessageIntegrity, Nonce, Realm, UserName, XorMappedAddress};
use stun_rs::attributes::turn::{LifeTime, RequestedTrasport, XorPeerAddress, XorRelayedAddress};
use stun_rs::methods::{ALLOCATE, BINDING, CREATE_PERMMISSION};
use stun_rs::{
    Algorithm, AlgorithmId, HMACKey, MessageClass, MessageDecoderBuilder, MessageEncoderBuilder, MessageMethod,
    StunMessage, StunMessageBuilder,
};

/// One STUN exchange: a request out, its response back.
pub trait Channel {
    fn exchange(&mut self, request: &[u8]) -> Vec<u8>;
}

pub struct UdpChannel(UdpSocket, SocketAddr);

impl UdpChannel {
    pub fn new(server: SocketAddr) -> UdpChannel {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        UdpChannel(socket, server)
    }
}

impl Channel for UdpChannel {
    fn exchange(&mut self, request: &[u8]) -> Vec<u8> {
        self.0.send_to(request, self.1).unwrap();
        let mut buffer = vec![0u8; 1500];
        let n = self.0.recv(&mut buffer).expect("coturn answers over UDP");
        buffer.truncate(n);
        buffer
    }
}

/// STUN over a byte stream (TCP or TLS): messages back to back, each one's length in its header.
pub struct StreamChannel<S: Read + Write>(S);

impl StreamChannel<TcpStream> {
    pub fn tcp(server: SocketAddr) -> StreamChannel<TcpStream> {
        let stream = TcpStream::connect_timeout(&server, Duration::from_secs(2)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        StreamChannel(stream)
    }
}

impl StreamChannel<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
    /// TLS that trusts exactly the lab's certificate.
    pub fn tls(
        server: SocketAddr,
        certificate_pem: &str,
    ) -> StreamChannel<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(certificate_pem.as_bytes()).unwrap()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connection = rustls::ClientConnection::new(Arc::new(config), ServerName::from(server.ip())).unwrap();
        let tcp = TcpStream::connect_timeout(&server, Duration::from_secs(2)).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        StreamChannel(rustls::StreamOwned::new(connection, tcp))
    }
}

impl<S: Read + Write> Channel for StreamChannel<S> {
    fn exchange(&mut self, request: &[u8]) -> Vec<u8> {
        self.0.write_all(request).unwrap();
        self.0.flush().unwrap();
        let mut message = vec![0u8; 20];
        self.0.read_exact(&mut message).expect("a STUN header");
        let length = u16::from_be_bytes([message[2], message[3]]) as usize;
        message.resize(20 + length, 0);
        self.0.read_exact(&mut message[20..]).expect("the STUN body");
        message
    }
}

/// A request's result: success, or the STUN error code and reason.
#[derive(Debug)]
pub enum Reply {
    Success(StunMessage),
    Error(u16, String),
}

impl Reply {
    pub fn error_code(&self) -> Option<u16> {
        match self {
            Reply::Error(code, _) => Some(*code),
            Reply::Success(_) => None,
        }
    }

    pub fn success(self) -> StunMessage {
        match self {
            Reply::Success(message) => message,
            Reply::Error(code, reason) => panic!("expected success, got {code} {reason:?}"),
        }
    }
}

/// Long-term credentials and the server's current nonce for one 5-tuple (coturn binds nonces to it).
pub struct Session<C: Channel> {
    channel: C,
    username: String,
    password: String,
    realm: String,
    nonce: String,
}

pub fn binding(channel: &mut impl Channel) -> SocketAddr {
    let message = exchange(channel, StunMessageBuilder::new(BINDING, MessageClass::Request).build()).success();
    *message.get::<XorMappedAddress>().expect("XOR-MAPPED-ADDRESS").as_xor_mapped_address().unwrap().socket_address()
}

impl<C: Channel> Session<C> {
    /// Sends an unauthenticated Allocate to learn realm and nonce (coturn answers 401).
    pub fn challenge(mut channel: C, username: &str, password: &str) -> Session<C> {
        let request = StunMessageBuilder::new(ALLOCATE, MessageClass::Request)
            .with_attribute(RequestedTrasport::new(stun_rs::protocols::UDP))
            .build();
        let response = exchange_raw(&mut channel, &request);
        assert_eq!(error_of(&response).map(|e| e.0), Some(401), "the first Allocate must be challenged");
        let realm = response.get::<Realm>().expect("REALM").as_realm().unwrap().as_str().to_string();
        let nonce = response.get::<Nonce>().expect("NONCE").as_nonce().unwrap().as_str().to_string();
        Session { channel, username: username.into(), password: password.into(), realm, nonce }
    }

    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// An authenticated Allocate for a UDP relay: `Success` carries XOR-RELAYED-ADDRESS.
    pub fn allocate(&mut self) -> Reply {
        let request = self.authenticated(ALLOCATE).with_attribute(RequestedTrasport::new(stun_rs::protocols::UDP));
        self.send(request)
    }

    pub fn create_permission(&mut self, peer: SocketAddr) -> Reply {
        let request = self.authenticated(CREATE_PERMMISSION).with_attribute(XorPeerAddress::from(peer));
        self.send(request)
    }

    fn authenticated(&self, method: MessageMethod) -> StunMessageBuilder {
        StunMessageBuilder::new(method, MessageClass::Request)
            .with_attribute(UserName::new(&self.username).unwrap())
            .with_attribute(Realm::new(&self.realm).unwrap())
            .with_attribute(Nonce::new(&self.nonce).unwrap())
    }

    fn send(&mut self, request: StunMessageBuilder) -> Reply {
        let username = UserName::new(&self.username).unwrap();
        let realm = Realm::new(&self.realm).unwrap();
        let key = HMACKey::new_long_term(&username, &realm, &self.password, Algorithm::from(AlgorithmId::MD5)).unwrap();
        exchange(&mut self.channel, request.with_attribute(MessageIntegrity::new(key)).build())
    }
}

pub fn relayed_address(message: &StunMessage) -> SocketAddr {
    *message.get::<XorRelayedAddress>().expect("XOR-RELAYED-ADDRESS").as_xor_relayed_address().unwrap().socket_address()
}

pub fn lifetime(message: &StunMessage) -> Duration {
    Duration::from_secs(lifetime_seconds(message))
}

fn lifetime_seconds(message: &StunMessage) -> u64 {
    message.get::<LifeTime>().expect("LIFETIME").as_life_time().unwrap().as_u32().into()
}

fn exchange(channel: &mut impl Channel, request: StunMessage) -> Reply {
    reply_of(exchange_raw(channel, &request))
}

fn exchange_raw(channel: &mut impl Channel, request: &StunMessage) -> StunMessage {
    let response = decode(&channel.exchange(&encode(request)));
    assert_eq!(response.transaction_id(), request.transaction_id(), "a response to another request");
    response
}

fn reply_of(response: StunMessage) -> Reply {
    match response.class() {
        MessageClass::SuccessResponse => Reply::Success(response),
        _ => {
            let (code, reason) = error_of(&response).expect("an error response carries ERROR-CODE");
            Reply::Error(code, reason)
        }
    }
}

fn error_of(response: &StunMessage) -> Option<(u16, String)> {
    let error = response.get::<ErrorCode>()?.as_error_code().ok()?.error_code();
    Some((error.error_code(), error.reason().trim().to_string()))
}

fn encode(message: &StunMessage) -> Vec<u8> {
    let mut buffer = vec![0u8; 1500];
    let size = MessageEncoderBuilder::default().build().encode(&mut buffer, message).unwrap();
    buffer.truncate(size);
    buffer
}

fn decode(bytes: &[u8]) -> StunMessage {
    MessageDecoderBuilder::default().build().decode(bytes).unwrap().0
}
