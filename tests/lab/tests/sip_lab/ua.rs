//! A small SIP user agent for the tests: REGISTER and INVITE with digest authentication, ACK, BYE,
//! and answering an incoming INVITE. One call at a time, no retransmissions (loopback loses nothing).

use std::time::{Duration, Instant};

use md5::{Digest, Md5};

use callscope_lab::sip::wire::{token, SipMessage};
use callscope_lab::sip::DOMAIN;

use super::transport::Transport;

pub struct Ua<T: Transport> {
    pub transport: T,
    pub user: String,
    password: String,
    cseq: u32,
}

/// What an INVITE got: provisional replies (100 excluded) and the final one, with their times
/// from sending the INVITE that carried credentials.
pub struct Outcome {
    pub provisional: Vec<(u16, Duration)>,
    pub response: SipMessage,
    pub elapsed: Duration,
    pub dialog: Option<Dialog>,
}

impl Outcome {
    pub fn status(&self) -> (u16, String) {
        let (code, reason) = self.response.status().expect("a response");
        (code, reason.to_string())
    }
}

/// An established call, enough for ACK and BYE.
pub struct Dialog {
    call_id: String,
    from: String,
    to: String,
    remote_target: String,
    route_set: Vec<String>,
    cseq: u32,
}

impl<T: Transport> Ua<T> {
    pub fn new(transport: T, user: &str, password: &str) -> Ua<T> {
        Ua { transport, user: user.to_string(), password: password.to_string(), cseq: 0 }
    }

    fn via(&self, branch: &str) -> String {
        format!(
            "SIP/2.0/{} {};rport;branch=z9hG4bK{branch}",
            self.transport.via_protocol(),
            self.transport.local_host()
        )
    }

    fn contact(&self) -> String {
        format!("<sip:{}@{}{}>", self.user, self.transport.local_host(), self.transport.contact_transport())
    }

    /// REGISTERs with `password`; returns every final response in order (the challenge first).
    pub fn register(&mut self, password: &str) -> Vec<SipMessage> {
        let call_id = token();
        let tag = token();
        let mut authorization = None;
        let mut finals = Vec::new();
        for _ in 0..3 {
            self.cseq += 1;
            let branch = token();
            let request = format!(
                "REGISTER sip:{DOMAIN} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: <sip:{user}@{DOMAIN}>;tag={tag}\r\n\
                 To: <sip:{user}@{DOMAIN}>\r\nCall-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\nContact: {contact};expires=300\r\n\
                 Expires: 300\r\n{auth}Content-Length: 0\r\n\r\n",
                via = self.via(&branch),
                user = self.user,
                cseq = self.cseq,
                contact = self.contact(),
                auth = authorization.as_ref().map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default(),
            );
            self.transport.send(&request);
            let response = self.final_response(&call_id, self.cseq, Duration::from_secs(5)).0;
            let code = response.status().unwrap().0;
            finals.push(response.clone());
            if code != 401 || authorization.is_some() {
                break;
            }
            let challenge = response.header("WWW-Authenticate").expect("a 401 carries a challenge");
            authorization = Some(digest(challenge, "REGISTER", &format!("sip:{DOMAIN}"), &self.user, password));
        }
        finals
    }

