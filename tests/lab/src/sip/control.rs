//! A client for baresip's `ctrl_tcp` control port.
//!
//! The protocol (baresip 1.0), for any language: one TCP connection to the control port on
//! 127.0.0.1; every message either way is a netstring, `<decimal length>:<JSON>,`.
//! - Command: `{"command":"dial","params":"sip:alice@lab.test","token":"t1"}` (`params` and `token`
//!   optional). Commands are the ones baresip's menu knows: `dial <uri>`, `hangup`, `accept`,
//!   `reginfo`, `callstat`, ...
//! - Response: `{"response":true,"ok":true,"data":"...","token":"t1"}`.
//! - Event, unrequested, for everything the far end's user agent does:
//!   `{"event":true,"class":"call","type":"CALL_ESTABLISHED","accountaor":"sip:tone@lab.test",
//!   "direction":"outgoing","peeruri":"sip:alice@lab.test","id":"...","param":"..."}`; types include
//!   CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_CLOSED (param: the reason).
//!
//! baresip serves one control connection at a time: a new connection silently replaces the old one.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::LabError;

pub struct Control {
    stream: TcpStream,
    received: Vec<u8>,
    /// Events read while waiting for a response, kept for [`Control::wait_event`].
    pending_events: VecDeque<Value>,
    next_token: u64,
}

/// baresip's answer to a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub ok: bool,
    pub data: String,
}

impl Control {
    pub fn connect(address: SocketAddr) -> Result<Control, LabError> {
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).map_err(control_io)?;
        stream.set_nodelay(true).map_err(control_io)?;
        Ok(Control { stream, received: Vec::new(), pending_events: VecDeque::new(), next_token: 1 })
    }

    /// Sends `command params` and waits (up to 5 s) for its response.
    pub fn command(&mut self, command: &str, params: &str) -> Result<Response, LabError> {
        let token = format!("lab-{}", self.next_token);
        self.next_token += 1;
        let mut message = json!({"command": command, "token": token});
        if !params.is_empty() {
            message["params"] = Value::from(params);
        }
        let payload = message.to_string();
        let frame = format!("{}:{payload},", payload.len());
        self.stream.write_all(frame.as_bytes()).map_err(control_io)?;

        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let Some(message) = self.read_message(deadline)? else {
                return Err(LabError::Control(format!("no response to {command:?} within 5 s")));
            };
            if message["response"] == Value::Bool(true) && message["token"] == token.as_str() {
                return Ok(Response {
                    ok: message["ok"].as_bool().unwrap_or(false),
                    data: message["data"].as_str().unwrap_or_default().to_string(),
                });
            }
            if is_event(&message) {
                self.pending_events.push_back(message);
            }
        }
    }

    /// The next event of type `kind` (e.g. "CALL_ESTABLISHED"), skipping others; errors after
    /// `timeout`, listing the events seen.
    pub fn wait_event(&mut self, kind: &str, timeout: Duration) -> Result<Value, LabError> {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let next = match self.pending_events.pop_front() {
                Some(event) => Some(event),
                None => self.read_message(deadline)?,
            };
            let Some(message) = next else {
                return Err(LabError::Control(format!("no {kind} event within {timeout:?}; saw {seen:?}")));
            };
            if !is_event(&message) {
                continue;
            }
            if message["type"] == kind {
                return Ok(message);
            }
            seen.push(format!(
                "{} {}",
                message["type"].as_str().unwrap_or("?"),
                message["param"].as_str().unwrap_or("")
            ));
        }
    }

    /// Reads one netstring message, or `None` at the deadline.
    fn read_message(&mut self, deadline: Instant) -> Result<Option<Value>, LabError> {
        loop {
            if let Some((message, used)) = parse_netstring(&self.received)? {
                self.received.drain(..used);
                return Ok(Some(message));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            self.stream.set_read_timeout(Some(deadline - now)).map_err(control_io)?;
            let mut buffer = [0u8; 4096];
            match self.stream.read(&mut buffer) {
                Ok(0) => {
                    return Err(LabError::Control(
                        "baresip closed the control connection (another client connected?)".into(),
                    ))
                }
                Ok(n) => self.received.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Ok(None),
                Err(e) => return Err(control_io(e)),
            }
        }
    }
}

fn is_event(message: &Value) -> bool {
    // baresip 1.0 sends `"event":true`; its documentation shows the string "true".
    message["event"] == Value::Bool(true) || message["event"] == "true"
}

/// `Some((json, bytes used))` once a whole netstring is buffered.
fn parse_netstring(buffer: &[u8]) -> Result<Option<(Value, usize)>, LabError> {
    let Some(colon) = buffer.iter().position(|&b| b == b':') else { return Ok(None) };
    let length: usize =
        std::str::from_utf8(&buffer[..colon]).ok().and_then(|digits| digits.parse().ok()).ok_or_else(|| {
            LabError::Control(format!("bad netstring length {:?}", String::from_utf8_lossy(&buffer[..colon])))
        })?;
    let end = colon + 1 + length;
    if buffer.len() <= end {
        return Ok(None);
    }
    if buffer[end] != b',' {
        return Err(LabError::Control("netstring without its trailing comma".into()));
    }
    let message = serde_json::from_slice(&buffer[colon + 1..end])
        .map_err(|e| LabError::Control(format!("bad JSON from baresip: {e}")))?;
    Ok(Some((message, end + 1)))
}

fn control_io(e: std::io::Error) -> LabError {
    LabError::Control(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_netstrings_one_at_a_time_and_waits_for_the_rest() {
        let two = b"11:{\"ok\":true},2:{},";
        let (first, used) = parse_netstring(two).unwrap().unwrap();
        assert_eq!(first, json!({"ok": true}));
        let (second, _) = parse_netstring(&two[used..]).unwrap().unwrap();
        assert_eq!(second, json!({}));
        assert!(parse_netstring(b"11:{\"ok\":").unwrap().is_none());
        assert!(parse_netstring(b"2:{}x").is_err());
        assert!(parse_netstring(b"x:{}").is_err());
    }
}
