//! A stateful fake of the Telnyx REST API v2 subset Callscope uses (telnyx.md §4), on loopback.
//!
//! Start it with [`TelnyxFake::start`]; point a client at [`TelnyxFake::base_url`] with the key in
//! [`TelnyxFake::seed`]. Besides the API it serves `/__lab/…` control routes (faults, the request
//! log, login-token verification) and offers the same through Rust methods.

mod errors;
mod handlers;
mod login_tokens;
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
use time::OffsetDateTime;

use crate::faults::{self, Faults};
use crate::server::Server;
use handlers::Shared;
pub use login_tokens::{LoginTokenOwner, LoginTokenRejection, TOKEN_LIFETIME_SECS};
pub use store::{TelnyxLimits, TelnyxSeed};

#[derive(Debug, Clone, Default)]
pub struct TelnyxConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub limits: TelnyxLimits,
}

pub struct TelnyxFake {
    shared: Arc<Shared>,
    faults: Faults,
    seed: TelnyxSeed,
    server: Server,
}

/// Checks Telnyx login tokens against a running fake; cheap to clone into an emulator's tasks.
#[derive(Clone)]
pub struct LoginTokenVerifier {
    shared: Arc<Shared>,
}

impl LoginTokenVerifier {
    /// Verifies signature, claims, expiry, and that the credential still exists and is current.
    pub fn verify(&self, token: &str) -> Result<LoginTokenOwner, LoginTokenRejection> {
        login_tokens::verify(&self.shared.lock(), &self.shared.signing_key, token)
    }
}

impl TelnyxFake {
    pub async fn start(config: TelnyxConfig) -> std::io::Result<TelnyxFake> {
        let mut store = store::Store { limits: config.limits, ..Default::default() };
        let seed = store::seed(&mut store);
        let signing_key: Vec<u8> = (0..64).map(|_| rand::random::<u8>()).collect();
        let shared = Arc::new(Shared { store: Mutex::new(store), signing_key });
        let faults = Faults::default();
        let api =
            faults::wrap(handlers::router(shared.clone()), faults.clone(), Arc::new(errors::TelnyxFaultResponses));
        let router = api.merge(faults::control_routes(faults.clone())).merge(lab_routes(shared.clone(), seed.clone()));
        let server = Server::start(router, config.port).await?;
        Ok(TelnyxFake { shared, faults, seed, server })
    }

    /// `http://127.0.0.1:port/v2`, the fake's equivalent of `https://api.telnyx.com/v2`.
    pub fn base_url(&self) -> String {
        format!("{}/v2", self.server.origin())
    }

    pub fn origin(&self) -> String {
        self.server.origin()
    }

    pub fn seed(&self) -> &TelnyxSeed {
        &self.seed
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    pub fn login_tokens(&self) -> LoginTokenVerifier {
        LoginTokenVerifier { shared: self.shared.clone() }
    }

    pub fn verify_login_token(&self, token: &str) -> Result<LoginTokenOwner, LoginTokenRejection> {
        self.login_tokens().verify(token)
    }

    /// Ids of the telephony credentials of the account holding `api_key`.
    pub fn telephony_credential_ids(&self, api_key: &str) -> Vec<String> {
        let store = self.shared.lock();
        match store.account_for_key(api_key) {
            Some((account, _)) => store.accounts[account].credentials.iter().map(|c| c.id.clone()).collect(),
            None => Vec::new(),
        }
    }

    /// Makes a credential expire now (to exercise expired-credential paths without waiting).
    pub fn expire_credential(&self, credential_id: &str) -> bool {
        expire(&self.shared, credential_id)
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}

fn expire(shared: &Shared, credential_id: &str) -> bool {
    let mut store = shared.lock();
    let found = store.accounts.iter_mut().find_map(|a| a.credential_mut(credential_id));
    match found {
        Some(credential) => {
            credential.expires_at = Some(OffsetDateTime::now_utc() - time::Duration::seconds(1));
            true
        }
        None => false,
    }
}

#[derive(Deserialize)]
struct TokenToVerify {
    token: String,
}

/// `GET /__lab/seed`, `POST /__lab/telnyx/login_tokens/verify` `{"token"}` (200 with the owner or
/// 401 with the reason), `POST /__lab/telnyx/telephony_credentials/{id}/expire`.
fn lab_routes(shared: Arc<Shared>, seed: TelnyxSeed) -> Router {
    Router::new()
        .route("/__lab/seed", get(move || async move { Json(seed) }))
        .route(
            "/__lab/telnyx/login_tokens/verify",
            post(|State(shared): State<Arc<Shared>>, Json(body): Json<TokenToVerify>| async move {
                match login_tokens::verify(&shared.lock(), &shared.signing_key, &body.token) {
                    Ok(owner) => (StatusCode::OK, Json(json!(owner))).into_response(),
                    Err(rejection) => {
                        (StatusCode::UNAUTHORIZED, Json(json!({"rejected": rejection.to_string()}))).into_response()
                    }
                }
            }),
        )
        .route(
            "/__lab/telnyx/telephony_credentials/{id}/expire",
            post(|State(shared): State<Arc<Shared>>, Path(id): Path<String>| async move {
                if expire(&shared, &id) {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::NOT_FOUND
                }
            }),
        )
        .with_state(shared)
}
