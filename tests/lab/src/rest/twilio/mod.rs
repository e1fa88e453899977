//! A stateful fake of the Twilio REST API subset Callscope uses (twilio.md §6), on loopback: the
//! 2010-04-01 API under `/2010-04-01` and Voice v1 dialing permissions under `/v1`, on one port.
//!
//! It holds accounts with their API keys (SID + secret), so the PStream emulator to come can check
//! Access Tokens against them ([`TwilioFake::access_tokens`]).

mod access_tokens;
mod errors;
mod handlers;
mod paging;
mod records;
mod store;

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::faults::{self, Faults};
use crate::server::Server;
pub use access_tokens::{AccessTokenRejection, VerifiedAccessToken, MAX_TTL_SECS};
use handlers::Shared;
pub use store::{ApiKeyRecord, KeyKind, SeededKey, TwilioSeed};

#[derive(Debug, Clone, Default)]
pub struct TwilioConfig {
    /// 0 picks a free port.
    pub port: u16,
}

pub struct TwilioFake {
    shared: Arc<Shared>,
    faults: Faults,
    seed: TwilioSeed,
    server: Server,
}

/// Looks up API keys and checks Access Tokens against a running fake; cheap to clone.
#[derive(Clone)]
pub struct AccessTokenVerifier {
    shared: Arc<Shared>,
}

impl AccessTokenVerifier {
    pub fn verify(&self, token: &str) -> Result<VerifiedAccessToken, AccessTokenRejection> {
        access_tokens::verify(&self.shared.lock(), token)
    }

    /// The key with this SID, its secret and its account, if it exists.
    pub fn api_key(&self, sid: &str) -> Option<ApiKeyRecord> {
        self.shared.lock().key(sid).cloned()
    }
}

impl TwilioFake {
    pub async fn start(config: TwilioConfig) -> std::io::Result<TwilioFake> {
        let mut store = store::Store::default();
        let seed = store::seed(&mut store);
        let shared = Arc::new(Shared { store: Mutex::new(store) });
        let faults = Faults::default();
        let api =
            faults::wrap(handlers::router(shared.clone()), faults.clone(), Arc::new(errors::TwilioFaultResponses));
        let router = api.merge(faults::control_routes(faults.clone())).merge(lab_routes(shared.clone(), seed.clone()));
        let server = Server::start(router, config.port).await?;
        Ok(TwilioFake { shared, faults, seed, server })
    }

    /// `http://127.0.0.1:port/2010-04-01`, the fake's `https://api.twilio.com/2010-04-01`.
    pub fn api_base_url(&self) -> String {
        format!("{}/2010-04-01", self.server.origin())
    }

    /// `http://127.0.0.1:port/v1`, the fake's `https://voice.twilio.com/v1`.
    pub fn voice_base_url(&self) -> String {
        format!("{}/v1", self.server.origin())
    }

    pub fn origin(&self) -> String {
        self.server.origin()
    }

    pub fn seed(&self) -> &TwilioSeed {
        &self.seed
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn access_tokens(&self) -> AccessTokenVerifier {
        AccessTokenVerifier { shared: self.shared.clone() }
    }

    pub fn verify_access_token(&self, token: &str) -> Result<VerifiedAccessToken, AccessTokenRejection> {
        self.access_tokens().verify(token)
    }

    pub fn api_key(&self, sid: &str) -> Option<ApiKeyRecord> {
        self.access_tokens().api_key(sid)
    }

    /// Adds a key to an account (e.g. one in another region); `None` if the account is unknown.
    pub fn add_api_key(&self, account_sid: &str, kind: KeyKind, region: &str) -> Option<ApiKeyRecord> {
        let mut store = self.shared.lock();
        let account = store.accounts.iter_mut().find(|a| a.sid == account_sid)?;
        let mut key = account.add_key("Added by the lab", kind);
        key.region = region.to_string();
        if let Some(stored) = account.keys.iter_mut().find(|k| k.sid == key.sid) {
            stored.region = key.region.clone();
        }
        Some(key)
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}

#[derive(Deserialize)]
struct TokenToVerify {
    token: String,
}

/// `GET /__lab/seed`; `POST /__lab/twilio/access_tokens/verify` `{"token"}` (200 with the grants,
/// or 401 with `{code, rejected}`); `GET /__lab/twilio/keys/{sid}` (the key with its secret).
fn lab_routes(shared: Arc<Shared>, seed: TwilioSeed) -> Router {
    Router::new()
        .route("/__lab/seed", get(move || async move { Json(seed) }))
        .route(
            "/__lab/twilio/access_tokens/verify",
            post(|State(shared): State<Arc<Shared>>, Json(body): Json<TokenToVerify>| async move {
                match access_tokens::verify(&shared.lock(), &body.token) {
                    Ok(verified) => (StatusCode::OK, Json(json!(verified))).into_response(),
                    Err(rejection) => {
                        let body = json!({"code": rejection.code(), "rejected": rejection.to_string()});
                        (StatusCode::UNAUTHORIZED, Json(body)).into_response()
                    }
                }
            }),
        )
        .route(
            "/__lab/twilio/keys/{sid}",
            get(|State(shared): State<Arc<Shared>>, Path(sid): Path<String>| async move {
                match shared.lock().key(&sid) {
                    Some(key) => (StatusCode::OK, Json(json!(key))).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .with_state(shared)
}
