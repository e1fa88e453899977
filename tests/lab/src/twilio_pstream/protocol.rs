//! PStream 1.6, the JSON the Voice JS SDK and Twilio's signalling gateway exchange over the
//! WebSocket (twilio.md §2.4): one envelope `{"payload", "type", "version"}` per text frame, and
//! a text frame of exactly `"\n"` as the heartbeat.

use serde_json::{json, Map, Value};

pub const VERSION: &str = "1.6";
/// The heartbeat frame. The SDK echoes it, and any frame resets its 15 s idle timer.
pub const HEARTBEAT: &str = "\n";

/// Everything the SDK sends (pstream.ts), read into the fields the gateway uses.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// On every socket open, and again for every `device.updateToken()`.
    Listen {
        token: String,
        /// Seconds the gateway should hold a call whose socket drops (0: do not hold).
        reconnect_timeout: u64,
        browserinfo: Value,
    },
    /// `{media:{audio:true}}` registers for incoming calls; `audio:false` unregisters.
    Register {
        audio: bool,
    },
    /// A new outgoing call (`callsid` is the SDK's temporary `TJS…` id and `params` the URL-encoded
    /// `connect({params})`), or, with `reconnect`, a call coming back after a signalling drop
    /// (`callsid` is then the `CA…` sid).
    Invite {
        callsid: String,
        sdp: String,
        params: Option<String>,
        reconnect: Option<String>,
    },
    /// `call.accept()` on an incoming call.
    Answer {
        callsid: String,
        sdp: String,
    },
    /// An ICE restart offer.
    Reinvite {
        callsid: String,
        sdp: String,
    },
    /// Digits, only when the browser has no `RTCDTMFSender`.
    Dtmf {
        callsid: String,
        digits: String,
    },
    Hangup {
        callsid: String,
        message: Option<String>,
    },
    Reject {
        callsid: String,
    },
    /// `call.sendMessage()`.
    Message {
        callsid: String,
        content: Value,
        contenttype: String,
        messagetype: String,
        voiceeventsid: String,
    },
}

/// Why a frame could not be read as a [`ClientMessage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not JSON, or no `type`: nothing to answer.
    NotPStream(String),
    /// A type this gateway does not know; the SDK sends none, so it is noted and ignored.
    UnknownType(String),
    /// A known type with a field missing or of the wrong kind.
    Malformed { kind: String, callsid: Option<String>, why: String },
}

pub fn parse(text: &str) -> Result<ClientMessage, Unreadable> {
    let frame: Value = serde_json::from_str(text).map_err(|e| Unreadable::NotPStream(format!("not JSON: {e}")))?;
    let kind = frame.get("type").and_then(Value::as_str).ok_or_else(|| Unreadable::NotPStream("no type".into()))?;
    let empty = Value::Object(Map::new());
    let payload = frame.get("payload").unwrap_or(&empty);
    let fields = Fields { kind, payload };
    match kind {
        "listen" => Ok(ClientMessage::Listen {
            token: fields.text("token")?,
            reconnect_timeout: payload.get("reconnectTimeout").and_then(Value::as_u64).unwrap_or(0),
            browserinfo: payload.get("browserinfo").cloned().unwrap_or(Value::Null),
        }),
        "register" => {
            let audio = payload.pointer("/media/audio").and_then(Value::as_bool);
            Ok(ClientMessage::Register { audio: audio.ok_or_else(|| fields.malformed("media.audio is missing"))? })
        }
        "invite" => Ok(ClientMessage::Invite {
            callsid: fields.text("callsid")?,
            sdp: fields.text("sdp")?,
            params: payload.pointer("/twilio/params").and_then(Value::as_str).map(str::to_string),
            reconnect: payload.get("reconnect").and_then(Value::as_str).map(str::to_string),
        }),
        "answer" => Ok(ClientMessage::Answer { callsid: fields.text("callsid")?, sdp: fields.text("sdp")? }),
        "reinvite" => Ok(ClientMessage::Reinvite { callsid: fields.text("callsid")?, sdp: fields.text("sdp")? }),
        "dtmf" => Ok(ClientMessage::Dtmf { callsid: fields.text("callsid")?, digits: fields.text("dtmf")? }),
        "hangup" => Ok(ClientMessage::Hangup {
            callsid: fields.text("callsid")?,
            message: payload.get("message").and_then(Value::as_str).map(str::to_string),
        }),
        "reject" => Ok(ClientMessage::Reject { callsid: fields.text("callsid")? }),
        "message" => Ok(ClientMessage::Message {
            callsid: fields.text("callsid")?,
            content: payload.get("content").cloned().unwrap_or(Value::Null),
            contenttype: fields.text("contenttype")?,
            messagetype: fields.text("messagetype")?,
            voiceeventsid: fields.text("voiceeventsid")?,
        }),
        other => Err(Unreadable::UnknownType(other.to_string())),
    }
}

