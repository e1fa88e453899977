//! SIP messages as the journal keeps them (the wire text, secrets redacted), read for the facts
//! a diagnosis needs: the status and reason phrase, and headers such as `Reason`, `Warning`,
//! `Contact` (a redirect's target), `WWW-Authenticate` (the realm of a challenge) and `Server`
//! (which hop answered). Outside text: nothing here trusts it beyond reading it.

/// One SIP message: its first line, headers (unfolded, compact names expanded) and body.
#[derive(Debug, Clone, PartialEq)]
pub struct SipMessage {
    pub first_line: String,
    /// Requests only (`INVITE`, `BYE`, ...).
    pub method: Option<String>,
    /// Responses only.
    pub status: Option<u16>,
    pub reason: Option<String>,
    /// `(lower-case full name, value)` in message order.
    headers: Vec<(String, String)>,
    pub has_body: bool,
}

impl SipMessage {
    /// Read the text of one SIP message; `None` when it is not one.
    pub fn parse(text: &str) -> Option<SipMessage> {
        let (head, body) = match text.find("\r\n\r\n").map(|i| (i, 4)).or_else(|| text.find("\n\n").map(|i| (i, 2))) {
            Some((at, gap)) => (&text[..at], &text[at + gap..]),
            None => (text, ""),
        };
        let mut lines = head.lines();
        let first_line = lines.next()?.trim().to_string();
        let (method, status, reason) = if let Some(rest) = first_line.strip_prefix("SIP/2.0 ") {
            let (code, phrase) = rest.split_once(' ').unwrap_or((rest, ""));
            let status: u16 = code.parse().ok().filter(|c| (100..700).contains(c))?;
            (None, Some(status), Some(phrase.trim().to_string()))
        } else {
            let mut parts = first_line.split_whitespace();
            let method = parts.next()?;
            let _uri = parts.next()?;
            if parts.next()? != "SIP/2.0" || !method.chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            (Some(method.to_ascii_uppercase()), None, None)
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((full_name(name.trim()), value.trim().to_string()));
            }
        }
        Some(SipMessage { first_line, method, status, reason, headers, has_body: body.contains("v=0") })
    }

    /// Every value of a header, by its full name (any case).
    pub fn headers<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let wanted = name.to_ascii_lowercase();
        self.headers.iter().filter(move |(n, _)| *n == wanted).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers(name).next()
    }

    /// The CSeq method (`INVITE` for every response to one).
    pub fn cseq_method(&self) -> Option<String> {
        self.header("cseq")?.split_whitespace().nth(1).map(str::to_ascii_uppercase)
    }

    /// The CSeq number.
    pub fn cseq_number(&self) -> Option<u64> {
        self.header("cseq")?.split_whitespace().next()?.parse().ok()
    }

    /// Whether the To header carries a tag (an in-dialog request: a re-INVITE, a BYE).
    pub fn in_dialog(&self) -> bool {
        self.header("to").is_some_and(|to| to.to_ascii_lowercase().contains(";tag="))
    }

    /// Who wrote it: `Server` (responses) or `User-Agent`.
    pub fn agent(&self) -> Option<&str> {
        self.header("server").or_else(|| self.header("user-agent")).filter(|a| !a.is_empty())
    }

    /// The realm of a digest challenge (`WWW-Authenticate` or `Proxy-Authenticate`).
    pub fn challenge_realm(&self) -> Option<String> {
        let challenge = self.header("www-authenticate").or_else(|| self.header("proxy-authenticate"))?;
        param(challenge, "realm")
    }

    /// Whether the request carries credentials (`Authorization` or `Proxy-Authorization`; the
    /// journal keeps the header with its value redacted).
    pub fn has_credentials(&self) -> bool {
        self.header("authorization").is_some() || self.header("proxy-authorization").is_some()
    }
}

/// A `Warning` header value (RFC 3261 §20.43): `399 pbx.example.com "Codec mismatch"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub code: u16,
    pub agent: String,
    pub text: String,
}

impl Warning {
    pub fn parse(value: &str) -> Option<Warning> {
        let mut parts = value.trim().splitn(3, ' ');
        let code: u16 = parts.next()?.parse().ok().filter(|c| (300..400).contains(c))?;
        let agent = parts.next().unwrap_or("").to_string();
        let text = parts.next().unwrap_or("").trim().trim_matches('"').to_string();
        Some(Warning { code, agent, text })
    }

