//! The catalogs' data: every entry complete, every catalog sourced, the cross-references sound.

use std::collections::HashSet;

use callscope_causes::{
    catalog, class_of, entries, lookup, lookup_num, resolve, Catalog, CatalogData, Code, Entry,
};

/// Words that mark unfinished text.
const PLACEHOLDERS: [&str; 6] = ["todo", "tbd", "fixme", "lorem", "xxx", "placeholder"];

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn has_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == *p))
}

/// Everything wrong with one catalog, one line per problem.
fn problems(data: &CatalogData) -> Vec<String> {
    let mut out = Vec::new();
    if is_blank(&data.title) {
        out.push("the catalog has no title".to_string());
    }
    if data.sources.is_empty() || data.sources.iter().any(|s| is_blank(s)) {
        out.push("the catalog does not state its sources".to_string());
    }
    if data.entries.is_empty() {
        out.push("the catalog has no entries".to_string());
    }
    let mut seen = HashSet::new();
    for e in &data.entries {
        let id = format!("{} {}", e.code, e.name);
        if !seen.insert(e.code.clone()) {
            out.push(format!("{id}: duplicate code"));
        }
        if matches!(&e.code, Code::Text(t) if is_blank(t)) {
            out.push(format!("{id}: empty code"));
        }
        if is_blank(&e.name) {
            out.push(format!("{id}: empty name"));
        }
        if is_blank(&e.meaning) {
            out.push(format!("{id}: empty meaning"));
        }
        if e.causes.is_empty() || e.causes.iter().any(|c| is_blank(c.text())) {
            out.push(format!("{id}: no causes, or an empty one"));
        }
        if e.fix.is_empty() || e.fix.iter().any(|f| is_blank(f.text())) {
            out.push(format!("{id}: no fix, or an empty one"));
        }
        let texts = [e.name.as_str(), e.meaning.as_str()]
            .into_iter()
            .chain(e.causes.iter().map(|c| c.text()))
            .chain(e.fix.iter().map(|f| f.text()))
            .chain(e.caveat.as_deref())
            .chain(e.masking.as_deref());
        for t in texts {
            if has_placeholder(t) {
                out.push(format!("{id}: placeholder text in {t:?}"));
            }
        }
    }
    out
}

#[test]
fn every_entry_has_a_meaning_causes_and_a_fix() {
    let mut all = Vec::new();
    for c in Catalog::ALL {
        all.extend(problems(catalog(c)).into_iter().map(|p| format!("{}: {p}", c.id())));
    }
    assert!(all.is_empty(), "catalog problems:\n{}", all.join("\n"));
}

/// A cause or fix in a catalog that is not a provider's own, which names a provider without being
/// tagged for it: shown on a call through a plain SIP PBX, it would send the engineer to a portal
/// the account does not have.
#[test]
fn provider_steps_in_shared_catalogs_are_tagged() {
    let mut untagged = Vec::new();
    for c in [Catalog::Q850, Catalog::Sip, Catalog::Browser, Catalog::Turn] {
        for e in entries(c) {
            for text in e.causes.iter().chain(&e.fix) {
                let names = ["Telnyx", "Twilio"].iter().any(|p| text.text().contains(p));
                if names && text.provider().is_none() {
                    untagged.push(format!("{} {}: {}", c.id(), e.code, text.text()));
                }
            }
        }
    }
    assert!(untagged.is_empty(), "untagged provider steps:\n{}", untagged.join("\n"));
}

#[test]
fn the_checker_refuses_an_empty_entry() {
    let bad: CatalogData = toml::from_str(
        r#"
        title = "t"
        sources = ["s"]
        [[entry]]
        code = 1
        name = "n"
        meaning = "  "
        causes = ["c"]
        fix = []
        "#,
    )
    .unwrap();
    let found = problems(&bad);
    assert!(found.iter().any(|p| p.contains("empty meaning")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("no fix")), "{found:?}");
    let unsourced: CatalogData =
        toml::from_str("title = \"t\"\nsources = []\n[[entry]]\ncode = \"X\"\nname = \"n\"\nmeaning = \"TODO\"\ncauses = [\"c\"]\nfix = [\"f\"]\n")
            .unwrap();
    let found = problems(&unsourced);
    assert!(found.iter().any(|p| p.contains("sources")), "{found:?}");
    assert!(found.iter().any(|p| p.contains("placeholder")), "{found:?}");
}

