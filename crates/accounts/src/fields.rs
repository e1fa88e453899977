//! What the account forms ask for each setting, and the rule the backend checks it with: one
//! place for every label, hint, placeholder, rule and message. The UI renders its forms from
//! these specs (`app_info.account_fields`) and checks a typed value early with the same rule;
//! [`Profile::validate`](crate::Profile::validate) checks every saved value with them and has
//! the last word, and its errors name each field by its label here.
//!
//! A rule's pattern is a regular expression that Rust's `regex` and JavaScript (with the `u`
//! flag) read alike: character classes, anchors, counted repetition; no look-around, and `[0-9]`
//! rather than `\d` (which is Unicode-wide in Rust).

use regex::Regex;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::calls::Provider;

/// One setting of an account, as the form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FieldSpec {
    /// The setting's key in the profile (`account_sid`); a `bad_input` error names it.
    pub field: &'static str,
    /// What the form calls it, and what error messages call it.
    pub label: &'static str,
    /// Help shown with the field.
    pub hint: Option<&'static str>,
    pub placeholder: Option<&'static str>,
    /// An account cannot be saved without it.
    pub required: bool,
    pub input: FieldInput,
    /// The rule a value must keep, and what is wrong when it does not.
    pub rule: Option<FieldRule>,
    /// Shown under "Advanced" (opened when filled, or when the backend names it).
    pub advanced: bool,
}

/// How a value is entered.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldInput {
    /// A line of text; `suggestions` are offered while typing.
    Text { phone: bool, suggestions: Vec<&'static str> },
    /// A whole number, typed as text.
    Number,
    /// On or off.
    Checkbox,
    /// One of a few values.
    Choice { options: Vec<ChoiceOption> },
    /// Rows of STUN/TURN servers, each with URLs and an optional TURN user; the field's rule
    /// applies to each URL. A row is labelled `{row} {n} {part}` ("Server 2 URLs").
    IceServers { row: &'static str, urls: SubField, username: SubField },
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChoiceOption {
    pub value: &'static str,
    pub label: &'static str,
}

/// A part of a field that repeats (each ICE server's URLs and user).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SubField {
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub placeholder: Option<&'static str>,
}

/// What a value must be: text that matches `pattern`, or a number in `min..=max`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FieldRule {
    /// A regular expression the whole text must match (anchored `^…$`).
    pub pattern: Option<&'static str>,
    pub min: Option<u32>,
    pub max: Option<u32>,
    /// What is wrong with a value that breaks the rule; messages put the field's label first.
    pub message: &'static str,
}

impl FieldRule {
    /// Whether `value` keeps the rule: text must match, a number must be in range. Other JSON
    /// (a flag, a list) has no rule of its own here.
    pub fn allows(&self, value: &Value) -> Result<bool, regex::Error> {
        Ok(match value {
            Value::String(text) => match self.pattern {
                Some(pattern) => Regex::new(pattern)?.is_match(text),
                None => true,
            },
            Value::Number(n) => n.as_u64().is_some_and(|n| {
                self.min.is_none_or(|min| n >= u64::from(min)) && self.max.is_none_or(|max| n <= u64::from(max))
            }),
            _ => true,
        })
    }
}

// ---- the specs ----

fn text(field: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        field,
        label,
        hint: None,
        placeholder: None,
        required: false,
        input: FieldInput::Text { phone: false, suggestions: Vec::new() },
        rule: None,
        advanced: false,
    }
}

impl FieldSpec {
    fn hint(self, hint: &'static str) -> Self {
        FieldSpec { hint: Some(hint), ..self }
    }
    fn placeholder(self, placeholder: &'static str) -> Self {
        FieldSpec { placeholder: Some(placeholder), ..self }
    }
    fn required(self) -> Self {
        FieldSpec { required: true, ..self }
    }
    fn advanced(self) -> Self {
        FieldSpec { advanced: true, ..self }
    }
    fn input(self, input: FieldInput) -> Self {
        FieldSpec { input, ..self }
    }
    fn pattern(self, pattern: &'static str, message: &'static str) -> Self {
        FieldSpec { rule: Some(FieldRule { pattern: Some(pattern), min: None, max: None, message }), ..self }
    }
    fn range(self, min: u32, max: u32, message: &'static str) -> Self {
        FieldSpec { rule: Some(FieldRule { pattern: None, min: Some(min), max: Some(max), message }), ..self }
    }
}

fn sid(field: &'static str, label: &'static str, prefix: &'static str, pattern: &'static str, message: &'static str) -> FieldSpec {
    text(field, label).placeholder(prefix).pattern(pattern, message)
}

fn caller_id() -> FieldSpec {
    text("caller_id", "Caller ID")
        .placeholder("+14155550100")
        .hint("E.164, for test calls.")
        .input(FieldInput::Text { phone: true, suggestions: Vec::new() })
        .pattern("^\\+[0-9]{8,15}$", "must be an E.164 number such as +14155550100")
}

