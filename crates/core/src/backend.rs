//! The backend behind every face: one `Backend` answers the typed requests of `callscope-api`
//! (through the dispatcher in `dispatch.rs`), keeps the journal, runs the Echo line and
//! tells every open UI what happened.

use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use callscope_accounts::credentials::Credentials;
use callscope_accounts::{Accounts, Keychain};
use callscope_api::*;
use callscope_echo::{EchoLine, FarEnd, FarEndMedia, ECHO_NUMBERS};
use callscope_journal::diagnosis::{diagnose, Context, Diagnosis};
use callscope_journal::CallDetail;
use callscope_journal::{Journal, NewCall};

use crate::error::{Error, Result};
use crate::paths::Paths;

/// How long the Echo line's "rings, never answered" number rings.
pub const ECHO_RING_TIMEOUT: Duration = Duration::from_secs(15);

/// Which transport a request came through; handlers that answer differently per face read it.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub face: Face,
}

/// Starts browser mode for the window's hand-off (a page that needs WebRTC the window lacks).
/// Browser mode's server sits above the backend, so the app hands the backend one of these.
pub trait BrowserModeLauncher: Send + Sync {
    /// Serve `backend` in the user's browser: started the first time, the same server after.
    fn launch(&self, backend: Arc<Backend>) -> Result<BrowserModeAddress>;
}

/// Where browser mode serves.
pub struct BrowserModeAddress {
    /// `http://127.0.0.1:PORT`, safe to print or log.
    pub address: String,
    /// The address with this launch's key: what the user opens once. Never logged.
    pub url_with_secret: String,
}

pub struct Backend {
    paths: Paths,
    journal: Arc<Journal>,
    accounts: Arc<Accounts>,
    credentials: Credentials,
    echo: Arc<EchoLine>,
    events: broadcast::Sender<Event>,
    /// Starts browser mode from the window; none where that cannot happen (the CLI, tests).
    browser_mode: Option<Arc<dyn BrowserModeLauncher>>,
    this: Weak<Backend>,
}

impl Backend {
    /// Open the journal under `paths` and build the backend. `browser_mode` starts browser mode
    /// for the window; the other faces pass none.
    pub fn open(paths: Paths, first_face: Face, browser_mode: Option<Arc<dyn BrowserModeLauncher>>) -> Result<Arc<Backend>> {
        paths.ensure()?;
        let journal = Journal::open(&paths.journal_file(), face_name(first_face))?;
        Ok(Self::with_journal(paths, journal, browser_mode))
    }

