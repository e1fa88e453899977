//! One loopback HTTP server per fake: bound to 127.0.0.1 only, stopped when its handle drops.

use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Server {
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `127.0.0.1:port` (0 picks a free port) and serves `router` on the current runtime.
    pub async fn start(router: Router, port: u16) -> std::io::Result<Server> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let address = listener.local_addr()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(target: "lab", %address, "lab server stopped: {e}");
            }
        });
        Ok(Server { address, shutdown: Some(shutdown), task: Some(task) })
    }

    /// `http://127.0.0.1:port`
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
