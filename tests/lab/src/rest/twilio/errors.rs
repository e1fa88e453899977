//! Twilio REST error bodies (twilio.md §6.1): `{code, message, more_info, status}`, `code` a number.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::faults::FaultResponses;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    /// 401 / 20003 "Authenticate": wrong Account SID, Auth Token, API key SID or secret.
    pub fn authenticate() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 20003, "Authenticate")
    }

    /// 401 / 20003 for a Standard (not Main) API key on `/Accounts` or `/Keys`: the body Twilio
    /// support quotes for this case (help article "Error 20003: Authentication Error - invalid
    /// username when using Restricted API keys").
    pub fn key_not_allowed() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 20003, "Authentication Error - invalid username")
    }

    /// 403 for test credentials outside the three resources they may use (docs/iam/test-credentials).
    pub fn test_credentials_not_allowed() -> Self {
        Self::new(StatusCode::FORBIDDEN, 20008, "Resource not accessible with Test Account Credentials")
    }

    /// 404 / 20404 naming the path, as Twilio words it.
    pub fn not_found(path: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, 20404, format!("The requested resource {path} was not found"))
    }

    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, 20004, "Method not allowed")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code,
            "message": self.message,
            "more_info": format!("https://www.twilio.com/docs/errors/{}", self.code),
            "status": self.status.as_u16(),
        });
        (self.status, Json(body)).into_response()
    }
}

/// How the Twilio fake words injected failures.
pub struct TwilioFaultResponses;

impl FaultResponses for TwilioFaultResponses {
    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        let mut response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests").into_response();
        response.headers_mut().insert("retry-after", HeaderValue::from(retry_after_secs));
        response
    }

    fn server_error(&self, status: StatusCode) -> Response {
        let (code, message) = match status {
            StatusCode::SERVICE_UNAVAILABLE => (20503, "Service Unavailable"),
            _ => (20500, "Internal Server Error"),
        };
        ApiError::new(status, code, message).into_response()
    }
}
