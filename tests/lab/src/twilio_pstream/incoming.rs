//! Incoming calls: the gateway rings a registered client with its own offer, and the SDK
//! answers, rejects, or lets the caller give up (`cancel`).

use std::time::Duration;

use callscope_rtc_peer::MediaMode;
use serde_json::json;

use super::calls::{Call, CallDirection, CallRecord, EndedBy, Step};
use super::gateway::{Gateway, State};
use crate::media;
use super::protocol::{server, GatewayError};
use crate::ids;

/// An incoming call to ring on a registered client.
#[derive(Debug, Clone)]
pub struct IncomingCall {
    /// The identity to ring; `None` rings the newest registered client.
    pub identity: Option<String>,
    pub from: String,
    /// Custom parameters (`call.customParameters`), sent URL-encoded in `parameters.Params`.
    pub params: Vec<(String, String)>,
    pub media: MediaMode,
    /// The caller gives up (`cancel`) after this long if nobody answered.
    pub cancel_after: Option<Duration>,
}

impl IncomingCall {
    pub fn new(identity: Option<String>) -> IncomingCall {
        IncomingCall {
            identity,
            from: "+15558675310".into(),
            params: Vec::new(),
            media: MediaMode::Echo,
            cancel_after: None,
        }
    }
}

/// How long an unanswered incoming call rings before the caller gives up.
const INCOMING_RING_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncomingError {
    #[error("no registered client{} may take incoming calls", .0.as_ref().map(|i| format!(" named {i:?}")).unwrap_or_default())]
    NobodyRegistered(Option<String>),
    #[error("the gateway could not make its offer: {0}")]
    Media(String),
}

impl Gateway {
    /// Rings a registered client with the gateway's offer. Returns the `CA…` sid.
    pub fn place_incoming(&self, incoming: IncomingCall) -> Result<String, IncomingError> {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let client = clients
            .values()
            .filter(|c| c.registered)
            .filter(|c| c.token().is_some_and(|t| t.incoming_allowed))
            .filter(|c| incoming.identity.is_none() || c.token().map(|t| &t.identity) == incoming.identity.as_ref())
            .max_by_key(|c| c.link.connection)
            .ok_or_else(|| IncomingError::NobodyRegistered(incoming.identity.clone()))?;
        let token = client.token().cloned().expect("filtered on a token");
        let offer = media::offer(incoming.media).map_err(IncomingError::Media)?;
        let callsid = ids::twilio_sid("CA");
        let reconnect = ids::alphanumeric(48);
        let mut parameters = json!({
            "CallSid": callsid,
            "AccountSid": token.account_sid,
            "From": incoming.from,
            "To": format!("client:{}", token.identity),
            "ApiVersion": "2010-04-01",
        });
        if !incoming.params.is_empty() {
            parameters["Params"] = json!(serde_urlencoded::to_string(&incoming.params).unwrap_or_default());
        }
        self.send(&client.link, server::invite(&callsid, &offer.sdp, parameters, &reconnect));
        let ring_for = incoming.cancel_after.unwrap_or(INCOMING_RING_TIMEOUT);
        let to = format!("client:{}", token.identity);
        let mut record = CallRecord::new(CallDirection::Incoming, callsid.clone(), &token.identity, incoming.from, to);
        record.params = incoming.params;
        let mut call = Call::new(record, client.link.connection, incoming.media);
        call.reconnect = reconnect;
        call.our_offer = Some(offer);
        call.sid_told = true;
        call.tasks.push(self.later(&callsid, ring_for, Step::CancelIncoming));
        calls.push(call);
        Ok(callsid)
    }

    /// `answer` from the SDK: it accepted an incoming call.
    pub(super) fn client_answer(&self, connection: u64, callsid: &str, sdp: &str) {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(call) = calls.iter_mut().find(|c| c.live() && c.is(callsid) && c.our_offer.is_some()) else {
            return self.log.note(connection, format!("answer for {callsid}, which is not ringing here"));
        };
        let offer = call.our_offer.take().expect("found with an offer");
        let events = self.media_events(callsid, call);
        match offer.accept(sdp, events) {
            Ok(leg) => {
                call.leg = Some(leg);
                call.answered = true;
                call.phase("answered");
                call.tasks.drain(..).for_each(|task| task.abort());
                call.tasks.push(self.later(callsid, self.config.timings.media_timeout, Step::MediaCheck));
            }
            Err(why) => {
                self.log.note(connection, format!("{callsid}: the answer does not fit: {why}"));
                self.fail(
                    clients,
                    call,
                    GatewayError::new(31100, "Malformed request: the answer SDP does not fit the offer"),
                );
            }
        }
    }

    pub(super) fn reject(&self, connection: u64, callsid: &str) {
        let mut state = self.lock();
        match state
            .calls
            .iter_mut()
            .find(|c| c.live() && c.is(callsid) && c.record.direction == CallDirection::Incoming)
        {
            Some(call) => call.end(EndedBy::Rejected, None),
            None => self.log.note(connection, format!("reject for {callsid}, which is not ringing")),
        }
    }
}