struct Fields<'a> {
    kind: &'a str,
    payload: &'a Value,
}

impl Fields<'_> {
    fn text(&self, name: &str) -> Result<String, Unreadable> {
        match self.payload.get(name).and_then(Value::as_str) {
            Some(value) => Ok(value.to_string()),
            None => Err(self.malformed(&format!("{name} is missing or not a string"))),
        }
    }

    fn malformed(&self, why: &str) -> Unreadable {
        let callsid = self.payload.get("callsid").and_then(Value::as_str).map(str::to_string);
        Unreadable::Malformed { kind: self.kind.to_string(), callsid, why: why.to_string() }
    }
}

/// One frame from the gateway, in the envelope the SDK reads.
pub fn frame(kind: &str, payload: Value) -> Value {
    json!({"type": kind, "version": VERSION, "payload": payload})
}

/// `{code, message}`, the error object of `error` and `hangup` frames.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GatewayError {
    pub code: u32,
    pub message: String,
}

impl GatewayError {
    pub fn new(code: u32, message: impl Into<String>) -> GatewayError {
        GatewayError { code, message: message.into() }
    }
}

/// Where the client landed, as `connected` reports it: the edge it reached and that edge's
/// AWS-style region name (which the SDK maps to `us1`, `ie1`, ... with `regionShortcodes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    pub edge: String,
    pub region: &'static str,
}

/// The edge a client reached through `voice-js.{edge}.twilio.com`. `roaming` (and any host that
/// names no edge) lands on the edge nearest the token's home region, as Twilio's GLL does.
pub fn landing(host: &str, home: &str) -> Landing {
    let requested =
        host.split(':').next().unwrap_or("").strip_prefix("voice-js.").and_then(|h| h.strip_suffix(".twilio.com"));
    let edge = match requested {
        Some(edge) if edge != "roaming" && super::tls::EDGES.contains(&edge) => edge,
        _ => home_edge(home),
    };
    Landing { edge: edge.to_string(), region: edge_region(edge) }
}

fn home_edge(home: &str) -> &'static str {
    match home {
        "ie1" => "dublin",
        "de1" => "frankfurt",
        "au1" => "sydney",
        "jp1" => "tokyo",
        "sg1" => "singapore",
        "br1" => "sao-paulo",
        "us2" => "umatilla",
        _ => "ashburn",
    }
}

fn edge_region(edge: &str) -> &'static str {
    match edge.trim_end_matches("-ix") {
        "dublin" | "london" => "EU_IRELAND",
        "frankfurt" => "EU_FRANKFURT",
        "sydney" => "ASIAPAC_SYDNEY",
        "tokyo" => "ASIAPAC_TOKYO",
        "singapore" => "ASIAPAC_SINGAPORE",
        "sao-paulo" => "SOUTH_AMERICA_SAO_PAULO",
        "umatilla" | "san-jose" => "US_WEST_OREGON",
        _ => "US_EAST_VIRGINIA",
    }
}

/// The gateway's frames (twilio.md §2.4, "Server → client").
pub mod server {
    use super::*;

    /// The token was accepted: where the client landed, who it is, and how many seconds the
    /// token has left (the SDK arms `tokenWillExpire` from `ttl`).
    pub fn connected(landing: &Landing, home: &str, identity: &str, ttl: i64) -> Value {
        frame(
            "connected",
            json!({
                "region": landing.region,
                "edge": landing.edge,
                "home": home,
                "token": {"identity": identity, "ttl": ttl},
            }),
        )
    }

    pub fn ready() -> Value {
        frame("ready", json!({}))
    }

    pub fn offline() -> Value {
        frame("offline", json!({}))
    }

    /// An incoming call: the gateway's offer, the call's parameters and its reconnect token.
    pub fn invite(callsid: &str, sdp: &str, parameters: Value, reconnect: &str) -> Value {
        frame("invite", json!({"callsid": callsid, "sdp": sdp, "parameters": parameters, "reconnect": reconnect}))
    }

    /// The far end rings; with `sdp`, early media (the SDK applies it as the answer).
    pub fn ringing(callsid: &str, sdp: Option<&str>) -> Value {
        let mut payload = json!({"callsid": callsid});
        if let Some(sdp) = sdp {
            payload["sdp"] = json!(sdp);
        }
        frame("ringing", payload)
    }