    pub fn with_journal(paths: Paths, journal: Journal, browser_mode: Option<Arc<dyn BrowserModeLauncher>>) -> Arc<Backend> {
        let (events, _) = broadcast::channel(1024);
        let accounts = Arc::new(Accounts::new(&paths.config_dir, Keychain::new()));
        let credentials = Credentials::new(Arc::clone(&accounts), &paths.config_dir);
        Arc::new_cyclic(|this| Backend {
            paths,
            journal: Arc::new(journal),
            accounts,
            credentials,
            echo: Arc::new(EchoLine::new(ECHO_RING_TIMEOUT)),
            events,
            browser_mode,
            this: this.clone(),
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Run a journal operation on the blocking pool (SQLite and fsync stay off async threads).
    async fn journal<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Journal) -> callscope_journal::Result<T> + Send + 'static,
    ) -> Result<T> {
        let journal = Arc::clone(&self.journal);
        tokio::task::spawn_blocking(move || op(&journal).map_err(Error::from))
            .await
            .map_err(|e| Error::Internal(format!("journal task: {e}")))?
    }

    /// Run an accounts operation on the blocking pool (the keychain talks D-Bus or XPC).
    async fn accounts<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Accounts) -> callscope_accounts::Result<T> + Send + 'static,
    ) -> Result<T> {
        let accounts = Arc::clone(&self.accounts);
        tokio::task::spawn_blocking(move || op(&accounts).map_err(Error::from))
            .await
            .map_err(|e| Error::Internal(format!("accounts task: {e}")))?
    }

    fn publish(&self, event: Event) {
        // No receiver (no UI open) is fine: the journal has it.
        let _ = self.events.send(event);
    }

    fn publish_recorded(&self, recorded: &[JournalEvent]) {
        for event in recorded {
            self.publish(Event::Journal { event: event.clone() });
        }
    }

    async fn append(&self, call_id: Option<String>, source: Source, kind: EventKind, payload: Value) -> Result<JournalEvent> {
        let event = self.journal(move |j| j.append(call_id.as_deref(), source, kind, payload)).await?;
        self.publish_recorded(std::slice::from_ref(&event));
        Ok(event)
    }

    async fn publish_call(&self, call_id: &str) -> Result<()> {
        let id = call_id.to_string();
        let call = self.journal(move |j| j.get_call(&id)).await?;
        self.publish(Event::Call { call: Box::new(call) });
        Ok(())
    }

    // ---- handlers: one per API method, named as in `api::methods!` ----

    pub(crate) async fn app_info(&self, caller: Caller, _: NoParams) -> Result<AppInfo> {
        Ok(AppInfo {
            face: caller.face,
            version: env!("CARGO_PKG_VERSION").to_string(),
            journal_path: self.paths.journal_file().display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            config_dir: self.paths.config_dir.display().to_string(),
            echo_numbers: ECHO_NUMBERS.to_vec(),
            account_fields: callscope_accounts::account_fields(),
        })
    }

    pub(crate) async fn report_webrtc(&self, caller: Caller, support: WebrtcSupport) -> Result<Done> {
        if support.rtc_peer_connection {
            tracing::info!(face = face_name(caller.face), ?support, "the UI's engine has WebRTC");
        } else {
            tracing::warn!(
                face = face_name(caller.face),
                ?support,
                "the UI's engine has no RTCPeerConnection: calls must use browser mode"
            );
        }
        let payload = json!({ "probe": "webrtc", "face": caller.face, "result": support });
        self.append(None, Source::Ui, EventKind::Probe, payload).await?;
        Ok(Done {})
    }

    pub(crate) async fn log(&self, caller: Caller, line: LogLine) -> Result<Done> {
        const MAX: usize = 4000;
        let mut message = line.message;
        if message.len() > MAX {
            let cut = (0..=MAX).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
            message.truncate(cut);
            message.push_str(" …(truncated)");
        }
        let face = face_name(caller.face);
        match line.level {
            LogLevel::Debug => tracing::debug!(target: "webview", face, "{message}"),
            LogLevel::Info => tracing::info!(target: "webview", face, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "webview", face, "{message}"),
            LogLevel::Error => tracing::error!(target: "webview", face, "{message}"),
        }
        Ok(Done {})
    }

    pub(crate) async fn create_call(&self, _: Caller, params: CreateCall) -> Result<CallSummary> {
        if params.provider != Provider::Echo && params.account.is_none() {
            return Err(Error::bad_input("account", format!("a {} call needs the account it goes through", params.provider.as_str())));
        }
        let new = NewCall {
            provider: params.provider,
            account: params.account,
            ui_clock: params.ui_clock.filter(|c| c.is_finite() && *c >= 0.0),
            direction: params.direction.unwrap_or(Direction::Outbound),
            destination: params.destination,
        };
        let call = self.journal(move |j| j.create_call(new)).await?;
        tracing::info!(call_id = call.id, provider = ?call.provider, destination = call.destination, "call created");
        self.publish(Event::Call { call: Box::new(call.clone()) });
        Ok(call)
    }

    pub(crate) async fn record_state(&self, _: Caller, params: RecordState) -> Result<Vec<JournalEvent>> {
        let call_id = params.call_id.clone();
        tracing::info!(call_id, state = params.state.as_str(), "call state");
        let ended = params.state == CallState::Ended;
        let when = observed(params.observed_at, params.observed_ms_ago)?;
        let recorded = self
            .journal(move |j| j.record_state_observed(&params.call_id, params.source, params.state, params.raw, params.end, when))
            .await?;
        self.publish_recorded(&recorded);
        if ended {
            self.keep_reason(&call_id).await?;
        }
        self.publish_call(&call_id).await?;
        Ok(recorded)
    }

    pub(crate) async fn record_event(&self, _: Caller, params: RecordEvent) -> Result<JournalEvent> {
        if params.kind == EventKind::Signal {
            // The ladder and the diagnosis read every protocol's messages in this one shape.
            serde_path_to_error::deserialize::<_, SignalMessage>(&params.payload)
                .map_err(|e| Error::bad_input(format!("payload.{}", e.path()), e.into_inner().to_string()))?;
        }
        let when = observed(params.observed_at, params.observed_ms_ago)?;
        let (call_id, source, kind, payload) = (params.call_id, params.source, params.kind, params.payload);
        let event = self.journal(move |j| j.append_observed(call_id.as_deref(), source, kind, payload, when)).await?;
        self.publish_recorded(std::slice::from_ref(&event));
        Ok(event)
    }

    pub(crate) async fn echo_dial(&self, _: Caller, params: EchoDial) -> Result<Done> {
        let id = params.call_id.clone();
        let call = self.journal(move |j| j.get_call(&id)).await?;
        if call.provider != Provider::Echo {
            return Err(Error::bad_input("call_id", format!("call {} is a {:?} call, not an Echo call", call.id, call.provider)));
        }
        if call.state == CallState::Ended {
            return Err(callscope_journal::Error::CallEnded(call.id).into());
        }
        let offer = SignalMessage {
            direction: SignalDirection::Sent,
            protocol: "echo".into(),
            summary: format!("INVITE {}", call.destination),
            body: json!({ "sdp": params.offer_sdp }),
            account: None,
        };
        self.append(Some(call.id.clone()), Source::Signalling, EventKind::Signal, to_value(&offer)).await?;

        // The far end reports from its own task; one forwarder journals its reports in order.
        let (tx, rx) = mpsc::unbounded_channel();
        let sink = Arc::new(move |far_end: FarEnd| {
            let _ = tx.send(far_end);
        });
        self.echo.dial(&call.id, &call.destination, &params.offer_sdp, sink)?;
        let backend = self.this.upgrade().ok_or_else(|| Error::Internal("backend is shutting down".into()))?;
        tokio::spawn(async move { backend.forward_far_end(call.id, rx).await });
        Ok(Done {})
    }

    /// Journal what the Echo line's far end does and pass its signalling to the UI.
    async fn forward_far_end(&self, call_id: String, mut reports: mpsc::UnboundedReceiver<FarEnd>) {
        while let Some(report) = reports.recv().await {
            let (source, kind, payload) = match &report {
                FarEnd::Signal(signal) => (Source::Signalling, EventKind::Signal, to_value(&echo_signal_message(signal))),
                FarEnd::Media(media) => {
                    let kind = match media {
                        FarEndMedia::Counters { .. } => EventKind::Stats,
                        FarEndMedia::Error { .. } => EventKind::Error,
                        _ => EventKind::Media,
                    };
                    (Source::Backend, kind, json!({ "peer": "echo", "far_end": to_value(media) }))
                }
            };
            let seq = match self.append(Some(call_id.clone()), source, kind, payload).await {
                Ok(event) => Some(event.seq),
                Err(e) => {
                    // The UI may already have ended the call; late far-end reports are only logged.
                    tracing::debug!(call_id, "far-end report not journaled: {e}");
                    None
                }
            };
            if let FarEnd::Signal(signal) = report {
                self.publish(Event::Echo { call_id: call_id.clone(), seq, signal });
            }
        }
    }

    pub(crate) async fn echo_hangup(&self, _: Caller, params: CallRef) -> Result<Done> {
        let id = params.call_id.clone();
        let call = self.journal(move |j| j.get_call(&id)).await?;
        let answered = matches!(call.state, CallState::Active | CallState::Held);
        let request = SignalMessage {
            direction: SignalDirection::Sent,
            protocol: "echo".into(),
            summary: if answered { "BYE" } else { "CANCEL" }.into(),
            body: Value::Null,
            account: None,
        };
        if call.state != CallState::Ended {
            self.append(Some(call.id.clone()), Source::Signalling, EventKind::Signal, to_value(&request)).await?;
        }
        self.echo.hangup(&call.id);
        Ok(Done {})
    }

    pub(crate) async fn list_calls(&self, _: Caller, params: ListCalls) -> Result<Vec<CallSummary>> {
        let limit = params.limit.unwrap_or(100).clamp(1, 10_000);
        let mut calls = self.journal(move |j| j.list_calls(limit)).await?;
        // Calls that ended without a kept reason (closed after a crash, older journals) get one now.
        for call in calls.iter_mut().filter(|c| c.state == CallState::Ended && c.reason.is_none()) {
            call.reason = self.keep_reason(&call.id).await?;
        }
        Ok(calls)
    }

    pub(crate) async fn get_call(&self, _: Caller, params: CallRef) -> Result<CallView> {
        let detail = self.journal(move |j| j.call_detail(&params.call_id)).await?;
        let diagnosis = self.diagnose(&detail).await?;
        Ok(CallView { detail, diagnosis })
    }

    /// Diagnose a call with its context: its account's settings and its line's history.
    async fn diagnose(&self, detail: &CallDetail) -> Result<Option<Diagnosis>> {
        let settings = match detail.call.account.clone() {
            // A removed account leaves its calls without settings, not without a diagnosis.
            Some(name) => self.accounts(move |a| Ok(a.get(&name).map(|p| p.diagnosis_settings()).unwrap_or_default())).await?,
            None => Vec::new(),
        };
        let call = detail.call.clone();
        let context = self.journal(move |j| Context::of_call(j, &call, settings)).await?;
        Ok(diagnose(detail, &context))
    }

    /// Diagnose an ended call and keep its one-line reason for the history.
    async fn keep_reason(&self, call_id: &str) -> Result<Option<String>> {
        let id = call_id.to_string();
        let detail = self.journal(move |j| j.call_detail(&id)).await?;
        let Some(diagnosis) = self.diagnose(&detail).await? else { return Ok(None) };
        let (id, summary) = (detail.call.id.clone(), diagnosis.summary.clone());
        self.journal(move |j| j.set_reason(&id, &summary)).await?;
        Ok(Some(diagnosis.summary))
    }

    pub(crate) async fn list_accounts(&self, _: Caller, _: NoParams) -> Result<Vec<Profile>> {
        self.accounts(|a| a.list()).await
    }

    pub(crate) async fn get_account(&self, _: Caller, params: AccountRef) -> Result<AccountView> {
        self.accounts(move |a| Ok(account_view(a, a.get(&params.name)?))).await
    }

    pub(crate) async fn save_account(&self, _: Caller, params: SaveAccount) -> Result<AccountView> {
        self.accounts(move |a| {
            let profile = a.save(params.profile, params.secrets, params.mode)?;
            Ok(account_view(a, profile))
        })
        .await
    }

    pub(crate) async fn remove_account(&self, _: Caller, params: AccountRef) -> Result<Done> {
        self.accounts(move |a| a.remove(&params.name)).await?;
        Ok(Done {})
    }

    pub(crate) async fn test_account(&self, _: Caller, params: TestAccount) -> Result<AccountTest> {
        Ok(self.credentials.test(&params.name, params.create_connection).await?)
    }

    pub(crate) async fn call_credentials(&self, _: Caller, params: CredentialsFor) -> Result<CallCredentials> {
        let credentials = self.credentials.for_call(&params.name, params.fresh.unwrap_or(false)).await?;
        tracing::info!(account = params.name, "call credentials handed to the UI");
        Ok(credentials)
    }

    /// The signalling servers the configured accounts connect to (`wss://pbx.example.com:8089`,
    /// a Telnyx region's host), for the browser-mode page's Content Security Policy.
    pub async fn signalling_sources(&self) -> Vec<String> {
        let profiles = self.accounts(|a| a.list()).await.unwrap_or_default();
        profiles.iter().filter_map(|p| p.signalling_source()).collect()
    }

    pub(crate) async fn open_browser_mode(&self, caller: Caller, _: NoParams) -> Result<BrowserMode> {
        if caller.face != Face::Window {
            return Err(Error::WrongFace("opening browser mode from the app"));
        }
        let backend = self.this.upgrade().ok_or_else(|| Error::Internal("backend is shutting down".into()))?;
        let launcher = self.browser_mode.as_ref().ok_or_else(|| Error::Internal("this build has no UI to serve".into()))?;
        let served = launcher.launch(backend)?;
        let opened = open_in_browser(&served.url_with_secret);
        Ok(BrowserMode { address: served.address, url: served.url_with_secret, opened })
    }
}

