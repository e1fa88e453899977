//! The call journal: every call, and every event of every call, in SQLite.
//!
//! Each event is committed as it arrives (WAL, one statement per event), so a crash of the app
//! loses nothing that was recorded. Times are milliseconds on one monotonic clock per call,
//! started when the call was created, plus the wall-clock UTC time for people.

pub mod describe;
mod reason_header;
mod schema;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::calls::{CallState, Direction, EndInfo, EndedBy, Failure, Milestone, Provider, Timings};
use crate::error::{Error, Result};

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The app's own UI (state machine, user actions, getStats).
    Ui,
    /// A provider SDK's own event, as it gave it.
    Sdk,
    /// A signalling message on the wire (SIP, Verto, PStream, the Echo line's offer and answer).
    Signalling,
    /// The Rust backend (the Echo line's far end, probes, the journal itself).
    Backend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A transition of the normalised call state.
    State,
    /// A signalling message, sent or received.
    Signal,
    /// The media path: ICE, DTLS, connection state, selected candidate pair.
    Media,
    /// A quality sample (getStats or the far end's counters).
    Stats,
    /// Something the user did: mute, hold, DTMF, hang up.
    Action,
    Warning,
    Error,
    /// A capability or network probe (WebRTC support, STUN, TURN...).
    Probe,
}

/// One journaled event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct JournalEvent {
    /// The call this belongs to; none for app-level events (e.g. the WebRTC probe at start).
    pub call_id: Option<String>,
    pub launch_id: i64,
    /// 1, 2, 3... within the call (or within the launch for app-level events).
    pub seq: i64,
    /// Milliseconds since the call (or launch) started, on a monotonic clock.
    pub t_ms: f64,
    /// Wall-clock UTC, RFC 3339 with milliseconds.
    pub at: String,
    pub source: Source,
    pub kind: EventKind,
    pub payload: Value,
}

/// A call as the history list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CallSummary {
    /// A short local number for the CLI (`callscope calls show 12`).
    pub number: i64,
    pub id: String,
    pub provider: Provider,
    /// The account the call went through; none for the Echo line.
    pub account: Option<String>,
    pub direction: Direction,
    pub destination: String,
    pub started_at: String,
    /// The latest normalised state.
    pub state: CallState,
    pub ended_at: Option<String>,
    pub ended_by: Option<EndedBy>,
    pub failure: Option<Failure>,
    pub timings: Option<Timings>,
    pub event_count: i64,
    /// What happened, in one line (the diagnosis's summary), once the call has ended.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CallDetail {
    pub call: CallSummary,
    pub events: Vec<JournalEvent>,
}

/// A call that is still open in this launch: its clock and its counters.
struct LiveCall {
    started: Instant,
    /// The UI's own monotonic clock (ms) when the call was created, if it said: UI events
    /// stamped on that clock map onto this call's clock without any request's latency.
    ui_origin: Option<f64>,
    next_seq: i64,
    state: CallState,
}

/// When an event happened, as the recorder knows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observed {
    /// Now, as it is written.
    Now,
    /// This long before it is written.
    Ago(Duration),
    /// At this time on the UI's monotonic clock (the one it gave when the call was created).
    UiClock(f64),
}

/// This process's launch: app-level events hang off it.
struct Launch {
    id: i64,
    started: Instant,
    next_seq: i64,
}

struct Inner {
    conn: Connection,
    /// None when the journal was opened only to read it (the CLI).
    launch: Option<Launch>,
    live: HashMap<String, LiveCall>,
}

pub struct Journal {
    inner: Mutex<Inner>,
}

pub struct NewCall {
    pub provider: Provider,
    pub account: Option<String>,
    pub direction: Direction,
    pub destination: String,
    /// The UI's monotonic clock (ms) as it created the call; see [`Observed::UiClock`].
    pub ui_clock: Option<f64>,
}

impl Journal {
    /// Open (or create) the journal for an app face: bring its schema up to date, record this
    /// launch, and close the calls that a launch which is no longer running left open.
    pub fn open(path: &Path, face: &str) -> Result<Journal> {
        Self::with_connection(Connection::open(path)?, Some(face))
    }

    /// Open the journal to read it (the CLI): no launch is recorded and nothing is closed, so it
    /// is safe while the app is running a call.
    pub fn open_for_reading(path: &Path) -> Result<Journal> {
        Self::with_connection(Connection::open(path)?, None)
    }

    pub fn in_memory(face: &str) -> Result<Journal> {
        Self::with_connection(Connection::open_in_memory()?, Some(face))
    }

