//! One signalling socket: the SDK's frames go to the gateway, the gateway's frames go out, and a
//! `"\n"` heartbeat goes out on a timer, well inside the SDK's 15 s idle limit (§2.3).

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use serde_json::Value;

use super::gateway::{Gateway, Outgoing};
use super::protocol::HEARTBEAT;

pub async fn serve(gateway: Arc<Gateway>, mut socket: WebSocket, host: String, url: String) {
    let (link, mut outgoing) = gateway.connect(host, url);
    let connection = link.connection;
    let period = gateway.config.heartbeat_interval;
    let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let reason = loop {
        tokio::select! {
            frame = socket.recv() => match frame {
                Some(Ok(Message::Text(text))) if text.as_str() == HEARTBEAT => {
                    gateway.log.record(connection, "C->S", Value::String(HEARTBEAT.into()));
                }
                Some(Ok(Message::Text(text))) => {
                    let logged = serde_json::from_str(text.as_str()).unwrap_or_else(|_| Value::String(text.to_string()));
                    gateway.log.record(connection, "C->S", logged);
                    gateway.handle(connection, text.as_str());
                }
                Some(Ok(Message::Close(close))) => break format!("the client closed the socket ({close:?})"),
                // The SDK sends text only; pings are answered by the WebSocket layer.
                Some(Ok(_)) => {}
                Some(Err(e)) => break format!("read error: {e}"),
                None => break "the client went away".to_string(),
            },
            next = outgoing.recv() => match next {
                Some(Outgoing::Frame(frame)) => {
                    if let Err(e) = socket.send(Message::Text(frame.to_string().into())).await {
                        break format!("write error: {e}");
                    }
                }
                // Dropping the socket closes TCP with no close frame: the browser sees 1006.
                Some(Outgoing::Cut) | None => break "cut by the gateway".to_string(),
            },
            _ = heartbeat.tick() => {
                gateway.log.record(connection, "S->C", Value::String(HEARTBEAT.into()));
                if let Err(e) = socket.send(Message::Text(HEARTBEAT.into())).await {
                    break format!("write error: {e}");
                }
            }
        }
    };
    drop(socket);
    gateway.disconnected(connection, reason);
}
