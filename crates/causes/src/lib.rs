//! Callscope's failure-reason catalogs and the decoder that reads them.
//!
//! A call that failed leaves codes behind: a SIP status, a Q.850 cause in a `Reason:` header, a
//! Telnyx `cause`/`causeCode` and a D-code at the end of `sipReason`, a Telnyx SDK error or
//! warning, a Twilio error (possibly a masked one), a `getUserMedia` exception, an ICE or TURN
//! error. Each catalog here says, for every code, what it means in plain words, what usually
//! causes it and what to check or change, and where.
//!
//! The catalogs are data: one TOML file per catalog in `data/`, embedded at build time and parsed
//! once (see [`catalog`]). Each file lists its sources.
//!
//! - [`lookup`] finds one entry in one catalog;
//! - [`decode`] takes whatever the user pasted (`486`, `Q.850;cause=34`, `D38`, `USER_BUSY`,
//!   `NotAllowedError`, a whole `Reason:` header, a `sipReason`) and returns every entry it can
//!   mean, labelled by catalog;
//! - [`ReasonHeader`] parses RFC 3326 `Reason:` headers;
//! - [`resolve`] also handles values that no entry defines (a Q.850 or SIP value that is not
//!   assigned is read as the "unspecified" value of its class).
//!
//! A code alone can mislead (Telnyx reports every local hangup after answer as
//! `NORMAL_CLEARING`/16 and every local hangup before answer as `USER_BUSY`/17; Twilio hides
//! precise codes behind 31005 and 53000). Entries carry a `caveat` where that matters; reading
//! the whole call is the job of the diagnosis rules built on top of this crate.

mod catalogs;
mod decode;
mod error;
mod reason;
mod text;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use catalogs::catalog;
pub use decode::{decode, telnyx_dcode, twilio_hidden_behind, Match, Via};
pub use error::Error;
pub use reason::{ReasonHeader, ReasonProtocol, ReasonValue};
pub use text::{ProviderTag, Situation, TaggedText, Text};

/// The catalogs, in the order [`decode`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Catalog {
    /// ITU-T Q.850 cause values (ISDN/ISUP; also carried in SIP `Reason: Q.850;cause=N`).
    Q850,
    /// SIP final responses 3xx–6xx (RFC 3261 and extensions), plus 200 for completeness.
    Sip,
    /// Telnyx hangup causes: the `cause` name and `causeCode` number in a Verto BYE.
    TelnyxCause,
    /// Telnyx D-codes at the end of `sipReason` (platform rejections).
    TelnyxDCode,
    /// `@telnyx/webrtc` SDK error and warning codes, and the Verto JSON-RPC error codes.
    TelnyxSdk,
    /// Twilio Voice SDK and server error codes (20xxx, 31xxx, 53xxx and a few others).
    Twilio,
    /// Browser and WebRTC errors: getUserMedia exceptions, ICE/DTLS states, WebSocket closes.
    Browser,
    /// STUN/TURN error codes (and the WebRTC `icecandidateerror` 701).
    Turn,
}

impl Catalog {
    /// Every catalog, in report order.
    pub const ALL: [Catalog; 8] = [
        Catalog::Q850,
        Catalog::Sip,
        Catalog::TelnyxCause,
        Catalog::TelnyxDCode,
        Catalog::TelnyxSdk,
        Catalog::Twilio,
        Catalog::Browser,
        Catalog::Turn,
    ];

    /// A stable machine id (`q850`, `sip`, `telnyx-cause`, …), also accepted by [`FromStr`].
    pub fn id(self) -> &'static str {
        match self {
            Catalog::Q850 => "q850",
            Catalog::Sip => "sip",
            Catalog::TelnyxCause => "telnyx-cause",
            Catalog::TelnyxDCode => "telnyx-dcode",
            Catalog::TelnyxSdk => "telnyx-sdk",
            Catalog::Twilio => "twilio",
            Catalog::Browser => "browser",
            Catalog::Turn => "turn",
        }
    }

    /// A short label for people (`Q.850`, `SIP`, `Telnyx hangup cause`, …).
    pub fn label(self) -> &'static str {
        match self {
            Catalog::Q850 => "Q.850",
            Catalog::Sip => "SIP",
            Catalog::TelnyxCause => "Telnyx hangup cause",
            Catalog::TelnyxDCode => "Telnyx D-code",
            Catalog::TelnyxSdk => "Telnyx SDK",
            Catalog::Twilio => "Twilio",
            Catalog::Browser => "Browser/WebRTC",
            Catalog::Turn => "STUN/TURN",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Catalog {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = normalize(s);
        Catalog::ALL
            .into_iter()
            .find(|c| normalize(c.id()) == wanted || normalize(c.label()) == wanted)
            .ok_or_else(|| Error::UnknownCatalog(s.to_string()))
    }
}

/// A code as the protocol spells it: a number (`486`, `17`, `-32001`) or a name (`USER_BUSY`,
/// `NotAllowedError`, `D38`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Code {
    Num(i64),
    Text(String),
}

impl Code {
    pub fn as_num(&self) -> Option<i64> {
        match self {
            Code::Num(n) => Some(*n),
            Code::Text(_) => None,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Num(n) => write!(f, "{n}"),
            Code::Text(t) => f.write_str(t),
        }
    }
}

