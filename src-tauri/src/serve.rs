//! The browser-mode face: `callscope serve`.

use std::io::Write;

use callscope_api::Face;
use callscope_core::backend::Backend;
use callscope_core::paths::Paths;
use callscope_core::Error;
use callscope_serve as serve;


pub fn run(paths: Paths, port: u16, open_browser: bool) -> Result<(), Error> {
    let (_context, assets) = crate::assets::app_context();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    runtime.block_on(async move {
        // Browser mode is the face itself: there is no window to hand off from.
        let backend = Backend::open(paths.clone(), Face::Browser, None)?;
        let server = serve::start(backend, assets, serve::Options { port })?;
        let url = server.url_with_secret();
        // The address with its key goes to stdout only (the user must open it), never to the log.
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "Callscope browser mode is serving {}", server.address());
        let _ = writeln!(stdout, "Open this address (its key changes every launch):\n  {url}");
        let _ = writeln!(stdout, "Journal: {}\nLogs: {}\nStop with Ctrl+C.", paths.journal_file().display(), paths.log_dir.display());
        let _ = stdout.flush();
        if open_browser && !callscope_core::backend::open_in_browser(&url) {
            let _ = writeln!(stdout, "Could not open your browser; open the address above yourself.");
        }
        shutdown_signal().await;
        tracing::info!("browser mode stopping");
        drop(server);
        Ok(())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
