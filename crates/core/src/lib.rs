//! Callscope's core: everything that is not a window.
//!
//! The desktop window, the browser mode and the CLI are three faces of this one crate: the
//! dispatcher in [`backend`] answers the typed requests of [`api`], the [`journal`] keeps every
//! call and event, [`media::echo`] is the built-in Echo line, and [`serve`] is browser mode.

pub mod accounts;
pub mod api;
pub mod backend;
pub mod calls;
pub mod credentials;
pub mod diagnosis;
pub mod error;
pub mod journal;
pub mod logging;
pub mod media;
pub mod paths;
pub mod providers;
pub mod serve;

pub use error::{ApiError, Error, Result};
