//! One error type for the core, and the `{code, message, hint}` shape the UI and CLI show.

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller sent something we cannot use; the message names the field.
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
    #[error("echo line: {0}")]
    Echo(String),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("{message}")]
    Keychain { message: String, hint: String },
    #[error("{0}")]
    Config(String),
    #[error("no account named {0}")]
    UnknownAccount(String),
    #[error("the {label} of account {account} is not in the keychain")]
    MissingSecret { account: String, label: &'static str },
    #[error("{0}")]
    Provider(#[from] crate::providers::RestError),
    /// Something the account needs before it can call is missing.
    #[error("{what}")]
    NotReady { what: String, hint: String },
    #[error("{0} is only available in the desktop window")]
    WrongFace(&'static str),
    #[error("internal: {0}")]
    Internal(String),
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
            Error::UnknownCall(_) => "unknown_call",
            Error::CallEnded(_) => "call_ended",
            Error::Journal(_) | Error::Migration(_) => "journal",
            Error::Echo(_) => "echo",
            Error::Io { .. } => "io",
            Error::Keychain { .. } => "keychain",
            Error::Config(_) => "config",
            Error::UnknownAccount(_) => "unknown_account",
            Error::MissingSecret { .. } => "missing_secret",
            Error::Provider(e) => e.code(),
            Error::NotReady { .. } => "not_ready",
            Error::WrongFace(_) => "wrong_face",
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
            Error::WrongFace(_) => Some("Start Callscope without arguments to open the window.".into()),
            Error::Keychain { hint, .. } | Error::NotReady { hint, .. } => Some(hint.clone()),
            Error::Config(_) => Some("Fix or remove the file; Callscope rewrites it when accounts change.".into()),
            Error::UnknownAccount(_) => Some("List the accounts with `callscope accounts list`.".into()),
            Error::MissingSecret { account, .. } => {
                Some(format!("Enter it again: `callscope accounts edit {account} --update-secrets`, or Accounts → Edit in the app."))
            }
            _ => None,
        }
    }

    pub fn to_api(&self) -> ApiError {
        let field = match self {
            Error::BadInput { field, .. } => Some(field.clone()),
            _ => None,
        };
        ApiError { code: self.code().to_string(), message: self.to_string(), hint: self.hint(), field }
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

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        e.to_api()
    }
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
