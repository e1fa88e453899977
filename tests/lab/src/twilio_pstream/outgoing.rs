//! Outgoing calls: the SDK's `invite`, checked against the token's grants and played by the dial
//! plan ([`super::scenarios`]), and the reconnect `invite` that brings a call back after its
//! socket dropped.

use callscope_rtc_peer::MediaMode;

use super::calls::{Call, CallDirection, CallRecord, Step};
use super::gateway::{Auth, Gateway, State};
use super::protocol::{server, GatewayError};
use super::scenarios::{self, Script};
use crate::ids;

impl Gateway {
    /// A new outgoing call: checked against the token's grants, then played by the dial plan.
    pub(super) fn invite(&self, connection: u64, temporary_sid: &str, sdp: &str, params: Option<&str>) {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(client) = clients.get(&connection) else { return };
        let token = match client.token() {
            Some(token) => token.clone(),
            None => {
                let error = match client.auth {
                    Auth::Expired => GatewayError::new(31205, "JWT token expired"),
                    _ => GatewayError::new(31204, "Invalid JWT token"),
                };
                return self.send(&client.link, server::hangup(temporary_sid, Some(&error)));
            }
        };
        if calls.iter().any(|c| c.live() && c.is(temporary_sid)) {
            return self.log.note(connection, format!("ignored a second invite for {temporary_sid}"));
        }
        let mut params: Vec<(String, String)> = serde_urlencoded::from_str(params.unwrap_or("")).unwrap_or_default();
        let to = params.iter().position(|(k, _)| k == "To").map(|i| params.remove(i).1).unwrap_or_default();
        let declined = match &token.outgoing_application_sid {
            None => Some("the token has no outgoing grant (no application_sid)".to_string()),
            Some(app) if self.config.declined_applications.contains(app) => {
                Some(format!("TwiML app {app} has no Voice URL"))
            }
            Some(_) => None,
        };
        let scenario = scenarios::for_number(&to);
        let mut record = CallRecord::new(
            CallDirection::Outgoing,
            ids::twilio_sid("CA"),
            &token.identity,
            format!("client:{}", token.identity),
            to,
        );
        record.temporary_sid = Some(temporary_sid.to_string());
        record.scenario = Some(scenario.name);
        record.params = params;
        let mut call = Call::new(record, connection, MediaMode::Echo);
        call.client_offer = Some(sdp.to_string());
        let sid = call.record.callsid.clone();
        let t = &self.config.timings;
        if let Some(why) = declined {
            self.log.note(connection, format!("{sid} declined: {why}"));
            call.record.scenario = Some("connection-declined");
            call.tasks.push(self.later(
                &sid,
                t.ringing_after,
                Step::Fail(GatewayError::new(31002, "Connection declined")),
            ));
        } else {
            let outcome_at = t.ringing_after + t.outcome_after;
            match scenario.script {
                Script::Answer { media, early_media, then } => {
                    (call.media_mode, call.early_media, call.after_answer) = (media, early_media, then);
                    call.tasks.push(self.later(&sid, t.ringing_after, Step::Ringing));
                    call.tasks.push(self.later(&sid, outcome_at, Step::Answer));
                }
                Script::Fail { ring, error } => {
                    if ring {
                        call.tasks.push(self.later(&sid, t.ringing_after, Step::Ringing));
                    }
                    call.tasks.push(self.later(&sid, outcome_at, Step::Fail(error)));
                }
                Script::RingForever => call.tasks.push(self.later(&sid, t.ringing_after, Step::Ringing)),
            }
        }
        calls.push(call);
    }

    /// `invite` with `reconnect`: the SDK brings a call back after its socket dropped.
    pub(super) fn reconnect(&self, connection: u64, callsid: &str, reconnect: &str) {
        let mut state = self.lock();
        let State { clients, calls } = &mut *state;
        let Some(client) = clients.get(&connection) else { return };
        let identity = client.token().map(|t| t.identity.clone());
        let call = calls
            .iter_mut()
            .find(|c| c.record.callsid == callsid && c.live() && Some(&c.record.identity) == identity.as_ref());
        let refusal = match call {
            Some(call) if call.reconnect == reconnect => {
                call.connection = Some(connection);
                call.phase("reconnect_accepted");
                return self.send(&client.link, server::answer(callsid, None, Some(reconnect)));
            }
            Some(_) => GatewayError::new(31107, "The reconnect parameter is invalid"),
            None => GatewayError::new(31209, "Reconnect attempt is not authorized."),
        };
        self.log.note(connection, format!("{callsid}: reconnect refused ({})", refusal.code));
        self.send(&client.link, server::hangup(callsid, Some(&refusal)));
    }
}