fn api_base_url(placeholder: &'static str) -> FieldSpec {
    text("api_base_url", "REST API base").placeholder(placeholder).pattern("^https?://", "must start with https://").advanced()
}

const SIP_URI: &str = "^sips?:[^\\s]+$";
const SIP_URI_MESSAGE: &str = "must be a SIP URI such as sip:alice@pbx.example.com";

/// Twilio's signalling edges (the SDK's names); any other lower-case name is passed on as typed.
pub const TWILIO_EDGES: [&str; 9] = ["roaming", "ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla"];

/// The name every account has.
pub fn name_field() -> FieldSpec {
    text("name", "Name")
        .required()
        .hint("Letters, digits, '-', '_' and '.'; used on the command line.")
        .pattern("^[A-Za-z0-9._-]{1,40}$", "must be 1–40 letters, digits, '-', '_' or '.' (no spaces)")
}

/// The settings of `provider`'s accounts, in form order; none for the Echo line.
pub fn provider_fields(provider: Provider) -> Vec<FieldSpec> {
    match provider {
        Provider::Echo => Vec::new(),
        Provider::Telnyx => vec![
            text("credential_connection_id", "Credential connection ID")
                .hint("Leave empty: Callscope finds or creates one on first use.")
                .pattern("^[A-Za-z0-9-]+$", "is not a connection id"),
            caller_id(),
            text("signalling_host", "Signalling host")
                .placeholder("rtc.telnyx.com")
                .hint("Regions use other hosts.")
                .pattern("^[A-Za-z0-9.:-]+$", "must be a host name such as rtc.telnyx.com")
                .advanced(),
            api_base_url("https://api.telnyx.com/v2"),
        ],
        Provider::Twilio => vec![
            sid("account_sid", "Account SID", "AC…", "^AC[0-9a-fA-F]{32}$", "must be AC followed by 32 hexadecimal digits").required(),
            sid("api_key_sid", "API key SID", "SK…", "^SK[0-9a-fA-F]{32}$", "must be SK followed by 32 hexadecimal digits")
                .hint("The API key that signs Access Tokens; its secret goes below.")
                .required(),
            sid("twiml_app_sid", "TwiML app SID", "AP…", "^AP[0-9a-fA-F]{32}$", "must be AP followed by 32 hexadecimal digits")
                .hint("Outgoing calls run through this TwiML app."),
            caller_id(),
            text("identity", "Client identity")
                .placeholder("callscope")
                .pattern("^[^\\s]{1,121}$", "must be 1–121 characters with no spaces"),
            text("edge", "Edge")
                .placeholder("roaming")
                .hint("Default roaming.")
                .input(FieldInput::Text { phone: false, suggestions: TWILIO_EDGES.to_vec() })
                .pattern("^[a-z-]+$", "is not an edge name"),
            text("region", "Region")
                .placeholder("e.g. ie1")
                .hint("Only for API keys outside US1.")
                .pattern("^[A-Za-z0-9]{3}$", "is not a region such as ie1"),
            text("insights", "Publish call quality to Twilio Insights").input(FieldInput::Checkbox),
            text("token_ttl_secs", "Access Token lifetime (seconds)")
                .placeholder("3600")
                .hint("60–86400.")
                .input(FieldInput::Number)
                .range(60, 86_400, "must be between 60 and 86400 seconds (Twilio’s maximum is 24 h)")
                .advanced(),
            api_base_url("https://api.twilio.com/2010-04-01"),
        ],
        Provider::Sip => vec![
            text("wss_uri", "WebSocket URI")
                .placeholder("wss://pbx.example.com:8089/ws")
                .hint("wss:// (ws:// only on a trusted network).")
                .pattern("^wss?://.+", "must be a wss:// (or ws://) address")
                .required(),
            text("sip_uri", "SIP URI").placeholder("sip:alice@pbx.example.com").pattern(SIP_URI, SIP_URI_MESSAGE).required(),
            text("auth_user", "Authentication user")
                .hint("Only when it differs from the SIP URI's user.")
                .pattern("^[^\\s]+$", "must not be empty or contain spaces"),
            text("realm", "Realm").hint("Defaults to the SIP URI's domain."),
            text("display_name", "Display name"),
            text("outbound_proxy", "Outbound proxy").placeholder("sip:proxy.example.com").pattern(SIP_URI, SIP_URI_MESSAGE),
            text("dtmf", "DTMF").input(FieldInput::Choice {
                options: vec![
                    ChoiceOption { value: "rfc2833", label: "RFC 2833 telephone-events in the media" },
                    ChoiceOption { value: "info", label: "SIP INFO" },
                ],
            }),
            text("ice_servers", "ICE servers")
                .hint("None: the browser's defaults apply.")
                .input(FieldInput::IceServers {
                    row: "Server",
                    urls: SubField {
                        label: "URLs",
                        hint: Some("stun:, stuns:, turn: or turns:, separated by spaces."),
                        placeholder: Some("turn:turn.example.com:3478?transport=tcp"),
                    },
                    username: SubField { label: "TURN username", hint: Some("Its password is the TURN password below."), placeholder: None },
                })
                .pattern("^(stuns?|turns?):", "must start with stun:, stuns:, turn: or turns:"),
            text("relay_only", "Send media through the TURN relay only (tests the relay path)").input(FieldInput::Checkbox),
        ],
    }
}

