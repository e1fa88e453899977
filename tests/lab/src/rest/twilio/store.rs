//! The Twilio fake's state: accounts with their Auth Token, test credentials, API keys and
//! resources, and who a Basic-auth pair authenticates as.

use serde::Serialize;

use super::records::{self, CallLeg, Record};
use crate::{clock, ids};

/// API key types (docs/iam/api-keys). Restricted keys are not modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// Full access, like the Auth Token; created only in the Console.
    Main,
    /// Everything except `/Accounts` and `/Keys`.
    Standard,
}

/// An API key: what signs Access Tokens and authenticates REST requests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKeyRecord {
    pub sid: String,
    pub secret: String,
    pub account_sid: String,
    pub friendly_name: String,
    pub kind: KeyKind,
    /// Keys are regional (`us1`, `ie1`, `au1`); a token must name the key's region.
    pub region: String,
    pub date_created: String,
}

pub struct Account {
    pub sid: String,
    pub auth_token: String,
    /// Test credentials: a separate SID and token that only a few POSTs accept.
    pub test_sid: String,
    pub test_auth_token: String,
    pub friendly_name: String,
    pub status: String,
    pub kind: String,
    pub date_created: String,
    pub balance: String,
    pub keys: Vec<ApiKeyRecord>,
    pub applications: Vec<Record>,
    pub numbers: Vec<Record>,
    pub calls: Vec<Record>,
    pub countries: Vec<Record>,
}

impl Account {
    fn new(friendly_name: &str) -> Self {
        Account {
            sid: ids::twilio_sid("AC"),
            auth_token: ids::hex(32),
            test_sid: ids::twilio_sid("AC"),
            test_auth_token: ids::hex(32),
            friendly_name: friendly_name.into(),
            status: "active".into(),
            kind: "Full".into(),
            date_created: clock::rfc2822_now(),
            balance: "20.00".into(),
            keys: Vec::new(),
            applications: Vec::new(),
            numbers: Vec::new(),
            calls: Vec::new(),
            countries: default_countries(),
        }
    }

    pub fn add_key(&mut self, friendly_name: &str, kind: KeyKind) -> ApiKeyRecord {
        let key = ApiKeyRecord {
            sid: ids::twilio_sid("SK"),
            secret: ids::alphanumeric(32),
            account_sid: self.sid.clone(),
            friendly_name: friendly_name.into(),
            kind,
            region: "us1".into(),
            date_created: clock::rfc2822_now(),
        };
        self.keys.push(key.clone());
        key
    }
}

fn default_countries() -> Vec<Record> {
    [
        ("US", "United States/Canada", "NORTH_AMERICA", &["+1"][..], true),
        ("CA", "Canada", "NORTH_AMERICA", &["+1"][..], true),
        ("GB", "United Kingdom", "EUROPE", &["+44"][..], true),
        ("DE", "Germany", "EUROPE", &["+49"][..], false),
        ("FR", "France", "EUROPE", &["+33"][..], false),
        ("ES", "Spain", "EUROPE", &["+34"][..], false),
        ("IN", "India", "ASIA", &["+91"][..], false),
        ("JP", "Japan", "ASIA", &["+81"][..], false),
        ("AU", "Australia", "OCEANIA", &["+61"][..], false),
        ("BR", "Brazil", "SOUTH_AMERICA", &["+55"][..], false),
        ("MX", "Mexico", "NORTH_AMERICA", &["+52"][..], false),
        ("NG", "Nigeria", "AFRICA", &["+234"][..], false),
    ]
    .into_iter()
    .map(|(iso, name, continent, codes, low_risk)| records::country(iso, name, continent, codes, low_risk))
    .collect()
}

/// What a Basic-auth pair authenticates as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    AuthToken,
    Key(KeyKind),
    TestCredentials,
}

#[derive(Debug, Clone, Copy)]
pub struct Principal {
    pub account: usize,
    pub credential: Credential,
}

#[derive(Default)]
pub struct Store {
    pub accounts: Vec<Account>,
}

impl Store {
    pub fn authenticate(&self, user: &str, password: &str) -> Option<Principal> {
        self.accounts.iter().enumerate().find_map(|(account, a)| {
            let credential = if a.sid == user && a.auth_token == password {
                Credential::AuthToken
            } else if a.test_sid == user && a.test_auth_token == password {
                Credential::TestCredentials
            } else {
                let key = a.keys.iter().find(|k| k.sid == user && k.secret == password)?;
                Credential::Key(key.kind)
            };
            Some(Principal { account, credential })
        })
    }

