//! The diagnosis rules. Each reads the facts of a whole call and, when it applies, says what
//! happened with a weight: the heaviest finding is the diagnosis, the others are listed as "also".
//!
//! Weights order the rules from the most specific explanation to the most generic: a denied
//! microphone or a Telnyx D-code explains a failure better than the SIP status it came with,
//! and a local hang-up explains the codes the SDK fills in for it.

use callscope_causes::{decode, lookup, lookup_num, telnyx_dcode, twilio_hidden_behind, Catalog, Entry};

use super::facts::{At, Facts};
use super::{Confidence, Evidence, Outcome};
use crate::calls::{CallState, EndedBy};
use crate::journal::describe::duration;

pub struct Finding {
    pub rule: &'static str,
    pub weight: u8,
    pub summary: String,
    pub explanation: String,
    pub outcome: Outcome,
    pub confidence: Confidence,
    pub fix: Vec<String>,
    pub evidence: Vec<Evidence>,
}

type Rule = fn(&Facts) -> Option<Finding>;

const RULES: &[Rule] = &[
    interrupted,
    microphone,
    token,
    one_way_audio,
    media_never_connected,
    media_lost,
    turn_refused_but_connected,
    signalling_lost,
    telnyx_dcode_rule,
    account_limit,
    rejected_before_routing,
    twilio_declined,
    twilio_masked,
    sip_final_response,
    q850_only,
    local_hangup,
    normal_end,
];

/// Every rule that applies; when none does, what the codes alone say.
pub fn run(facts: &Facts) -> Vec<Finding> {
    let found: Vec<Finding> = RULES.iter().filter_map(|rule| rule(facts)).collect();
    if found.is_empty() {
        return fallback(facts).into_iter().collect();
    }
    found
}

fn evidence<T>(fact: &At<T>, note: impl Into<String>) -> Evidence {
    Evidence { seq: fact.seq, note: note.into() }
}

fn end_evidence(facts: &Facts) -> Vec<Evidence> {
    facts.end.iter().map(|end| evidence(end, "the call's end, with its codes")).collect()
}

fn from_entry(rule: &'static str, weight: u8, entry: &Entry, summary: String, facts: &Facts) -> Finding {
    let mut explanation = entry.meaning.clone();
    if let Some(cause) = entry.causes.first() {
        explanation.push_str(&format!(" Usually: {}", cause.trim_end_matches('.').to_lowercase()));
        explanation.push('.');
    }
    Finding {
        rule,
        weight,
        summary,
        explanation,
        outcome: Outcome::Failed,
        confidence: Confidence::High,
        fix: entry.fix.clone(),
        evidence: end_evidence(facts),
    }
}

// ---- Callscope itself ----------------------------------------------------------------------

fn interrupted(facts: &Facts) -> Option<Finding> {
    (facts.ended_by == Some(EndedBy::Interrupted)).then(|| Finding {
        rule: "interrupted",
        weight: 99,
        summary: "Callscope stopped during the call".into(),
        explanation: "The app was closed, killed or crashed while this call was open; it was closed when Callscope \
                      started again. Every event recorded before that is kept."
            .into(),
        outcome: Outcome::Failed,
        confidence: Confidence::High,
        fix: vec!["If Callscope crashed, attach the log from the time of the call to the ticket.".into()],
        evidence: end_evidence(facts),
    })
}

// ---- The laptop ----------------------------------------------------------------------------

const MICROPHONE_ERRORS: [&str; 6] =
    ["NotAllowedError", "NotFoundError", "NotReadableError", "OverconstrainedError", "SecurityError", "AbortError"];