/// The providers that have accounts, in the order the app lists them.
pub const ACCOUNT_PROVIDERS: [Provider; 3] = [Provider::Telnyx, Provider::Twilio, Provider::Sip];

/// What messages call the field an error names: its label (`account_sid` → "Account SID", an
/// ICE server row's `ice_servers[1].urls` → "Server 2 URLs"), or the name itself when no form
/// shows it.
pub fn label_of(field: &str) -> String {
    let (key, row) = match field.split_once('[') {
        Some((key, rest)) => (key, rest.split_once("].")),
        None => (field, None),
    };
    let spec = std::iter::once(name_field())
        .chain(ACCOUNT_PROVIDERS.iter().flat_map(|&p| provider_fields(p)))
        .find(|spec| spec.field == key);
    match (spec, row) {
        (Some(spec), None) => spec.label.to_string(),
        (Some(FieldSpec { input: FieldInput::IceServers { row: label, urls, username }, .. }), Some((index, part))) => {
            let part = match part {
                "urls" => urls.label,
                "username" => username.label,
                _ => return field.to_string(),
            };
            match index.parse::<usize>() {
                Ok(i) => format!("{label} {} {part}", i + 1),
                Err(_) => field.to_string(),
            }
        }
        _ => field.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_spec() -> Vec<FieldSpec> {
        std::iter::once(name_field()).chain(ACCOUNT_PROVIDERS.iter().flat_map(|&p| provider_fields(p))).collect()
    }

    #[test]
    fn every_pattern_compiles_and_is_anchored() {
        for spec in every_spec() {
            if let Some(FieldRule { pattern: Some(pattern), .. }) = &spec.rule {
                Regex::new(pattern).unwrap_or_else(|e| panic!("{}: {e}", spec.field));
                assert!(pattern.starts_with('^'), "{}: {pattern} must be anchored at the start", spec.field);
                assert!(!pattern.contains("\\d"), "{}: use [0-9]; \\d is Unicode-wide in Rust", spec.field);
            }
        }
    }

    #[test]
    fn a_field_key_means_one_label_whatever_the_provider() {
        let specs = every_spec();
        for a in &specs {
            for b in specs.iter().filter(|b| b.field == a.field) {
                assert_eq!(a.label, b.label, "{} is labelled two ways", a.field);
            }
        }
    }

    #[test]
    fn errors_name_fields_by_their_labels() {
        assert_eq!(label_of("account_sid"), "Account SID");
        assert_eq!(label_of("token_ttl_secs"), "Access Token lifetime (seconds)");
        assert_eq!(label_of("ice_servers[1].urls"), "Server 2 URLs");
        assert_eq!(label_of("ice_servers[0].username"), "Server 1 TURN username");
        assert_eq!(label_of("secrets"), "secrets", "no form field: the name itself");
        assert_eq!(label_of("ice_servers[x].urls"), "ice_servers[x].urls");
    }

    #[test]
    fn rules_read_text_and_numbers() {
        let ttl = provider_fields(Provider::Twilio).into_iter().find(|s| s.field == "token_ttl_secs").unwrap().rule.unwrap();
        assert!(ttl.allows(&Value::from(3600)).unwrap());
        assert!(!ttl.allows(&Value::from(59)).unwrap());
        assert!(!ttl.allows(&Value::from(86_401)).unwrap());
        let sid = provider_fields(Provider::Twilio).into_iter().find(|s| s.field == "account_sid").unwrap().rule.unwrap();
        assert!(sid.allows(&Value::from(format!("AC{}", "a".repeat(32)))).unwrap());
        assert!(!sid.allows(&Value::from(format!("AC{}", "a".repeat(33)))).unwrap(), "the whole value must match");
        let caller_id = provider_fields(Provider::Sip).into_iter().chain(provider_fields(Provider::Telnyx)).find(|s| s.field == "caller_id");
        let e164 = caller_id.unwrap().rule.unwrap();
        assert!(e164.allows(&Value::from("+14155550100")).unwrap());
        assert!(!e164.allows(&Value::from("+١٤١٥٥٥٥٠١٠٠")).unwrap(), "ASCII digits only, as the UI's check");
    }
}
