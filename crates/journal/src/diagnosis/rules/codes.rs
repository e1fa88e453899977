//! Codes the network answered with, each read in the catalog of the layer that produced it and
//! with the wire around it: SIP final responses (with their `Warning`, `Reason`, `Contact` and
//! `Server` headers, the challenge's realm, early media before them), Telnyx D-codes, Twilio's
//! declined and masked codes, bare Q.850 causes.

use callscope_causes::{lookup, lookup_num, twilio_hidden_behind, Catalog, ReasonHeader, ReasonProtocol};

use super::{duration, end_cite, ended_by_far_side, from_entry, Finding, Rank};
use crate::calls::{CallState, EndedBy, Provider};
use crate::diagnosis::evidence::{Cite, Fact, Said};
use crate::diagnosis::facts::{At, Facts, LayerCode};
use crate::diagnosis::sip::{contact_uri, SipMessage, Warning};
use crate::diagnosis::{Confidence, Outcome};

type Sip = At<(bool, SipMessage)>;

fn header_cite(message: &Sip, name: &str, value: &str, note: impl Into<String>) -> Cite {
    message.cite_as(Fact::Header { name: name.to_string(), value: value.to_string() }, note)
}

/// The final response as evidence, with its first line.
fn response_cite(message: &Sip) -> Cite {
    message.cite(format!("← {}", message.value.1.first_line))
}

/// The cites of the code a call ended with: the final response on the wire when there is one,
/// and the end record.
fn status_cites(facts: &Facts) -> Vec<Cite> {
    let mut cites: Vec<Cite> = facts.final_response().map(response_cite).into_iter().collect();
    cites.extend(end_cite(facts));
    cites
}

/// The final SIP status: from the end record, or from the wire when the record has none.
fn final_status(facts: &Facts) -> Option<u16> {
    facts.failure.sip_status.or_else(|| facts.final_response().and_then(|m| m.value.1.status))
}

pub fn telnyx_dcode(facts: &Facts) -> Option<Finding> {
    // D-codes are Telnyx's (its WebRTC SDK, or its SIP service from a SIP account).
    if !matches!(facts.provider, Some(Provider::Telnyx | Provider::Sip)) {
        return None;
    }
    let reason = facts.failure.sip_reason.clone().or_else(|| facts.final_response().and_then(|m| m.value.1.reason.clone()))?;
    let entry = callscope_causes::telnyx_dcode(&reason)?;
    let summary = format!("Telnyx refused the call: {} ({})", entry.name, entry.code);
    let cites = status_cites(facts);
    let mut finding = from_entry("telnyx_dcode", 93, Catalog::TelnyxDCode, entry, summary, cites.clone(), facts);
    finding.explanation.insert(0, Said::new(format!("The reason phrase \"{reason}\" ends with the D-code {}.", entry.code), cites));
    Some(finding)
}