    /// Calls `sip:<target>@lab.test` with `sdp`, answering a 407 challenge with our password.
    /// For a 2xx the dialog is returned (ACK not yet sent); any other final reply is ACKed here.
    pub fn invite(&mut self, target: &str, sdp: &str, timeout: Duration) -> Outcome {
        let call_id = token();
        let tag = token();
        let uri = format!("sip:{target}@{DOMAIN}");
        let from = format!("<sip:{}@{DOMAIN}>;tag={tag}", self.user);
        let mut proxy_authorization: Option<String> = None;
        loop {
            self.cseq += 1;
            let branch = token();
            let request = format!(
                "INVITE {uri} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {from}\r\nTo: <{uri}>\r\n\
                 Call-ID: {call_id}\r\nCSeq: {cseq} INVITE\r\nContact: {contact}\r\n{auth}\
                 Content-Type: application/sdp\r\nContent-Length: {length}\r\n\r\n{sdp}",
                via = self.via(&branch),
                cseq = self.cseq,
                contact = self.contact(),
                auth =
                    proxy_authorization.as_ref().map(|a| format!("Proxy-Authorization: {a}\r\n")).unwrap_or_default(),
                length = sdp.len(),
            );
            let sent = Instant::now();
            self.transport.send(&request);
            let (response, provisional) = self.final_response(&call_id, self.cseq, timeout);
            let elapsed = sent.elapsed();
            let code = response.status().unwrap().0;
            if (200..300).contains(&code) {
                let dialog = Dialog {
                    call_id: call_id.clone(),
                    from: from.clone(),
                    to: response.header("To").unwrap().to_string(),
                    remote_target: angle_uri(response.header("Contact").expect("a 2xx carries a Contact")),
                    // A UAC uses the Record-Route set in reverse.
                    route_set: response
                        .headers_named("Record-Route")
                        .iter()
                        .rev()
                        .flat_map(|v| split_list(v))
                        .collect(),
                    cseq: self.cseq,
                };
                return Outcome { provisional, response, elapsed, dialog: Some(dialog) };
            }
            self.ack_failure(&uri, &branch, &from, &call_id, self.cseq, &response);
            if code == 407 && proxy_authorization.is_none() {
                let challenge = response.header("Proxy-Authenticate").expect("a 407 carries a challenge");
                proxy_authorization = Some(digest(challenge, "INVITE", &uri, &self.user, &self.password));
                continue;
            }
            return Outcome { provisional, response, elapsed, dialog: None };
        }
    }

    /// The hop-by-hop ACK for a non-2xx final reply: same branch as the INVITE.
    fn ack_failure(&mut self, uri: &str, branch: &str, from: &str, call_id: &str, cseq: u32, response: &SipMessage) {
        let ack = format!(
            "ACK {uri} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
             CSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n",
            via = self.via(branch),
            to = response.header("To").unwrap(),
        );
        self.transport.send(&ack);
    }

    pub fn ack(&mut self, dialog: &Dialog) {
        let request = self.in_dialog("ACK", dialog, dialog.cseq);
        self.transport.send(&request);
    }

    /// Sends BYE and returns its final response.
    pub fn bye(&mut self, dialog: &mut Dialog) -> SipMessage {
        dialog.cseq += 1;
        let request = self.in_dialog("BYE", dialog, dialog.cseq);
        self.transport.send(&request);
        self.final_response(&dialog.call_id, dialog.cseq, Duration::from_secs(5)).0
    }

    /// A re-INVITE in `dialog` with a new offer (hold, resume): returns its final response, and
    /// ACKs it when it is a 2xx.
    pub fn reinvite(&mut self, dialog: &mut Dialog, sdp: &str) -> SipMessage {
        dialog.cseq += 1;
        let request = self.in_dialog_with_body("INVITE", dialog, dialog.cseq, sdp);
        self.transport.send(&request);
        let response = self.final_response(&dialog.call_id, dialog.cseq, Duration::from_secs(5)).0;
        if response.status().is_some_and(|(code, _)| (200..300).contains(&code)) {
            self.ack(dialog);
        }
        response
    }

    fn in_dialog(&self, method: &str, dialog: &Dialog, cseq: u32) -> String {
        self.in_dialog_with_body(method, dialog, cseq, "")
    }

    fn in_dialog_with_body(&self, method: &str, dialog: &Dialog, cseq: u32, sdp: &str) -> String {
        let routes: String = dialog.route_set.iter().map(|r| format!("Route: {r}\r\n")).collect();
        let offer = if sdp.is_empty() {
            String::new()
        } else {
            format!("Contact: {}\r\nContent-Type: application/sdp\r\n", self.contact())
        };
        format!(
            "{method} {target} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n{routes}From: {from}\r\nTo: {to}\r\n\
             Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n{offer}Content-Length: {length}\r\n\r\n{sdp}",
            target = dialog.remote_target,
            via = self.via(&token()),
            from = dialog.from,
            to = dialog.to,
            call_id = dialog.call_id,
            length = sdp.len(),
        )
    }