fn microphone(facts: &Facts) -> Option<Finding> {
    let (error, name) = facts.errors.iter().find_map(|e| {
        let lower = e.value.to_lowercase();
        let name = MICROPHONE_ERRORS.iter().find(|n| e.value.contains(**n))?;
        (lower.contains("microphone") || lower.contains("getusermedia") || lower.contains("permission")).then_some((e, *name))
    })?;
    let entry = lookup(Catalog::Browser, name)?;
    let summary = match name {
        "NotAllowedError" | "SecurityError" => "Microphone access was denied".to_string(),
        "NotFoundError" | "OverconstrainedError" => "No microphone was found".to_string(),
        _ => "The microphone could not be started".to_string(),
    };
    let mut finding = from_entry("microphone", 97, entry, summary, facts);
    finding.evidence = vec![evidence(error, format!("getUserMedia failed: {}", error.value))];
    Some(finding)
}

// ---- Credentials ---------------------------------------------------------------------------

fn token(facts: &Facts) -> Option<Finding> {
    let code = facts.provider_codes.iter().find(|c| matches!(c.value.as_str(), "20101" | "20104" | "31204" | "31205" | "20151"));
    if let Some(code) = code {
        let entry = lookup(Catalog::Twilio, &code.value)?;
        let summary = if matches!(code.value.as_str(), "20104" | "31205") {
            "The Twilio Access Token expired".to_string()
        } else {
            format!("Twilio refused the Access Token ({} {})", entry.code, entry.name)
        };
        let mut finding = from_entry("token", 92, entry, summary, facts);
        finding.evidence = vec![evidence(code, format!("Twilio error {}", code.value))];
        return Some(finding);
    }
    let expired = facts.errors.iter().find(|e| {
        let lower = e.value.to_lowercase();
        lower.contains("token") && (lower.contains("expired") || lower.contains("expiry"))
    })?;
    Some(Finding {
        rule: "token",
        weight: 92,
        summary: "The login token had expired".into(),
        explanation: "The provider refused the short-lived token the app logged in with because it had expired. \
                      Callscope mints a new one before each call; an expired one means the app kept a page open \
                      past the token's life without refreshing it, or the clock of this computer is wrong."
            .into(),
        outcome: Outcome::Failed,
        confidence: Confidence::High,
        fix: vec![
            "Call again: Callscope fetches a fresh token.".into(),
            "Check that this computer's clock is right (automatic time on).".into(),
        ],
        evidence: vec![evidence(expired, expired.value.clone())],
    })
}

fn account_limit(facts: &Facts) -> Option<Finding> {
    let hit = facts.errors.iter().find(|e| {
        let lower = e.value.to_lowercase();
        lower.contains("limit reached") || lower.contains("provider_limit_reached") || (lower.contains("limit") && lower.contains("credential"))
    })?;
    Some(Finding {
        rule: "account_limit",
        weight: 90,
        summary: "The provider account is at its credential or connection limit".into(),
        explanation: "The account refused to create another credential or connection. Apps that create a new \
                      credential on every page load fill the account until no one can call."
            .into(),
        outcome: Outcome::Failed,
        confidence: Confidence::High,
        fix: vec![
            "Run `callscope accounts test NAME` to see how many credentials the account holds and how many are this device's.".into(),
            "Delete unused telephony credentials (Telnyx portal → Voice → SIP Trunking → the connection → credentials), \
             especially ones another tool created per page load."
                .into(),
        ],
        evidence: vec![evidence(hit, hit.value.clone())],
    })
}

// ---- The media path ------------------------------------------------------------------------

