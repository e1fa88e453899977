//! Callscope's provider accounts: the [`accounts`] themselves (profiles in the config folder,
//! secrets in the OS keychain), the short-lived [`credentials`] a call needs, and the
//! [`providers`]' REST clients that mint and check them.
//!
//! It knows nothing of the journal, the API or the faces.

pub mod accounts;
pub mod credentials;
pub mod error;
pub mod fields;
pub mod providers;

// The call model, named `crate::calls` inside this crate as it was before the split.
use callscope_calls as calls;

pub use accounts::*;
pub use error::{Error, Result};