    fn with_connection(mut conn: Connection, face: Option<&str>) -> Result<Journal> {
        // WAL + NORMAL: a committed event survives a crash or kill -9 of the app (only an OS
        // crash or power cut could lose the last moments), and writes stay cheap.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrations().to_latest(&mut conn)?;

        let launch = match face {
            None => None,
            Some(face) => {
                conn.execute(
                    "INSERT INTO launches (started_at, face, version, pid) VALUES (?1, ?2, ?3, ?4)",
                    params![now_utc(), face, env!("CARGO_PKG_VERSION"), std::process::id()],
                )?;
                Some(Launch { id: conn.last_insert_rowid(), started: Instant::now(), next_seq: 1 })
            }
        };
        let journal = Journal { inner: Mutex::new(Inner { conn, launch, live: HashMap::new() }) };
        if face.is_some() {
            journal.close_interrupted_calls()?;
        }
        Ok(journal)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave SQLite half-written (each statement is
        // atomic), so a poisoned lock is safe to keep using.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn launch_id(&self) -> Option<i64> {
        self.lock().launch.as_ref().map(|launch| launch.id)
    }

    /// Calls that never ended, left by launches whose process is gone (killed, crashed): mark
    /// them interrupted, keeping every event. Calls of a launch still running are left alone.
    fn close_interrupted_calls(&self) -> Result<()> {
        let inner = self.lock();
        let launch_id = inner.launch_id()?;
        let open: Vec<(String, i64, u32)> = inner
            .conn
            .prepare(
                "SELECT calls.id, calls.launch_id, launches.pid FROM calls JOIN launches ON launches.id = calls.launch_id
                 WHERE calls.state != 'ended' AND calls.launch_id != ?1",
            )?
            .query_map([launch_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (call_id, earlier_launch, pid) in open {
            if pid != std::process::id() && process_alive(pid) {
                continue;
            }
            let (last_seq, last_t): (i64, f64) = inner.conn.query_row(
                "SELECT COALESCE(MAX(seq), 0), COALESCE(MAX(t_ms), 0) FROM events WHERE call_id = ?1",
                [&call_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let payload = serde_json::json!({
                "message": "Callscope stopped while this call was open; the call was closed when it started again",
                "previous_launch": earlier_launch,
                "t_ms_is_last_known": true,
            });
            inner.conn.execute(
                "INSERT INTO events (launch_id, call_id, seq, t_ms, at, source, kind, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'backend', 'warning', ?6)",
                params![launch_id, call_id, last_seq + 1, last_t, now_utc(), payload.to_string()],
            )?;
            inner.conn.execute(
                "UPDATE calls SET state = 'ended', ended_by = 'interrupted' WHERE id = ?1",
                [&call_id],
            )?;
            tracing::warn!(call_id, "closed a call left open by an earlier launch");
        }
        Ok(())
    }

    pub fn create_call(&self, call: NewCall) -> Result<CallSummary> {
        if call.destination.trim().is_empty() {
            return Err(Error::bad_input("destination", "is empty; enter a number or a SIP URI"));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let mut inner = self.lock();
        let launch_id = inner.launch_id()?;
        inner.conn.execute(
            "INSERT INTO calls (id, launch_id, provider, account, direction, destination, started_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'idle')",
            params![
                id,
                launch_id,
                sql_name(&call.provider),
                call.account,
                sql_name(&call.direction),
                call.destination.trim(),
                now_utc()
            ],
        )?;
        inner.live.insert(
            id.clone(),
            LiveCall { started: Instant::now(), ui_origin: call.ui_clock, next_seq: 1, state: CallState::Idle },
        );
        let summary = inner.summary(&id)?;
        Ok(summary)
    }

    /// Append one event to a live call, or to the launch when `call_id` is none.
    pub fn append(&self, call_id: Option<&str>, source: Source, kind: EventKind, payload: Value) -> Result<JournalEvent> {
        self.append_observed(call_id, source, kind, payload, Observed::Now)
    }

    /// Append an event stamped when it happened (the UI's writes queue up one after another),
    /// on the call's one clock.
    pub fn append_observed(
        &self,
        call_id: Option<&str>,
        source: Source,
        kind: EventKind,
        payload: Value,
        observed: Observed,
    ) -> Result<JournalEvent> {
        if kind == EventKind::State {
            return Err(Error::bad_input("kind", "state changes go through record_state, which checks them"));
        }
        let mut inner = self.lock();
        inner.insert(call_id, source, kind, payload, observed)
    }

    /// Record a transition of the normalised state. Unexpected transitions are recorded too (the
    /// provider said so) with a warning beside them; an `ended` closes the call and stores who
    /// ended it, the failure codes (completed from a `Reason:` header in `raw.reason_header`)
    /// and the timings.
    pub fn record_state(
        &self,
        call_id: &str,
        source: Source,
        state: CallState,
        raw: Value,
        end: Option<EndInfo>,
    ) -> Result<Vec<JournalEvent>> {
        self.record_state_observed(call_id, source, state, raw, end, Observed::Now)
    }

    /// [`Journal::record_state`] for a transition stamped when it happened.
    pub fn record_state_observed(
        &self,
        call_id: &str,
        source: Source,
        state: CallState,
        raw: Value,
        mut end: Option<EndInfo>,
        observed: Observed,
    ) -> Result<Vec<JournalEvent>> {
        if state == CallState::Ended && end.is_none() {
            return Err(Error::bad_input("end", "an ended state needs who ended it (local, remote or error)"));
        }
        if state != CallState::Ended && end.is_some() {
            return Err(Error::bad_input("end", "only an ended state carries end information"));
        }
        if let Some(end) = &mut end {
            reason_header::complete(&mut end.failure, &raw);
        }
        let mut inner = self.lock();
        let from = inner.live_call(call_id)?.state;
        let mut recorded = Vec::with_capacity(2);
        if !from.allows(state) {
            recorded.push(inner.insert(
                Some(call_id),
                Source::Backend,
                EventKind::Warning,
                serde_json::json!({
                    "message": format!("unexpected transition {} → {}", from.as_str(), state.as_str()),
                    "from": from, "to": state,
                }),
                observed,
            )?);
        }
        let mut payload = serde_json::json!({ "state": state, "from": from, "raw": raw });
        if let Some(end) = &end {
            payload["end"] = serde_json::to_value(end).map_err(|e| Error::Internal(e.to_string()))?;
        }
        recorded.push(inner.insert(Some(call_id), source, EventKind::State, payload, observed)?);

        inner.live_call(call_id)?.state = state;
        inner.conn.execute("UPDATE calls SET state = ?2 WHERE id = ?1", params![call_id, sql_name(&state)])?;
        if let Some(end) = end {
            let timings = inner.timings(call_id)?;
            inner.conn.execute(
                "UPDATE calls SET ended_at = ?2, ended_by = ?3, failure = ?4, timings = ?5 WHERE id = ?1",
                params![
                    call_id,
                    now_utc(),
                    sql_name(&end.by),
                    serde_json::to_string(&end.failure).map_err(|e| Error::Internal(e.to_string()))?,
                    serde_json::to_string(&timings).map_err(|e| Error::Internal(e.to_string()))?,
                ],
            )?;
            inner.live.remove(call_id);
        }
        Ok(recorded)
    }

    /// Keep the one-line reason of an ended call (the diagnosis's summary).
    pub fn set_reason(&self, call_id: &str, reason: &str) -> Result<()> {
        let inner = self.lock();
        inner.launch_id()?;
        inner.conn.execute("UPDATE calls SET reason = ?2 WHERE id = ?1", params![call_id, reason])?;
        Ok(())
    }

    /// One line's (account's) app-level events, oldest first: its registrations, challenges and
    /// transport drops. Stops at `until` (UTC, as journaled) when given; keeps the newest `limit`.
    pub fn line_events(&self, account: &str, until: Option<&str>, limit: u32) -> Result<Vec<JournalEvent>> {
        let inner = self.lock();
        let mut stmt = inner.conn.prepare(
            "SELECT call_id, launch_id, seq, t_ms, at, source, kind, payload FROM (
                 SELECT * FROM events WHERE call_id IS NULL AND json_extract(payload, '$.account') = ?1
                   AND (?2 IS NULL OR at <= ?2) ORDER BY at DESC, id DESC LIMIT ?3)
             ORDER BY at, id",
        )?;
        let rows = stmt.query_map(params![account, until, limit], read_event)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every account that has line events or calls in the journal, by name.
    pub fn line_names(&self) -> Result<Vec<String>> {
        let inner = self.lock();
        let mut stmt = inner.conn.prepare(
            "SELECT json_extract(payload, '$.account') AS name FROM events
               WHERE call_id IS NULL AND json_extract(payload, '$.account') IS NOT NULL
             UNION SELECT account FROM calls WHERE account IS NOT NULL
             ORDER BY name",
        )?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Recent calls, newest first.
    pub fn list_calls(&self, limit: u32) -> Result<Vec<CallSummary>> {
        let inner = self.lock();
        let ids: Vec<String> = inner
            .conn
            .prepare("SELECT id FROM calls ORDER BY number DESC LIMIT ?1")?
            .query_map([limit], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| inner.summary(id)).collect()
    }

    /// A call by its id or its short number.
    pub fn get_call(&self, id_or_number: &str) -> Result<CallSummary> {
        let inner = self.lock();
        let id = inner.resolve(id_or_number)?;
        inner.summary(&id)
    }

    pub fn call_detail(&self, id_or_number: &str) -> Result<CallDetail> {
        let inner = self.lock();
        let id = inner.resolve(id_or_number)?;
        Ok(CallDetail { call: inner.summary(&id)?, events: inner.events(&id)? })
    }

    /// App-level events (no call) of this launch, such as the WebRTC probe.
    pub fn launch_events(&self) -> Result<Vec<JournalEvent>> {
        let inner = self.lock();
        let launch_id = inner.launch_id()?;
        let mut stmt = inner.conn.prepare(
            "SELECT call_id, launch_id, seq, t_ms, at, source, kind, payload FROM events
             WHERE call_id IS NULL AND launch_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([launch_id], read_event)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Inner {
    fn launch_id(&self) -> Result<i64> {
        self.launch.as_ref().map(|launch| launch.id).ok_or_else(|| {
            Error::Internal("the journal was opened for reading only; recording needs the app".into())
        })
    }

    fn live_call(&mut self, call_id: &str) -> Result<&mut LiveCall> {
        if self.live.contains_key(call_id) {
            return Ok(self.live.get_mut(call_id).expect("checked above"));
        }
        let exists: Option<String> =
            self.conn.query_row("SELECT state FROM calls WHERE id = ?1", [call_id], |row| row.get(0)).optional()?;
        Err(match exists {
            Some(_) => Error::CallEnded(call_id.to_string()),
            None => Error::UnknownCall(call_id.to_string()),
        })
    }

    fn insert(&mut self, call_id: Option<&str>, source: Source, kind: EventKind, payload: Value, observed: Observed) -> Result<JournalEvent> {
        let elapsed_ms = |started: Instant, ago: Duration| started.elapsed().saturating_sub(ago).as_secs_f64() * 1000.0;
        let (seq, t_ms) = match call_id {
            Some(id) => {
                let call = self.live_call(id)?;
                let seq = call.next_seq;
                call.next_seq += 1;
                let t_ms = match (observed, call.ui_origin) {
                    (Observed::UiClock(at), Some(origin)) => (at - origin).max(0.0),
                    (Observed::Ago(ago), _) => elapsed_ms(call.started, ago),
                    _ => elapsed_ms(call.started, Duration::ZERO),
                };
                (seq, t_ms)
            }
            None => {
                let launch = self.launch.as_mut().ok_or_else(|| {
                    Error::Internal("the journal was opened for reading only; recording needs the app".into())
                })?;
                let seq = launch.next_seq;
                launch.next_seq += 1;
                let ago = match observed {
                    Observed::Ago(ago) => ago,
                    _ => Duration::ZERO,
                };
                (seq, elapsed_ms(launch.started, ago))
            }
        };
        let ago = match (call_id.and_then(|id| self.live.get(id)), observed) {
            (Some(call), _) => call.started.elapsed().saturating_sub(Duration::from_secs_f64((t_ms / 1000.0).max(0.0))),
            (None, Observed::Ago(ago)) => ago,
            _ => Duration::ZERO,
        };
        let launch_id = self.launch_id()?;
        // Round to microseconds: enough precision, and stable in JSON.
        let t_ms = (t_ms * 1000.0).round() / 1000.0;
        let event = JournalEvent {
            call_id: call_id.map(str::to_string),
            launch_id,
            seq,
            t_ms,
            at: utc(time::OffsetDateTime::now_utc() - ago),
            source,
            kind,
            payload,
        };
        self.conn.execute(
            "INSERT INTO events (launch_id, call_id, seq, t_ms, at, source, kind, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                event.launch_id,
                event.call_id,
                event.seq,
                event.t_ms,
                event.at,
                sql_name(&event.source),
                sql_name(&event.kind),
                event.payload.to_string()
            ],
        )?;
        Ok(event)
    }

    fn resolve(&self, id_or_number: &str) -> Result<String> {
        let key = id_or_number.trim();
        let found: Option<String> = match key.parse::<i64>() {
            Ok(number) => {
                self.conn.query_row("SELECT id FROM calls WHERE number = ?1", [number], |row| row.get(0)).optional()?
            }
            Err(_) => self.conn.query_row("SELECT id FROM calls WHERE id = ?1", [key], |row| row.get(0)).optional()?,
        };
        found.ok_or_else(|| Error::UnknownCall(key.to_string()))
    }

    fn summary(&self, id: &str) -> Result<CallSummary> {
        let summary = self.conn.query_row(
            "SELECT number, id, provider, direction, destination, started_at, state, ended_at, ended_by,
                    failure, timings, (SELECT COUNT(*) FROM events WHERE call_id = calls.id), account, reason
             FROM calls WHERE id = ?1",
            [id],
            |row| {
                Ok(CallSummary {
                    number: row.get(0)?,
                    id: row.get(1)?,
                    provider: from_sql_name(row, 2)?,
                    account: row.get(12)?,
                    direction: from_sql_name(row, 3)?,
                    destination: row.get(4)?,
                    started_at: row.get(5)?,
                    state: from_sql_name(row, 6)?,
                    ended_at: row.get(7)?,
                    ended_by: row.get::<_, Option<String>>(8)?.map(|s| parse_name(&s, 8)).transpose()?,
                    failure: from_sql_json(row, 9)?,
                    timings: from_sql_json(row, 10)?,
                    event_count: row.get(11)?,
                    reason: row.get(13)?,
                })
            },
        );
        summary.optional()?.ok_or_else(|| Error::UnknownCall(id.to_string()))
    }

    fn events(&self, call_id: &str) -> Result<Vec<JournalEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT call_id, launch_id, seq, t_ms, at, source, kind, payload FROM events
             WHERE call_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([call_id], read_event)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Timings from the call's journaled states and the first time its peer connection (ICE and
    /// DTLS) reported `connected`.
    fn timings(&self, call_id: &str) -> Result<Timings> {
        let milestones = self.events(call_id)?.into_iter().filter_map(|event| {
            let milestone = match event.kind {
                EventKind::State => Milestone::State(serde_json::from_value(event.payload["state"].clone()).ok()?),
                EventKind::Media if event.payload["pc"] == "connection" && event.payload["state"] == "connected" => {
                    Milestone::MediaConnected
                }
                _ => return None,
            };
            Some((event.t_ms, milestone))
        });
        Ok(Timings::from_milestones(milestones))
    }
}

/// Whether a process with this id is still running.
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else { return false };
    // Signal 0 checks existence and permission without sending anything; EPERM means it exists.
    // SAFETY: kill with signal 0 has no side effects.
    unsafe { libc::kill(pid, 0) == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM) }
}

/// Without a cheap check here, assume the earlier launch is gone: a second running instance on
/// Windows would see its open calls marked interrupted, which loses no event.
#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    false
}

fn read_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<JournalEvent> {
    let payload: String = row.get(7)?;
    Ok(JournalEvent {
        call_id: row.get(0)?,
        launch_id: row.get(1)?,
        seq: row.get(2)?,
        t_ms: row.get(3)?,
        at: row.get(4)?,
        source: from_sql_name(row, 5)?,
        kind: from_sql_name(row, 6)?,
        payload: serde_json::from_str(&payload).map_err(|e| bad_column(7, e))?,
    })
}

pub(crate) fn now_utc() -> String {
    utc(time::OffsetDateTime::now_utc())
}

fn utc(now: time::OffsetDateTime) -> String {
    let millis = now.millisecond();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// The name an enum has in JSON (`"signalling"`), which is also its name in SQL.
fn sql_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        other => unreachable!("journal enums serialise to strings, got {other:?}"),
    }
}

fn parse_name<T: DeserializeOwned>(name: &str, column: usize) -> rusqlite::Result<T> {
    serde_json::from_value(Value::String(name.to_string())).map_err(|e| bad_column(column, e))
}

fn from_sql_name<T: DeserializeOwned>(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<T> {
    parse_name(&row.get::<_, String>(column)?, column)
}

fn from_sql_json<T: DeserializeOwned>(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<Option<T>> {
    row.get::<_, Option<String>>(column)?
        .map(|text| serde_json::from_str(&text).map_err(|e| bad_column(column, e)))
        .transpose()
}

fn bad_column(column: usize, e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

#[cfg(test)]
mod tests;
