//! The media path: no media at all, one-way audio, media lost during the call, and a provider
//! that ended the call because media stopped arriving.

use super::{duration, end_cite, Finding, Rank};
use crate::calls::{CallState, EndedBy};
use crate::diagnosis::evidence::{Cite, Said};
use crate::diagnosis::facts::{AudioStats, At, Facts};
use crate::diagnosis::{Confidence, Outcome};

/// How long after the answer media must have connected before "never connected" is said of a
/// call that this side hung up (ICE connects in well under a second when it can).
const MEDIA_GRACE_MS: f64 = 5_000.0;

/// The provider ended the call for lack of media (Telnyx MEDIA_TIMEOUT / 804), read with what
/// the media did before the end: when audio stopped arriving, whether this side kept sending.
pub fn media_timeout(facts: &Facts) -> Option<Finding> {
    let code = facts.failure.provider_code.as_deref().unwrap_or("");
    if !(code.contains("MEDIA_TIMEOUT") || facts.failure.q850_cause == Some(804)) || facts.ended_by == Some(EndedBy::Local) {
        return None;
    }
    let cites = end_cite(facts);
    let mut finding = Finding::new(
        "media_timeout",
        Rank::End(88),
        Outcome::Failed,
        Confidence::High,
        Said::new("The provider ended the call because media stopped arriving (MEDIA_TIMEOUT)", cites.clone()),
    )
    .says(
        "The provider's media server hangs up a call when no RTP reaches it for a while: it stopped receiving this side's \
         audio.",
        cites.clone(),
    );
    if let Some((last_in, stopped)) = stopped_arriving(&facts.samples) {
        let before = facts.end_ms() - last_in.t_ms;
        finding = finding.says(
            format!("Audio stopped arriving here too: inbound packets last grew {} before the end ({:.0} in all).", duration(before.max(0.0)), stopped.packets_received),
            [last_in.cite(format!("{:.0} packets received, the last increase", stopped.packets_received))],
        );
        if let Some(last) = facts.stats().filter(|s| s.value.packets_sent > last_in.value.packets_sent) {
            finding = finding.says(
                format!(
                    "This side kept sending ({:.0} packets at the last sample), so the packets were lost on the way: the \
                     network path broke, most likely the uplink.",
                    last.value.packets_sent
                ),
                [last.cite(format!("{:.0} packets sent", last.value.packets_sent))],
            );
        }
    }
    if let Some(failed) = &facts.media_failed {
        finding = finding.says(format!("The connection went to {} before that.", failed.value), [failed.cite(format!("media {}", failed.value))]);
    }
    let steps_cite = cites.clone();
    Some(
        finding
            .step("Retry on a wired or stable network; check VPNs, Wi-Fi power saving and firewalls that drop long UDP flows.", steps_cite.clone())
            .step("Check the stats before the drop (loss, jitter, packets sent) in the timeline: a degraded uplink comes before a media timeout.", steps_cite),
    )
}

/// The last sample whose inbound packet count grew, if later samples show it stopped.
fn stopped_arriving(samples: &[At<AudioStats>]) -> Option<(&At<AudioStats>, &AudioStats)> {
    let last = samples.last()?;
    let grew = samples.windows(2).rev().find(|w| w[1].value.packets_received > w[0].value.packets_received).map(|w| &w[1])?;
    (grew.seq != last.seq).then_some((grew, &last.value))
}