fn one_way_audio(facts: &Facts) -> Option<Finding> {
    facts.media_connected.as_ref()?;
    let stats = facts.stats.as_ref()?;
    if stats.value.seconds < 2.0 {
        return None;
    }
    let base = |summary: &str, explanation: &str, fix: Vec<String>, note: String| Finding {
        rule: "one_way_audio",
        weight: 88,
        summary: summary.into(),
        explanation: explanation.into(),
        outcome: Outcome::Degraded,
        confidence: Confidence::High,
        fix,
        evidence: vec![evidence(stats, note)],
    };
    if stats.value.packets_received == 0.0 && stats.value.packets_sent > 0.0 {
        return Some(base(
            "One-way audio: no audio packets arrived",
            "The media path connected and this side sent audio, but not one packet came back. The far end is not \
             sending, or a firewall or NAT drops the packets coming in.",
            vec![
                "Check the far end is not muted and is sending (its own stats or a capture).".into(),
                "Check inbound UDP to this computer's media ports is allowed (corporate firewall, VPN).".into(),
                "Try a TURN relay over TCP or TLS (the network checks show which paths work).".into(),
            ],
            format!("{:.0} packets sent, 0 received", stats.value.packets_sent),
        ));
    }
    if stats.value.packets_received > 50.0 && stats.value.audio_energy < 1e-6 {
        return Some(base(
            "One-way audio: packets arrive but carry silence",
            "Audio packets arrive at the normal rate, but they decode to silence. The network is fine; the far end \
             sends silence: its microphone is muted, dead or the wrong device, or a media server in the path \
             replaces the audio.",
            vec![
                "Ask the far end to check its microphone (mute, device, permissions).".into(),
                "If the far end is a PBX or IVR, check the prompt or the media server's recording settings.".into(),
            ],
            format!("{:.0} packets received with no audio energy", stats.value.packets_received),
        ));
    }
    None
}

fn media_never_connected(facts: &Facts) -> Option<Finding> {
    if facts.media_connected.is_some() || !(facts.answered() || facts.reached(CallState::Early).is_some()) {
        return None;
    }
    let media_failure = facts.media_failed.is_some()
        || facts.failure.message.as_deref().is_some_and(|m| m.contains("media never connected"))
        || facts.failure.provider_code.as_deref().is_some_and(|c| c.contains("53405") || c.contains("ICE"));
    if !media_failure {
        return None;
    }
    let turn_errors = |codes: &[i64]| facts.candidate_errors.iter().find(|e| e.value.url.starts_with("turn") && codes.contains(&e.value.code));
    let mut evidence_list: Vec<Evidence> = facts.media_failed.iter().map(|f| evidence(f, format!("media {}", f.value))).collect();
    let (summary, explanation, fix, confidence) = if let Some(error) = turn_errors(&[401, 438]) {
        evidence_list.push(evidence(error, format!("{} answered {} {}", error.value.url, error.value.code, error.value.text)));
        (
            "Media never connected: the TURN server refused the credentials",
            "The only path for media went through the TURN relay, and the relay refused to allocate because the \
             TURN username or password is wrong (or expired).",
            vec!["Fix the TURN username and password in the account's ICE servers (or the provider's TURN credentials).".to_string()],
            Confidence::High,
        )
    } else if let Some(error) = turn_errors(&[403]) {
        evidence_list.push(evidence(error, format!("{} answered 403 {}", error.value.url, error.value.text)));
        (
            "Media never connected: the TURN server denied relaying to the far end",
            "The TURN relay accepted the credentials but refused to send media to the far end's address (403 \
             Forbidden IP): the relay's policy blocks that peer address range.",
            vec!["Allow the far end's media address range on the TURN server (coturn: denied-peer-ip / allowed-peer-ip).".to_string()],
            Confidence::High,
        )
    } else if !facts.candidate_errors.is_empty() && facts.candidate_errors.iter().all(|e| e.value.code == 701) {
        let first = &facts.candidate_errors[0];
        evidence_list.push(evidence(first, format!("{} unreachable (701)", first.value.url)));
        (
            "Media never connected: the STUN/TURN servers could not be reached (UDP blocked?)",
            "Every STUN and TURN server timed out, so this computer learned no public address and had no relay. \
             That is what a network that blocks outgoing UDP looks like.",
            vec![
                "Allow outgoing UDP 3478 and the provider's media ports, or use TURN over TCP/TLS 443.".to_string(),
                "Run the network checks to see which paths work from this network.".to_string(),
            ],
            Confidence::Medium,
        )
    } else if let Some(local) = facts.local_candidates.as_ref().filter(|c| c.value.relay_only()) {
        evidence_list.push(evidence(local, format!("only relay candidates gathered ({})", local.value.relay)));
        (
            "Media never connected through the TURN relay",
            "This side offered only relay candidates (a relay-only ICE policy), and the TURN server did allocate a \
             relay, but no check through it reached the far end. Either the relay refuses to send to the far end's \
             address (a TURN server's peer policy answers CreatePermission with 403, which browsers do not report), \
             or the far end's media address is unreachable from the relay.",
            vec![
                "Check the TURN server's peer policy allows the far end's media range (coturn: denied-peer-ip / allowed-peer-ip).".to_string(),
                "Check the far end's SDP candidates are reachable from the TURN server.".to_string(),
            ],
            Confidence::Medium,
        )
    } else {
        (
            "Media never connected: ICE found no working path",
            "The call was answered but the two ends never exchanged media: every ICE candidate pair failed. The far \
             end's media address is unreachable from here, or a firewall drops the media (UDP) both ways.",
            vec![
                "Check the far end advertises a reachable media address (its SDP candidates).".to_string(),
                "Allow UDP media to and from the provider's media ranges, or configure a TURN relay over TCP/TLS.".to_string(),
            ],
            Confidence::Medium,
        )
    };
    evidence_list.extend(end_evidence(facts));
    Some(Finding {
        rule: "media_never_connected",
        weight: 86,
        summary: summary.into(),
        explanation: explanation.into(),
        outcome: Outcome::Failed,
        confidence,
        fix,
        evidence: evidence_list,
    })
}

