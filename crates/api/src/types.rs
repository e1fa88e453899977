//! Request, response and event types of the API. TypeScript is generated from these.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

pub use callscope_accounts::{AccountFields, Profile, SaveMode, SecretInput, SecretKind, SecretSpec, SecretStatus};
pub use callscope_accounts::credentials::{AccountTest, CallCredentials};
pub use callscope_calls::{CallState, Direction, EndInfo, EndedBy, Failure, Provider, Timings};
pub use callscope_journal::diagnosis::Diagnosis;
pub use callscope_journal::{CallDetail, CallSummary, EventKind, JournalEvent, Source};
pub use callscope_echo::{EchoNumber, EchoScenario, EchoSignal};

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// An empty success.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Done {}

/// Which face of Callscope is answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Face {
    /// The Tauri desktop window.
    Window,
    /// `callscope serve`: the UI in the user's browser, over loopback HTTP.
    Browser,
    /// The command line (no UI).
    Cli,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub face: Face,
    pub version: String,
    pub journal_path: String,
    pub log_dir: String,
    pub config_dir: String,
    pub echo_numbers: Vec<EchoNumber>,
    /// What the account forms show and check: each provider's settings and secrets.
    pub account_fields: AccountFields,
}

/// What the UI's engine can do, probed at start.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct WebrtcSupport {
    pub rtc_peer_connection: bool,
    pub get_user_media: bool,
    pub secure_context: bool,
    pub user_agent: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LogLine {
    pub level: LogLevel,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateCall {
    /// The UI's monotonic clock (`performance.now()`, ms) as it asks: events it stamps later
    /// with `observed_at` map onto the call's one clock from here.
    #[serde(default)]
    #[ts(optional)]
    pub ui_clock: Option<f64>,
    pub provider: Provider,
    /// The account to call through (required for every provider but the Echo line).
    #[serde(default)]
    #[ts(optional)]
    pub account: Option<String>,
    pub destination: String,
    #[serde(default = "outbound")]
    #[ts(optional)]
    pub direction: Option<Direction>,
}

fn outbound() -> Option<Direction> {
    Some(Direction::Outbound)
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RecordState {
    pub call_id: String,
    pub source: Source,
    pub state: CallState,
    /// The provider's own event, kept as it came.
    #[serde(default)]
    #[ts(type = "unknown")]
    pub raw: Value,
    /// Required with `ended`: who ended the call and the codes it ended with.
    #[serde(default)]
    #[ts(optional)]
    pub end: Option<EndInfo>,
    /// When it happened on the UI's clock (see `CreateCall::ui_clock`): the journal stamps it
    /// then, whatever the request's own delay.
    #[serde(default)]
    #[ts(optional)]
    pub observed_at: Option<f64>,
    /// Or: how long before this request it happened.
    #[serde(default)]
    #[ts(optional)]
    pub observed_ms_ago: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RecordEvent {
    /// None for app-level events.
    #[serde(default)]
    pub call_id: Option<String>,
    pub source: Source,
    pub kind: EventKind,
    /// A `signal` event's payload must be a [`SignalMessage`].
    #[ts(type = "unknown")]
    pub payload: Value,
    /// When it happened on the UI's clock (see `CreateCall::ui_clock`).
    #[serde(default)]
    #[ts(optional)]
    pub observed_at: Option<f64>,
    /// Or: how long before this request it happened (app-level events, which have no call clock).
    #[serde(default)]
    #[ts(optional)]
    pub observed_ms_ago: Option<f64>,
}

/// The longest an event may have waited before it was recorded.
const MAX_OBSERVED_AGO_MS: f64 = 10.0 * 60.0 * 1000.0;

/// When a recorded event happened, from the request's fields; refuses what cannot be a time.
pub fn observed(at: Option<f64>, ago_ms: Option<f64>) -> crate::Result<callscope_journal::Observed> {
    use callscope_journal::Observed;
    match (at, ago_ms) {
        (Some(at), _) if at.is_finite() && at >= 0.0 => Ok(Observed::UiClock(at)),
        (Some(at), _) => Err(crate::Error::bad_input("observed_at", format!("{at} is not a time on the UI's clock"))),
        (None, Some(ms)) if ms.is_finite() && (0.0..=MAX_OBSERVED_AGO_MS).contains(&ms) => {
            Ok(Observed::Ago(std::time::Duration::from_secs_f64(ms / 1000.0)))
        }
        (None, Some(ms)) => Err(crate::Error::bad_input("observed_ms_ago", format!("{ms} is not a delay between 0 and 600000 ms"))),
        (None, None) => Ok(Observed::Now),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EchoDial {
    pub call_id: String,
    pub offer_sdp: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CallRef {
    /// The call's id, or its short number for `get_call`.
    pub call_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListCalls {
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A call as the UI shows it: the journal's record with every event, and what the backend's
/// diagnosis reads from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CallView {
    #[serde(flatten)]
    #[ts(flatten)]
    pub detail: CallDetail,
    /// What happened and what to fix, for an ended call (worked out when asked, not stored).
    #[serde(default)]
    pub diagnosis: Option<Diagnosis>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BrowserMode {
    /// The address browser mode serves, without its key.
    pub address: String,
    /// The address with this launch's key, for the user to open or copy when no browser opened.
    pub url: String,
    /// Whether the default browser was asked to open it.
    pub opened: bool,
}

/// Something the backend tells every open UI, as it happens.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// An event was written to the journal (from any face).
    Journal { event: JournalEvent },
    /// A call's summary changed (created, state, ended).
    Call { call: Box<CallSummary> },
    /// The Echo line's far end said something about a call. `seq` is the journal event that
    /// recorded it (none if it could not be journaled), so a page that missed events can replay
    /// the call's signals from `get_call`: their body is this same `EchoSignal`.
    Echo { call_id: String, seq: Option<i64>, signal: EchoSignal },
}

/// The shape of every signalling message in the journal (`kind: signal`), whatever the protocol.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SignalMessage {
    /// `sent` by this app or `received` by it.
    pub direction: SignalDirection,
    /// `echo`, `sip`, `verto`, `pstream`.
    pub protocol: String,
    /// The first line or method, for the ladder's arrow ("INVITE", "180 Ringing").
    pub summary: String,
    /// The whole message: text (SIP, SDP) or JSON (Verto, PStream), with credentials redacted.
    #[ts(type = "unknown")]
    pub body: Value,
    /// For app-level messages (a registration), the account they belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignalDirection {
    Sent,
    Received,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AccountRef {
    pub name: String,
}

/// An account as the UI sees it: its settings and which secrets the keychain holds (never their
/// values).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AccountView {
    pub profile: Profile,
    pub secrets: Vec<SecretStatus>,
    /// Why the secrets' status is unknown (a locked or missing keychain), if it is.
    pub keychain_error: Option<crate::error::ApiError>,
}

/// Create or update an account. Secrets are write-only: they go to the keychain and are never
/// sent back.
#[derive(Debug, Deserialize, TS)]
pub struct SaveAccount {
    pub profile: Profile,
    #[serde(default)]
    pub secrets: Vec<SecretInput>,
    pub mode: SaveMode,
}

/// Which account to fetch call credentials for.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CredentialsFor {
    pub name: String,
    /// Mint a new token even when a cached one is still valid (after the provider refused it).
    #[serde(default)]
    #[ts(optional)]
    pub fresh: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TestAccount {
    pub name: String,
    /// Telnyx: create the "Callscope WebRTC" credential connection when there is none.
    #[serde(default)]
    pub create_connection: bool,
}
