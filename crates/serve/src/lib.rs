//! Browser mode: the same backend and UI over loopback HTTP.
//!
//! It binds 127.0.0.1 only, requires this launch's secret (see [`guard`]), answers the typed API
//! at `POST /api/rpc`, streams events at `GET /api/events` (WebSocket), and serves the built UI.
//! It sits above the backend: the window hands the backend a [`Launcher`] for its hand-off.

mod assets;
mod guard;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::Value;
use tokio::sync::{broadcast, oneshot};

pub use assets::{content_type, is_safe_path, AssetSource, DirAssets};
pub use guard::KEY_PARAM;

use callscope_api::{ApiError, Event, Face, Request};
use callscope_core::backend::{Backend, BrowserModeAddress, BrowserModeLauncher, Caller};
use callscope_core::{Error, Result};

pub struct Options {
    /// 0 lets the OS pick a free port.
    pub port: u16,
}

/// A running browser-mode server. Dropping it stops the server.
pub struct Running {
    addr: SocketAddr,
    secret: String,
    _stop: oneshot::Sender<()>,
}

impl Running {
    /// `http://127.0.0.1:PORT`, safe to print or log.
    pub fn address(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address with this launch's key: what the user opens once.
    pub fn url_with_secret(&self) -> String {
        format!("{}/?{KEY_PARAM}={}", self.address(), self.secret)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

/// Browser mode for the window's hand-off: started the first time the page asks for it, then
/// kept running with the app.
pub struct Launcher {
    assets: Arc<dyn AssetSource>,
    running: Mutex<Option<Running>>,
}

impl Launcher {
    pub fn new(assets: Arc<dyn AssetSource>) -> Arc<Launcher> {
        Arc::new(Launcher { assets, running: Mutex::new(None) })
    }
}

impl BrowserModeLauncher for Launcher {
    fn launch(&self, backend: Arc<Backend>) -> Result<BrowserModeAddress> {
        let mut running = self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let server = match running.take() {
            Some(server) => server,
            None => start(backend, Arc::clone(&self.assets), Options { port: 0 })?,
        };
        let address = BrowserModeAddress { address: server.address(), url_with_secret: server.url_with_secret() };
        *running = Some(server);
        Ok(address)
    }
}

#[derive(Clone)]
struct AppState {
    backend: Arc<Backend>,
    assets: Arc<dyn AssetSource>,
    port: u16,
}

/// Start serving on 127.0.0.1. Not async on purpose: the API's own handlers can start browser
/// mode, and a synchronous start keeps that cycle out of the futures' types. Needs a Tokio runtime.
pub fn start(backend: Arc<Backend>, assets: Arc<dyn AssetSource>, options: Options) -> Result<Running> {
    let listening = |e| Error::io(format!("listening on 127.0.0.1:{}", options.port), e);
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).map_err(listening)?;
    listener.set_nonblocking(true).map_err(listening)?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(listening)?;
    let addr = listener.local_addr().map_err(|e| Error::io("reading the server address", e))?;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());

    let state = AppState { backend, assets, port: addr.port() };
    let gate = Arc::new(guard::Gate::new(addr.port(), secret.clone()));
    let app = Router::new()
        .route("/api/rpc", post(rpc))
        .route("/api/events", get(events))
        .fallback(get(static_file))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(gate, guard::check));

    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!("browser mode server stopped: {e}");
        }
    });
    tracing::info!(address = %addr, "browser mode listening");
    Ok(Running { addr, secret, _stop: stop })
}

/// The providers' signalling and HTTP hosts the SDKs reach (Telnyx regions use subdomains,
/// Twilio edges too). Loopback lab hosts come in through the accounts' own settings.
const PROVIDER_SOURCES: &str = "wss://rtc.telnyx.com wss://*.rtc.telnyx.com https://*.telnyx.com wss://*.twilio.com https://*.twilio.com";

/// What pages from this server may load and connect to: this server, the providers, and the
/// signalling servers of the configured accounts (a SIP PBX's WebSocket, a Telnyx region).
fn content_security_policy(port: u16, account_sources: &[String]) -> HeaderValue {
    let accounts = account_sources.join(" ");
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         media-src 'self' blob: mediastream:; \
         connect-src 'self' ws://127.0.0.1:{port} ws://localhost:{port} {PROVIDER_SOURCES} {accounts}; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

async fn rpc(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let result = match serde_json::from_slice::<Value>(&body) {
        Err(e) => Err(Error::bad_input("request", format!("not JSON: {e}"))),
        Ok(json) => match Request::from_json(json) {
            Err(e) => Err(e.into()),
            Ok(request) => state.backend.dispatch(Caller { face: Face::Browser }, request).await,
        },
    };
    match result {
        Ok(value) => (StatusCode::OK, no_store(), Json(value)).into_response(),
        Err(e) => {
            let status = match e.code() {
                "bad_input" | "call_ended" | "wrong_face" => StatusCode::BAD_REQUEST,
                "unknown_call" | "unknown_account" => StatusCode::NOT_FOUND,
                "config" | "missing_secret" => StatusCode::CONFLICT,
                "keychain" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!("request failed: {e}");
            }
            (status, no_store(), Json(ApiError::from(e))).into_response()
        }
    }
}

fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}

async fn events(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let receiver = state.backend.subscribe();
    upgrade.on_upgrade(move |socket| stream_events(socket, receiver))
}

async fn stream_events(mut socket: WebSocket, mut receiver: broadcast::Receiver<Event>) {
    loop {
        tokio::select! {
            event = receiver.recv() => match event {
                Ok(event) => {
                    let Ok(text) = serde_json::to_string(&event) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // The page fell behind; the journal still has everything, so it can reload.
                    tracing::warn!(missed, "an events stream fell behind");
                    let notice = serde_json::json!({ "type": "lagged", "missed": missed }).to_string();
                    if socket.send(Message::Text(notice.into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                // The page only listens; anything but a close is ignored.
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn static_file(State(state): State<AppState>, uri: Uri) -> Response {
    let path = match uri.path().trim_start_matches('/') {
        "" => "index.html",
        other => other,
    };
    let Some(bytes) = state.assets.get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, content_type(path))], bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if path.ends_with(".html") {
        let sources = state.backend.signalling_sources().await;
        headers.insert(header::CONTENT_SECURITY_POLICY, content_security_policy(state.port, &sources));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