fn media_lost(facts: &Facts) -> Option<Finding> {
    let connected = facts.media_connected.as_ref()?;
    let failed = facts.media_failed.as_ref().filter(|f| f.t_ms >= connected.t_ms)?;
    let timeout = facts.failure.provider_code.as_deref().is_some_and(|c| c.contains("MEDIA_TIMEOUT"));
    Some(Finding {
        rule: "media_lost",
        weight: 84,
        summary: "The media path was lost during the call".into(),
        explanation: format!(
            "Media flowed, then the connection went to {} {} into the call{}. The network between the two ends \
             changed or broke (Wi-Fi roaming, VPN reconnect, NAT timeout), so the far end stopped hearing this side.",
            failed.value,
            duration(failed.t_ms - connected.t_ms),
            if timeout { " and the provider ended it for lack of media (MEDIA_TIMEOUT)" } else { "" }
        ),
        outcome: Outcome::Failed,
        confidence: Confidence::Medium,
        fix: vec![
            "Retry on a wired or stable network; check VPN and Wi-Fi power saving.".into(),
            "Check the call quality graph for loss and jitter before the drop.".into(),
        ],
        evidence: vec![evidence(connected, "media connected"), evidence(failed, format!("media {}", failed.value))],
    })
}

/// A TURN server refused this side (wrong credentials, forbidden peer, unreachable) but media
/// connected another way: the call worked here, and would fail where only the relay gets through.
fn turn_refused_but_connected(facts: &Facts) -> Option<Finding> {
    let connected = facts.media_connected.as_ref()?;
    let error = facts.candidate_errors.iter().find(|e| e.value.url.starts_with("turn"))?;
    let what = match error.value.code {
        401 | 438 => "refused the TURN credentials",
        403 => "denied relaying to the far end",
        701 => "could not be reached",
        _ => "answered with an error",
    };
    Some(Finding {
        rule: "turn_refused_but_connected",
        // Below every end rule: a worked call still leads with how it ended; this is told beside it.
        weight: 15,
        summary: format!("The TURN server {what}; media connected without it"),
        explanation: format!(
            "{} answered {} {}, so this side had no relay. Media still connected over another path, but on a network \
             that only lets media through the relay (a strict firewall or NAT) the call would have no audio.",
            error.value.url, error.value.code, error.value.text
        ),
        outcome: Outcome::Degraded,
        confidence: Confidence::High,
        fix: vec!["Fix the TURN server entry (URL, username, password) in the account's ICE servers.".into()],
        evidence: vec![
            evidence(error, format!("{} answered {}", error.value.url, error.value.code)),
            evidence(connected, "media connected"),
        ],
    })
}

