//! The emulated signalling gateway: each connected socket with its token and registration, and
//! the dispatch of what the SDK sends (twilio.md §2.5). Calls live in [`super::calls`]: they
//! belong to the gateway, not to a socket, so they can outlive a dropped one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::calls::Call;
use super::insights::Insights;
use super::protocol::{self, server, ClientMessage, GatewayError, Unreadable};
use crate::wire_log::WireLog;
use super::PStreamConfig;
use crate::rest::twilio::{AccessTokenRejection, AccessTokenVerifier, VerifiedAccessToken};

/// What a socket's writer is asked to do.
pub enum Outgoing {
    Frame(Value),
    /// Close the TCP connection without a WebSocket close frame: the browser sees 1006.
    Cut,
}

/// The way to one connected socket.
#[derive(Clone)]
pub struct Link {
    pub connection: u64,
    out: mpsc::UnboundedSender<Outgoing>,
}

/// Where a socket stands with its token.
pub(super) enum Auth {
    /// No `listen` accepted yet.
    None,
    Valid(VerifiedAccessToken),
    /// The token ran out while the socket was open and no new one came.
    Expired,
}

pub(super) struct Client {
    pub(super) link: Link,
    /// The Host the socket was opened to (`voice-js.roaming.twilio.com`): it names the edge.
    host: String,
    pub(super) auth: Auth,
    pub(super) registered: bool,
    /// What the latest `listen` asked: how long to hold a call whose socket drops.
    pub(super) reconnect_timeout: Duration,
    expiry: Option<AbortHandle>,
}

impl Client {
    /// Drops the socket without a close frame, as a network failure would.
    pub(super) fn cut(&self) {
        let _ = self.link.out.send(Outgoing::Cut);
    }

    pub(super) fn token(&self) -> Option<&VerifiedAccessToken> {
        match &self.auth {
            Auth::Valid(token) => Some(token),
            _ => None,
        }
    }
}

/// A connected socket, as the control API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRecord {
    pub connection: u64,
    pub host: String,
    pub identity: Option<String>,
    pub registered: bool,
    /// `exp` of the token in force, in Unix seconds.
    pub token_expires_at: Option<i64>,
    pub token_expired: bool,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) clients: HashMap<u64, Client>,
    pub(super) calls: Vec<Call>,
}

pub struct Gateway {
    pub config: PStreamConfig,
    pub tokens: AccessTokenVerifier,
    pub log: WireLog,
    pub insights: Insights,
    state: Mutex<State>,
    connections: AtomicU64,
    pub(super) me: Weak<Gateway>,
}

/// The gateway's answer to a refused token (§2.5, §3): expired → 31205 (the SDK's 20104), a
/// lifetime over 24 h → 31207, anything else → 31204 (the SDK's 20101). A bad signature is
/// 31204 too: a wrong API key secret is the classic cause of "20101 Invalid Access Token".
pub fn token_error(rejection: &AccessTokenRejection) -> GatewayError {
    match rejection {
        AccessTokenRejection::Expired { .. } => GatewayError::new(31205, "JWT token expired"),
        AccessTokenRejection::TtlTooLong { .. } => GatewayError::new(31207, "JWT token expiration too long"),
        _ => GatewayError::new(31204, "Invalid JWT token"),
    }
}

