//! Fakes of the providers' REST APIs, one loopback server each.

pub mod telnyx;
pub mod twilio;