/// The signalling socket dropped and the call could not be brought back (Telnyx 48501/45003,
/// Twilio 31209), even though the SDK then reports a "normal" local hang-up.
fn signalling_lost(facts: &Facts) -> Option<Finding> {
    const LOST: [(&str, Catalog); 3] =
        [("48501", Catalog::TelnyxSdk), ("45003", Catalog::TelnyxSdk), ("31209", Catalog::Twilio)];
    let (code, catalog) = facts
        .provider_codes
        .iter()
        .find_map(|c| LOST.iter().find(|(lost, _)| *lost == c.value).map(|(_, catalog)| (c, *catalog)))?;
    let entry = lookup(catalog, &code.value)?;
    let mut finding = from_entry(
        "signalling_lost",
        91,
        entry,
        format!("The signalling connection dropped and the call was lost ({} {})", entry.code, entry.name),
        facts,
    );
    finding.explanation = format!(
        "The app's WebSocket to the provider dropped during the call and the call could not be re-attached \
         when it reconnected. {} The hang-up code that follows is the SDK's own fill-in.",
        entry.meaning
    );
    finding.evidence = vec![evidence(code, format!("error {}", code.value))];
    Some(finding)
}

// ---- The provider and the far end ----------------------------------------------------------

fn telnyx_dcode_rule(facts: &Facts) -> Option<Finding> {
    let reason = facts.failure.sip_reason.as_deref()?;
    let entry = telnyx_dcode(reason)?;
    let summary = format!("Telnyx refused the call: {} ({})", entry.name, entry.code);
    Some(from_entry("telnyx_dcode", 93, entry, summary, facts))
}

/// The seed's "calls end immediately": a "normal" end right after trying, no ringing, no SDP.
fn rejected_before_routing(facts: &Facts) -> Option<Finding> {
    if !matches!(facts.ended_by, Some(EndedBy::Remote | EndedBy::Error)) || facts.rang() || facts.answered() || facts.remote_sdp.is_some() {
        return None;
    }
    let quick = facts.duration_ms().is_some_and(|ms| ms < 5000.0);
    let failure = &facts.failure;
    let generic = failure.q850_cause == Some(16)
        || failure.provider_code.as_deref().is_some_and(|c| c.contains("NORMAL_CLEARING"))
        || (failure.sip_status.is_none() && failure.q850_cause.is_none() && failure.provider_code.is_none());
    if !quick || !generic || facts.reached(CallState::Trying).is_none() {
        return None;
    }
    let mut evidence_list = facts.reached(CallState::Trying).map(|t| vec![evidence(t, "trying: the provider took the call")]).unwrap_or_default();
    evidence_list.extend(end_evidence(facts));
    Some(Finding {
        rule: "rejected_before_routing",
        weight: 82,
        summary: "Rejected before routing: ended right after trying, never rang".into(),
        explanation: format!(
            "The provider accepted the call ({}), then ended it {} after dialling without ringing and without \
             ever sending the far end's media description. The code it gave is the generic 'normal clearing', but \
             nothing was answered: the call was refused before it was routed to the destination.",
            "trying",
            facts.duration_ms().map(duration).unwrap_or_default()
        ),
        outcome: Outcome::Failed,
        confidence: if failure.q850_cause == Some(16) || failure.provider_code.is_some() { Confidence::High } else { Confidence::Medium },
        fix: vec![
            "Check the number you call from is assigned to the connection the app uses (Telnyx: Numbers → the number → Connection).".into(),
            "Check the connection has an outbound voice profile that allows the destination (Telnyx: Voice → Outbound Voice Profiles).".into(),
            "Check the destination number format (E.164, e.g. +14155550100) and the caller ID.".into(),
            "Run `callscope accounts test NAME` for the account's configuration.".into(),
        ],
        evidence: evidence_list,
    })
}