    pub fn key(&self, sid: &str) -> Option<&ApiKeyRecord> {
        self.accounts.iter().flat_map(|a| &a.keys).find(|k| k.sid == sid)
    }
}

/// The seeded credentials and resource SIDs, as the CLI prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TwilioSeed {
    pub account_sid: String,
    pub auth_token: String,
    pub main_key: SeededKey,
    pub standard_key: SeededKey,
    pub test_account_sid: String,
    pub test_auth_token: String,
    /// A TwiML app with a Voice URL, and one without.
    pub application_sid: String,
    pub application_without_voice_url_sid: String,
    /// Numbers routed to the app, to a Voice URL, to nothing, and one without voice capability.
    pub phone_number_sids: Vec<String>,
    /// An SDK call (parent leg `client:alice`), its dialled child leg, a busy and a failed call.
    pub call_sids: Vec<String>,
    /// A second account, whose resources the first account's credentials must not reach.
    pub other_account_sid: String,
    pub other_account_auth_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeededKey {
    pub sid: String,
    pub secret: String,
}

impl From<ApiKeyRecord> for SeededKey {
    fn from(key: ApiKeyRecord) -> Self {
        SeededKey { sid: key.sid, secret: key.secret }
    }
}

pub fn seed(store: &mut Store) -> TwilioSeed {
    let mut main = Account::new("Callscope lab");
    let main_key = main.add_key("Callscope main key", KeyKind::Main);
    let standard_key = main.add_key("Callscope standard key", KeyKind::Standard);
    let ac = main.sid.clone();

    let app = ids::twilio_sid("AP");
    let bare_app = ids::twilio_sid("AP");
    main.applications.push(records::application(&ac, &app, "Callscope lab app", "https://lab.callscope.invalid/voice"));
    main.applications.push(records::application(&ac, &bare_app, "App without Voice URL", ""));

    let numbers = [
        ("+13125550201", true, Some(app.as_str()), ""),
        ("+13125550202", true, None, "https://lab.callscope.invalid/inbound"),
        ("+13125550203", true, None, ""),
        ("+13125550204", false, None, ""),
    ];
    let mut phone_number_sids = Vec::new();
    for (e164, voice, app_sid, voice_url) in numbers {
        let sid = ids::twilio_sid("PN");
        main.numbers.push(records::incoming_phone_number(&ac, &sid, e164, voice, app_sid, voice_url));
        phone_number_sids.push(sid);
    }

    let call_sids: Vec<String> = (0..4).map(|_| ids::twilio_sid("CA")).collect();
    let legs = [
        CallLeg {
            sid: &call_sids[0],
            parent_call_sid: None,
            from: "client:alice",
            to: "+13125550299",
            status: "completed",
            direction: "inbound",
            duration_secs: 42,
        },
        CallLeg {
            sid: &call_sids[1],
            parent_call_sid: Some(&call_sids[0]),
            from: "+13125550201",
            to: "+13125550299",
            status: "completed",
            direction: "outbound-dial",
            duration_secs: 40,
        },
        CallLeg {
            sid: &call_sids[2],
            parent_call_sid: None,
            from: "client:alice",
            to: "+13125550298",
            status: "busy",
            direction: "inbound",
            duration_secs: 0,
        },
        CallLeg {
            sid: &call_sids[3],
            parent_call_sid: None,
            from: "client:alice",
            to: "+4915155550100",
            status: "failed",
            direction: "inbound",
            duration_secs: 0,
        },
    ];
    main.calls = legs.iter().map(|leg| records::call(&ac, leg)).collect();

    let other = Account::new("Someone else");
    let seed = TwilioSeed {
        account_sid: ac,
        auth_token: main.auth_token.clone(),
        main_key: main_key.into(),
        standard_key: standard_key.into(),
        test_account_sid: main.test_sid.clone(),
        test_auth_token: main.test_auth_token.clone(),
        application_sid: app,
        application_without_voice_url_sid: bare_app,
        phone_number_sids,
        call_sids,
        other_account_sid: other.sid.clone(),
        other_account_auth_token: other.auth_token.clone(),
    };
    store.accounts.push(main);
    store.accounts.push(other);
    seed
}
