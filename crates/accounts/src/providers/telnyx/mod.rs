//! Telnyx: the REST API v2 client (credential connections, telephony credentials and login
//! tokens, outbound voice profiles, phone numbers, balance).

pub(crate) mod error_body;
mod rest;
mod types;

pub use rest::{TelnyxClient, TelnyxOptions};
pub use types::*;
