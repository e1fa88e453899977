//! The dial plan: what each number does, stated once. Kamailio's routing is generated from it, the
//! `sip` command prints it, and the tests hold the real replies against it.

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::accounts::{FarEnd, OFFLINE};

/// A `Reason: Q.850;cause=N;text="..."` header, as carriers send it with a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Q850 {
    pub cause: u16,
    pub text: &'static str,
}

impl Q850 {
    pub fn header_value(self) -> String {
        format!("Q.850;cause={};text=\"{}\"", self.cause, self.text)
    }
}

/// What dialling a number does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Kamailio answers at once with this failure.
    Reject { status: u16, reason: &'static str, q850: Option<Q850> },
    /// Relayed to a port where nothing listens: tm's timer fires a local 408 after the silent-hop timeout.
    SilentNextHop,
    /// Sent to this far end, with its media on this rtpengine interface.
    FarEnd { far_end: FarEnd, media: Media },
    /// A subscriber that is not registered: 480 Not Registered.
    NotRegistered,
}

/// Which rtpengine interface carries the browser's side of the media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    /// 127.0.0.1: media flows.
    Normal,
    /// Bound on 127.0.0.2, advertised as 127.0.0.9 (nothing listens), ICE-lite: ICE fails.
    IceFailure,
    /// 127.0.0.66, which coturn refuses as a peer: a relay-only call fails with 403 on CreatePermission.
    TurnPeerDenied,
}

impl Media {
    /// The address rtpengine advertises to the caller for this interface.
    pub fn advertised_address(self) -> &'static str {
        match self {
            Media::Normal => "127.0.0.1",
            Media::IceFailure => "127.0.0.9",
            Media::TurnPeerDenied => "127.0.0.66",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DialPlanEntry {
    pub number: &'static str,
    pub route: Route,
    pub summary: &'static str,
}

/// The reply for a number nobody knows (not in the dial plan, not a subscriber).
pub const UNKNOWN_NUMBER: Expected =
    Expected { provisional: None, status: 404, reason: "Not Found", q850: None, after: After::AtOnce };

pub const RING_NO_ANSWER: Q850 = Q850 { cause: 19, text: "No answer from user (user alerted)" };

pub const DIAL_PLAN: &[DialPlanEntry] = &[
    far_end("tone", FarEnd::Tone, Media::Normal, "answered; plays a 440 Hz tone (audio both ways with the app)"),
    far_end("echo", FarEnd::Echo, Media::Normal, "answered; echoes what it hears"),
    DialPlanEntry { number: "ringer", route: Route::FarEnd { far_end: FarEnd::Ringer, media: Media::Normal }, summary: "rings and is never answered: 180, then 480 No Answer (Q.850 19) after the ring timeout" },
    reject("486", 486, "Busy Here", Some(Q850 { cause: 17, text: "User busy" }), "busy"),
    reject("404", 404, "Not Found", Some(Q850 { cause: 1, text: "Unallocated (unassigned) number" }), "number does not exist"),
    reject("403", 403, "Forbidden", None, "call refused by the carrier, no Reason header"),
    reject("480", 480, "Temporarily Unavailable", Some(Q850 { cause: 20, text: "Subscriber absent" }), "subscriber absent"),
    reject("503", 503, "Service Unavailable", Some(Q850 { cause: 34, text: "No circuit/channel available" }), "no circuit available"),
    reject("603", 603, "Decline", Some(Q850 { cause: 21, text: "Call rejected" }), "declined"),
    DialPlanEntry { number: "408", route: Route::SilentNextHop, summary: "next hop silent: 408 Request Timeout from the proxy after the silent-hop timeout" },
    DialPlanEntry { number: "icefail", route: Route::FarEnd { far_end: FarEnd::Tone, media: Media::IceFailure }, summary: "answered (200), but the media address is dead and the media server is ICE-lite: ICE fails (Chromium: connectionState 'failed' after about 15 s)" },
    DialPlanEntry { number: "relay", route: Route::FarEnd { far_end: FarEnd::Tone, media: Media::Normal }, summary: "the TURN-only call: answered by the tone far end; with iceTransportPolicy 'relay' it connects over a relay candidate pair through coturn, and with the wrong TURN password it never gets a candidate (icecandidateerror 401)" },
    DialPlanEntry { number: "turnblock", route: Route::FarEnd { far_end: FarEnd::Tone, media: Media::TurnPeerDenied }, summary: "answered (200); relay-only media fails: coturn refuses the media address as a peer (403 Forbidden IP on CreatePermission)" },
    DialPlanEntry { number: OFFLINE.user, route: Route::NotRegistered, summary: "an unregistered user: 480 Not Registered" },
];

const fn far_end(number: &'static str, far_end: FarEnd, media: Media, summary: &'static str) -> DialPlanEntry {
    DialPlanEntry { number, route: Route::FarEnd { far_end, media }, summary }
}

const fn reject(
    number: &'static str,
    status: u16,
    reason: &'static str,
    q850: Option<Q850>,
    summary: &'static str,
) -> DialPlanEntry {
    DialPlanEntry { number, route: Route::Reject { status, reason, q850 }, summary }
}

/// The timers that shape the slow outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// How long a call may ring before the proxy gives up (tm's fr_inv_timer).
    pub ring_timeout: Duration,
    /// How long the proxy waits for a next hop that never answers (tm's fr_timer for that call).
    pub silent_hop_timeout: Duration,
}

/// When the final reply comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ms")]
pub enum After {
    AtOnce,
    RingTimeout(u64),
    SilentHopTimeout(u64),
}

/// The reply a caller sees for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Expected {
    /// A provisional reply before the final one (180 Ringing from a far end).
    pub provisional: Option<u16>,
    pub status: u16,
    pub reason: &'static str,
    pub q850: Option<Q850>,
    pub after: After,
}