/// One catalog entry. `code`, `name`, `meaning`, `causes` and `fix` are always filled (the
/// crate's tests refuse an empty one); the rest is there where the catalog needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The code as the protocol uses it.
    pub code: Code,
    /// The name the protocol or SDK gives it (`Busy Here`, `USER_BUSY`, `ConnectionError`).
    pub name: String,
    /// What it means, in plain words.
    pub meaning: String,
    /// What usually leads to it, most likely first (some only for one provider or situation).
    pub causes: Vec<Text>,
    /// What to check or change, and where (portal page, setting, cable, firewall rule); steps
    /// that name one provider's portal are tagged with it.
    pub fix: Vec<Text>,
    /// Read this before trusting the code on its own (where it is known to mislead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// Other spellings that mean this entry (legacy names, FreeSWITCH synonyms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The document that defines it (`RFC 3261 §21.4.8`), for SIP and STUN/TURN entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rfc: Option<String>,
    /// Where this entry's facts come from, when it differs from the catalog's `sources`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Telnyx hangup causes: the numeric `causeCode` that goes with the `cause` name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause_code: Option<i64>,
    /// The SIP status this maps to when a gateway turns it into SIP (RFC 3398 for Q.850,
    /// FreeSWITCH `hangup_cause_to_sip` for Telnyx causes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip: Option<u16>,
    /// SIP statuses that a gateway turns into this cause (FreeSWITCH, for Telnyx causes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_sip: Vec<u16>,
    /// The Q.850 cause a gateway uses for this SIP status (RFC 3398 §8.2.6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q850: Option<u8>,
    /// Twilio: the SDK error class (`GeneralErrors.ConnectionError`), if the SDK has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_class: Option<String>,
    /// Twilio: codes that can appear instead of this one (it is masked by them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masked_by: Vec<i64>,
    /// Twilio: codes this one can be hiding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masks: Vec<i64>,
    /// Twilio: the masking rule in plain words (when and how the real code is hidden).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masking: Option<String>,
    /// A short sub-kind inside the catalog (`error`/`warning`, `getUserMedia`, `sdk`/`catalog`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Telnyx SDK errors: whether the SDK treats it as terminal for the call or session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fatal: Option<bool>,
    /// What it means for the call, in a few words (`TURN denied`, `wrong credentials`, `quota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// True when the code reports a normal outcome rather than a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub normal: bool,
    /// A page with the provider's own explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
}

/// A numeric class of codes (Q.850 classes of sixteen values; SIP 3xx/4xx/5xx/6xx).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeClass {
    pub first: i64,
    pub last: i64,
    pub name: String,
    pub meaning: String,
    /// The code that a value without an entry in this class is read as.
    pub fallback: i64,
}

/// One catalog as loaded from its data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogData {
    pub title: String,
    /// Where the facts come from (specifications, SDK sources, provider docs).
    pub sources: Vec<String>,
    /// Things to know about the catalog as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(default, rename = "class", skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<CodeClass>,
    #[serde(rename = "entry")]
    pub entries: Vec<Entry>,
}

/// The entries of one catalog.
pub fn entries(catalog: Catalog) -> &'static [Entry] {
    &self::catalog(catalog).entries
}

/// Find the entry for `code` in one catalog: by its code (numbers compare as numbers, names
/// without regard to case), by a Telnyx `causeCode`, or by an alias. `lookup(Catalog::Sip,
/// "486")`, `lookup(Catalog::TelnyxCause, "17")`, `lookup(Catalog::Browser,
/// "PermissionDeniedError")`.
pub fn lookup(catalog: Catalog, code: &str) -> Option<&'static Entry> {
    let code = code.trim();
    if let Ok(n) = code.parse::<i64>() {
        return lookup_num(catalog, n);
    }
    let wanted = code.to_ascii_lowercase();
    entries(catalog).iter().find(|e| {
        matches!(&e.code, Code::Text(t) if t.to_ascii_lowercase() == wanted)
            || e.aliases.iter().any(|a| a.to_ascii_lowercase() == wanted)
    })
}

/// [`lookup`] for a numeric code.
pub fn lookup_num(catalog: Catalog, code: i64) -> Option<&'static Entry> {
    let entries = entries(catalog);
    entries
        .iter()
        .find(|e| e.code == Code::Num(code))
        .or_else(|| entries.iter().find(|e| e.cause_code == Some(code)))
}

/// The class a numeric code belongs to, for catalogs that have classes (Q.850, SIP).
pub fn class_of(catalog: Catalog, code: i64) -> Option<&'static CodeClass> {
    self::catalog(catalog).classes.iter().find(|c| (c.first..=c.last).contains(&code))
}

/// How a numeric code reads in a catalog that has classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Resolved {
    /// The entry to show: the code's own, or its class's fallback.
    pub entry: &'static Entry,
    /// False when the catalog has no entry for the code and `entry` is the class fallback.
    pub defined: bool,
    pub class: Option<&'static CodeClass>,
}

/// Read a numeric code the way the protocol says a receiver must: its own entry if it has one,
/// otherwise the "unspecified" value of its class (Q.850: an unrecognised cause is handled as
/// the unspecified cause of the same class; RFC 3261 §8.1.3.2: an unrecognised final response
/// is handled as the x00 response of its class). `None` outside every class.
pub fn resolve(catalog: Catalog, code: i64) -> Option<Resolved> {
    let class = class_of(catalog, code);
    if let Some(entry) = entries(catalog).iter().find(|e| e.code == Code::Num(code)) {
        return Some(Resolved { entry, defined: true, class });
    }
    let class = class?;
    let entry = entries(catalog).iter().find(|e| e.code == Code::Num(class.fallback))?;
    Some(Resolved { entry, defined: false, class: Some(class) })
}

/// Lower-case letters and digits only: `USER_BUSY`, `User busy` and `user-busy` compare equal.
pub(crate) fn normalize(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}
