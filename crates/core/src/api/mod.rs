//! The one typed API every face speaks.
//!
//! Each method is declared once in [`methods!`] below with its parameter and result types. From
//! that one list come the `Request` enum the transports deserialise, the dispatcher that calls
//! the backend's handler of the same name, and the TypeScript `ApiMethods` map the UI is typed
//! against (see [`typescript`]).

mod types;
pub mod typescript;

pub use types::*;

use serde::Deserialize;
use serde_json::Value;

use crate::backend::{Backend, Caller};
use crate::error::{Error, Result};

macro_rules! methods {
    ($( $(#[doc = $doc:expr])* $method:ident ( $params:ty ) -> $result:ty ; )*) => {
        /// A call from the UI: `{"method": "...", "params": {...}}`.
        #[derive(Debug, Deserialize)]
        #[serde(tag = "method", content = "params")]
        #[allow(non_camel_case_types)]
        pub enum Request {
            $( $(#[doc = $doc])* $method($params), )*
        }

        impl Request {
            pub fn method(&self) -> &'static str {
                match self { $( Request::$method(_) => stringify!($method), )* }
            }
        }

        impl Backend {
            /// Answer one request. Every face (Tauri IPC, loopback HTTP, tests) comes through here.
            pub async fn dispatch(&self, caller: Caller, request: Request) -> Result<Value> {
                match request {
                    $( Request::$method(params) => to_json(self.$method(caller, params).await?), )*
                }
            }
        }

        /// Every method with its parameter and result types, for the TypeScript generator.
        pub(crate) fn method_signatures(cfg: &ts_rs::Config) -> Vec<(&'static str, String, String, Vec<String>)> {
            use ts_rs::TS;
            vec![ $( (
                stringify!($method),
                <$params as TS>::name(cfg),
                <$result as TS>::name(cfg),
                vec![ $( $doc.trim().to_string() ),* ],
            ), )* ]
        }

        /// Visit every type the API uses, so the generator can declare them all.
        pub(crate) fn visit_api_types(visitor: &mut impl ts_rs::TypeVisitor) {
            $( visitor.visit::<$params>(); visitor.visit::<$result>(); )*
            visitor.visit::<Event>();
            visitor.visit::<SignalMessage>();
            visitor.visit::<crate::error::ApiError>();
        }
    };
}

methods! {
    /// Which face is running, the app's version, where its files are, and the Echo line's numbers.
    app_info(NoParams) -> AppInfo;
    /// The UI reports what its engine can do (RTCPeerConnection, getUserMedia); journaled as a probe.
    report_webrtc(WebrtcSupport) -> Done;
    /// A log line from the webview (console, uncaught errors), written under target `webview`.
    log(LogLine) -> Done;
    /// Open a call record before dialling; every later event refers to its id.
    create_call(CreateCall) -> CallSummary;
    /// A transition of the normalised call state, with the provider's raw event.
    record_state(RecordState) -> Vec<JournalEvent>;
    /// Any other event: a signalling message, media state, stats sample, user action, warning, error.
    record_event(RecordEvent) -> JournalEvent;
    /// Send the UI's SDP offer to the Echo line's far end; its answer arrives as `echo` events.
    echo_dial(EchoDial) -> Done;
    /// Hang up an Echo call from our side (CANCEL before answer, BYE after).
    echo_hangup(CallRef) -> Done;
    /// Recent calls from the journal, newest first.
    list_calls(ListCalls) -> Vec<CallSummary>;
    /// One call with every event, by id or short number.
    get_call(CallRef) -> CallDetail;
    /// The provider accounts (settings only).
    list_accounts(NoParams) -> Vec<Profile>;
    /// One account with which of its secrets the keychain holds.
    get_account(AccountRef) -> AccountView;
    /// Create or update an account; its secrets go to the OS keychain.
    save_account(SaveAccount) -> AccountView;
    /// Remove an account and its keychain entries.
    remove_account(AccountRef) -> Done;
    /// Check an account against its provider; for Telnyx it can create the credential connection.
    test_account(TestAccount) -> AccountTest;
    /// Short-lived credentials to place calls with an account (never its long-lived secrets).
    call_credentials(CredentialsFor) -> CallCredentials;
    /// Start browser mode in this process and open it in the default browser.
    open_browser_mode(NoParams) -> BrowserMode;
}

fn to_json<T: serde::Serialize>(value: T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(format!("serialising a response: {e}")))
}

impl Request {
    /// Parse a request from JSON, with an error that names what was wrong.
    pub fn from_json(value: Value) -> Result<Request> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            // The path names the wrong field ("params.profile.token_ttl_secs"); without one the
            // request itself was wrong (e.g. an unknown method).
            let path = e.path().to_string();
            let field = match path.as_str() {
                "." | "" => "request".to_string(),
                other => other.strip_prefix("params.").unwrap_or(other).to_string(),
            };
            Error::bad_input(field, e.into_inner().to_string())
        })
    }
}
