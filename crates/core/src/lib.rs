//! Callscope's core: everything that is not a window.
//!
//! The desktop window, the browser mode and the CLI are three faces of this one crate: the
//! dispatcher in [`backend`] answers the typed requests of [`api`], the [`journal`] keeps every
//! call and event, and [`media::echo`] is the built-in Echo line.

pub mod calls;
pub mod error;
pub mod journal;
pub mod paths;

pub use error::{ApiError, Error, Result};
