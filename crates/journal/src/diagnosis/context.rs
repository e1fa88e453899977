//! What a diagnosis reads besides the call's own journal: the non-secret settings of the account
//! the call went through, and the history of its line (the app-level events the line journaled:
//! registrations, challenges, transport drops). The backend gathers both; the diagnosis only
//! reads them, so it needs neither the keychain nor the accounts file.

use crate::error::Result;
use crate::journal::{CallSummary, Journal, JournalEvent};

/// How many of the line's latest events a diagnosis reads.
const LINE_EVENTS: u32 = 300;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// Non-secret settings of the account (`realm`, `sip_uri`, `auth_user`, ...), by name.
    pub settings: Vec<(String, String)>,
    /// The line's app-level events up to the call's end, oldest first.
    pub line_events: Vec<JournalEvent>,
}

impl Context {
    /// The context of a call: its account's `settings` (the caller reads them from the
    /// account) and its line's events up to the call's end, from the journal.
    pub fn of_call(journal: &Journal, call: &CallSummary, settings: Vec<(String, String)>) -> Result<Context> {
        let line_events = match &call.account {
            Some(account) => journal.line_events(account, call.ended_at.as_deref(), LINE_EVENTS)?,
            None => Vec::new(),
        };
        Ok(Context { settings, line_events })
    }

    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}
