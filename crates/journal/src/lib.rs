//! Callscope's record of calls: the [`journal`] keeps every call and every event in SQLite, and
//! the [`diagnosis`] reads a stored call and says what happened and what to fix.
//!
//! It knows nothing of accounts, the API or the faces; it speaks the call model of
//! `callscope-calls` and decodes codes with `callscope-causes`.

pub mod diagnosis;
pub mod error;
pub mod journal;

// The call model, named `crate::calls` inside this crate as it was before the split.
use callscope_calls as calls;

pub use error::{Error, Result};
pub use journal::*;
