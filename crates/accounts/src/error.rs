//! The accounts' one error type.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller sent something we cannot use. `field` is the setting's key (`account_sid`);
    /// the message names it as the form labels it ("Account SID: must be …").
    #[error("{}: {problem}", crate::fields::label_of(.field))]
    BadInput { field: String, problem: String },
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
            Error::Io { .. } => "io",
            Error::Keychain { .. } => "keychain",
            Error::Config(_) => "config",
            Error::UnknownAccount(_) => "unknown_account",
            Error::MissingSecret { .. } => "missing_secret",
            Error::Provider(e) => e.code(),
            Error::NotReady { .. } => "not_ready",
            Error::Internal(_) => "internal",
        }
    }

    /// What the user can do about it, where we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Keychain { hint, .. } | Error::NotReady { hint, .. } => Some(hint.clone()),
            Error::Config(_) => Some("Fix or remove the file; Callscope rewrites it when accounts change.".into()),
            Error::UnknownAccount(_) => Some("List the accounts with `callscope accounts list`.".into()),
            Error::MissingSecret { account, .. } => {
                Some(format!("Enter it again: `callscope accounts edit {account} --update-secrets`, or Accounts → Edit in the app."))
            }
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
