//! Every code a call carried, each looked up in the catalog of the provider and layer that
//! produced it: a Telnyx cause in Telnyx's causes, a Twilio code in Twilio's, an SDK error in
//! that SDK's (a Twilio 31005 is not the Telnyx SDK's 31005), a TURN error in STUN/TURN's.

use callscope_causes::{lookup, lookup_num, telnyx_dcode, Catalog, Entry};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Facts;
use crate::calls::Provider;

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
    let status = failure.sip_status.or_else(|| facts.final_response().and_then(|m| m.value.1.status));
    if let Some(status) = status {
        add(Catalog::Sip, lookup_num(Catalog::Sip, status.into()));
    }
    if let Some(cause) = failure.q850_cause {
        // Telnyx's causeCode is Q.850 up to 127 and FreeSWITCH's own above (804 MEDIA_TIMEOUT).
        if cause <= 127 {
            add(Catalog::Q850, lookup_num(Catalog::Q850, cause.into()));
        } else if facts.provider == Some(Provider::Telnyx) {
            add(Catalog::TelnyxCause, lookup_num(Catalog::TelnyxCause, cause.into()));
        }
    }
    if matches!(facts.provider, Some(Provider::Telnyx | Provider::Sip)) {
        if let Some(reason) = failure.sip_reason.clone().or_else(|| facts.final_response().and_then(|m| m.value.1.reason.clone())) {
            add(Catalog::TelnyxDCode, telnyx_dcode(&reason));
        }
    }
    if let Some(code) = facts.end_code() {
        add(code.catalog, lookup(code.catalog, &code.code));
    }
    for (_, code) in facts.problem_codes() {
        add(code.catalog, lookup(code.catalog, &code.code));
        if let Some(behind) = &code.behind {
            add(code.catalog, lookup(code.catalog, behind));
        }
    }
    for error in &facts.candidate_errors {
        add(Catalog::Turn, lookup_num(Catalog::Turn, error.value.code));
    }
    out
}
