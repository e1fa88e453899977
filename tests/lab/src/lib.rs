//! Callscope's lab: local, stateful emulators of the providers, started by the tests themselves.
//!
//! So far: fakes of the Telnyx REST API v2 ([`rest::telnyx`]) and the Twilio REST API
//! ([`rest::twilio`]), each on its own loopback port, with on-demand failures ([`faults`]) and
//! the token checks the signalling emulators will use. And the SIP lab ([`sip`]): real Kamailio,
//! rtpengine, baresip and coturn on loopback, with a dial plan that fails the way carriers fail.
//! Nothing here depends on callscope-core, so the lab can catch the product's mistakes instead of
//! sharing them.

pub mod faults;
pub mod jwt;
pub mod media;
pub mod rest;
pub mod sip;

mod clock;
mod wire_log;
mod ids;
mod server;

pub use faults::{Fault, FaultRule, Faults, RecordedRequest};
pub use rest::telnyx::{TelnyxConfig, TelnyxFake};
pub use rest::twilio::{TwilioConfig, TwilioFake};
pub mod telnyx_verto;
pub mod twilio_pstream;
