//! `decode`: from whatever the user pasted to every catalog entry it can mean.

use serde::Serialize;

use crate::reason::{ReasonHeader, ReasonProtocol, ReasonValue};
use crate::{entries, lookup, lookup_num, normalize, resolve, Catalog, Code, Entry, Resolved};

/// One thing the input can mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub catalog: Catalog,
    /// The catalog's label (`SIP`, `STUN/TURN`, …), for display.
    pub label: &'static str,
    pub entry: &'static Entry,
    /// How the input led to this entry.
    pub via: Via,
    /// Context for this match (the Reason value it came from; why a fallback was used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How the input led to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// The input is the entry's code.
    Code,
    /// The input is a Telnyx `causeCode`.
    CauseCode,
    /// The input is the entry's name, an alias or its SDK class.
    Name,
    /// A `Reason:` header value names the entry's code.
    ReasonHeader,
    /// The catalog defines no entry for `value`; the entry is the unspecified value of the
    /// class `value` falls in, which is how a receiver must read it.
    ClassFallback { value: i64 },
}

/// Every catalog entry `input` can mean, labelled by catalog.
///
/// Accepts a bare code (`486`, `17`, `31005`, `-32001`, `D38`), a name (`USER_BUSY`,
/// `NotAllowedError`, `Busy Here`, `GeneralErrors.ConnectionError`), a `Reason:` header with or
/// without its name (`Q.850;cause=34`, `SIP;cause=503;text="x"`), or free text such as a Telnyx
/// `sipReason` (`403 Caller Origination Number is Invalid D35`) or `causeCode=17`.
///
/// A number matches in every catalog that has it: `486` is SIP 486 Busy Here *and* TURN 486
/// Allocation Quota Reached; `17` is Q.850 17 *and* Telnyx causeCode 17 `USER_BUSY`. A Q.850
/// or SIP value without an entry is reported as its class's unspecified value
/// ([`Via::ClassFallback`]). In free text only numbers of three or more digits are read, unless a
/// hint precedes them (`Q.850 16`, `cause=16`, `sipCode:403`).
pub fn decode(input: &str) -> Vec<Match> {
    let text = input.trim();
    let mut out = Matches::default();
    if text.is_empty() {
        return out.0;
    }
    if looks_like_reason(text) {
        if let Ok(header) = ReasonHeader::parse(text) {
            for value in &header.values {
                out.extend(reason_value_matches(value));
            }
            if !out.0.is_empty() {
                return out.0;
            }
        }
    }
    decode_whole(text, &mut out);
    if out.0.is_empty() && (text.contains(char::is_whitespace) || text.contains([':', '='])) {
        decode_free_text(text, &mut out);
    }
    out.0
}

/// The Telnyx D-code at the end of a `sipReason` (`Connection has no Outbound Profile assigned
/// D38` → D38), if there is one and the catalog knows it.
pub fn telnyx_dcode(sip_reason: &str) -> Option<&'static Entry> {
    sip_reason
        .split_whitespace()
        .rev()
        .map(trim_punctuation)
        .find(|t| is_dcode(t, false))
        .and_then(|t| lookup(Catalog::TelnyxDCode, t))
}

/// The Twilio codes that can be hiding behind `shown` (31005, 53000, 20101, 20104, 20151).
pub fn twilio_hidden_behind(shown: i64) -> Vec<&'static Entry> {
    entries(Catalog::Twilio).iter().filter(|e| e.masked_by.contains(&shown)).collect()
}

/// The entries a single Reason value points at.
// The decoder reads Reason headers, not the other way round: their matches are defined here.
impl ReasonHeader {
    /// Every catalog entry the header's values point at (see [`ReasonValue::matches`]).
    pub fn matches(&self) -> Vec<Match> {
        self.values.iter().flat_map(ReasonValue::matches).collect()
    }
}

impl ReasonValue {
    /// The catalog entries this value points at: the SIP status or the Q.850 cause it names. A
    /// value that is not defined is read as its class's unspecified value (the match says so).
    pub fn matches(&self) -> Vec<Match> {
        reason_value_matches(self)
    }
}

fn reason_value_matches(value: &ReasonValue) -> Vec<Match> {
    let catalog = match value.protocol {
        ReasonProtocol::Sip => Catalog::Sip,
        ReasonProtocol::Q850 => Catalog::Q850,
        ReasonProtocol::Other(_) => return Vec::new(),
    };
    let Some(cause) = value.cause else { return Vec::new() };
    let Some(resolved) = resolve(catalog, i64::from(cause)) else { return Vec::new() };
    let mut m = resolved_match(catalog, i64::from(cause), resolved, Via::ReasonHeader);
    let from = format!("from Reason: {value}");
    m.note = Some(match m.note {
        Some(fallback) => format!("{from}. {fallback}"),
        None => from,
    });
    vec![m]
}

#[derive(Default)]
struct Matches(Vec<Match>);

impl Matches {
    fn push(&mut self, m: Match) {
        let dup = self.0.iter().any(|o| o.catalog == m.catalog && std::ptr::eq(o.entry, m.entry));
        if !dup {
            self.0.push(m);
        }
    }

    fn extend(&mut self, ms: impl IntoIterator<Item = Match>) {
        for m in ms {
            self.push(m);
        }
    }
}

fn matched(catalog: Catalog, entry: &'static Entry, via: Via) -> Match {
    Match { catalog, label: catalog.label(), entry, via, note: None }
}

fn resolved_match(catalog: Catalog, value: i64, r: Resolved, via: Via) -> Match {
    if r.defined {
        return matched(catalog, r.entry, via);
    }
    let class = r.class.map(|c| c.name.as_str()).unwrap_or("its class");
    let mut m = matched(catalog, r.entry, Via::ClassFallback { value });
    m.note = Some(format!(
        "{} {value} has no entry of its own; a receiver reads it as {} ({}), the unspecified \
         value of its class ({class}).",
        catalog.label(),
        r.entry.code,
        r.entry.name,
    ));
    m
}

