//! The built-in Echo line: a far end that lives inside Callscope.
//!
//! It needs no account, so a newcomer can place a call the moment the app starts, and it splits
//! "my headset or browser is broken" from "the network or the provider is broken": if an Echo
//! call works, the laptop's audio and WebRTC engine work.
//!
//! The UI sends its SDP offer over the API; the far end answers from a str0m peer and echoes the
//! audio back. A few numbers give scripted outcomes, so failures can be seen without a provider.

pub mod error;
mod scenarios;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use ts_rs::TS;

pub use scenarios::{scenario_for, EchoNumber, EchoScenario, ECHO_NUMBERS};

pub use error::{Error, Result};

/// What the far end does or says, in order. The backend journals each one and passes the
/// signalling ones to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum EchoSignal {
    /// 100 Trying: the far end has the offer.
    Trying,
    /// 180 Ringing.
    Ringing,
    /// 200 OK with the answer SDP.
    Answer { sdp: String },
    /// A final refusal before answer (e.g. 486 Busy Here with Q.850 17).
    Reject { status: u16, reason: String, q850_cause: u16 },
    /// The far end hangs up an answered call (BYE), e.g. when it loses the media path.
    Bye { reason: String },
    /// The far end confirmed our hangup: 487 after a CANCEL, 200 after a BYE.
    HangupConfirmed { status: u16, reason: String },
}

/// Things the far end observed that are not signalling: its media path and counters.
pub use callscope_rtc_peer::PeerEvent as FarEndMedia;

/// Everything an Echo call reports, in order.
#[derive(Debug, Clone)]
pub enum FarEnd {
    Signal(EchoSignal),
    Media(FarEndMedia),
}

/// Where an Echo call sends what its far end does. Called from the call's own task.
pub type Sink = Arc<dyn Fn(FarEnd) + Send + Sync>;

pub struct EchoLine {
    /// How long the "rings, never answered" number rings before it gives up.
    ring_timeout: Duration,
    hangups: Mutex<HashMap<String, oneshot::Sender<()>>>,
}

impl EchoLine {
    pub fn new(ring_timeout: Duration) -> Self {
        callscope_rtc_peer::install_crypto();
        EchoLine { ring_timeout, hangups: Mutex::new(HashMap::new()) }
    }

    /// Start the far end of a call: it answers `offer_sdp` according to the dialled number.
    pub fn dial(self: &Arc<Self>, call_id: &str, destination: &str, offer_sdp: &str, sink: Sink) -> Result<()> {
        if offer_sdp.trim().is_empty() {
            return Err(Error::bad_input("offer_sdp", "is empty; the UI must send its SDP offer"));
        }
        let (hangup_tx, hangup_rx) = oneshot::channel();
        {
            let mut hangups = self.hangups.lock().unwrap_or_else(|p| p.into_inner());
            if hangups.contains_key(call_id) {
                return Err(Error::Echo(format!("call {call_id} is already dialled")));
            }
            hangups.insert(call_id.to_string(), hangup_tx);
        }
        let scenario = scenario_for(destination);
        let line = Arc::clone(self);
        let call_id = call_id.to_string();
        let offer = offer_sdp.to_string();
        tokio::spawn(async move {
            scenarios::play(scenario, &offer, line.ring_timeout, &sink, hangup_rx).await;
            line.hangups.lock().unwrap_or_else(|p| p.into_inner()).remove(&call_id);
        });
        Ok(())
    }

    /// Our side hangs up. Returns false when the far end had already finished the call.
    pub fn hangup(&self, call_id: &str) -> bool {
        let sender = self.hangups.lock().unwrap_or_else(|p| p.into_inner()).remove(call_id);
        sender.is_some_and(|tx| tx.send(()).is_ok())
    }
}