#[test]
fn aliases_do_not_collide_inside_a_catalog() {
    for c in Catalog::ALL {
        let mut seen = HashSet::new();
        for e in entries(c) {
            let own = match &e.code {
                Code::Text(t) => vec![t.to_ascii_lowercase()],
                Code::Num(_) => vec![],
            };
            for key in own.into_iter().chain(e.aliases.iter().map(|a| a.to_ascii_lowercase())) {
                assert!(seen.insert(key.clone()), "{}: `{key}` names two entries", c.id());
            }
        }
    }
}

// ── Q.850 ────────────────────────────────────────────────────────────────────────────────────────

/// The cause values ITU-T Q.850 (05/1998) Table 1 assigns, with Amendment 1 (14 and 24).
const Q850_ASSIGNED: [i64; 71] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    34, 38, 39, 40, 41, 42, 43, 44, 46, 47, 49, 50, 53, 55, 57, 58, 62, 63, 65, 66, 69, 70, 79, 81,
    82, 83, 84, 85, 86, 87, 88, 90, 91, 95, 96, 97, 98, 99, 100, 101, 102, 103, 110, 111, 127,
];

#[test]
fn q850_defines_every_assigned_value_and_nothing_else() {
    let defined: Vec<i64> = entries(Catalog::Q850).iter().filter_map(|e| e.code.as_num()).collect();
    assert_eq!(defined, Q850_ASSIGNED.to_vec(), "Q.850 entries, in order");
}

#[test]
fn q850_covers_1_to_127() {
    for n in 1..=127 {
        let r = resolve(Catalog::Q850, n).unwrap_or_else(|| panic!("Q.850 {n} does not resolve"));
        let class = class_of(Catalog::Q850, n).unwrap_or_else(|| panic!("Q.850 {n} has no class"));
        if r.defined {
            assert_eq!(r.entry.code, Code::Num(n));
        } else {
            // An unassigned value reads as the unspecified value of its class.
            assert_eq!(r.entry.code, Code::Num(class.fallback), "Q.850 {n}");
            assert!(!Q850_ASSIGNED.contains(&n));
        }
    }
    // 0 is not a cause value (FreeSWITCH uses it for "none"), and 127 is the last.
    assert!(resolve(Catalog::Q850, 0).is_none());
    assert!(resolve(Catalog::Q850, 128).is_none());
}

#[test]
fn q850_classes_tile_1_to_127_and_fall_back_to_their_unspecified_value() {
    let classes = &catalog(Catalog::Q850).classes;
    assert_eq!(classes.len(), 8);
    let mut next = 1;
    for (i, c) in classes.iter().enumerate() {
        assert_eq!(c.first, next, "class {} starts where the previous ended", c.name);
        // Classes are the sixteen values sharing the top three bits (0 itself is not a cause).
        assert_eq!(c.last, 16 * i as i64 + 15, "class {} ends at its sixteenth value", c.name);
        next = c.last + 1;
        let fallback = lookup_num(Catalog::Q850, c.fallback).expect("fallback is an entry");
        let unspecified = fallback.name.to_ascii_lowercase();
        assert!(
            unspecified.contains("unspecified"),
            "class {} falls back to {} ({})",
            c.name,
            c.fallback,
            fallback.name
        );
    }
    assert_eq!(next, 128);
}

#[test]
fn q850_16_is_normal_clearing_not_a_failure() {
    let e = lookup(Catalog::Q850, "16").unwrap();
    assert!(e.normal);
    assert!(e.name.to_ascii_lowercase().contains("normal call clearing"));
    let caveat = e.caveat.as_deref().unwrap();
    assert!(caveat.contains("'rejected'") && caveat.contains("21"), "{caveat}");
}

// ── SIP ──────────────────────────────────────────────────────────────────────────────────────────

/// The final responses RFC 3261 §21 defines in 3xx–6xx.
const RFC3261_FINAL: [i64; 44] = [
    300, 301, 302, 305, 380, 400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 413, 414, 415, 416,
    420, 421, 423, 480, 481, 482, 483, 484, 485, 486, 487, 488, 491, 493, 500, 501, 502, 503, 504,
    505, 513, 600, 603, 604, 606,
];

