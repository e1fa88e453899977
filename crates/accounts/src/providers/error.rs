//! One error type for the REST layer: each variant says what happened, to which provider, and
//! keeps the provider's own code, title, detail and more_info.

use std::fmt;
use std::time::Duration;

use super::Provider;

/// One entry of a provider's error body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderMessage {
    /// Telnyx `code` (e.g. "10009"), Twilio `code` (e.g. "20003").
    pub code: Option<String>,
    /// Telnyx `title`; for Telnyx's object-form errors, the object's key.
    pub title: Option<String>,
    /// Telnyx `detail`, Twilio `message`.
    pub detail: Option<String>,
    /// Telnyx `meta.url`, Twilio `more_info`.
    pub more_info: Option<String>,
    /// Telnyx `source.pointer` or `source.parameter`: which field or parameter was wrong.
    pub source: Option<String>,
}

/// What the provider said when it refused a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderError {
    pub status: u16,
    pub messages: Vec<ProviderMessage>,
    /// The start of a body that was not the provider's error JSON (e.g. a proxy's HTML page).
    pub unparsed_body: Option<String>,
}

impl ProviderError {
    /// The first message's code, e.g. "10009" or "20003".
    pub fn code(&self) -> Option<&str> {
        self.messages.first().and_then(|m| m.code.as_deref())
    }

    /// Whether any message mentions `needle` (case-insensitive) in its title or detail.
    pub fn mentions(&self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        self.messages
            .iter()
            .any(|m| [&m.title, &m.detail].into_iter().flatten().any(|text| text.to_lowercase().contains(&needle)))
    }
}

impl fmt::Display for ProviderMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(code) = &self.code {
            parts.push(format!("code {code}"));
        }
        match (&self.title, &self.detail) {
            (Some(title), Some(detail)) => parts.push(format!("{title}: {detail}")),
            (Some(text), None) | (None, Some(text)) => parts.push(text.clone()),
            (None, None) => {}
        }
        if let Some(source) = &self.source {
            parts.push(format!("at {source}"));
        }
        if let Some(more_info) = &self.more_info {
            parts.push(format!("see {more_info}"));
        }
        f.write_str(&parts.join(", "))
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if !self.messages.is_empty() {
            let messages: Vec<String> = self.messages.iter().map(ToString::to_string).collect();
            write!(f, ", {}", messages.join("; "))?;
        } else if let Some(body) = &self.unparsed_body {
            write!(f, ", body: {body}")?;
        }
        Ok(())
    }
}

/// The start of a body we could not read, for the error message.
pub(crate) fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let cut: String = text.chars().take(200).collect();
    Some(if cut.len() < text.len() { format!("{cut}…") } else { cut })
}

