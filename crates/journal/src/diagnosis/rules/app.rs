//! The app, the laptop and the credentials: Callscope stopped, the microphone, the login token,
//! the signalling session, the account's credential limit.

use callscope_causes::{lookup, Catalog};

use super::{end_cite, from_entry, Finding, Rank};
use crate::calls::EndedBy;
use crate::calls::Provider;
use crate::diagnosis::evidence::Said;
use crate::diagnosis::facts::Facts;
use crate::diagnosis::{Confidence, Outcome};

pub fn interrupted(facts: &Facts) -> Option<Finding> {
    (facts.ended_by == Some(EndedBy::Interrupted)).then(|| {
        Finding::new(
            "interrupted",
            Rank::End(99),
            Outcome::Failed,
            Confidence::High,
            Said::new("Callscope stopped during the call", end_cite(facts)),
        )
        .says(
            "The app was closed, killed or crashed while this call was open; the call was closed when Callscope \
             started again. Every event recorded before that is kept.",
            end_cite(facts),
        )
        .step("If Callscope crashed, attach the log from the time of the call to the ticket.", end_cite(facts))
    })
}

const MICROPHONE_ERRORS: [&str; 6] =
    ["NotAllowedError", "NotFoundError", "NotReadableError", "OverconstrainedError", "SecurityError", "AbortError"];

pub fn microphone(facts: &Facts) -> Option<Finding> {
    let (error, name) = facts.errors.iter().find_map(|e| {
        let lower = e.value.text.to_lowercase();
        let name = MICROPHONE_ERRORS.iter().find(|n| e.value.text.contains(**n))?;
        (lower.contains("microphone") || lower.contains("getusermedia") || lower.contains("permission")).then_some((e, *name))
    })?;
    let entry = lookup(Catalog::Browser, name)?;
    let summary = match name {
        "NotAllowedError" | "SecurityError" => "Microphone access was denied",
        "NotFoundError" | "OverconstrainedError" => "No microphone was found",
        _ => "The microphone could not be started",
    };
    let cites = vec![error.cite(format!("getUserMedia failed: {}", error.value.text))];
    Some(from_entry("microphone", 97, Catalog::Browser, entry, summary.into(), cites, facts))
}

/// Twilio's token refusals (Device or gateway codes), read in Twilio's catalog only.
const TWILIO_TOKEN_CODES: [&str; 5] = ["20101", "20104", "31204", "31205", "20151"];

pub fn token(facts: &Facts) -> Option<Finding> {
    let twilio = facts
        .problem_codes()
        .find(|(_, c)| c.catalog == Catalog::Twilio && TWILIO_TOKEN_CODES.contains(&c.code.as_str()));
    if let Some((problem, code)) = twilio {
        let entry = lookup(Catalog::Twilio, &code.code)?;
        let summary = if matches!(code.code.as_str(), "20104" | "31205") {
            "The Twilio Access Token expired".to_string()
        } else {
            format!("Twilio refused the Access Token ({} {})", entry.code, entry.name)
        };
        let cites = vec![problem.cite(format!("Twilio error {}", code.code))];
        return Some(from_entry("token", 92, Catalog::Twilio, entry, summary, cites, facts));
    }
    let expired = facts.errors.iter().find(|e| {
        let lower = e.value.text.to_lowercase();
        lower.contains("token") && (lower.contains("expired") || lower.contains("expiry"))
    })?;
    let cite = || vec![expired.cite(expired.value.text.clone())];
    Some(
        Finding::new("token", Rank::End(92), Outcome::Failed, Confidence::High, Said::new("The login token had expired", cite()))
            .says(
                "The provider refused the short-lived token the app logged in with because it had expired. Callscope \
                 mints a new one before each call; an expired one means a page stayed open past the token's life \
                 without refreshing it, or this computer's clock is wrong.",
                cite(),
            )
            .step("Call again: Callscope fetches a fresh token.", cite())
            .step("Check that this computer's clock is right (automatic time on).", cite()),
    )
}

pub fn account_limit(facts: &Facts) -> Option<Finding> {
    let hit = facts.errors.iter().find(|e| {
        let lower = e.value.text.to_lowercase();
        lower.contains("limit reached")
            || lower.contains("provider_limit_reached")
            || (lower.contains("limit") && lower.contains("credential"))
    })?;
    let cite = || vec![hit.cite(hit.value.text.clone())];
    let mut finding = Finding::new(
        "account_limit",
        Rank::End(90),
        Outcome::Failed,
        Confidence::High,
        Said::new("The provider account is at its credential or connection limit", cite()),
    )
    .says(
        "The account refused to create another credential or connection. Apps that create a new credential on every \
         page load fill the account until no one can call.",
        cite(),
    )
    .step(
        "Run `callscope accounts test NAME` to see how many credentials the account holds and how many are this device's.",
        cite(),
    );
    if facts.provider == Some(Provider::Telnyx) {
        finding = finding.step(
            "Delete unused telephony credentials (Telnyx portal → Voice → SIP Trunking → the connection → credentials), \
             especially ones another tool created per page load.",
            cite(),
        );
    }
    Some(finding)
}

/// The signalling socket dropped and the call could not be brought back (Telnyx SDK 48501 or
/// 45003, Twilio 31209), even though the SDK then reports a "normal" hang-up.
pub fn signalling_lost(facts: &Facts) -> Option<Finding> {
    const LOST: [(&str, Catalog); 3] =
        [("48501", Catalog::TelnyxSdk), ("45003", Catalog::TelnyxSdk), ("31209", Catalog::Twilio)];
    let (problem, code) = facts.problem_codes().find(|(_, c)| LOST.contains(&(c.code.as_str(), c.catalog)))?;
    let entry = lookup(code.catalog, &code.code)?;
    let cites = vec![problem.cite(format!("{} {} {}", code.catalog.label(), entry.code, entry.name))];
    let mut finding = from_entry(
        "signalling_lost",
        91,
        code.catalog,
        entry,
        format!("The signalling connection dropped and the call was lost ({} {})", entry.code, entry.name),
        cites.clone(),
        facts,
    );
    finding.explanation.insert(
        0,
        Said::new(
            "The app's WebSocket to the provider dropped during the call and the call could not be re-attached when it \
             reconnected. The hang-up code that follows is the SDK's own fill-in.",
            cites,
        ),
    );
    Some(finding)
}
