//! A bare STUN Binding request (RFC 8489 §6), to know when coturn answers. The tests probe TURN in
//! depth with a full STUN library; start-up only needs "is anybody there".

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

const BINDING_REQUEST: u16 = 0x0001;
const BINDING_SUCCESS: u16 = 0x0101;
const MAGIC_COOKIE: u32 = 0x2112_A442;

/// `true` once `server` answers a Binding request with a success response for our transaction,
/// retrying every 50 ms until `timeout`.
pub fn binding_succeeds(server: SocketAddr, timeout: Duration) -> std::io::Result<bool> {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    let transaction: [u8; 12] = rand::random();
    let mut request = Vec::with_capacity(20);
    request.extend(BINDING_REQUEST.to_be_bytes());
    request.extend(0u16.to_be_bytes());
    request.extend(MAGIC_COOKIE.to_be_bytes());
    request.extend(transaction);

    let deadline = Instant::now() + timeout;
    let mut buffer = [0u8; 1500];
    while Instant::now() < deadline {
        socket.send_to(&request, server)?;
        socket.set_read_timeout(Some(Duration::from_millis(50)))?;
        match socket.recv(&mut buffer) {
            Ok(n) if n >= 20 => {
                let kind = u16::from_be_bytes([buffer[0], buffer[1]]);
                if kind == BINDING_SUCCESS && buffer[8..20] == transaction {
                    return Ok(true);
                }
            }
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}