impl Gateway {
    pub fn new(config: PStreamConfig, tokens: AccessTokenVerifier) -> Arc<Gateway> {
        Arc::new_cyclic(|me| Gateway {
            config,
            tokens,
            log: WireLog::default(),
            insights: Insights::default(),
            state: Mutex::default(),
            connections: AtomicU64::new(1),
            me: me.clone(),
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs and sends one frame on a socket (a socket that is gone just drops it).
    pub(super) fn send(&self, link: &Link, frame: Value) {
        self.log.record(link.connection, "S->C", frame.clone());
        let _ = link.out.send(Outgoing::Frame(frame));
    }

    /// A new socket: its link, and the queue its writer drains.
    pub fn connect(&self, host: String, url: String) -> (Link, mpsc::UnboundedReceiver<Outgoing>) {
        let connection = self.connections.fetch_add(1, Ordering::Relaxed);
        let (out, queue) = mpsc::unbounded_channel();
        let link = Link { connection, out };
        self.log.record(connection, "WS-URL", Value::String(url));
        let client = Client {
            link: link.clone(),
            host,
            auth: Auth::None,
            registered: false,
            reconnect_timeout: Duration::ZERO,
            expiry: None,
        };
        self.lock().clients.insert(connection, client);
        (link, queue)
    }

    /// The socket is gone: forget it, and hold or end the calls that were on it.
    pub fn disconnected(&self, connection: u64, reason: String) {
        self.log.record(connection, "CLOSED", Value::String(reason));
        let mut state = self.lock();
        let Some(client) = state.clients.remove(&connection) else { return };
        if let Some(expiry) = client.expiry {
            expiry.abort();
        }
        self.calls_lost_signalling(&mut state, connection, client.reconnect_timeout);
    }

    /// One text frame from the SDK.
    pub fn handle(&self, connection: u64, text: &str) {
        let message = match protocol::parse(text) {
            Ok(message) => message,
            Err(Unreadable::Malformed { kind, callsid, why }) => {
                self.log.note(connection, format!("malformed {kind}: {why}"));
                let error = GatewayError::new(31100, format!("Malformed request: {kind}: {why}"));
                return self.reply(connection, server::error(&error, callsid.as_deref(), None));
            }
            Err(Unreadable::UnknownType(kind)) => {
                return self.log.note(connection, format!("ignored a {kind:?} frame"))
            }
            Err(Unreadable::NotPStream(why)) => return self.log.note(connection, format!("ignored a frame: {why}")),
        };
        match message {
            ClientMessage::Listen { token, reconnect_timeout, .. } => {
                self.listen(connection, &token, reconnect_timeout)
            }
            ClientMessage::Register { audio } => self.register(connection, audio),
            ClientMessage::Invite { callsid, sdp, params, reconnect: None } => {
                self.invite(connection, &callsid, &sdp, params.as_deref())
            }
            ClientMessage::Invite { callsid, reconnect: Some(reconnect), .. } => {
                self.reconnect(connection, &callsid, &reconnect)
            }
            ClientMessage::Answer { callsid, sdp } => self.client_answer(connection, &callsid, &sdp),
            ClientMessage::Reinvite { callsid, sdp } => self.reinvite(connection, &callsid, &sdp),
            ClientMessage::Dtmf { callsid, digits } => self.dtmf(connection, &callsid, &digits),
            ClientMessage::Hangup { callsid, message } => self.client_hangup(connection, &callsid, message),
            ClientMessage::Reject { callsid } => self.reject(connection, &callsid),
            ClientMessage::Message { callsid, content, contenttype, messagetype, voiceeventsid } => {
                self.user_message(connection, &callsid, content, &contenttype, &messagetype, &voiceeventsid)
            }
        }
    }

    pub(super) fn reply(&self, connection: u64, frame: Value) {
        let link = self.lock().clients.get(&connection).map(|c| c.link.clone());
        if let Some(link) = link {
            self.send(&link, frame);
        }
    }

    /// `listen`: check the token against the REST fake's keys. The first good token on a socket
    /// (or the first after one expired) gets `connected`; a refresh on a live socket gets nothing
    /// back unless `reconfirm_refreshed_tokens` (issue #93 suggests the real gateway is silent).
    fn listen(&self, connection: u64, token: &str, reconnect_timeout: u64) {
        let verified = self.tokens.verify(token);
        let mut state = self.lock();
        let Some(client) = state.clients.get_mut(&connection) else { return };
        client.reconnect_timeout = Duration::from_secs(reconnect_timeout);
        let token = match verified {
            Ok(token) => token,
            Err(rejection) => {
                self.log.note(connection, format!("listen refused: {rejection}"));
                let frame = server::error(&token_error(&rejection), None, None);
                return self.send(&client.link, frame);
            }
        };
        let refresh = matches!(client.auth, Auth::Valid(_));
        if let Some(expiry) = client.expiry.take() {
            expiry.abort();
        }
        client.expiry = Some(self.expire_at(connection, token.expires_at));
        let ttl = token.expires_at - crate::clock::unix_now();
        let frame =
            server::connected(&protocol::landing(&client.host, &token.region), &token.region, &token.identity, ttl);
        client.auth = Auth::Valid(token);
        if refresh && !self.config.reconfirm_refreshed_tokens {
            self.log.note(connection, "token refreshed");
        } else {
            self.send(&client.link, frame);
        }
    }

    /// Ends the token's reign at `exp` unless a newer one has replaced it by then.
    fn expire_at(&self, connection: u64, exp: i64) -> AbortHandle {
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
        let delay = Duration::from_millis((exp * 1000 - now_ms).max(0) as u64);
        let gateway = self.me.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(gateway) = gateway.upgrade() {
                gateway.token_expired(connection, exp);
            }
        })
        .abort_handle()
    }

    /// The token in force ran out: say so (Device error 20104) and drop the registration, so the
    /// Device shows `unregistered` until a new token comes. Calls go on: media does not need it.
    fn token_expired(&self, connection: u64, exp: i64) {
        let mut state = self.lock();
        let Some(client) = state.clients.get_mut(&connection) else { return };
        if client.token().map(|t| t.expires_at) != Some(exp) {
            return;
        }
        client.auth = Auth::Expired;
        client.expiry = None;
        self.send(&client.link, server::error(&GatewayError::new(31205, "JWT token expired"), None, None));
        if client.registered {
            client.registered = false;
            self.send(&client.link, server::offline());
        }
    }

    /// `register`: `ready` for audio:true, `offline` for audio:false. Without a good token, the
    /// errors real gateways send (the 31205 text was seen on the wire, issue #31).
    fn register(&self, connection: u64, audio: bool) {
        let mut state = self.lock();
        let Some(client) = state.clients.get_mut(&connection) else { return };
        let refusal = match client.auth {
            Auth::Valid(_) => None,
            Auth::Expired => Some(GatewayError::new(31205, "Cannot register. Token is expired")),
            Auth::None => Some(GatewayError::new(31204, "Invalid JWT token")),
        };
        if let Some(error) = refusal {
            return self.send(&client.link, server::error(&error, None, None));
        }
        client.registered = audio;
        self.send(&client.link, if audio { server::ready() } else { server::offline() });
    }

    /// Cuts the sockets of `identity` (or all), as a network failure would.
    pub fn cut(&self, identity: Option<&str>) -> usize {
        let state = self.lock();
        let mut cut = 0;
        for client in state.clients.values() {
            let name = client.token().map(|t| t.identity.as_str());
            if identity.is_none() || name == identity {
                client.cut();
                cut += 1;
            }
        }
        cut
    }

    pub fn clients(&self) -> Vec<ClientRecord> {
        let state = self.lock();
        let mut clients: Vec<ClientRecord> = state
            .clients
            .values()
            .map(|c| ClientRecord {
                connection: c.link.connection,
                host: c.host.clone(),
                identity: c.token().map(|t| t.identity.clone()),
                registered: c.registered,
                token_expires_at: c.token().map(|t| t.expires_at),
                token_expired: matches!(c.auth, Auth::Expired),
            })
            .collect();
        clients.sort_by_key(|c| c.connection);
        clients
    }

    /// Ends every call and forgets every socket (the emulator is stopping).
    pub fn shut_down(&self) {
        let mut state = self.lock();
        for client in state.clients.values_mut() {
            if let Some(expiry) = client.expiry.take() {
                expiry.abort();
            }
            client.cut();
        }
        for call in state.calls.iter_mut() {
            call.shut_down();
        }
    }
}
