//! Browser mode's gate and transports, over real loopback HTTP and WebSocket.

use std::sync::Arc;

use callscope_core::backend::Backend;
use callscope_journal::Journal;
use callscope_core::paths::Paths;
use callscope_serve::{self as serve, DirAssets, Running};
use futures_util::StreamExt;
use reqwest::header::{COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{redirect, StatusCode};
use serde_json::{json, Value};

struct Server {
    running: Running,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Callscope</title>").unwrap();
    let backend = Backend::with_journal(Paths::under(dir.path()), Journal::in_memory("test").unwrap(), None);
    let assets = Arc::new(DirAssets(dir.path().to_path_buf()));
    let running = serve::start(backend, assets, serve::Options { port: 0 }).unwrap();
    Server { running, _dir: dir }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(redirect::Policy::none()).build().unwrap()
}

/// Trade the printed key for the session cookie, as a browser would.
async fn session_cookie(server: &Server) -> String {
    let response = client().get(server.running.url_with_secret()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/", "the key is dropped from the address");
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    cookie.split(';').next().unwrap().to_string()
}

async fn rpc(server: &Server, cookie: &str, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{}/api/rpc", server.running.address()))
        .header(COOKIE, cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn without_the_secret_every_path_is_refused() {
    let server = start().await;
    let base = server.running.address();
    for path in ["/", "/index.html", "/api/events"] {
        let response = client().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let rpc = client().post(format!("{base}/api/rpc")).json(&json!({"method": "list_calls", "params": {}})).send().await.unwrap();
    assert_eq!(rpc.status(), StatusCode::UNAUTHORIZED);
    let wrong_key = client().get(format!("{base}/?key=not-the-key")).send().await.unwrap();
    assert_eq!(wrong_key.status(), StatusCode::UNAUTHORIZED);
    let wrong_cookie = client()
        .get(format!("{base}/"))
        .header(COOKIE, format!("callscope_{}=guess", server.running.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_cookie.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_cookie_opens_the_ui_and_the_api() {
    let server = start().await;
    let cookie = session_cookie(&server).await;
    let page = client().get(format!("{}/", server.running.address())).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    assert!(page.text().await.unwrap().contains("Callscope"));

    let (status, info) = rpc(&server, &cookie, json!({"method": "app_info", "params": {}})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["face"], "browser");
    assert!(info["echo_numbers"].as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn a_foreign_origin_or_host_is_forbidden_even_with_the_cookie() {
    let server = start().await;
    let cookie = session_cookie(&server).await;
    let base = server.running.address();
    let foreign = client()
        .post(format!("{base}/api/rpc"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, "http://evil.example")
        .json(&json!({"method": "list_calls", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    // DNS rebinding: the attacker's name resolves to 127.0.0.1, so Host carries their name.
    let rebound = client()
        .get(format!("{base}/"))
        .header(COOKIE, &cookie)
        .header(HOST, format!("evil.example:{}", server.running.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::FORBIDDEN);
    let same_origin = client()
        .post(format!("{base}/api/rpc"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, base.clone())
        .json(&json!({"method": "list_calls", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_requests_get_errors_that_name_what_was_wrong() {
    let server = start().await;
    let cookie = session_cookie(&server).await;
    let (status, error) = rpc(&server, &cookie, json!({"method": "create_call", "params": {"provider": "echo"}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["code"], "bad_input");
    assert!(error["message"].as_str().unwrap().contains("destination"), "{error}");

    let (status, error) = rpc(&server, &cookie, json!({"method": "no_such_method", "params": {}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["message"].as_str().unwrap().contains("no_such_method"), "{error}");

    let (status, error) = rpc(&server, &cookie, json!({"method": "get_call", "params": {"call_id": "424242"}})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error["code"], "unknown_call");

    let (status, error) = rpc(&server, &cookie, json!({"method": "open_browser_mode", "params": {}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only the window opens browser mode: {error}");
}

#[tokio::test]
async fn events_stream_over_the_websocket() {
    let server = start().await;
    let cookie = session_cookie(&server).await;
    let ws_url = format!("ws://127.0.0.1:{}/api/events", server.running.port());
    let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url).unwrap();
    request.headers_mut().insert(COOKIE, cookie.parse().unwrap());
    request.headers_mut().insert(ORIGIN, server.running.address().parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();

    let (status, call) = rpc(&server, &cookie, json!({"method": "create_call", "params": {"provider": "echo", "destination": "103"}})).await;
    assert_eq!(status, StatusCode::OK);
    let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
    let event: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
    assert_eq!(event["type"], "call");
    assert_eq!(event["call"]["id"], call["id"]);

    // A page from another site cannot open the stream.
    let mut foreign = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://127.0.0.1:{}/api/events",
        server.running.port()
    ))
    .unwrap();
    foreign.headers_mut().insert(COOKIE, cookie.parse().unwrap());
    foreign.headers_mut().insert(ORIGIN, "http://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(foreign).await.is_err());
}

#[tokio::test]
async fn signal_events_must_be_signal_messages_and_delays_must_be_sane() {
    let server = start().await;
    let cookie = session_cookie(&server).await;
    let (_, call) = rpc(&server, &cookie, json!({"method": "create_call", "params": {"provider": "echo", "destination": "100"}})).await;
    let bad_signal = json!({"method": "record_event", "params": {"call_id": call["id"], "source": "signalling", "kind": "signal",
        "payload": {"direction": "sideways", "protocol": "sip", "summary": "INVITE", "body": null}}});
    let (status, error) = rpc(&server, &cookie, bad_signal).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["field"], "payload.direction", "{error}");

    let bad_delay = json!({"method": "record_event", "params": {"call_id": call["id"], "source": "ui", "kind": "action",
        "payload": {}, "observed_ms_ago": -5}});
    let (status, error) = rpc(&server, &cookie, bad_delay).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["field"], "observed_ms_ago", "{error}");

    let good = json!({"method": "record_event", "params": {"call_id": call["id"], "source": "signalling", "kind": "signal",
        "payload": {"direction": "sent", "protocol": "sip", "summary": "INVITE sip:100@lab.test SIP/2.0", "body": "INVITE ..."},
        "observed_ms_ago": 12.5}});
    let (status, event) = rpc(&server, &cookie, good).await;
    assert_eq!(status, StatusCode::OK, "{event}");
}

#[tokio::test]
async fn the_windows_launcher_starts_browser_mode_once_and_it_serves() {
    use callscope_core::backend::BrowserModeLauncher;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Callscope</title>").unwrap();
    let backend = Backend::with_journal(Paths::under(dir.path()), Journal::in_memory("test").unwrap(), None);
    let launcher = serve::Launcher::new(Arc::new(DirAssets(dir.path().to_path_buf())));

    let first = launcher.launch(Arc::clone(&backend)).unwrap();
    let again = launcher.launch(backend).unwrap();
    assert_eq!((&first.address, &first.url_with_secret), (&again.address, &again.url_with_secret), "one server per app");
    assert!(first.address.starts_with("http://127.0.0.1:"), "{}", first.address);
    assert!(!first.address.contains("key="), "the address alone carries no key");

    let opened = client().get(&first.url_with_secret).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER, "the key opens the launched server");
}
