//! What the one TLS port serves to the browser, by path, whatever Twilio host name it was reached
//! by: the signalling WebSocket at `/signal` (`wss://voice-js.{edge}.twilio.com/signal`), the
//! Insights posts under `/v4/` and the SDK's sounds under `/js/client/sounds/`
//! (`https://sdk.twilio.com/js/client/sounds/releases/1.0.0/*.mp3`).

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;

use super::gateway::Gateway;
use super::insights::{self, InsightsState};
use super::session;

pub fn router(gateway: Arc<Gateway>) -> Router {
    let insights_state = InsightsState { insights: gateway.insights.clone(), tokens: gateway.tokens.clone() };
    let insights = Router::new()
        .route("/v4/EndpointEvents", post(insights::receive))
        .route("/v4/EndpointMetrics", post(insights::receive))
        .with_state(insights_state);
    Router::new()
        .route("/signal", any(signal))
        .route("/js/client/sounds/releases/{release}/{file}", get(sound))
        .with_state(gateway)
        .merge(insights)
        .layer(middleware::from_fn(cross_origin))
}

/// The page is served from `http://127.0.0.1:…`, so Insights posts (JSON with `X-Twilio-Token`)
/// are preflighted and the sounds are fetched cross-origin: allow both, as Twilio's hosts do.
async fn cross_origin(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("Content-Type, X-Twilio-Token"));
    response
}

async fn signal(
    State(gateway): State<Arc<Gateway>>,
    uri: Uri,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
    let url = format!("wss://{host}{uri}");
    upgrade.on_upgrade(move |socket| session::serve(gateway, socket, host, url))
}

/// Every sound (ringtones, DTMF tones) is the same 200 ms of silence: the SDK loads and plays it,
/// and nothing is fetched from outside. Chromium decodes by content, so a WAV under an `.mp3`
/// name plays.
async fn sound() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "audio/wav")], silent_wav())
}

fn silent_wav() -> Vec<u8> {
    const RATE: u32 = 8_000;
    let samples = RATE / 5;
    let data_len = samples * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    wav
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_silent_sound_is_a_well_formed_wav() {
        let wav = super::silent_wav();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize, wav.len() - 8);
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize, wav.len() - 44);
    }
}