/// A call that ended on a 401/407 challenge: which realm was asked for, and whether Callscope
/// sent credentials at all (it holds a digest for one realm only).
pub fn auth_challenge(facts: &Facts) -> Option<Finding> {
    if !ended_by_far_side(facts) || !matches!(final_status(facts), Some(401 | 407)) {
        return None;
    }
    let challenge = facts.final_response();
    let realm = challenge.and_then(|m| m.value.1.challenge_realm());
    let header = challenge.and_then(|m| {
        ["www-authenticate", "proxy-authenticate"].iter().find_map(|name| m.value.1.header(name).map(|v| (m, *name, v.to_string())))
    });
    let retry = facts.sip.iter().find(|m| !m.value.0 && m.value.1.method.as_deref() == Some("INVITE") && m.value.1.has_credentials());
    let status = final_status(facts).unwrap_or(401);
    let mut cites = status_cites(facts);
    let realm_cite = header.as_ref().map(|(m, name, value)| header_cite(m, name, value, format!("challenged for realm \"{}\"", realm.clone().unwrap_or_default())));
    cites.extend(realm_cite.clone());
    let account_realm = facts.setting("realm");
    let registered_realm = registered_realm(facts);

    let finding = match (&retry, &realm) {
        (Some(retry), _) => {
            let retry_cite = retry.cite("the INVITE sent again with credentials (Authorization header, value redacted)");
            Finding::new(
                "auth_challenge",
                Rank::End(89),
                Outcome::Failed,
                Confidence::High,
                Said::new(format!("{status}: the server rejected the credentials"), cites.clone()),
            )
            .says(
                "Callscope answered the server's challenge: it sent the INVITE again with credentials, and the server \
                 refused them.",
                [retry_cite.clone()].into_iter().chain(cites.clone()),
            )
            .says("Likely cause: A wrong SIP password or auth user for this account.", [retry_cite.clone()])
            .step("Re-enter the SIP password and check the auth user in the account (Accounts → Edit).", [retry_cite])
        }
        (None, Some(realm)) => {
            let mut finding = Finding::new(
                "auth_challenge",
                Rank::End(89),
                Outcome::Failed,
                Confidence::High,
                Said::new(format!("{status}: challenged for realm \"{realm}\", and no credentials were sent"), cites.clone()),
            )
            .says(
                format!(
                    "The server asked for credentials for the realm \"{realm}\", and Callscope did not send the INVITE again \
                     with credentials: it keeps the password only as a digest for one realm, and that digest cannot answer a \
                     challenge for another. Re-entering the password does not change that."
                ),
                cites.clone(),
            );
            match account_realm.as_ref().zip(realm_cite.clone()) {
                Some((setting, challenge)) => {
                    let configured = setting_value(setting);
                    if configured != *realm {
                        finding = finding
                            .says(format!("The account's realm is \"{configured}\"."), [setting.clone(), challenge.clone()])
                            .step(format!("Set the account's realm to \"{realm}\" (Accounts → Edit → Realm)."), [setting.clone(), challenge]);
                    } else {
                        finding = finding.step(
                            "The account's realm matches the challenge: check that the auth user is set, and look in the \
                             browser console for JsSIP's authentication warning.",
                            [setting.clone(), challenge],
                        );
                    }
                }
                None => {
                    finding = finding.step(format!("Set the account's realm to \"{realm}\" (Accounts → Edit → Realm)."), cites.clone());
                }
            }
            if let Some(registered) = &registered_realm {
                if registered.value != *realm {
                    finding = finding.says(
                        format!(
                            "The line registered in the realm \"{}\", so the registrar and the proxy that challenged this call \
                             use different realms.",
                            registered.value
                        ),
                        [registered.cite(format!("the line's REGISTER was challenged for realm \"{}\"", registered.value))],
                    );
                }
            }
            finding
        }
        (None, None) => Finding::new(
            "auth_challenge",
            Rank::End(89),
            Outcome::Failed,
            Confidence::Medium,
            Said::new(format!("{status}: the server asked for credentials and the call ended"), cites.clone()),
        )
        .says("The call ended on an authentication challenge that was not answered with credentials.", cites.clone())
        .step("Check the account's auth user, password and realm (Accounts → Edit).", cites.clone()),
    };
    Some(with_sip_context(finding, facts))
}

/// The realm of the line's last REGISTER challenge that ended in 200 OK.
fn registered_realm(facts: &Facts) -> Option<At<String>> {
    let history = crate::diagnosis::registration::history(&facts.context.line_events);
    history.iter().rev().find(|r| r.value.outcome == crate::diagnosis::registration::Outcome::Registered).and_then(|r| {
        let realm = r.value.realm.clone()?;
        Some(r.with(realm))
    })
}

fn setting_value(cite: &Cite) -> String {
    match &cite.fact {
        Fact::Setting { value, .. } => value.clone(),
        _ => String::new(),
    }
}

