//! Who may talk to browser mode: only pages this launch handed its secret to, and only under
//! this server's own name (a foreign Host or Origin is a DNS-rebinding or cross-site attempt).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;

pub struct Gate {
    secret: String,
    cookie_name: String,
    hosts: [String; 2],
    origins: [String; 2],
}

/// The query parameter that carries the secret in the URL `callscope serve` prints.
pub const KEY_PARAM: &str = "key";

impl Gate {
    pub fn new(port: u16, secret: String) -> Self {
        Gate {
            secret,
            // Cookies ignore ports, so the name carries it: two servers must not clobber each other.
            cookie_name: format!("callscope_{port}"),
            hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
            origins: [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")],
        }
    }

    fn host_ok(&self, headers: &HeaderMap) -> bool {
        header_str(headers, header::HOST).is_some_and(|host| self.hosts.iter().any(|h| h == host))
    }

    /// Browsers send Origin on cross-origin requests, POSTs and WebSocket upgrades. When present it
    /// must be ours.
    fn origin_ok(&self, headers: &HeaderMap) -> bool {
        match headers.get(header::ORIGIN) {
            None => true,
            Some(origin) => origin.to_str().is_ok_and(|o| self.origins.iter().any(|mine| mine == o)),
        }
    }

    fn cookie_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == self.cookie_name && constant_time_eq(value, &self.secret))
    }

    fn set_cookie(&self) -> HeaderValue {
        let cookie = format!("{}={}; HttpOnly; SameSite=Strict; Path=/", self.cookie_name, self.secret);
        HeaderValue::from_str(&cookie).expect("cookie is ASCII")
    }
}

pub async fn check(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if !gate.host_ok(headers) {
        return refuse(StatusCode::FORBIDDEN, "Forbidden: this request was not addressed to this Callscope server (Host header).");
    }
    if !gate.origin_ok(headers) {
        return refuse(StatusCode::FORBIDDEN, "Forbidden: requests from other sites are refused (Origin header).");
    }
    if let Some(key) = key_from_query(request.uri().query()) {
        if !constant_time_eq(&key, &gate.secret) {
            return refuse(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
        }
        // Trade the key in the URL for a cookie, and drop it from the address bar and history.
        let mut response = Redirect::to(request.uri().path()).into_response();
        response.headers_mut().insert(header::SET_COOKIE, gate.set_cookie());
        return response;
    }
    if !gate.cookie_ok(headers) {
        return refuse(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
    }
    next.run(request).await
}

const UNAUTHORIZED: &str = "Unauthorized: open the address that `callscope serve` printed when it started. \
                            It carries this launch's key; the key changes every launch.";

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
}

fn key_from_query(query: Option<&str>) -> Option<String> {
    query?.split('&').filter_map(|pair| pair.split_once('=')).find(|(name, _)| *name == KEY_PARAM).map(|(_, v)| v.to_string())
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name)?.to_str().ok()
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_our_own_host_and_origin_pass() {
        let gate = Gate::new(4321, "s3cret".into());
        assert!(gate.host_ok(&headers(&[(header::HOST, "127.0.0.1:4321")])));
        assert!(gate.host_ok(&headers(&[(header::HOST, "localhost:4321")])));
        assert!(!gate.host_ok(&headers(&[(header::HOST, "evil.example:4321")])));
        assert!(!gate.host_ok(&headers(&[(header::HOST, "127.0.0.1:9999")])));
        assert!(!gate.host_ok(&headers(&[])));
        assert!(gate.origin_ok(&headers(&[])));
        assert!(gate.origin_ok(&headers(&[(header::ORIGIN, "http://localhost:4321")])));
        assert!(!gate.origin_ok(&headers(&[(header::ORIGIN, "http://evil.example")])));
        assert!(!gate.origin_ok(&headers(&[(header::ORIGIN, "null")])));
    }

    #[test]
    fn the_cookie_must_carry_this_launchs_secret() {
        let gate = Gate::new(4321, "s3cret".into());
        assert!(gate.cookie_ok(&headers(&[(header::COOKIE, "a=b; callscope_4321=s3cret")])));
        assert!(!gate.cookie_ok(&headers(&[(header::COOKIE, "callscope_4321=wrong")])));
        assert!(!gate.cookie_ok(&headers(&[(header::COOKIE, "callscope_1111=s3cret")])));
        let cookie = gate.set_cookie();
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    }

    #[test]
    fn the_key_is_read_from_the_query() {
        assert_eq!(key_from_query(Some("x=1&key=abc")), Some("abc".into()));
        assert_eq!(key_from_query(Some("x=1")), None);
        assert_eq!(key_from_query(None), None);
    }
}
