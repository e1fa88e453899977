//! The error every face shows, and the API's own (a request it cannot parse).

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A request or a request's field the API cannot use; the message names the field.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {problem}")]
    BadInput { field: String, problem: String },
}

impl Error {
    pub fn bad_input(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadInput { field: field.into(), problem: problem.into() }
    }
}

/// The error every face shows: a stable code, a message naming what was wrong, and a hint.
#[derive(Debug, Clone, Serialize, serde::Deserialize, TS, PartialEq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
    /// The input field that was wrong (for `bad_input`), e.g. `profile.account_sid`.
    #[serde(default)]
    pub field: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}
