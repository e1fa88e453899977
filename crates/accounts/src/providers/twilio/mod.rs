//! Twilio: the REST client for the 2010-04-01 API (account, balance, TwiML apps, numbers, API
//! keys, calls) and Voice v1 dialing permissions.

pub(crate) mod error_body;
mod rest;
mod types;

pub use rest::{TwilioClient, TwilioOptions};
pub use types::*;