#[test]
fn sip_has_every_rfc3261_response_and_each_entry_names_its_rfc() {
    for code in RFC3261_FINAL {
        let e = lookup_num(Catalog::Sip, code).unwrap_or_else(|| panic!("SIP {code} missing"));
        assert!(e.rfc.as_deref().unwrap_or_default().starts_with("RFC 3261"), "SIP {code}");
    }
    for e in entries(Catalog::Sip) {
        let n = e.code.as_num().expect("SIP codes are numbers");
        assert!(n == 200 || (300..=699).contains(&n), "SIP {n} out of range");
        assert!(e.rfc.as_deref().is_some_and(|r| r.starts_with("RFC ")), "SIP {n} has no RFC");
        if let Some(q) = e.q850 {
            assert!(lookup_num(Catalog::Q850, i64::from(q)).is_some(), "SIP {n} maps to Q.850 {q}");
        }
    }
}

#[test]
fn q850_sip_mappings_point_at_sip_entries() {
    for e in entries(Catalog::Q850) {
        if let Some(sip) = e.sip {
            assert!(lookup_num(Catalog::Sip, i64::from(sip)).is_some(), "Q.850 {} → {sip}", e.code);
        }
    }
}

// ── Telnyx ───────────────────────────────────────────────────────────────────────────────────────

#[test]
fn telnyx_causes_carry_name_and_number() {
    let mut numbers = HashSet::new();
    for e in entries(Catalog::TelnyxCause) {
        let Code::Text(name) = &e.code else { panic!("{} should be a name", e.code) };
        assert!(
            name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
            "{name} is not a FreeSWITCH cause name"
        );
        let n = e.cause_code.unwrap_or_else(|| panic!("{name} has no cause_code"));
        assert!(numbers.insert(n), "causeCode {n} used twice");
        for sip in e.sip.iter().chain(&e.from_sip) {
            assert!(lookup_num(Catalog::Sip, i64::from(*sip)).is_some(), "{name} ↔ SIP {sip}");
        }
    }
}

#[test]
fn telnyx_local_hangup_defaults_are_explained() {
    let clearing = lookup(Catalog::TelnyxCause, "NORMAL_CLEARING").unwrap();
    assert_eq!(clearing.cause_code, Some(16));
    assert!(clearing.meaning.contains("local hang-up after the call became active"));
    assert!(clearing.caveat.is_some());
    let busy = lookup(Catalog::TelnyxCause, "17").unwrap();
    assert_eq!(busy.code, Code::Text("USER_BUSY".into()));
    assert!(busy.meaning.contains("local hang-up before answer"));
    assert!(busy.caveat.as_deref().unwrap().contains("does not mean busy"));
}

#[test]
fn telnyx_dcodes_name_the_setting() {
    for e in entries(Catalog::TelnyxDCode) {
        let Code::Text(t) = &e.code else { panic!("D-codes are text") };
        assert!(t.starts_with('D') && t[1..].chars().all(|c| c.is_ascii_digit()), "{t}");
        if let Some(sip) = e.sip {
            assert!(lookup_num(Catalog::Sip, i64::from(sip)).is_some(), "{t} → SIP {sip}");
        }
    }
    let d38 = lookup(Catalog::TelnyxDCode, "D38").unwrap();
    assert!(d38.name.contains("no Outbound Profile"));
    assert!(d38.fix.iter().any(|f| f.text().contains("Outbound Voice Profile")));
    let d35 = lookup(Catalog::TelnyxDCode, "D35").unwrap();
    assert!(d35.name.contains("Caller Origination Number is Invalid"));
    let d13 = lookup(Catalog::TelnyxDCode, "D13").unwrap();
    assert!(d13.name.contains("whitelisted countries"));
    assert!(d13.fix.iter().any(|f| f.text().contains("allowed destinations")));
}

