//! The journal's one error type.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller sent something the journal cannot record; the message names the field.
    #[error("{field}: {problem}")]
    BadInput { field: String, problem: String },
    #[error("no call with id {0}")]
    UnknownCall(String),
    #[error("call {0} has already ended")]
    CallEnded(String),
    #[error("journal: {0}")]
    Journal(#[from] rusqlite::Error),
    #[error("journal migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn bad_input(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadInput { field: field.into(), problem: problem.into() }
    }

    /// A stable machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadInput { .. } => "bad_input",
            Error::UnknownCall(_) => "unknown_call",
            Error::CallEnded(_) => "call_ended",
            Error::Journal(_) | Error::Migration(_) => "journal",
            Error::Internal(_) => "internal",
        }
    }

    /// What the user can do about it, where we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Journal(_) | Error::Migration(_) => Some(
                "The call journal could not be read or written. Check free disk space and the \
                 permissions of the data directory shown by `callscope --help`."
                    .into(),
            ),
            Error::UnknownCall(_) => Some("List the journal's calls with `callscope calls list`.".into()),
            _ => None,
        }
    }

    /// The input field that was wrong, for `bad_input`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::BadInput { field, .. } => Some(field),
            _ => None,
        }
    }
}