/// An account as the UI sees it: its settings and which of its secrets the keychain holds.
fn account_view(accounts: &Accounts, profile: Profile) -> AccountView {
    let (secrets, failure) = accounts.secret_status(&profile);
    AccountView { profile, secrets, keychain_error: failure.map(|e| Error::from(e).to_api()) }
}

/// Ask the OS to open `url` in the default browser. The error is logged without its text: it
/// repeats the command line, which carries this launch's key.
pub fn open_in_browser(url: &str) -> bool {
    match open::that_detached(url) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(kind = ?e.kind(), "could not open the default browser");
            false
        }
    }
}

pub fn face_name(face: Face) -> &'static str {
    match face {
        Face::Window => "window",
        Face::Browser => "browser",
        Face::Cli => "cli",
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| json!({ "unserialisable": e.to_string() }))
}

/// The Echo line's signalling in the journal's common shape, written like the SIP it stands for.
/// The body is the typed signal itself, so a page can replay it from the journal.
fn echo_signal_message(signal: &EchoSignal) -> SignalMessage {
    let summary = match signal {
        EchoSignal::Trying => "100 Trying".to_string(),
        EchoSignal::Ringing => "180 Ringing".to_string(),
        EchoSignal::Answer { .. } => "200 OK".to_string(),
        EchoSignal::Reject { status, reason, .. } | EchoSignal::HangupConfirmed { status, reason } => {
            format!("{status} {reason}")
        }
        EchoSignal::Bye { .. } => "BYE".to_string(),
    };
    let mut body = to_value(signal);
    if let EchoSignal::Reject { q850_cause, .. } = signal {
        body["reason_header"] = json!(format!("Q.850;cause={q850_cause}"));
    }
    SignalMessage { direction: SignalDirection::Received, protocol: "echo".into(), summary, body, account: None }
}
