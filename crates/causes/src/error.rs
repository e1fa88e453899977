//! The crate's one error type.

/// What can go wrong when reading input (the catalogs themselves are checked at build time by
/// the tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("Reason header: it is empty")]
    EmptyReason,
    #[error("Reason header: value {index} has no protocol (expected `SIP`, `Q.850` or a token before the first `;`)")]
    MissingProtocol { index: usize },
    #[error("Reason header: `cause` must be a number, got `{value}`")]
    BadCause { value: String },
    #[error("Reason header: a quoted string is not closed")]
    UnclosedQuote,
    #[error("Reason header: parameter `{param}` is not of the form name or name=value")]
    BadParam { param: String },
    #[error("unknown catalog `{0}` (one of: q850, sip, telnyx-cause, telnyx-dcode, telnyx-sdk, twilio, browser, turn)")]
    UnknownCatalog(String),
}

impl Error {
    /// A stable machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::EmptyReason
            | Error::MissingProtocol { .. }
            | Error::BadCause { .. }
            | Error::UnclosedQuote
            | Error::BadParam { .. } => "bad_reason_header",
            Error::UnknownCatalog(_) => "unknown_catalog",
        }
    }
}
