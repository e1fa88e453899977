//! `decode` on the inputs support engineers paste, and the helpers built on it.

use callscope_causes::{
    decode, lookup, telnyx_dcode, twilio_hidden_behind, Catalog, Code, Match, ReasonHeader, Via,
};

/// The (catalog, code) pairs of a decode, in order.
fn keys(ms: &[Match]) -> Vec<(Catalog, String)> {
    ms.iter().map(|m| (m.catalog, m.entry.code.to_string())).collect()
}

fn find(ms: &[Match], catalog: Catalog, code: &str) -> Match {
    ms.iter()
        .find(|m| m.catalog == catalog && m.entry.code.to_string() == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {catalog} {code} in {:?}", keys(ms)))
}

#[test]
fn a_sip_status_that_is_also_a_turn_code_decodes_to_both() {
    let ms = decode("486");
    let sip = find(&ms, Catalog::Sip, "486");
    assert_eq!(sip.entry.name, "Busy Here");
    assert_eq!(sip.label, "SIP");
    assert_eq!(sip.via, Via::Code);
    let turn = find(&ms, Catalog::Turn, "486");
    assert_eq!(turn.entry.name, "Allocation Quota Reached");
    assert_eq!(turn.label, "STUN/TURN");
    // SIP comes before STUN/TURN: catalog order.
    let pos = |c| ms.iter().position(|m| m.catalog == c).unwrap();
    assert!(pos(Catalog::Sip) < pos(Catalog::Turn));
}

#[test]
fn a_small_number_is_q850_and_a_telnyx_cause_code() {
    let ms = decode("17");
    assert_eq!(find(&ms, Catalog::Q850, "17").entry.name, "User busy");
    let telnyx = find(&ms, Catalog::TelnyxCause, "USER_BUSY");
    assert_eq!(telnyx.via, Via::CauseCode);
    assert_eq!(telnyx.entry.cause_code, Some(17));
    assert_eq!(keys(&ms).len(), 2, "{:?}", keys(&ms));
}

#[test]
fn sixteen_is_normal_clearing_with_its_caveat() {
    let ms = decode("16");
    let q = find(&ms, Catalog::Q850, "16");
    assert!(q.entry.normal);
    let t = find(&ms, Catalog::TelnyxCause, "NORMAL_CLEARING");
    assert!(t.entry.caveat.as_deref().unwrap().contains("not 'rejected'"));
}

#[test]
fn a_q850_reason_value_decodes_to_that_cause_only() {
    let ms = decode("Q.850;cause=34");
    assert_eq!(keys(&ms), vec![(Catalog::Q850, "34".to_string())]);
    assert_eq!(ms[0].entry.name, "No circuit/channel available");
    assert_eq!(ms[0].via, Via::ReasonHeader);
    assert!(ms[0].note.as_deref().unwrap().contains("Q.850;cause=34"));
}

#[test]
fn a_full_reason_header_with_its_name_decodes() {
    let ms = decode("Reason: Q.850;cause=16");
    assert_eq!(keys(&ms), vec![(Catalog::Q850, "16".to_string())]);
    assert!(ms[0].entry.normal);
}

#[test]
fn a_sip_reason_value_keeps_its_text() {
    let ms = decode(r#"SIP;cause=503;text="x""#);
    assert_eq!(keys(&ms), vec![(Catalog::Sip, "503".to_string())]);
    assert_eq!(ms[0].entry.name, "Service Unavailable");
    assert!(ms[0].note.as_deref().unwrap().contains(r#"text="x""#), "{:?}", ms[0].note);
}

#[test]
fn a_reason_header_with_two_values_decodes_both() {
    let ms = decode(r#"Reason: SIP;cause=200;text="Call completed elsewhere", Q.850;cause=16"#);
    assert_eq!(
        keys(&ms),
        vec![(Catalog::Sip, "200".to_string()), (Catalog::Q850, "16".to_string())]
    );
    assert!(ms.iter().all(|m| m.entry.normal));
}

#[test]
fn an_unassigned_q850_value_reads_as_its_class_unspecified_value() {
    let ms = decode("Q.850;cause=60");
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].entry.code, Code::Num(63));
    assert_eq!(ms[0].via, Via::ClassFallback { value: 60 });
    let note = ms[0].note.as_deref().unwrap();
    assert!(note.contains("service or option not available"), "{note}");
    // 52 (outgoing calls barred in older texts) is also a Telnyx/FreeSWITCH cause.
    let ms = decode("52");
    assert_eq!(find(&ms, Catalog::Q850, "63").via, Via::ClassFallback { value: 52 });
    find(&ms, Catalog::TelnyxCause, "OUTGOING_CALL_BARRED");
}

#[test]
fn an_unregistered_sip_status_reads_as_its_class_x00() {
    let ms = decode("499");
    let m = find(&ms, Catalog::Sip, "400");
    assert_eq!(m.via, Via::ClassFallback { value: 499 });
    let ms = decode("SIP;cause=699");
    assert_eq!(ms[0].entry.code, Code::Num(600));
}

#[test]
fn a_twilio_precise_code_shows_its_masking_and_the_telnyx_warning() {
    let ms = decode("31002");
    let twilio = find(&ms, Catalog::Twilio, "31002");
    assert_eq!(twilio.entry.name, "ConnectionDeclinedError");
    assert_eq!(twilio.entry.masked_by, vec![53000, 31005]);
    assert!(twilio.entry.masking.as_deref().unwrap().contains("53000"));
    assert_eq!(find(&ms, Catalog::TelnyxSdk, "31002").entry.name, "HIGH_JITTER");
}

#[test]
fn twilio_31005_carries_the_masking_note() {
    let ms = decode("31005");
    let m = find(&ms, Catalog::Twilio, "31005");
    let note = m.entry.masking.as_deref().unwrap();
    assert!(note.contains("enableImprovedSignalingErrorPrecision"), "{note}");
    assert!(m.entry.masks.contains(&31486));
    find(&ms, Catalog::TelnyxSdk, "31005");
    let hidden: Vec<i64> =
        twilio_hidden_behind(31005).iter().filter_map(|e| e.code.as_num()).collect();
    assert!(hidden.contains(&31486) && hidden.contains(&31603) && hidden.contains(&31204));
    let behind_20101: Vec<i64> =
        twilio_hidden_behind(20101).iter().filter_map(|e| e.code.as_num()).collect();
    assert_eq!(behind_20101, vec![31204]);
}

#[test]
fn a_d_code_decodes_on_its_own_and_inside_sip_reason() {
    for input in ["D38", "d38", " D38 "] {
        let ms = decode(input);
        assert_eq!(keys(&ms), vec![(Catalog::TelnyxDCode, "D38".to_string())], "{input}");
        assert!(ms[0].entry.name.contains("no Outbound Profile"));
    }
    let reason = "Dialed number is not included in whitelisted countries D13";
    assert_eq!(telnyx_dcode(reason).unwrap().code, Code::Text("D13".into()));
    find(&decode(reason), Catalog::TelnyxDCode, "D13");
    assert!(telnyx_dcode("OK").is_none());

    let ms = decode("403 Caller Origination Number is Invalid D35");
    find(&ms, Catalog::Sip, "403");
    find(&ms, Catalog::Turn, "403");
    find(&ms, Catalog::TelnyxDCode, "D35");
}

#[test]
fn names_decode_across_catalogs() {
    let ms = decode("USER_BUSY");
    find(&ms, Catalog::TelnyxCause, "USER_BUSY");
    assert_eq!(find(&ms, Catalog::Q850, "17").via, Via::Name);

    let ms = decode("NotAllowedError");
    assert_eq!(find(&ms, Catalog::Browser, "NotAllowedError").via, Via::Name);

    // The legacy Chrome name is an alias, and also Twilio 31401's class name.
    let ms = decode("PermissionDeniedError");
    find(&ms, Catalog::Browser, "NotAllowedError");
    find(&ms, Catalog::Twilio, "31401");

    // An SDK class, with or without its namespace.
    let ms = decode("GeneralErrors.ConnectionError");
    assert_eq!(keys(&ms), vec![(Catalog::Twilio, "31005".to_string())]);
    let ms = decode("ConnectionError");
    for code in ["31005", "53000", "53405"] {
        find(&ms, Catalog::Twilio, code);
    }

    // A reason phrase.
    find(&decode("Busy Here"), Catalog::Sip, "486");
}

#[test]
fn hints_in_free_text_pick_the_catalog() {
    let ms = decode("causeCode=17");
    assert_eq!(keys(&ms), vec![(Catalog::TelnyxCause, "USER_BUSY".to_string())]);
    let ms = decode("sipCode: 403");
    assert_eq!(keys(&ms), vec![(Catalog::Sip, "403".to_string())]);
    let ms = decode("Q.850 16");
    assert_eq!(keys(&ms), vec![(Catalog::Q850, "16".to_string())]);
}

#[test]
fn websocket_close_codes_and_verto_errors_decode() {
    find(&decode("1006"), Catalog::Browser, "1006");
    let ms = decode("-32001");
    assert_eq!(find(&ms, Catalog::TelnyxSdk, "-32001").entry.name, "Login Incorrect");
}

#[test]
fn nothing_comes_back_for_nothing() {
    assert!(decode("").is_empty());
    assert!(decode("   ").is_empty());
    assert!(decode("hello world").is_empty());
    assert!(decode("999999").is_empty());
}

#[test]
fn reason_header_matches_agree_with_decode() {
    let header = ReasonHeader::parse("Q.850;cause=102;text=\"Recovery on timer expiry\"").unwrap();
    let ms = header.matches();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].entry, lookup(Catalog::Q850, "102").unwrap());
    assert_eq!(keys(&ms), keys(&decode(&header.to_string())));
}

#[test]
fn matches_serialize_for_the_ui() {
    let ms = decode("31005");
    let json = serde_json::to_value(&ms).unwrap();
    let first = &json[0];
    assert!(first["catalog"].is_string());
    assert!(first["label"].is_string());
    assert!(first["entry"]["meaning"].is_string());
    assert!(first["entry"]["fix"].is_array());
    assert_eq!(first["via"]["kind"], "code");
    let fallback = serde_json::to_value(decode("Q.850;cause=60")).unwrap();
    assert_eq!(fallback[0]["via"]["kind"], "class_fallback");
    assert_eq!(fallback[0]["via"]["value"], 60);
}
