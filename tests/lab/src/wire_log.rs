//! The provider emulators' wire logs: every frame in and out, in order, with the connection it
//! travelled on, so tests can check what was said on the wire. The Verto log has the format of
//! the captured files in telnyx-frames/ (`t`, `dir`, `frame`); PStream heartbeats appear as the
//! string `"\n"`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

/// Enough for any test run; a long-lived lab forgets the oldest entries first.
const CAPACITY: usize = 20_000;

#[derive(Debug, Clone, Serialize)]
pub struct WireEntry {
    /// Milliseconds since the emulator started.
    pub t: u64,
    /// The client connection, numbered from 1; 0 for remarks about a call rather than a socket.
    pub connection: u64,
    /// `WS-URL` (the URL and Host the client opened), `C->S`, `S->C`, `CLOSED`, or `NOTE` (the
    /// emulator's own remarks, e.g. why a login or token was refused).
    pub dir: &'static str,
    pub frame: Value,
}

#[derive(Clone)]
pub struct WireLog {
    started: Instant,
    entries: Arc<Mutex<Vec<WireEntry>>>,
}

impl Default for WireLog {
    fn default() -> Self {
        WireLog { started: Instant::now(), entries: Arc::default() }
    }
}

impl WireLog {
    pub fn record(&self, connection: u64, dir: &'static str, frame: Value) {
        let t = self.started.elapsed().as_millis() as u64;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == CAPACITY {
            entries.remove(0);
        }
        entries.push(WireEntry { t, connection, dir, frame });
    }

    pub fn note(&self, connection: u64, text: impl Into<String>) {
        self.record(connection, "NOTE", Value::String(text.into()));
    }

    pub fn entries(&self) -> Vec<WireEntry> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