pub fn one_way_audio(facts: &Facts) -> Option<Finding> {
    let connected = facts.media_connected.as_ref()?;
    let stats = facts.stats()?;
    if stats.value.seconds < 2.0 {
        return None;
    }
    let base = |summary: &str, explanation: &str, note: String| {
        let cites = vec![connected.cite("media connected"), stats.cite(note)];
        Finding::new("one_way_audio", Rank::End(87), Outcome::Degraded, Confidence::High, Said::new(summary, cites.clone()))
            .says(explanation, cites)
    };
    let cite = || vec![stats.cite("the stats at the end")];
    if stats.value.packets_received == 0.0 && stats.value.packets_sent > 0.0 {
        return Some(
            base(
                "One-way audio: no audio packets arrived",
                "The media path connected and this side sent audio, but not one packet came back. The far end is not \
                 sending, or a firewall or NAT drops the packets coming in.",
                format!("{:.0} packets sent, 0 received", stats.value.packets_sent),
            )
            .step("Check the far end is not muted and is sending (its own stats or a capture).", cite())
            .step("Check inbound UDP to this computer's media ports is allowed (corporate firewall, VPN).", cite())
            .step("Try a TURN relay over TCP or TLS (the network checks show which paths work).", cite()),
        );
    }
    if stats.value.packets_received > 50.0 && stats.value.audio_energy < 1e-6 {
        return Some(
            base(
                "One-way audio: packets arrive but carry silence",
                "Audio packets arrive at the normal rate, but they decode to silence. The network is fine; the far end \
                 sends silence: its microphone is muted, dead or the wrong device, or a media server in the path replaces \
                 the audio.",
                format!("{:.0} packets received with no audio energy", stats.value.packets_received),
            )
            .step("Ask the far end to check its microphone (mute, device, permissions).", cite())
            .step("If the far end is a PBX or IVR, check the prompt or the media server's recording settings.", cite()),
        );
    }
    if stats.value.packets_sent == 0.0 && stats.value.packets_received > 0.0 {
        return Some(
            base(
                "One-way audio: this side sent no audio packets",
                "Audio arrived from the far end, but this side sent not one packet: the microphone track is not being sent \
                 (muted before the call, no microphone, or the browser stopped the track).",
                format!("{:.0} packets received, 0 sent", stats.value.packets_received),
            )
            .step("Check the microphone in the browser or OS settings and that the call was not muted.", cite()),
        );
    }
    None
}