/// A 3xx: the call was redirected, and JsSIP does not follow redirects.
pub fn redirected(facts: &Facts) -> Option<Finding> {
    let response = facts.final_response().filter(|m| m.value.1.status.is_some_and(|s| (300..400).contains(&s)))?;
    let targets: Vec<(String, Cite)> = response
        .value
        .1
        .headers("contact")
        .flat_map(|value| value.split(',').map(str::trim).map(str::to_string).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .map(|v| {
            let uri = contact_uri(&v);
            let cite = header_cite(response, "contact", &v, format!("redirect target {uri}"));
            (uri, cite)
        })
        .collect();
    let status = response.value.1.status?;
    let cites = vec![response_cite(response)];
    let mut finding = Finding::new(
        "redirected",
        Rank::End(83),
        Outcome::Failed,
        Confidence::High,
        Said::new(format!("{} {}: the call was redirected", status, response.value.1.reason.clone().unwrap_or_default()), cites.clone()),
    );
    if targets.is_empty() {
        finding = finding
            .says("The server answered with a redirection but named no target (no Contact header).", cites.clone())
            .step("Ask the PBX administrator why calls to this number are redirected without a target.", cites);
    } else {
        let list: Vec<&str> = targets.iter().map(|(uri, _)| uri.as_str()).collect();
        let target_cites: Vec<Cite> = targets.iter().map(|(_, c)| c.clone()).collect();
        finding = finding
            .says(
                format!("The server sent the call elsewhere: {}. Callscope (JsSIP) does not follow redirects, so the call ended here.", list.join(", ")),
                cites.iter().cloned().chain(target_cites.clone()),
            )
            .step(format!("Call the target directly: {}.", list[0]), target_cites.clone())
            .step("Or ask the PBX administrator to forward (proxy) the call instead of redirecting it.", target_cites);
    }
    Some(finding)
}

pub fn twilio_declined(facts: &Facts) -> Option<Finding> {
    let (problem, _) = facts.problem_codes().find(|(_, c)| c.catalog == Catalog::Twilio && c.code == "31002")?;
    let cite = || vec![problem.cite("Twilio error 31002 ConnectionDeclinedError")];
    Some(
        Finding::new(
            "twilio_31002",
            Rank::End(80),
            Outcome::Failed,
            Confidence::Medium,
            Said::new("Twilio declined the connection (31002)", cite()),
        )
        .says(
            "Twilio declined the call before it reached anyone. Unless the callee really pressed decline, this is the \
             account's configuration: the usual causes, most likely first, are below.",
            cite(),
        )
        .step("The TwiML app's Voice URL: it must be set and answer with valid TwiML (Console → Voice → TwiML Apps).", cite())
        .step("A trial account can only call verified numbers (Console → Phone Numbers → Verified Caller IDs), or upgrade.", cite())
        .step("Geo permissions: the destination country must be enabled (Console → Voice → Settings → Geo permissions).", cite())
        .step("The account balance must cover the call (Console → Billing).", cite())
        .step("The caller ID must be a Twilio number with voice capability or a verified caller ID.", cite())
        .step("Run `callscope accounts test NAME` to check the app, the account type and the key.", cite()),
    )
}

/// Twilio's catch-all codes: 31005 and 31000 on a call, 53000 on the Device. When the SDK kept
/// the gateway's own code, that code is the diagnosis; when not, say that the cause is hidden
/// and where to find it.
pub fn twilio_masked(facts: &Facts) -> Option<Finding> {
    let masking = |c: &LayerCode| c.catalog == Catalog::Twilio && matches!(c.code.as_str(), "31005" | "31000" | "53000");
    let (code, cite) = match facts.problem_codes().find(|(_, c)| masking(c)) {
        Some((problem, code)) => (code.clone(), problem.cite(format!("Twilio error {}", code.code))),
        None => {
            let code = facts.end_code().filter(masking)?;
            let cite = end_cite(facts).into_iter().next()?;
            (code, cite)
        }
    };
    let shown = lookup(Catalog::Twilio, &code.code)?;
    let call_sid = call_sid(facts);
    let shown_cite = Cite { note: format!("Twilio error {} {}", shown.code, shown.name), ..cite };
    if let Some(real) = code.behind.as_deref().and_then(|b| lookup(Catalog::Twilio, b)) {
        let cites = vec![shown_cite.clone()];
        let mut finding = from_entry(
            "twilio_masked",
            79,
            Catalog::Twilio,
            real,
            format!("Twilio's gateway ended the call with {} {} (the SDK showed it as {})", real.code, real.name, shown.code),
            cites.clone(),
            facts,
        );
        finding.explanation.insert(
            0,
            Said::new(
                format!(
                    "The SDK reported the generic {} {}, but the error it wraps holds the gateway's own code, {} {}: that is why \
                     the call ended.",
                    shown.code, shown.name, real.code, real.name
                ),
                cites,
            ),
        );
        return Some(finding);
    }
    let hidden: Vec<String> = shown
        .code
        .as_num()
        .map(twilio_hidden_behind)
        .unwrap_or_default()
        .into_iter()
        .take(5)
        .map(|e| format!("{} {}", e.code, e.name))
        .collect();
    let cites = vec![shown_cite];
    let where_sid = call_sid.map(|sid| format!(" (the call {sid})")).unwrap_or_default();
    let mut finding = Finding::new(
        "twilio_masked",
        Rank::End(70),
        Outcome::Failed,
        Confidence::Low,
        Said::new(format!("Twilio reported the generic {} {}: the real cause is masked", shown.code, shown.name), cites.clone()),
    )
    .says(
        format!(
            "{} is Twilio's catch-all: it masks a more precise code{}, and the gateway's own code was not passed on with \
             it. Checking the network will not tell which one it was.",
            shown.code,
            if hidden.is_empty() { String::new() } else { format!(" (such as {})", hidden.join(", ")) }
        ),
        cites.clone(),
    )
    .step(
        format!("Read the real cause in Twilio's record of the call{where_sid}: Console → Monitor → Logs → Calls → the call → Notifications, or Monitor → Debugger."),
        cites.clone(),
    )
    .step("Run `callscope accounts test NAME`: it checks the TwiML app, the key and the account behind most masked failures.", cites);
    if facts.reached(CallState::Ringing).is_some() || facts.reached(CallState::Early).is_some() {
        let rang = facts.reached(CallState::Ringing).or(facts.reached(CallState::Early)).map(|r| r.cite("the call rang"));
        finding = finding.says("The call rang first, so a busy, declined or unanswered callee is the most common cause behind it.", rang);
    }
    Some(finding)
}

/// The call's Twilio `CA…` sid, from any error or signalling frame that named it.
fn call_sid(facts: &Facts) -> Option<String> {
    facts.frames.iter().find_map(|f| f.value.2["payload"]["callsid"].as_str().filter(|s| s.starts_with("CA")).map(str::to_string))
}

pub fn sip_final_response(facts: &Facts) -> Option<Finding> {
    if facts.ended_by == Some(EndedBy::Local) {
        return None;
    }
    // A 2xx is the answer to a BYE, not a failure: the end rules tell that story.
    let status = final_status(facts).filter(|s| *s >= 300)?;
    let entry = lookup_num(Catalog::Sip, status.into())?;
    let phrase = facts
        .failure
        .sip_reason
        .clone()
        .or_else(|| facts.final_response().and_then(|m| m.value.1.reason.clone()))
        .unwrap_or_else(|| entry.name.clone());
    let mut summary = format!("{status} {phrase}");
    if let Some(cause) = q850_cause(facts).and_then(|(c, _)| lookup_num(Catalog::Q850, c.into()).map(|e| (c, e))) {
        summary.push_str(&format!(" (Q.850 {}: {})", cause.0, cause.1.name));
    }
    let cites = status_cites(facts);
    let mut finding = from_entry("sip_final_response", 65, Catalog::Sip, entry, summary, cites.clone(), facts);
    if status == 480 && facts.rang() {
        let rang = facts.reached(CallState::Ringing).or(facts.reached(CallState::Early)).map(|r| r.cite("the far end rang"));
        finding.explanation = vec![Said::new(
            "The far end rang but nobody answered before the timeout, so the call was given up (480 / no answer). The path \
             works; the callee did not pick up.",
            cites.iter().cloned().chain(rang),
        )];
    }
    if let Some((cause, cite)) = q850_cause(facts) {
        if let Some(q) = lookup_num(Catalog::Q850, cause.into()) {
            let from = if matches!(cite.fact, Fact::Header { .. }) { "Its Reason header gives" } else { "The call's end record gives" };
            finding = finding.says(format!("{from} Q.850 {cause} ({}): {}", q.name, q.meaning), [cite]);
        }
    }
    Some(with_sip_context(finding, facts))
}

/// The Q.850 cause the call ended with: the end record's, or the final response's (or BYE's)
/// `Reason` header on the wire.
fn q850_cause(facts: &Facts) -> Option<(u16, Cite)> {
    let wire = facts.final_response().into_iter().chain(facts.bye().filter(|b| b.value.0)).find_map(|m| {
        let value = m.value.1.header("reason")?;
        let header = ReasonHeader::parse(value).ok()?;
        let q850 = header.values.iter().find(|v| v.protocol == ReasonProtocol::Q850 && v.cause.is_some())?;
        Some((u16::try_from(q850.cause?).ok()?, header_cite(m, "reason", value, format!("Reason: {value}"))))
    });
    match (facts.failure.q850_cause, wire) {
        (_, Some(found)) => Some(found),
        (Some(cause), None) if facts.provider != Some(Provider::Telnyx) || cause <= 127 => {
            end_cite(facts).into_iter().next().map(|c| (cause, c))
        }
        _ => None,
    }
}

/// The wire around a final SIP response: early media before it, which hop answered, its
/// `Warning` header, a reason phrase that belongs to another code. Only what is there is said.
pub fn with_sip_context(mut finding: Finding, facts: &Facts) -> Finding {
    let Some(response) = facts.final_response() else { return finding };
    let message = &response.value.1;
    if let Some(early) = facts.reached(CallState::Early) {
        let lasted = response.t_ms - early.t_ms;
        if lasted > 0.0 {
            let cite = early.cite("early media (the far end's audio before an answer)");
            finding = finding
                .says(format!("The far end played early media for {} before the {}.", duration(lasted), message.status.unwrap_or(0)), [cite.clone()])
                .step("Listen to the early media (call again and listen before it fails): an announcement often says why.", [cite]);
        }
    }
    for value in message.headers("warning") {
        if let Some(warning) = Warning::parse(value) {
            let cite = header_cite(response, "warning", value, format!("Warning: {value}"));
            finding = finding.says(
                format!("The response carries a Warning from {}: {} \"{}\" ({}).", warning.agent, warning.code, warning.text, warning.meaning()),
                [cite],
            );
        }
    }
    if let Some(agent) = message.agent() {
        let trying = facts.invite_responses().find(|m| m.value.1.status == Some(100));
        let proxy = trying.and_then(|t| t.value.1.agent().map(|a| (t, a.to_string())));
        let name = if message.header("server").is_some() { "server" } else { "user-agent" };
        let cite = header_cite(response, name, agent, format!("answered by {agent}"));
        match proxy {
            Some((trying, proxy)) if proxy == agent => {
                let proxy_cite = header_cite(trying, "server", &proxy, format!("100 Trying from {proxy}"));
                finding = finding.says(
                    format!("The proxy itself ({agent}) answered with the {}: the call did not reach the far end.", message.status.unwrap_or(0)),
                    [cite, proxy_cite],
                );
            }
            Some((trying, proxy)) => {
                let proxy_cite = header_cite(trying, "server", &proxy, format!("100 Trying from {proxy}"));
                finding = finding.says(
                    format!("The {} came from {agent}, past the proxy ({proxy}): the call reached the far side.", message.status.unwrap_or(0)),
                    [cite, proxy_cite],
                );
            }
            None => {
                finding = finding.says(format!("The {} came from {agent}.", message.status.unwrap_or(0)), [cite]);
            }
        }
    }
    if let Some((owner, phrase)) = phrase_of_another_code(message) {
        let cite = response_cite(response);
        finding = finding.says(
            format!(
                "Its reason phrase \"{phrase}\" is the phrase of {owner}, not of {}: the code is what SIP acts on, so read it \
                 as {}; the phrase hints at what the far end's software meant.",
                message.status.unwrap_or(0),
                message.status.unwrap_or(0)
            ),
            [cite],
        );
    }
    finding
}

/// A response whose reason phrase is the standard phrase of another status: (that status, the phrase).
pub fn phrase_of_another_code(message: &SipMessage) -> Option<(i64, String)> {
    let status = i64::from(message.status?);
    let phrase = message.reason.as_deref()?.trim();
    let wanted = normal(phrase);
    if wanted.is_empty() {
        return None;
    }
    if lookup_num(Catalog::Sip, status).is_some_and(|own| normal(&own.name) == wanted) {
        return None;
    }
    let other = callscope_causes::entries(Catalog::Sip).iter().find(|e| normal(&e.name) == wanted)?;
    let code = other.code.as_num()?;
    (code != status).then(|| (code, phrase.to_string()))
}

fn normal(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

pub fn q850_only(facts: &Facts) -> Option<Finding> {
    if final_status(facts).is_some() || facts.ended_by == Some(EndedBy::Local) {
        return None;
    }
    let (cause, cite) = q850_cause(facts)?;
    if cause == 16 && facts.answered() {
        return None;
    }
    let entry = lookup_num(Catalog::Q850, cause.into())?;
    Some(from_entry("q850", 60, Catalog::Q850, entry, format!("Q.850 {cause}: {}", entry.name), vec![cite], facts))
}

/// The provider's own code for the end (a Twilio error such as 31486, a Telnyx cause without a
/// SIP status), read in that provider's catalog, when no SIP status says more.
pub fn provider_code(facts: &Facts) -> Option<Finding> {
    if !ended_by_far_side(facts) || final_status(facts).is_some() {
        return None;
    }
    let code = facts
        .problem_codes()
        .filter(|(_, c)| c.catalog == Catalog::Twilio)
        .map(|(p, c)| (c.clone(), p.cite(format!("Twilio error {}", c.code))))
        .last()
        .or_else(|| facts.end_code().and_then(|c| end_cite(facts).into_iter().next().map(|cite| (c, cite))))?;
    let (code, cite) = code;
    let entry = lookup(code.catalog, &code.code)?;
    if entry.normal {
        return None;
    }
    let summary = format!("{} {} {}", code.catalog.label(), entry.code, entry.name);
    Some(from_entry("provider_code", 64, code.catalog, entry, summary, vec![cite], facts))
}
