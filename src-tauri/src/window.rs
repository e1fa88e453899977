//! The desktop-window face: the Tauri window over the shared backend.

use std::sync::Arc;

use serde_json::Value;
use tauri::webview::{PermissionKind, PermissionResponse};
use tauri::{Emitter, WebviewUrl, WebviewWindowBuilder};

use callscope_api::{ApiError, Face, Request};
use callscope_core::backend::{Backend, Caller};
use callscope_core::paths::Paths;
use callscope_core::Error;
use callscope_serve::Launcher;


/// The Tauri event every backend event is emitted under.
pub const EVENT_NAME: &str = "callscope-event";

pub fn run(paths: Paths) -> Result<(), Error> {
    let (context, assets) = crate::assets::app_context();
    let backend = Backend::open(paths, Face::Window, Some(Launcher::new(assets)))?;

    tauri::Builder::default()
        .manage(Arc::clone(&backend))
        .invoke_handler(tauri::generate_handler![rpc])
        .setup(move |app| {
            open_main_window(app)?;
            forward_events(app.handle().clone(), &backend);
            Ok(())
        })
        .run(context)
        .map_err(|e| Error::Internal(format!("the window could not run: {e}")))
}

/// The one command the UI calls: a typed API request, answered by the shared dispatcher.
#[tauri::command]
async fn rpc(backend: tauri::State<'_, Arc<Backend>>, request: Value) -> Result<Value, ApiError> {
    let request = Request::from_json(request).map_err(Error::from)?;
    Ok(backend.dispatch(Caller { face: Face::Window }, request).await?)
}

fn open_main_window(app: &mut tauri::App) -> tauri::Result<()> {
    let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("Callscope")
        .inner_size(1120.0, 780.0)
        .min_inner_size(720.0, 520.0)
        // The microphone and nothing else: no camera, screen, location or notifications.
        .on_permission_request(|_webview, kind| match kind {
            PermissionKind::Microphone => PermissionResponse::Allow,
            _ => PermissionResponse::Deny,
        })
        .build()?;
    configure_webkit(&window);
    Ok(())
}

/// WebKitGTK gates calls behind two settings: `enable-media-stream` (getUserMedia; some
/// distributions turn it off) and `enable-webrtc` (RTCPeerConnection; off unless asked for). Turn
/// both on, so that a WebKitGTK built with WebRTC places calls in the window. Where the build left
/// WebRTC out (Debian's and Ubuntu's do) the setting changes nothing: the page's own probe then
/// finds no RTCPeerConnection and keeps the hand-off to browser mode. Settings changed here reach
/// the first page (checked: a feature turned off here is already absent from it), so the page's
/// probe sees them.
///
/// Memory: the UI is one local page of forms and lists, so the web process renders it without GPU
/// compositing (accelerated compositing cost about 85 MiB PSS in the web process under Xvfb, and
/// is what the usual blank-window bugs of WebKitGTK with some GPU drivers come from) and keeps only
/// a document viewer's caches (no back-forward page cache, small memory caches).
#[cfg(target_os = "linux")]
fn configure_webkit(window: &tauri::WebviewWindow) {
    let result = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        let Some(settings) = WebViewExt::settings(&view) else {
            tracing::warn!("the webview has no settings: WebRTC and the microphone stay as the distribution set them");
            return;
        };
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        settings.set_enable_media_stream(true);
        settings.set_enable_webrtc(true);
        tracing::info!(
            webkitgtk = %webkitgtk_version(),
            enable_webrtc = settings.enables_webrtc(),
            enable_media_stream = settings.enables_media_stream(),
            "webview media settings (whether WebRTC exists is the page's probe to say)"
        );
    });
    if let Err(e) = result {
        tracing::warn!("could not reach the webview's settings: {e}");
    }
}

#[cfg(target_os = "linux")]
fn webkitgtk_version() -> String {
    use webkit2gtk::ffi;
    // SAFETY: plain getters of the loaded library's version numbers; no arguments, no state.
    let (major, minor, micro) =
        unsafe { (ffi::webkit_get_major_version(), ffi::webkit_get_minor_version(), ffi::webkit_get_micro_version()) };
    format!("{major}.{minor}.{micro}")
}

#[cfg(not(target_os = "linux"))]
fn configure_webkit(_window: &tauri::WebviewWindow) {}

/// Every backend event goes to the window as it happens.
fn forward_events(handle: tauri::AppHandle, backend: &Backend) {
    let mut events = backend.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if let Err(e) = handle.emit(EVENT_NAME, &event) {
                        tracing::warn!("could not pass an event to the window: {e}");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the window fell behind the event stream");
                    let _ = handle.emit(EVENT_NAME, serde_json::json!({ "type": "lagged", "missed": missed }));
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}
