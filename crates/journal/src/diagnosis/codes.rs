//! Every code a call ended with, looked up in the catalogs.

use callscope_causes::{lookup, lookup_num, telnyx_dcode, Catalog, Entry};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Facts;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DecodedCode {
    /// The catalog's name ("SIP", "Q.850", "Telnyx D-code", ...).
    pub catalog: String,
    pub code: String,
    pub name: String,
    pub meaning: String,
    /// What to read before trusting this code alone, where the catalog has a warning.
    pub caveat: Option<String>,
}

impl DecodedCode {
    pub fn of(catalog: Catalog, entry: &Entry) -> Self {
        DecodedCode {
            catalog: catalog.label().to_string(),
            code: entry.code.to_string(),
            name: entry.name.clone(),
            meaning: entry.meaning.clone(),
            caveat: entry.caveat.clone(),
        }
    }
}

pub fn decode_all(facts: &Facts) -> Vec<DecodedCode> {
    let mut out = Vec::new();
    let mut add = |catalog: Catalog, entry: Option<&Entry>| {
        if let Some(entry) = entry {
            let decoded = DecodedCode::of(catalog, entry);
            if !out.contains(&decoded) {
                out.push(decoded);
            }
        }
    };
    let failure = &facts.failure;
    if let Some(status) = failure.sip_status {
        add(Catalog::Sip, lookup_num(Catalog::Sip, status.into()));
    }
    if let Some(cause) = failure.q850_cause {
        add(Catalog::Q850, lookup_num(Catalog::Q850, cause.into()));
    }
    if let Some(reason) = &failure.sip_reason {
        add(Catalog::TelnyxDCode, telnyx_dcode(reason));
    }
    for code in &facts.provider_codes {
        for catalog in [Catalog::TelnyxCause, Catalog::Twilio, Catalog::TelnyxSdk] {
            add(catalog, lookup(catalog, &code.value));
        }
    }
    out
}