fn wait_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("; the provider asks to wait {} s", wait.as_secs_f32().ceil()),
        None => String::new(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// 401: the key, token or secret is wrong, deleted or of another account.
    #[error("{provider} refused the credentials ({reply}). {check}")]
    Unauthorized { provider: Provider, reply: ProviderError, check: &'static str },

    /// 403 (or Twilio's 401 for a Standard key on a Main-key resource): valid credentials that may
    /// not do this.
    #[error("{provider} does not allow these credentials to {operation} ({reply}). {why}")]
    Forbidden { provider: Provider, operation: String, why: String, reply: ProviderError },

    /// 404: the resource does not exist for these credentials.
    #[error("{provider} has no {resource} ({reply})")]
    NotFound { provider: Provider, resource: String, reply: ProviderError },

    /// 429, after the retries allowed.
    #[error("{provider} is rate limiting requests: the request to {operation} was refused {attempts} time(s){}", wait_hint(.retry_after))]
    RateLimited {
        provider: Provider,
        operation: String,
        attempts: u32,
        retry_after: Option<Duration>,
        reply: ProviderError,
    },

    /// 5xx, after the retries allowed.
    #[error("{provider} failed to {operation} with a server error ({reply}) after {attempts} attempt(s)")]
    ServerError { provider: Provider, operation: String, status: u16, attempts: u32, reply: ProviderError },

    /// No complete answer within the client's timeout.
    #[error("{provider} did not answer the request to {operation} within {} s", .after.as_secs_f32())]
    Timeout { provider: Provider, operation: String, after: Duration },

    /// A success status with a body that is not what the API documents.
    #[error("{provider} answered the request to {operation} with a body Callscope cannot read: expected {expected}; {problem}")]
    MalformedBody { provider: Provider, operation: String, expected: String, problem: String },

    /// An account limit (e.g. the number of telephony credentials or connections).
    #[error("{provider} account limit reached: could not {operation} ({reply}). Delete unused resources or ask the provider to raise the limit.")]
    LimitReached { provider: Provider, operation: String, reply: ProviderError },

    /// Any other refusal (400, 409, 422 validation), with the provider's words.
    #[error("{provider} rejected the request to {operation} ({reply})")]
    Rejected { provider: Provider, operation: String, reply: ProviderError },

    /// The provider could not be reached at all (DNS, TCP, TLS).
    #[error("could not reach {provider} to {operation}: {cause}")]
    Transport { provider: Provider, operation: String, cause: String },

    /// The client was set up with something unusable (e.g. a base URL that does not parse).
    #[error("{provider} client setup: {problem}")]
    Config { provider: Provider, problem: String },
}

impl RestError {
    /// A stable machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            RestError::Unauthorized { .. } => "provider_unauthorized",
            RestError::Forbidden { .. } => "provider_forbidden",
            RestError::NotFound { .. } => "provider_not_found",
            RestError::RateLimited { .. } => "provider_rate_limited",
            RestError::ServerError { .. } => "provider_server_error",
            RestError::Timeout { .. } => "provider_timeout",
            RestError::MalformedBody { .. } => "provider_malformed_body",
            RestError::LimitReached { .. } => "provider_limit_reached",
            RestError::Rejected { .. } => "provider_rejected",
            RestError::Transport { .. } => "provider_unreachable",
            RestError::Config { .. } => "provider_config",
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            RestError::Unauthorized { provider, .. }
            | RestError::Forbidden { provider, .. }
            | RestError::NotFound { provider, .. }
            | RestError::RateLimited { provider, .. }
            | RestError::ServerError { provider, .. }
            | RestError::Timeout { provider, .. }
            | RestError::MalformedBody { provider, .. }
            | RestError::LimitReached { provider, .. }
            | RestError::Rejected { provider, .. }
            | RestError::Transport { provider, .. }
            | RestError::Config { provider, .. } => *provider,
        }
    }

    /// The provider's own error, where it sent one.
    pub fn reply(&self) -> Option<&ProviderError> {
        match self {
            RestError::Unauthorized { reply, .. }
            | RestError::Forbidden { reply, .. }
            | RestError::NotFound { reply, .. }
            | RestError::RateLimited { reply, .. }
            | RestError::ServerError { reply, .. }
            | RestError::LimitReached { reply, .. }
            | RestError::Rejected { reply, .. } => Some(reply),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_and_empty_ones_dropped() {
        assert!(excerpt(&[b'x'; 500]).unwrap().ends_with('…'));
        assert_eq!(excerpt(b"  \n"), None);
    }

    #[test]
    fn errors_say_which_provider_and_what_it_said() {
        let reply = ProviderError {
            status: 429,
            messages: vec![ProviderMessage {
                code: Some("10011".into()),
                title: Some("Too many requests".into()),
                ..Default::default()
            }],
            unparsed_body: None,
        };
        let error = RestError::RateLimited {
            provider: Provider::Telnyx,
            operation: "read the account balance".into(),
            attempts: 4,
            retry_after: Some(Duration::from_millis(1500)),
            reply,
        };
        assert_eq!(
            error.to_string(),
            "Telnyx is rate limiting requests: the request to read the account balance was refused 4 time(s); the provider asks to wait 2 s"
        );
        assert_eq!(error.code(), "provider_rate_limited");
        assert_eq!(error.reply().and_then(ProviderError::code), Some("10011"));
    }
}