    /// The far end answered (`sdp` unless early media already gave one), a reinvite was answered
    /// (`sdp` only), or a reconnect was accepted (`reconnect` only).
    pub fn answer(callsid: &str, sdp: Option<&str>, reconnect: Option<&str>) -> Value {
        let mut payload = json!({"callsid": callsid});
        if let Some(sdp) = sdp {
            payload["sdp"] = json!(sdp);
        }
        if let Some(reconnect) = reconnect {
            payload["reconnect"] = json!(reconnect);
        }
        frame("answer", payload)
    }

    pub fn hangup(callsid: &str, error: Option<&GatewayError>) -> Value {
        let mut payload = json!({"callsid": callsid});
        if let Some(error) = error {
            payload["error"] = json!(error);
        }
        frame("hangup", payload)
    }

    /// The caller gave up on an incoming call.
    pub fn cancel(callsid: &str) -> Value {
        frame("cancel", json!({"callsid": callsid}))
    }

    pub fn error(error: &GatewayError, callsid: Option<&str>, voiceeventsid: Option<&str>) -> Value {
        let mut payload = json!({"error": error});
        if let Some(callsid) = callsid {
            payload["callsid"] = json!(callsid);
        }
        if let Some(voiceeventsid) = voiceeventsid {
            payload["voiceeventsid"] = json!(voiceeventsid);
        }
        frame("error", payload)
    }

    /// A `call.sendMessage()` was delivered.
    pub fn message_ack(callsid: &str, voiceeventsid: &str) -> Value {
        frame("ack", json!({"acktype": "message", "callsid": callsid, "voiceeventsid": voiceeventsid}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sdks_listen_and_invite_as_sent() {
        let listen = r#"{"payload":{"browserinfo":{"p":"browser","plugin":"rtc","v":"2.18.5"},"reconnectTimeout":20,"token":"eyJ.x.y"},"type":"listen","version":"1.6"}"#;
        match parse(listen).unwrap() {
            ClientMessage::Listen { token, reconnect_timeout, browserinfo } => {
                assert_eq!((token.as_str(), reconnect_timeout), ("eyJ.x.y", 20));
                assert_eq!(browserinfo["v"], "2.18.5");
            }
            other => panic!("{other:?}"),
        }
        let invite = r#"{"payload":{"callsid":"TJSd1c0","sdp":"v=0\r\n","twilio":{"params":"To=%2B15558675310"}},"type":"invite","version":"1.6"}"#;
        assert_eq!(
            parse(invite).unwrap(),
            ClientMessage::Invite {
                callsid: "TJSd1c0".into(),
                sdp: "v=0\r\n".into(),
                params: Some("To=%2B15558675310".into()),
                reconnect: None,
            }
        );
        let no_params = r#"{"payload":{"callsid":"TJS1","sdp":"v=0","twilio":{}},"type":"invite","version":"1.6"}"#;
        assert!(matches!(parse(no_params).unwrap(), ClientMessage::Invite { params: None, .. }));
    }

    #[test]
    fn a_known_type_without_its_fields_is_malformed_and_names_the_call() {
        let invite = r#"{"payload":{"callsid":"TJS1"},"type":"invite","version":"1.6"}"#;
        match parse(invite) {
            Err(Unreadable::Malformed { kind, callsid, why }) => {
                assert_eq!((kind.as_str(), callsid.as_deref()), ("invite", Some("TJS1")));
                assert!(why.contains("sdp"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse(r#"{"type":"candidate","payload":{}}"#), Err(Unreadable::UnknownType("candidate".into())));
        assert!(matches!(parse("\n"), Err(Unreadable::NotPStream(_))));
    }

    #[test]
    fn roaming_lands_on_the_home_regions_edge_and_named_edges_stay() {
        assert_eq!(
            landing("voice-js.roaming.twilio.com", "us1"),
            Landing { edge: "ashburn".into(), region: "US_EAST_VIRGINIA" }
        );
        assert_eq!(landing("voice-js.roaming.twilio.com:443", "ie1").edge, "dublin");
        assert_eq!(
            landing("voice-js.sydney.twilio.com", "us1"),
            Landing { edge: "sydney".into(), region: "ASIAPAC_SYDNEY" }
        );
        assert_eq!(landing("127.0.0.1:4443", "us1").edge, "ashburn");
    }

    #[test]
    fn frames_carry_the_envelope_the_sdk_reads() {
        let error = GatewayError::new(31486, "Busy Here");
        let hangup = server::hangup("CA1", Some(&error));
        assert_eq!(
            hangup,
            json!({"type": "hangup", "version": "1.6", "payload": {"callsid": "CA1", "error": {"code": 31486, "message": "Busy Here"}}})
        );
        let reconnected = server::answer("CA1", None, Some("r1"));
        assert_eq!(reconnected["payload"], json!({"callsid": "CA1", "reconnect": "r1"}));
    }
}
