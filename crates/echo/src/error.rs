//! The Echo line's one error type.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller sent something the far end cannot use; the message names the field.
    #[error("{field}: {problem}")]
    BadInput { field: String, problem: String },
    #[error("echo line: {0}")]
    Echo(String),
}

impl Error {
    pub fn bad_input(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadInput { field: field.into(), problem: problem.into() }
    }

    /// A stable machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadInput { .. } => "bad_input",
            Error::Echo(_) => "echo",
        }
    }

    /// The input field that was wrong, for `bad_input`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::BadInput { field, .. } => Some(field),
            Error::Echo(_) => None,
        }
    }
}
