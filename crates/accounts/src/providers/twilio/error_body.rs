//! Twilio error bodies (twilio.md §6.1): `{"code": 20404, "message": "…", "more_info": "…",
//! "status": 404}`, as twilio-node's RestException reads them.

use serde::Deserialize;
use serde_json::Value;

use crate::providers::error::excerpt;
use crate::providers::{ProviderError, ProviderMessage};

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    more_info: Option<String>,
}

pub(crate) fn parse(status: u16, body: &[u8]) -> ProviderError {
    let message =
        serde_json::from_slice::<Body>(body).ok().filter(|b| b.code.is_some() || b.message.is_some()).map(|b| {
            ProviderMessage {
                code: b.code.map(|c| match c {
                    Value::String(text) => text,
                    other => other.to_string(),
                }),
                detail: b.message,
                more_info: b.more_info,
                ..Default::default()
            }
        });
    let unparsed_body = if message.is_none() { excerpt(body) } else { None };
    ProviderError { status, messages: message.into_iter().collect(), unparsed_body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_message_and_more_info_are_kept() {
        let error = parse(
            401,
            br#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
        );
        assert_eq!(error.code(), Some("20003"));
        assert_eq!(
            error.to_string(),
            "HTTP 401, code 20003, Authenticate, see https://www.twilio.com/docs/errors/20003"
        );
    }

    #[test]
    fn other_bodies_are_kept_as_an_excerpt() {
        let error = parse(503, b"upstream connect error");
        assert!(error.messages.is_empty());
        assert_eq!(error.unparsed_body.as_deref(), Some("upstream connect error"));
        assert!(parse(500, br#"{"unexpected":true}"#).messages.is_empty());
    }
}
