//! The one typed API every face speaks: its methods and their wire types, and no handlers.
//!
//! Each method is declared once in [`api_methods!`] below with its parameter and result types.
//! That one list is handed to a callback macro: here it builds the `Request` enum the transports
//! deserialise and the TypeScript `ApiMethods` map the UI is typed against (see [`typescript`]);
//! in `callscope-core` it builds the dispatcher that calls the backend's handler of the same name.

pub mod error;
mod types;
pub mod typescript;

pub use error::{ApiError, Error, Result};
pub use types::*;

use serde::Deserialize;
use serde_json::Value;

/// Hands the API's one list of methods to `$callback!`, as
/// `$( $(#[doc = "..."])* method(Params) -> Result; )*`, each type named by its full path.
#[macro_export]
macro_rules! api_methods {
    ($callback:ident) => { $callback! {
        /// Which face is running, the app's version, where its files are, and the Echo line's numbers.
        app_info($crate::NoParams) -> $crate::AppInfo;
        /// The UI reports what its engine can do (RTCPeerConnection, getUserMedia); journaled as a probe.
        report_webrtc($crate::WebrtcSupport) -> $crate::Done;
        /// A log line from the webview (console, uncaught errors), written under target `webview`.
        log($crate::LogLine) -> $crate::Done;
        /// Open a call record before dialling; every later event refers to its id.
        create_call($crate::CreateCall) -> $crate::CallSummary;
        /// A transition of the normalised call state, with the provider's raw event.
        record_state($crate::RecordState) -> Vec<$crate::JournalEvent>;
        /// Any other event: a signalling message, media state, stats sample, user action, warning, error.
        record_event($crate::RecordEvent) -> $crate::JournalEvent;
        /// Send the UI's SDP offer to the Echo line's far end; its answer arrives as `echo` events.
        echo_dial($crate::EchoDial) -> $crate::Done;
        /// Hang up an Echo call from our side (CANCEL before answer, BYE after).
        echo_hangup($crate::CallRef) -> $crate::Done;
        /// Recent calls from the journal, newest first.
        list_calls($crate::ListCalls) -> Vec<$crate::CallSummary>;
        /// One call with every event and its diagnosis, by id or short number.
        get_call($crate::CallRef) -> $crate::CallView;
        /// The provider accounts (settings only).
        list_accounts($crate::NoParams) -> Vec<$crate::Profile>;
        /// One account with which of its secrets the keychain holds.
        get_account($crate::AccountRef) -> $crate::AccountView;
        /// Create or update an account; its secrets go to the OS keychain.
        save_account($crate::SaveAccount) -> $crate::AccountView;
        /// Remove an account and its keychain entries.
        remove_account($crate::AccountRef) -> $crate::Done;
        /// Check an account against its provider; for Telnyx it can create the credential connection.
        test_account($crate::TestAccount) -> $crate::AccountTest;
        /// Short-lived credentials to place calls with an account (never its long-lived secrets).
        call_credentials($crate::CredentialsFor) -> $crate::CallCredentials;
        /// Start browser mode in this process and open it in the default browser.
        open_browser_mode($crate::NoParams) -> $crate::BrowserMode;
    } };
}

/// Builds `Request` and the generator's views of the list.
macro_rules! define_request {
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
            visitor.visit::<ApiError>();
        }
    };
}

api_methods!(define_request);

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
