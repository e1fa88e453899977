//! Telnyx API v2 error bodies (telnyx.md §4.1, §4.2): `{"errors":[{code, title, detail, source, meta}]}`
//! with `code` a string, plus the documented non-standard object form.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::faults::FaultResponses;

/// An error answer: the status and the body Telnyx would send with it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

/// Where in the request the problem is: a JSON pointer into the body or a query parameter.
pub enum Source<'a> {
    Pointer(&'a str),
    Parameter(&'a str),
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: &str, source: Option<Source>) -> Self {
        let mut error = json!({
            "code": code,
            "title": title,
            "detail": detail,
            "meta": {"url": format!("https://developers.telnyx.com/docs/overview/errors/{code}")},
        });
        match source {
            Some(Source::Pointer(p)) => error["source"] = json!({"pointer": p}),
            Some(Source::Parameter(p)) => error["source"] = json!({"parameter": p}),
            None => {}
        }
        ApiError { status, body: json!({"errors": [error]}) }
    }

    /// 401 / 10009: the Bearer key is missing or wrong.
    pub fn authentication_failed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "10009",
            "Authentication failed",
            "The required authentication headers were either invalid or not included in the request.",
            None,
        )
    }

    /// 403 / 10010: the key is valid but may not do this.
    pub fn authorization_failed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "10010",
            "Authorization failed",
            "You do not have permission to perform the requested action on the specified resource or resources.",
            None,
        )
    }

    /// 404 / 10005.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "10005",
            "Resource not found",
            "The requested resource or URL could not be found.",
            None,
        )
    }

    /// 422 / 10004 with a pointer to the missing field.
    pub fn missing_parameter(field: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10004",
            "Missing required parameter",
            &format!("The '{field}' parameter is required."),
            Some(Source::Pointer(&format!("/{field}"))),
        )
    }

    /// 422 / 10015 with a pointer to the offending field.
    pub fn invalid_field(field: &str, detail: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "10015",
            "Bad Request",
            detail,
            Some(Source::Pointer(&format!("/{field}"))),
        )
    }

    /// 422 / 10015 with a query parameter as the source (paging, filters).
    pub fn invalid_parameter(parameter: &str, detail: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "10015", "Bad Request", detail, Some(Source::Parameter(parameter)))
    }

    /// An account limit. Telnyx documents the limits but not this body: 422 / 10015 naming the
    /// limit is this lab's assumption (telnyx.md §4.4).
    pub fn limit_reached(detail: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "10015", "Bad Request", detail, None)
    }

    /// The documented non-standard form: `errors` is an object, not an array (telnyx.md §4.2).
    pub fn object_form(status: StatusCode, key: &str, message: &str) -> Self {
        ApiError { status, body: json!({"errors": {key: message}}) }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// How the Telnyx fake words injected failures.
pub struct TelnyxFaultResponses;

impl FaultResponses for TelnyxFaultResponses {
    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        // Body and headers from the rate-limiting page (telnyx.md §4.1); x-ratelimit-reset is the
        // number of seconds until the window resets.
        let mut response = Json(json!({"errors": [{
            "code": "10011",
            "title": "Too many requests",
            "detail": "You have exceeded the maximum number of allowed requests.",
        }]}))
        .into_response();
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        let headers = response.headers_mut();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("100"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-reset", HeaderValue::from(retry_after_secs));
        response
    }

    fn server_error(&self, status: StatusCode) -> Response {
        let detail = "An unexpected error occurred.";
        ApiError::new(status, "10007", "Unexpected error", detail, None).into_response()
    }
}