#[test]
fn telnyx_sdk_codes_are_errors_warnings_or_verto() {
    for e in entries(Catalog::TelnyxSdk) {
        match e.kind.as_deref() {
            Some("error") => assert!(e.fatal.is_some(), "{} needs its fatal flag", e.code),
            Some("warning") | Some("verto") => assert!(e.fatal.is_none(), "{}", e.code),
            other => panic!("{}: kind {other:?}", e.code),
        }
    }
    assert_eq!(
        lookup(Catalog::TelnyxSdk, "42001").unwrap().name,
        "MEDIA_MICROPHONE_PERMISSION_DENIED"
    );
    assert_eq!(lookup(Catalog::TelnyxSdk, "MIC_PERMISSION_DENIED").unwrap().code, Code::Num(42001));
}

// ── Twilio ───────────────────────────────────────────────────────────────────────────────────────

#[test]
fn twilio_masking_is_consistent_both_ways() {
    let twilio = entries(Catalog::Twilio);
    let by_code = |n: i64| twilio.iter().find(|e| e.code == Code::Num(n));
    for e in twilio {
        let n = e.code.as_num().expect("Twilio codes are numbers");
        match e.kind.as_deref() {
            Some("sdk") => assert!(e.sdk_class.is_some(), "{n} is in the SDK but has no class"),
            Some("catalog") | Some("legacy") => {}
            other => panic!("{n}: kind {other:?}"),
        }
        if !e.masked_by.is_empty() || !e.masks.is_empty() {
            assert!(e.masking.is_some(), "{n} masks or is masked but says nothing about it");
        }
        for m in &e.masked_by {
            let shown = by_code(*m).unwrap_or_else(|| panic!("{n} masked by unknown {m}"));
            assert!(shown.masks.contains(&n), "{m} should list {n} among the codes it masks");
        }
        for m in &e.masks {
            let hidden = by_code(*m).unwrap_or_else(|| panic!("{n} masks unknown {m}"));
            assert!(hidden.masked_by.contains(&n), "{m} should say it is masked by {n}");
        }
    }
}

#[test]
fn twilio_31005_and_53000_carry_the_masking_note() {
    for code in ["31005", "53000"] {
        let e: &Entry = lookup(Catalog::Twilio, code).unwrap();
        let note = e.masking.as_deref().unwrap();
        assert!(note.contains("enableImprovedSignalingErrorPrecision"), "{code}: {note}");
        assert!(note.contains("originalError"), "{code}: {note}");
        assert!(e.masks.contains(&31002), "{code} should list 31002");
        assert!(e.caveat.is_some(), "{code} needs a caveat");
    }
    let declined = lookup(Catalog::Twilio, "31002").unwrap();
    assert_eq!(declined.sdk_class.as_deref(), Some("GeneralErrors.ConnectionDeclinedError"));
    assert_eq!(declined.masked_by, vec![53000, 31005]);
}

// ── Browser and STUN/TURN ────────────────────────────────────────────────────────────────────────

#[test]
fn browser_catalog_has_every_getusermedia_exception_and_the_media_failures() {
    for name in [
        "NotAllowedError",
        "NotFoundError",
        "NotReadableError",
        "OverconstrainedError",
        "AbortError",
        "SecurityError",
        "TypeError",
        "ice-failed",
        "dtls-failed",
    ] {
        assert!(lookup(Catalog::Browser, name).is_some(), "{name} missing");
    }
    assert_eq!(
        lookup(Catalog::Browser, "PermissionDeniedError").unwrap().code,
        Code::Text("NotAllowedError".into())
    );
}

#[test]
fn turn_entries_say_what_they_mean_for_the_call() {
    for e in entries(Catalog::Turn) {
        assert!(e.rfc.is_some(), "TURN {} has no RFC", e.code);
        assert!(e.verdict.is_some(), "TURN {} has no verdict", e.code);
    }
    let verdict = |n: i64| lookup_num(Catalog::Turn, n).unwrap().verdict.clone().unwrap();
    assert_eq!(verdict(403), "TURN denied");
    assert_eq!(verdict(401), "wrong credentials");
    assert_eq!(verdict(486), "quota");
    for n in [437, 438, 441, 508] {
        assert!(lookup_num(Catalog::Turn, n).is_some(), "TURN {n} missing");
    }
}

#[test]
fn catalog_ids_parse_back() {
    for c in Catalog::ALL {
        assert_eq!(c.id().parse::<Catalog>().unwrap(), c);
        assert_eq!(c.label().parse::<Catalog>().unwrap(), c);
    }
    assert!("nope".parse::<Catalog>().is_err());
}