impl DialPlanEntry {
    pub fn find(number: &str) -> Option<&'static DialPlanEntry> {
        DIAL_PLAN.iter().find(|entry| entry.number == number)
    }

    pub fn expected(&self, timers: Timers) -> Expected {
        let ms = |d: Duration| d.as_millis() as u64;
        match self.route {
            Route::Reject { status, reason, q850 } => {
                Expected { provisional: None, status, reason, q850, after: After::AtOnce }
            }
            Route::SilentNextHop => Expected {
                provisional: None,
                status: 408,
                reason: "Request Timeout",
                q850: None,
                after: After::SilentHopTimeout(ms(timers.silent_hop_timeout)),
            },
            Route::FarEnd { far_end: FarEnd::Ringer, .. } => Expected {
                provisional: Some(180),
                status: 480,
                reason: "No Answer",
                q850: Some(RING_NO_ANSWER),
                after: After::RingTimeout(ms(timers.ring_timeout)),
            },
            Route::FarEnd { .. } => {
                Expected { provisional: Some(180), status: 200, reason: "OK", q850: None, after: After::AtOnce }
            }
            Route::NotRegistered => {
                Expected { provisional: None, status: 480, reason: "Not Registered", q850: None, after: After::AtOnce }
            }
        }
    }

    pub fn media(&self) -> Option<Media> {
        match self.route {
            Route::FarEnd { media, .. } => Some(media),
            _ => None,
        }
    }
}

/// The body of Kamailio's `route[DIALPLAN]`. Numbers that are far ends' own user names need no rule:
/// the location lookup that follows finds them.
pub fn kamailio_route() -> String {
    let mut route = String::new();
    for entry in DIAL_PLAN {
        let rule = match entry.route {
            Route::Reject { status, reason, q850 } => {
                let reason_header = q850
                    .map(|q| {
                        format!("\t\tappend_to_reply(\"Reason: {}\\r\\n\");\n", q.header_value().replace('"', "\\\""))
                    })
                    .unwrap_or_default();
                format!("{reason_header}\t\tsl_send_reply(\"{status}\", \"{reason}\");\n\t\texit;\n")
            }
            // RELAY ends the script.
            Route::SilentNextHop => "\t\tsetflag(6);\n\
                 \t\t$du = \"sip:127.0.0.1:{{SILENT_HOP_PORT}}\";\n\
                 \t\tt_set_fr(0, {{SILENT_HOP_TIMEOUT_MS}});\n\
                 \t\troute(RELAY);\n"
                .to_string(),
            Route::FarEnd { far_end, media } => {
                let mut rule = String::new();
                if entry.number != far_end.user() {
                    let _ = writeln!(rule, "\t\t$rU = \"{}\";", far_end.user());
                }
                match media {
                    Media::Normal => {}
                    Media::IceFailure => rule.push_str("\t\tsetflag(3);\n"),
                    Media::TurnPeerDenied => rule.push_str("\t\tsetflag(4);\n"),
                }
                if !rule.is_empty() {
                    // On to the location lookup.
                    rule.push_str("\t\treturn;\n");
                }
                rule
            }
            Route::NotRegistered => String::new(),
        };
        if !rule.is_empty() {
            let _ = write!(
                route,
                "\t# {}: {}\n\tif ($rU == \"{}\") {{\n{rule}\t}}\n",
                entry.number, entry.summary, entry.number
            );
        }
    }
    route
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_unique_and_every_rejection_code_of_the_issue_is_there() {
        let mut numbers: Vec<_> = DIAL_PLAN.iter().map(|e| e.number).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), DIAL_PLAN.len());
        for status in [486, 404, 403, 480, 503, 603] {
            assert!(
                DIAL_PLAN.iter().any(|e| matches!(e.route, Route::Reject { status: s, .. } if s == status)),
                "no {status}"
            );
        }
        let busy_circuits = DialPlanEntry::find("503").unwrap();
        assert_eq!(
            busy_circuits.expected(timers()).q850.unwrap().header_value(),
            "Q.850;cause=34;text=\"No circuit/channel available\""
        );
    }

    #[test]
    fn the_kamailio_route_quotes_the_reason_header_and_relays_the_silent_hop() {
        let route = kamailio_route();
        assert!(
            route.contains(r#"append_to_reply("Reason: Q.850;cause=34;text=\"No circuit/channel available\"\r\n");"#),
            "{route}"
        );
        assert!(route.contains("sl_send_reply(\"503\", \"Service Unavailable\");"));
        assert!(route.contains("t_set_fr(0, {{SILENT_HOP_TIMEOUT_MS}});\n\t\troute(RELAY);"));
        assert!(
            route.contains("if ($rU == \"icefail\") {\n\t\t$rU = \"tone\";\n\t\tsetflag(3);\n\t\treturn;\n\t}"),
            "{route}"
        );
        assert!(route.contains("sl_send_reply(\"486\", \"Busy Here\");\n\t\texit;\n\t}"), "{route}");
        assert!(!route.contains("$rU == \"tone\""), "a far end's own name needs no rule");
    }

    fn timers() -> Timers {
        Timers { ring_timeout: Duration::from_secs(10), silent_hop_timeout: Duration::from_secs(3) }
    }
}