fn twilio_declined(facts: &Facts) -> Option<Finding> {
    let code = facts.provider_codes.iter().find(|c| c.value == "31002")?;
    let entry = lookup(Catalog::Twilio, "31002")?;
    let mut finding = from_entry("twilio_31002", 80, entry, "Twilio declined the connection (31002)".into(), facts);
    finding.confidence = Confidence::Medium;
    finding.explanation = "Twilio declined the call before it reached anyone. Unless the callee really pressed \
        decline, this is the account's configuration: the usual causes, most likely first, are below."
        .into();
    finding.fix = vec![
        "The TwiML app's Voice URL: it must be set and answer with valid TwiML (Console → Voice → TwiML Apps).".into(),
        "A trial account can only call verified numbers (Console → Phone Numbers → Verified Caller IDs), or upgrade.".into(),
        "Geo permissions: the destination country must be enabled (Console → Voice → Settings → Geo permissions).".into(),
        "The account balance must cover the call (Console → Billing).".into(),
        "The caller ID must be a Twilio number with voice capability or a verified caller ID.".into(),
        "Run `callscope accounts test NAME` to check the app, the account type and the key.".into(),
    ];
    finding.evidence = vec![evidence(code, "Twilio error 31002")];
    Some(finding)
}

fn twilio_masked(facts: &Facts) -> Option<Finding> {
    let code = facts.provider_codes.iter().find(|c| c.value == "31005" || c.value == "53000")?;
    let entry = lookup(Catalog::Twilio, &code.value)?;
    let hidden: Vec<String> = twilio_hidden_behind(entry.code.as_num()?)
        .into_iter()
        .take(6)
        .map(|e| format!("{} {}", e.code, e.name))
        .collect();
    let mut finding = from_entry("twilio_masked", 70, entry, format!("Twilio reported the generic {} {}", entry.code, entry.name), facts);
    finding.confidence = Confidence::Low;
    finding.explanation = format!(
        "{} is Twilio's catch-all: with the SDK's improved error precision off it stands for a more precise \
         code ({}). Callscope turns precision on, so a {} here is what Twilio's gateway really sent.",
        entry.code,
        hidden.join(", "),
        entry.code
    );
    finding.evidence = vec![evidence(code, format!("Twilio error {}", code.value))];
    Some(finding)
}

fn sip_final_response(facts: &Facts) -> Option<Finding> {
    if facts.ended_by == Some(EndedBy::Local) {
        return None;
    }
    // A 2xx is the answer to a BYE, not a failure: `normal_end` tells that story.
    let status = facts.failure.sip_status.filter(|s| *s >= 300)?;
    let entry = lookup_num(Catalog::Sip, status.into())?;
    let mut summary = format!("{status} {}", facts.failure.sip_reason.as_deref().unwrap_or(&entry.name));
    if let Some(cause) = facts.failure.q850_cause.and_then(|c| lookup_num(Catalog::Q850, c.into())) {
        summary.push_str(&format!(" (Q.850 {}: {})", cause.code, cause.name.to_lowercase()));
    }
    let mut finding = from_entry("sip_final_response", 65, entry, summary, facts);
    if status == 480 && facts.rang() {
        finding.explanation = "The far end rang but nobody answered before the timeout, so the call was given up \
                               (480 / no answer). The path works; the callee did not pick up."
            .into();
    }
    Some(finding)
}

fn q850_only(facts: &Facts) -> Option<Finding> {
    if facts.failure.sip_status.is_some() || facts.ended_by == Some(EndedBy::Local) {
        return None;
    }
    let cause = facts.failure.q850_cause?;
    if cause == 16 && facts.answered() {
        return None;
    }
    let entry = lookup_num(Catalog::Q850, cause.into())?;
    Some(from_entry("q850", 60, entry, format!("Q.850 {cause}: {}", entry.name), facts))
}

