//! The backend's one error type, wrapping those of the crates below it, and the
//! `{code, message, hint}` shape ([`ApiError`]) the UI and CLI show.

use callscope_api::ApiError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller sent something we cannot use; the message names the field.
    #[error("{field}: {problem}")]
    BadInput { field: String, problem: String },
    #[error(transparent)]
    Journal(#[from] callscope_journal::Error),
    #[error(transparent)]
    Accounts(#[from] callscope_accounts::Error),
    #[error(transparent)]
    Echo(#[from] callscope_echo::Error),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("{0} is only available in the desktop window")]
    WrongFace(&'static str),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<callscope_api::Error> for Error {
    fn from(e: callscope_api::Error) -> Self {
        match e {
            callscope_api::Error::BadInput { field, problem } => Error::BadInput { field, problem },
        }
    }
}

impl Error {
    pub fn bad_input(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::BadInput { field: field.into(), problem: problem.into() }
    }

    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { what: what.into(), source }
    }

    /// A stable machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadInput { .. } => "bad_input",
            Error::Journal(e) => e.code(),
            Error::Accounts(e) => e.code(),
            Error::Echo(e) => e.code(),
            Error::Io { .. } => "io",
            Error::WrongFace(_) => "wrong_face",
            Error::Internal(_) => "internal",
        }
    }

    /// What the user can do about it, where we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Journal(e) => e.hint(),
            Error::Accounts(e) => e.hint(),
            Error::WrongFace(_) => Some("Start Callscope without arguments to open the window.".into()),
            _ => None,
        }
    }

    /// The input field that was wrong, for `bad_input`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::BadInput { field, .. } => Some(field),
            Error::Journal(e) => e.field(),
            Error::Accounts(e) => e.field(),
            Error::Echo(e) => e.field(),
            _ => None,
        }
    }

    pub fn to_api(&self) -> ApiError {
        ApiError {
            code: self.code().to_string(),
            message: self.to_string(),
            hint: self.hint(),
            field: self.field().map(str::to_string),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        e.to_api()
    }
}