    /// Waits for the final response to (call_id, cseq), collecting provisional ones on the way.
    fn final_response(&mut self, call_id: &str, cseq: u32, timeout: Duration) -> (SipMessage, Vec<(u16, Duration)>) {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut provisional = Vec::new();
        loop {
            let left = deadline.checked_duration_since(Instant::now()).unwrap_or_default();
            let Some(message) = self.transport.recv(left) else {
                panic!("no final response to CSeq {cseq} within {timeout:?} (provisional so far: {provisional:?})");
            };
            let ours = message.header("Call-ID") == Some(call_id)
                && message.header("CSeq").and_then(|c| c.split_whitespace().next()?.parse::<u32>().ok()) == Some(cseq);
            let Some((code, _)) = message.status().filter(|_| ours) else { continue };
            if code >= 200 {
                return (message, provisional);
            }
            if code > 100 {
                provisional.push((code, started.elapsed()));
            }
        }
    }

    /// The next request with this method (others are ignored), or `None` after `timeout`.
    pub fn wait_request(&mut self, method: &str, timeout: Duration) -> Option<SipMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let message = self.transport.recv(left)?;
            if message.method() == Some(method) {
                return Some(message);
            }
        }
    }

    /// Answers `request` with `status`, echoing the headers a response must copy. Our To tag is
    /// fixed per UA, so every reply in one dialog carries the same one.
    pub fn reply(&mut self, request: &SipMessage, status: u16, reason: &str, body: &str) {
        let vias: String = request.headers_named("Via").iter().map(|v| format!("Via: {v}\r\n")).collect();
        let record_routes: String =
            request.headers_named("Record-Route").iter().map(|v| format!("Record-Route: {v}\r\n")).collect();
        let to = request.header("To").unwrap();
        let to = if to.contains(";tag=") || status == 100 { to.to_string() } else { format!("{to};tag={}", self.user) };
        let content_type = if body.is_empty() { "" } else { "Content-Type: application/sdp\r\n" };
        let response = format!(
            "SIP/2.0 {status} {reason}\r\n{vias}{record_routes}From: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
             CSeq: {cseq}\r\nContact: {contact}\r\n{content_type}Content-Length: {length}\r\n\r\n{body}",
            from = request.header("From").unwrap(),
            call_id = request.header("Call-ID").unwrap(),
            cseq = request.header("CSeq").unwrap(),
            contact = self.contact(),
            length = body.len(),
        );
        self.transport.send(&response);
    }
}

/// `"Name" <sip:a@b;lr>;x=y` → `sip:a@b;lr`
fn angle_uri(value: &str) -> String {
    match (value.find('<'), value.find('>')) {
        (Some(start), Some(end)) if start < end => value[start + 1..end].to_string(),
        _ => value.split(';').next().unwrap_or(value).trim().to_string(),
    }
}

/// A header value with several comma-separated entries (Record-Route may hold two).
fn split_list(value: &str) -> Vec<String> {
    value
        .split(">,")
        .map(|part| if part.ends_with('>') { part.trim().to_string() } else { format!("{}>", part.trim()) })
        .collect()
}

/// The Authorization (or Proxy-Authorization) value answering a Digest challenge, MD5, with
/// qop=auth when the server offers it.
pub fn digest(challenge: &str, method: &str, uri: &str, user: &str, password: &str) -> String {
    let param = |name: &str| -> Option<String> {
        let start = challenge.find(&format!("{name}="))? + name.len() + 1;
        let rest = &challenge[start..];
        Some(match rest.strip_prefix('"') {
            Some(quoted) => quoted[..quoted.find('"')?].to_string(),
            None => rest.split([',', ' ']).next()?.to_string(),
        })
    };
    let realm = param("realm").expect("a realm");
    let nonce = param("nonce").expect("a nonce");
    let md5 = |text: String| format!("{:x}", Md5::digest(text.as_bytes()));
    let ha1 = md5(format!("{user}:{realm}:{password}"));
    let ha2 = md5(format!("{method}:{uri}"));
    match param("qop").filter(|q| q.split(',').any(|q| q.trim() == "auth")) {
        Some(_) => {
            let cnonce = token();
            let response = md5(format!("{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}"));
            format!(
                "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", \
                 algorithm=MD5, qop=auth, nc=00000001, cnonce=\"{cnonce}\""
            )
        }
        None => {
            let response = md5(format!("{ha1}:{nonce}:{ha2}"));
            format!("Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", algorithm=MD5")
        }
    }
}