// ---- Normal ends ---------------------------------------------------------------------------

fn local_hangup(facts: &Facts) -> Option<Finding> {
    if facts.ended_by != Some(EndedBy::Local) {
        return None;
    }
    let code = facts.failure.provider_code.clone().unwrap_or_default();
    let sdk_fill_in = code.contains("USER_BUSY") || code.contains("NORMAL_CLEARING") || matches!(facts.failure.q850_cause, Some(16 | 17));
    let note = if sdk_fill_in {
        format!(
            " The provider's SDK reports every local hang-up as {} — that code is its own fill-in, not a report \
             from the network{}.",
            if facts.answered() { "NORMAL_CLEARING/16" } else { "USER_BUSY/17" },
            if facts.answered() { "" } else { ": nobody was busy" }
        )
    } else {
        String::new()
    };
    let mut evidence_list = facts.hangup_pressed.iter().map(|h| evidence(h, "hang up pressed")).collect::<Vec<_>>();
    evidence_list.extend(end_evidence(facts));
    let (summary, explanation, outcome) = if facts.answered() {
        let talk = facts.reached(CallState::Active).zip(facts.end.as_ref()).map(|(a, e)| duration(e.t_ms - a.t_ms));
        (
            format!("You hung up after {}", talk.unwrap_or_default()),
            format!("The call was answered and this side ended it.{note}"),
            Outcome::Ok,
        )
    } else if facts.rang() {
        (
            "You hung up while it rang".to_string(),
            format!("The far end was ringing; this side cancelled before anyone answered.{note}"),
            Outcome::Ok,
        )
    } else {
        (
            "You hung up before it rang".to_string(),
            format!("This side ended the call before the far end rang.{note}"),
            Outcome::Ok,
        )
    };
    Some(Finding {
        rule: "local_hangup",
        weight: 75,
        summary,
        explanation,
        outcome,
        confidence: Confidence::High,
        fix: Vec::new(),
        evidence: evidence_list,
    })
}

fn normal_end(facts: &Facts) -> Option<Finding> {
    if facts.ended_by != Some(EndedBy::Remote) || !facts.answered() {
        return None;
    }
    let clean = facts.failure.sip_status.is_none_or(|s| s < 300) && facts.failure.q850_cause.is_none_or(|c| c == 16);
    if !clean {
        return None;
    }
    let talk = facts.reached(CallState::Active).zip(facts.end.as_ref()).map(|(a, e)| duration(e.t_ms - a.t_ms));
    Some(Finding {
        rule: "normal_end",
        weight: 20,
        summary: format!("The far end hung up after {}", talk.unwrap_or_default()),
        explanation: "The call was answered and the far end ended it normally.".into(),
        outcome: Outcome::Ok,
        confidence: Confidence::Medium,
        fix: Vec::new(),
        evidence: end_evidence(facts),
    })
}

fn fallback(facts: &Facts) -> Option<Finding> {
    let text = facts.all_text();
    let decoded = if text.is_empty() { Vec::new() } else { decode(&text) };
    let by = facts.ended_by.map(|b| b.as_str()).unwrap_or("?");
    Some(match decoded.first() {
        Some(found) => {
            let entry = found.entry;
            from_entry("decoded", 30, entry, format!("{} {}: {}", found.label, entry.code, entry.name), facts)
        }
        None => Finding {
            rule: "no_code",
            weight: 10,
            summary: format!(
                "Ended by {by}{}",
                facts.failure.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
            ),
            explanation: "The call ended without a code that explains it. The timeline and the ladder show what \
                          happened step by step."
                .into(),
            outcome: if facts.ended_by == Some(EndedBy::Error) { Outcome::Failed } else { Outcome::Ok },
            confidence: Confidence::Low,
            fix: Vec::new(),
            evidence: end_evidence(facts),
        },
    })
}
