//! Telnyx error bodies (telnyx.md §4.2): `{"errors": [{code, title, detail, source, meta.url}]}`,
//! and the documented exception where `errors` is an object: `{"errors": {"status": "…"}}`.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::providers::error::excerpt;
use crate::providers::{ProviderError, ProviderMessage};

#[derive(Deserialize)]
struct Envelope {
    errors: Errors,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Errors {
    List(Vec<Item>),
    Object(Map<String, Value>),
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    source: Option<Source>,
    #[serde(default)]
    meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Source {
    pointer: Option<String>,
    parameter: Option<String>,
}

#[derive(Deserialize)]
struct Meta {
    url: Option<String>,
}

/// A JSON value as plain text: strings as they are, lists joined, anything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

pub(crate) fn parse(status: u16, body: &[u8]) -> ProviderError {
    let messages = match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope { errors: Errors::List(items) }) => items
            .into_iter()
            .map(|item| ProviderMessage {
                // Documented as a string; tolerate a number.
                code: item.code.as_ref().map(plain),
                title: item.title,
                detail: item.detail,
                more_info: item.meta.and_then(|m| m.url),
                source: item.source.and_then(|s| s.pointer.or(s.parameter)),
            })
            .collect(),
        Ok(Envelope { errors: Errors::Object(fields) }) => fields
            .iter()
            .map(|(key, value)| ProviderMessage {
                title: Some(key.clone()),
                detail: Some(plain(value)),
                ..Default::default()
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let unparsed_body = messages.is_empty().then(|| excerpt(body)).flatten();
    ProviderError { status, messages, unparsed_body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_envelope_keeps_code_title_detail_source_and_url() {
        let body = br#"{"errors":[{"code":"10015","title":"Bad Request","detail":"bad","source":{"pointer":"/phone_numbers"},"meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10015"}}]}"#;
        let error = parse(422, body);
        assert_eq!(error.code(), Some("10015"));
        let message = &error.messages[0];
        assert_eq!((message.title.as_deref(), message.detail.as_deref()), (Some("Bad Request"), Some("bad")));
        assert_eq!(message.source.as_deref(), Some("/phone_numbers"));
        assert_eq!(message.more_info.as_deref(), Some("https://developers.telnyx.com/docs/overview/errors/10015"));
        assert_eq!(
            error.to_string(),
            "HTTP 422, code 10015, Bad Request: bad, at /phone_numbers, see https://developers.telnyx.com/docs/overview/errors/10015"
        );
    }

    #[test]
    fn the_object_form_parses() {
        let error = parse(422, br#"{"errors":{"status":"can't update credentials in expired status"}}"#);
        assert_eq!(error.messages.len(), 1);
        assert_eq!(error.messages[0].title.as_deref(), Some("status"));
        assert_eq!(error.messages[0].detail.as_deref(), Some("can't update credentials in expired status"));
        assert!(error.to_string().contains("status: can't update credentials in expired status"));
        let lists = parse(422, br#"{"errors":{"name":["is too long","is invalid"]}}"#);
        assert_eq!(lists.messages[0].detail.as_deref(), Some("is too long, is invalid"));
    }

    #[test]
    fn numeric_codes_several_errors_and_parameters_are_tolerated() {
        let error = parse(
            422,
            br#"{"errors":[{"code":10004,"title":"Missing"},{"code":"10015","source":{"parameter":"page[size]"}}]}"#,
        );
        assert_eq!(error.code(), Some("10004"));
        assert_eq!(error.messages[1].source.as_deref(), Some("page[size]"));
    }

    #[test]
    fn a_body_that_is_not_telnyx_json_is_kept_as_an_excerpt() {
        let error = parse(502, b"<html><body>Bad Gateway</body></html>");
        assert!(error.messages.is_empty());
        assert_eq!(error.unparsed_body.as_deref(), Some("<html><body>Bad Gateway</body></html>"));
        assert_eq!(parse(500, b"").unparsed_body, None);
    }
}