pub fn media_never_connected(facts: &Facts) -> Option<Finding> {
    let reached = facts.reached(CallState::Active).or(facts.reached(CallState::Early))?;
    if facts.media_connected.is_some() {
        return None;
    }
    let signalled = facts.media_failed.is_some()
        || facts.failure.message.as_deref().is_some_and(|m| m.contains("media never connected"))
        || facts.failure.provider_code.as_deref().is_some_and(|c| c.contains("53405") || c.contains("ICE"));
    // A call hung up (or ended) long after the answer with no media is no media, whatever ended it.
    let waited = facts.end_ms() - reached.t_ms >= MEDIA_GRACE_MS;
    // Only what the journal shows: a stats sample with no packet in, or ICE stuck before connecting.
    let nothing_arrived = match facts.stats() {
        Some(stats) => stats.value.packets_received == 0.0,
        None => facts.last_media_state.is_some(),
    };
    if !(signalled || (waited && nothing_arrived)) {
        return None;
    }
    let turn_errors = |codes: &[i64]| facts.candidate_errors.iter().find(|e| e.value.url.starts_with("turn") && codes.contains(&e.value.code));
    let mut cites: Vec<Cite> = facts.media_failed.iter().map(|f| f.cite(format!("media {}", f.value))).collect();
    let (summary, explanation, fix, confidence): (&str, &str, Vec<&str>, Confidence) = if let Some(error) = turn_errors(&[401, 438]) {
        cites.push(error.cite(format!("{} answered {} {}", error.value.url, error.value.code, error.value.text)));
        (
            "Media never connected: the TURN server refused the credentials",
            "The only path for media went through the TURN relay, and the relay refused to allocate because the TURN \
             username or password is wrong (or expired).",
            vec!["Fix the TURN username and password in the account's ICE servers (or the provider's TURN credentials)."],
            Confidence::High,
        )
    } else if let Some(error) = turn_errors(&[403]) {
        cites.push(error.cite(format!("{} answered 403 {}", error.value.url, error.value.text)));
        (
            "Media never connected: the TURN server denied relaying to the far end",
            "The TURN relay accepted the credentials but refused to send media to the far end's address (403 Forbidden \
             IP): the relay's policy blocks that peer address range.",
            vec!["Allow the far end's media address range on the TURN server (coturn: denied-peer-ip / allowed-peer-ip)."],
            Confidence::High,
        )
    } else if !facts.candidate_errors.is_empty() && facts.candidate_errors.iter().all(|e| e.value.code == 701) {
        let first = &facts.candidate_errors[0];
        cites.push(first.cite(format!("{} unreachable (701)", first.value.url)));
        (
            "Media never connected: the STUN/TURN servers could not be reached (UDP blocked?)",
            "Every STUN and TURN server timed out, so this computer learned no public address and had no relay. That is \
             what a network that blocks outgoing UDP looks like.",
            vec![
                "Allow outgoing UDP 3478 and the provider's media ports, or use TURN over TCP/TLS 443.",
                "Run the network checks to see which paths work from this network.",
            ],
            Confidence::Medium,
        )
    } else if let Some(local) = facts.local_candidates.as_ref().filter(|c| c.value.relay_only()) {
        cites.push(local.cite(format!("only relay candidates gathered ({})", local.value.relay)));
        (
            "Media never connected through the TURN relay",
            "This side offered only relay candidates (a relay-only ICE policy), and the TURN server did allocate a relay, \
             but no check through it reached the far end. Either the relay refuses to send to the far end's address (a \
             TURN server's peer policy answers CreatePermission with 403, which browsers do not report), or the far \
             end's media address is unreachable from the relay.",
            vec![
                "Check the TURN server's peer policy allows the far end's media range (coturn: denied-peer-ip / allowed-peer-ip).",
                "Check the far end's SDP candidates are reachable from the TURN server.",
            ],
            Confidence::Medium,
        )
    } else {
        (
            "Media never connected: ICE found no working path",
            "The call was answered but the two ends never exchanged media: every ICE candidate pair failed. The far end's \
             media address is unreachable from here, or a firewall drops the media (UDP) both ways.",
            vec![
                "Check the far end advertises a reachable media address (its SDP candidates).",
                "Allow UDP media to and from the provider's media ranges, or configure a TURN relay over TCP/TLS.",
            ],
            Confidence::Medium,
        )
    };
    cites.extend(end_cite(facts));
    let mut finding = Finding::new("media_never_connected", Rank::End(86), Outcome::Failed, confidence, Said::new(summary, cites.clone()))
        .says(explanation, cites.clone());
    if let Some(state) = facts.last_media_state.as_ref().filter(|s| !s.value.is_empty() && s.value != "failed") {
        finding = finding.says(format!("ICE was still '{}' at its last report.", state.value), [state.cite(format!("media state {}", state.value))]);
    }
    if let Some(stats) = facts.stats().filter(|s| s.value.packets_received == 0.0) {
        finding = finding.says("Not one audio packet arrived.", [stats.cite("0 packets received")]);
    }
    if facts.ended_by == Some(EndedBy::Local) {
        let talk = facts.end_ms() - reached.t_ms;
        finding = finding.says(format!("You hung up {} after the answer, with no media.", duration(talk)), end_cite(facts));
    }
    for step in fix {
        finding = finding.step(step, cites.clone());
    }
    Some(finding)
}

pub fn media_lost(facts: &Facts) -> Option<Finding> {
    let connected = facts.media_connected.as_ref()?;
    let failed = facts.media_failed.as_ref().filter(|f| f.t_ms >= connected.t_ms)?;
    let cites = vec![connected.cite("media connected"), failed.cite(format!("media {}", failed.value))];
    Some(
        Finding::new(
            "media_lost",
            Rank::End(84),
            Outcome::Failed,
            Confidence::Medium,
            Said::new("The media path was lost during the call", cites.clone()),
        )
        .says(
            format!(
                "Media flowed, then the connection went to {} {} into the call. The network between the two ends changed \
                 or broke (Wi-Fi roaming, VPN reconnect, NAT timeout), so the far end stopped hearing this side.",
                failed.value,
                duration(failed.t_ms - connected.t_ms)
            ),
            cites.clone(),
        )
        .step("Retry on a wired or stable network; check VPN and Wi-Fi power saving.", cites.clone())
        .step("Check the stats for loss and jitter before the drop.", cites),
    )
}