/// `Reason: …`, `SIP;cause=…`, `Q.850;cause=…`.
fn looks_like_reason(text: &str) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = squeezed.to_ascii_lowercase();
    lower.starts_with("reason:") || lower.contains(";cause=") || lower.contains(";text=")
}

/// The whole input as one code or one name.
fn decode_whole(text: &str, out: &mut Matches) {
    if let Ok(n) = text.parse::<i64>() {
        number_matches(n, &Catalog::ALL, out);
        return;
    }
    if is_dcode(text, true) {
        if let Some(e) = lookup(Catalog::TelnyxDCode, &text.to_ascii_uppercase()) {
            out.push(matched(Catalog::TelnyxDCode, e, Via::Code));
        }
        return;
    }
    name_matches(text, out);
}

/// Catalogs a hint word points at (`Q.850 16`, `causeCode=17`, `sipCode:403`).
fn hint(word: &str) -> Option<&'static [Catalog]> {
    match normalize(word).as_str() {
        "q850" | "isup" | "isdn" => Some(&[Catalog::Q850]),
        "sip" | "sipcode" | "status" | "statuscode" => Some(&[Catalog::Sip]),
        "causecode" => Some(&[Catalog::TelnyxCause]),
        "cause" | "hangupcause" => Some(&[Catalog::Q850, Catalog::TelnyxCause]),
        "turn" | "stun" | "errorcode" => Some(&[Catalog::Turn]),
        "twilio" => Some(&[Catalog::Twilio]),
        "telnyx" => Some(&[Catalog::TelnyxCause, Catalog::TelnyxSdk]),
        "close" | "closecode" | "websocket" => Some(&[Catalog::Browser]),
        _ => None,
    }
}

/// Free text: embedded Reason values, numbers, D-codes and names, token by token.
fn decode_free_text(text: &str, out: &mut Matches) {
    let mut words: Vec<&str> = Vec::new();
    for token in split_words(text) {
        let token = trim_punctuation(token);
        if token.to_ascii_lowercase().contains(";cause=") {
            if let Ok(header) = ReasonHeader::parse(token) {
                for value in &header.values {
                    out.extend(reason_value_matches(value));
                }
                continue;
            }
        }
        words.extend(token.split([':', '=', ',']).map(trim_punctuation).filter(|w| !w.is_empty()));
    }
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if let (Some(catalogs), Some(n)) =
            (hint(word), words.get(i + 1).and_then(|w| w.parse::<i64>().ok()))
        {
            number_matches(n, catalogs, out);
            i += 2;
            continue;
        }
        if let Ok(n) = word.parse::<i64>() {
            if n < 0 || word.trim_start_matches('-').len() >= 3 {
                let not_q850: Vec<Catalog> =
                    Catalog::ALL.into_iter().filter(|c| *c != Catalog::Q850).collect();
                number_matches(n, &not_q850, out);
            }
        } else if is_dcode(word, false) {
            if let Some(e) = lookup(Catalog::TelnyxDCode, word) {
                out.push(matched(Catalog::TelnyxDCode, e, Via::Code));
            }
        } else if normalize(word).len() >= 4 {
            name_matches(word, out);
        }
        i += 1;
    }
}

/// A number in the given catalogs.
fn number_matches(n: i64, catalogs: &[Catalog], out: &mut Matches) {
    for &catalog in catalogs {
        match catalog {
            Catalog::Q850 | Catalog::Sip => {
                if let Some(r) = resolve(catalog, n) {
                    out.push(resolved_match(catalog, n, r, Via::Code));
                }
            }
            Catalog::TelnyxDCode => {}
            _ => {
                if let Some(e) = entries(catalog).iter().find(|e| e.code == Code::Num(n)) {
                    out.push(matched(catalog, e, Via::Code));
                } else if let Some(e) = lookup_num(catalog, n) {
                    out.push(matched(catalog, e, Via::CauseCode));
                }
            }
        }
    }
}

/// A name, alias, text code or SDK class, in every catalog.
fn name_matches(text: &str, out: &mut Matches) {
    let wanted = normalize(text);
    if wanted.is_empty() {
        return;
    }
    for catalog in Catalog::ALL {
        for e in entries(catalog) {
            let class_tail = e.sdk_class.as_deref().and_then(|c| c.rsplit('.').next());
            let hit = normalize(&e.name) == wanted
                || matches!(&e.code, Code::Text(t) if normalize(t) == wanted)
                || e.aliases.iter().any(|a| normalize(a) == wanted)
                || e.sdk_class.as_deref().is_some_and(|c| normalize(c) == wanted)
                || class_tail.is_some_and(|c| normalize(c) == wanted);
            if hit {
                out.push(matched(catalog, e, Via::Name));
            }
        }
    }
}

/// `D38` (and `d38` when `loose`, i.e. when it is the whole input).
fn is_dcode(word: &str, loose: bool) -> bool {
    let mut chars = word.chars();
    let first_ok = match chars.next() {
        Some('D') => true,
        Some('d') => loose,
        _ => false,
    };
    let rest = chars.as_str();
    first_ok && !rest.is_empty() && rest.len() <= 3 && rest.chars().all(|c| c.is_ascii_digit())
}

fn trim_punctuation(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(c, '"' | '\'' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | '.')
    })
}

/// Split on whitespace that is not inside double quotes.
fn split_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut in_quotes = false;
    for (i, c) in text.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        }
        if c.is_whitespace() && !in_quotes {
            if let Some(s) = start.take() {
                words.push(&text[s..i]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words
}