    /// The meaning RFC 3261 §20.43 gives the code.
    pub fn meaning(&self) -> &'static str {
        match self.code {
            300 => "incompatible network protocol",
            301 => "incompatible network address formats",
            302 => "incompatible transport protocol",
            303 => "incompatible bandwidth units",
            304 => "media type not available",
            305 => "incompatible media format (no codec in common)",
            306 => "attribute not understood",
            307 => "session description parameter not understood",
            330 => "multicast not available",
            331 => "unicast not available",
            370 => "insufficient bandwidth",
            380 => "SIPS not allowed",
            381 => "SIPS required",
            _ => "a warning of the server's own",
        }
    }
}

/// The URI of a `Contact` value (`<sip:bob@example.com>;q=0.5` → `sip:bob@example.com`).
pub fn contact_uri(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(start), Some(end)) if end > start => value[start + 1..end].to_string(),
        _ => value.split(';').next().unwrap_or(value).trim().to_string(),
    }
}

/// A parameter of a header value (`realm="lab.test"`), unquoted.
fn param(value: &str, name: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        let before_ok = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = value[at + name.len()..].trim_start();
        if before_ok {
            if let Some(rest) = rest.strip_prefix('=') {
                let rest = rest.trim_start();
                return Some(match rest.strip_prefix('"') {
                    Some(quoted) => quoted.split('"').next().unwrap_or("").to_string(),
                    None => rest.split([',', ' ', ';']).next().unwrap_or("").to_string(),
                });
            }
        }
        from = at + name.len();
    }
    None
}

/// The full, lower-case name of a header (RFC 3261 §7.3.3 compact forms expanded).
fn full_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let full = match lower.as_str() {
        "i" => "call-id",
        "m" => "contact",
        "e" => "content-encoding",
        "l" => "content-length",
        "c" => "content-type",
        "f" => "from",
        "s" => "subject",
        "k" => "supported",
        "t" => "to",
        "v" => "via",
        "x" => "session-expires",
        other => return other.to_string(),
    };
    full.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "SIP/2.0 407 Proxy Authentication Required\r\nVia: SIP/2.0/WSS x.invalid\r\nTo: <sip:486@lab.test>;tag=abc\r\nCSeq: 1 INVITE\r\nProxy-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"n\"\r\nServer: lab-kamailio\r\nWarning: 399 pbx.example.com \"No credentials for this realm\"\r\n\r\n";

    #[test]
    fn responses_and_their_headers_read() {
        let m = SipMessage::parse(CHALLENGE).unwrap();
        assert_eq!((m.status, m.reason.as_deref()), (Some(407), Some("Proxy Authentication Required")));
        assert_eq!(m.challenge_realm().as_deref(), Some("pbx.example.com"));
        assert_eq!(m.agent(), Some("lab-kamailio"));
        assert_eq!(m.cseq_method().as_deref(), Some("INVITE"));
        assert!(m.in_dialog());
        let warning = Warning::parse(m.header("warning").unwrap()).unwrap();
        assert_eq!((warning.code, warning.text.as_str()), (399, "No credentials for this realm"));
    }

    #[test]
    fn requests_compact_headers_and_bodies() {
        let m = SipMessage::parse("INVITE sip:bob@x SIP/2.0\nv: SIP/2.0/WSS a\nm: <sip:a@b;transport=ws>\nProxy-Authorization: [redacted]\n\nv=0\r\n").unwrap();
        assert_eq!(m.method.as_deref(), Some("INVITE"));
        assert_eq!(m.header("contact"), Some("<sip:a@b;transport=ws>"));
        assert!(m.has_credentials() && m.has_body && !m.in_dialog());
        assert_eq!(contact_uri("\"Bob\" <sip:bob@other.example;transport=tcp>;q=0.7"), "sip:bob@other.example;transport=tcp");
        assert!(SipMessage::parse("{\"jsonrpc\":\"2.0\"}").is_none());
        assert!(SipMessage::parse("SIP/2.0 99999 Nope").is_none());
    }
}
