//! Just enough SIP over UDP to ask "are you there?": parse a message, send OPTIONS, read the reply.
//! The lab uses it to know when Kamailio is up and when each far end is registered (an OPTIONS
//! routed through Kamailio to `sip:tone@lab.test` is answered by baresip only once it is).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// A parsed SIP request or response. Header names are kept as sent; lookups ignore case and know
/// the compact forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipMessage {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl SipMessage {
    pub fn parse(bytes: &[u8]) -> Option<SipMessage> {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.split("\r\n");
        let start_line = lines.next()?.trim().to_string();
        if start_line.is_empty() {
            return None;
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                // A folded continuation line belongs to the previous header.
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            let (name, value) = line.split_once(':')?;
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
        Some(SipMessage { start_line, headers, body: body.to_string() })
    }

    /// `Some((status, reason phrase))` for a response.
    pub fn status(&self) -> Option<(u16, &str)> {
        let rest = self.start_line.strip_prefix("SIP/2.0 ")?;
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        Some((code.parse().ok()?, reason))
    }

    /// `Some(method)` for a request.
    pub fn method(&self) -> Option<&str> {
        if self.start_line.starts_with("SIP/2.0") {
            return None;
        }
        self.start_line.split(' ').next()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers_named(name).into_iter().next()
    }

    /// Every value of a header, in order (a header may repeat, e.g. Via or Record-Route).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        let compact = compact_form(name);
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name) || compact.is_some_and(|c| n.eq_ignore_ascii_case(c)))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The CSeq method, to tell which request a response answers.
    pub fn cseq_method(&self) -> Option<&str> {
        self.header("CSeq")?.split_whitespace().nth(1)
    }
}

fn compact_form(name: &str) -> Option<&'static str> {
    const FORMS: [(&str, &str); 9] = [
        ("Via", "v"),
        ("From", "f"),
        ("To", "t"),
        ("Call-ID", "i"),
        ("Contact", "m"),
        ("Content-Length", "l"),
        ("Content-Type", "c"),
        ("Supported", "k"),
        ("Subject", "s"),
    ];
    FORMS.iter().find(|(full, _)| full.eq_ignore_ascii_case(name)).map(|(_, short)| *short)
}

/// A random token for branches, tags and Call-IDs.
pub fn token() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Sends one OPTIONS for `request_uri` to `proxy` and returns the final response, or `None` if none
/// came within `timeout` (retransmitted every 100 ms meanwhile, as the server may not be up yet).
pub fn options(proxy: SocketAddr, request_uri: &str, timeout: Duration) -> std::io::Result<Option<SipMessage>> {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    let local = socket.local_addr()?;
    let (branch, tag, call_id) = (token(), token(), token());
    let request = format!(
        "OPTIONS {request_uri} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK{branch}\r\n\
         Max-Forwards: 10\r\n\
         From: <sip:lab-probe@{host}>;tag={tag}\r\n\
         To: <{request_uri}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 OPTIONS\r\n\
         Accept: application/sdp\r\n\
         Content-Length: 0\r\n\r\n",
        host = super::accounts::DOMAIN,
    );
    let deadline = Instant::now() + timeout;
    let mut buffer = [0u8; 8192];
    while Instant::now() < deadline {
        socket.send_to(request.as_bytes(), proxy)?;
        let resend_at = (Instant::now() + Duration::from_millis(100)).min(deadline);
        loop {
            let now = Instant::now();
            if now >= resend_at {
                break;
            }
            socket.set_read_timeout(Some(resend_at - now))?;
            match socket.recv(&mut buffer) {
                Ok(n) => {
                    let Some(reply) = SipMessage::parse(&buffer[..n]) else { continue };
                    let answers_us = reply.header("Via").is_some_and(|via| via.contains(&branch));
                    if answers_us && reply.status().is_some_and(|(code, _)| code >= 200) {
                        return Ok(Some(reply));
                    }
                }
                // Nothing yet, or ICMP "port unreachable" from a server that is not up yet.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::ConnectionRefused
                    ) =>
                {
                    if e.kind() == std::io::ErrorKind::ConnectionRefused {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_response_with_repeated_compact_and_folded_headers() {
        let raw = b"SIP/2.0 503 Service Unavailable\r\n\
            v: SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bKa\r\n\
            Via: SIP/2.0/UDP 127.0.0.1:6;branch=z9hG4bKb\r\n\
            Reason: Q.850;cause=34;\r\n text=\"No circuit/channel available\"\r\n\
            CSeq: 7 INVITE\r\n\
            l: 0\r\n\r\n";
        let message = SipMessage::parse(raw).unwrap();
        assert_eq!(message.status(), Some((503, "Service Unavailable")));
        assert_eq!(message.method(), None);
        assert_eq!(message.headers_named("via").len(), 2);
        assert_eq!(message.header("Reason"), Some("Q.850;cause=34; text=\"No circuit/channel available\""));
        assert_eq!(message.cseq_method(), Some("INVITE"));
        assert_eq!(message.header("Content-Length"), Some("0"));
    }

    #[test]
    fn parses_a_request_with_a_body() {
        let message = SipMessage::parse(b"BYE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nv=0\r\n").unwrap();
        assert_eq!(message.method(), Some("BYE"));
        assert_eq!(message.status(), None);
        assert_eq!(message.body, "v=0\r\n");
        assert!(SipMessage::parse(b"").is_none());
    }

    #[test]
    fn options_to_a_port_where_nothing_listens_times_out() {
        let nobody = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap();
        let started = Instant::now();
        let reply = options(nobody, "sip:127.0.0.1", Duration::from_millis(300)).unwrap();
        assert!(reply.is_none());
        assert!(started.elapsed() >= Duration::from_millis(300));
    }
}
