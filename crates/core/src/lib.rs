//! Callscope's backend: everything that is not a window.
//!
//! The desktop window, the browser mode and the CLI are three faces of this one backend: the
//! dispatcher in [`backend`] answers the typed requests of `callscope-api` over the journal
//! (`callscope-journal`), the accounts (`callscope-accounts`) and the Echo line
//! (`callscope-echo`). Browser mode (`callscope-serve`) sits above it: the app hands the
//! backend a [`backend::BrowserModeLauncher`] for the window's hand-off.

pub mod backend;
mod dispatch;
pub mod error;
pub mod logging;
pub mod paths;

pub use error::{Error, Result};
