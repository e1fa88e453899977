//! The SIP `Reason:` header (RFC 3326; allowed in responses by RFC 6432):
//!
//! ```text
//! Reason: Q.850;cause=34;text="No circuit/channel available"
//! Reason: SIP;cause=200;text="Call completed elsewhere", Q.850;cause=16
//! ```
//!
//! Each comma-separated value names a protocol (`SIP`, `Q.850`, or another registered token),
//! a numeric `cause` in that protocol, an optional quoted `text`, and possibly other parameters
//! (RFC 8606 adds `location` for Q.850).

use std::fmt;

use serde::Serialize;

use crate::error::Error;

/// A parsed `Reason:` header: one or more values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonHeader {
    pub values: Vec<ReasonValue>,
}

/// The protocol a Reason value speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "token", rename_all = "snake_case")]
pub enum ReasonProtocol {
    /// `SIP`: `cause` is a SIP status code.
    Sip,
    /// `Q.850`: `cause` is an ITU-T Q.850 cause value.
    Q850,
    /// Any other protocol token, kept as written.
    Other(String),
}

/// One value of a `Reason:` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonValue {
    pub protocol: ReasonProtocol,
    pub cause: Option<u32>,
    /// The `text` parameter, unquoted.
    pub text: Option<String>,
    /// Every other parameter, in order, with its value if it had one (quotes removed).
    pub params: Vec<(String, Option<String>)>,
}

impl ReasonHeader {
    /// Parse a header value, with or without the leading `Reason:` name.
    pub fn parse(input: &str) -> Result<ReasonHeader, Error> {
        let body = strip_header_name(input.trim()).trim();
        if body.is_empty() {
            return Err(Error::EmptyReason);
        }
        let values = split_outside_quotes(body, ',')?
            .into_iter()
            .enumerate()
            .map(|(index, v)| ReasonValue::parse(v, index + 1))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReasonHeader { values })
    }

    /// The first Q.850 cause in the header, if any.
    pub fn q850(&self) -> Option<u32> {
        self.values.iter().find(|v| v.protocol == ReasonProtocol::Q850).and_then(|v| v.cause)
    }

    /// The first SIP cause in the header, if any.
    pub fn sip(&self) -> Option<u32> {
        self.values.iter().find(|v| v.protocol == ReasonProtocol::Sip).and_then(|v| v.cause)
    }
}

impl ReasonValue {
    fn parse(value: &str, index: usize) -> Result<ReasonValue, Error> {
        let mut parts = split_outside_quotes(value, ';')?.into_iter();
        let protocol = parts.next().map(str::trim).unwrap_or_default();
        if protocol.is_empty() || protocol.contains(['=', '"', ' ']) {
            return Err(Error::MissingProtocol { index });
        }
        let protocol = match protocol.to_ascii_uppercase().as_str() {
            "SIP" => ReasonProtocol::Sip,
            "Q.850" | "Q850" => ReasonProtocol::Q850,
            _ => ReasonProtocol::Other(protocol.to_string()),
        };
        let mut out = ReasonValue { protocol, cause: None, text: None, params: Vec::new() };
        for param in parts {
            let param = param.trim();
            if param.is_empty() {
                continue;
            }
            let (name, value) = match param.split_once('=') {
                Some((n, v)) => (n.trim(), Some(unquote(v.trim()))),
                None => (param, None),
            };
            if name.is_empty() || name.contains(['"', ' ']) {
                return Err(Error::BadParam { param: param.to_string() });
            }
            match (name.to_ascii_lowercase().as_str(), value) {
                ("cause", Some(v)) => {
                    out.cause = Some(v.parse().map_err(|_| Error::BadCause { value: v.clone() })?);
                }
                ("cause", None) => return Err(Error::BadCause { value: String::new() }),
                ("text", Some(v)) => out.text = Some(v),
                (_, value) => out.params.push((name.to_string(), value)),
            }
        }
        Ok(out)
    }
}

impl fmt::Display for ReasonProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReasonProtocol::Sip => f.write_str("SIP"),
            ReasonProtocol::Q850 => f.write_str("Q.850"),
            ReasonProtocol::Other(t) => f.write_str(t),
        }
    }
}

impl fmt::Display for ReasonValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.protocol)?;
        if let Some(cause) = self.cause {
            write!(f, ";cause={cause}")?;
        }
        if let Some(text) = &self.text {
            write!(f, ";text=\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))?;
        }
        for (name, value) in &self.params {
            match value {
                Some(v) => write!(f, ";{name}={v}")?,
                None => write!(f, ";{name}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for ReasonHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

/// `Reason: x` → `x`; anything else is returned as it is.
fn strip_header_name(s: &str) -> &str {
    if let Some((name, rest)) = s.split_once(':') {
        if name.trim().eq_ignore_ascii_case("reason") {
            return rest;
        }
    }
    s
}

/// Split on `sep` where it is not inside a quoted string (which may contain `\"`).
fn split_outside_quotes(s: &str, sep: char) -> Result<Vec<&str>, Error> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_quotes {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_quotes = false,
                _ => {}
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == sep {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    if in_quotes {
        return Err(Error::UnclosedQuote);
    }
    parts.push(&s[start..]);
    Ok(parts)
}

/// `"a \"b\""` → `a "b"`; an unquoted token is returned as it is.
fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_q850_with_text() {
        let h =
            ReasonHeader::parse(r#"Q.850;cause=34;text="No circuit/channel available""#).unwrap();
        assert_eq!(h.values.len(), 1);
        let v = &h.values[0];
        assert_eq!(v.protocol, ReasonProtocol::Q850);
        assert_eq!(v.cause, Some(34));
        assert_eq!(v.text.as_deref(), Some("No circuit/channel available"));
        assert_eq!(h.q850(), Some(34));
        assert_eq!(h.sip(), None);
    }

    #[test]
    fn parses_header_name_and_several_values() {
        let h = ReasonHeader::parse(
            r#"Reason: SIP ;cause=200 ;text="Call completed elsewhere, thanks", Q.850;cause=16;location=LN"#,
        )
        .unwrap();
        assert_eq!(h.values.len(), 2);
        assert_eq!(h.sip(), Some(200));
        assert_eq!(h.values[0].text.as_deref(), Some("Call completed elsewhere, thanks"));
        assert_eq!(h.q850(), Some(16));
        assert_eq!(h.values[1].params, vec![("location".to_string(), Some("LN".to_string()))]);
    }

    #[test]
    fn keeps_other_protocols_and_escapes() {
        let h = ReasonHeader::parse(r#"preemption ;cause=1 ;text="UA \"Preemption\"""#).unwrap();
        assert_eq!(h.values[0].protocol, ReasonProtocol::Other("preemption".into()));
        assert_eq!(h.values[0].text.as_deref(), Some(r#"UA "Preemption""#));
        assert_eq!(h.to_string(), r#"preemption;cause=1;text="UA \"Preemption\"""#);
    }

    #[test]
    fn rejects_bad_input_with_a_named_problem() {
        assert_eq!(ReasonHeader::parse("  "), Err(Error::EmptyReason));
        assert_eq!(ReasonHeader::parse("Reason:"), Err(Error::EmptyReason));
        assert_eq!(
            ReasonHeader::parse("Q.850;cause=abc"),
            Err(Error::BadCause { value: "abc".into() })
        );
        assert_eq!(ReasonHeader::parse(r#"SIP;cause=503;text="x"#), Err(Error::UnclosedQuote));
        assert_eq!(ReasonHeader::parse(";cause=16"), Err(Error::MissingProtocol { index: 1 }));
    }
}
