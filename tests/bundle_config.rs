//! The installers' configuration for each OS, read the way the tauri CLI reads it there:
//! tauri.conf.json merged with that OS's overlay, checked against tauri's own config schema, and
//! the files it points to (Info.plist, entitlements, icons) opened and read. macOS and Windows
//! builds cannot run here, so this is what keeps their configuration honest.

use std::path::{Path, PathBuf};

use tauri_utils::config::{parse, BundleTarget, Config, WebviewInstallMode};
use tauri_utils::platform::Target;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The configuration the tauri CLI would build with on `target`.
fn config_for(target: Target) -> Config {
    let (value, _files) = parse::read_from(target, root()).expect("tauri.conf.json (and its platform overlay) parse");
    serde_json::from_value(value).unwrap_or_else(|e| panic!("the {target} configuration does not fit tauri's schema: {e}"))
}

fn file(relative: impl AsRef<Path>) -> PathBuf {
    let path = root().join(relative);
    assert!(path.is_file(), "{} is named in the configuration but missing", path.display());
    path
}

fn icon_with_extension(config: &Config, extension: &str) -> PathBuf {
    let icon = config
        .bundle
        .icon
        .iter()
        .find(|icon| icon.ends_with(&format!(".{extension}")))
        .unwrap_or_else(|| panic!("bundle.icon lists no .{extension}"));
    file(icon)
}

#[test]
fn macos_asks_for_the_microphone_with_a_reason() {
    let config = config_for(Target::MacOS);
    let plist_path = config.bundle.macos.info_plist.as_ref().expect("bundle.macOS.infoPlist is set");
    let info = plist::Value::from_file(file(plist_path)).expect("Info.plist parses");
    let text = info
        .as_dictionary()
        .and_then(|d| d.get("NSMicrophoneUsageDescription"))
        .and_then(plist::Value::as_string)
        .expect("Info.plist has NSMicrophoneUsageDescription (without it macOS ends the app on first microphone use)");
    assert!(text.contains("microphone") && text.len() > 40, "the prompt says why: {text:?}");
}

#[test]
fn macos_hardened_runtime_is_entitled_to_audio_input() {
    let config = config_for(Target::MacOS);
    let macos = &config.bundle.macos;
    assert!(macos.hardened_runtime, "notarisation needs the hardened runtime");
    let entitlements = plist::Value::from_file(file(macos.entitlements.as_ref().expect("bundle.macOS.entitlements is set")))
        .expect("the entitlements parse");
    let audio_input = entitlements
        .as_dictionary()
        .and_then(|d| d.get("com.apple.security.device.audio-input"))
        .and_then(plist::Value::as_boolean);
    assert_eq!(audio_input, Some(true), "the hardened runtime refuses the microphone without this entitlement");
    // WKWebView's media-capture delegate, which grants getUserMedia, exists from macOS 12 on.
    let minimum = macos.minimum_system_version.as_deref().expect("a minimum macOS version");
    let major: u32 = minimum.split('.').next().and_then(|m| m.parse().ok()).expect("a numeric version");
    assert!(major >= 12, "minimum macOS {minimum}: the webview cannot capture audio before 12");
}

#[test]
fn macos_icon_is_an_icns_with_retina_sizes() {
    let bytes = std::fs::read(icon_with_extension(&config_for(Target::MacOS), "icns")).unwrap();
    assert_eq!(&bytes[..4], b"icns", "the .icns file starts with its magic");
    assert_eq!(u32::from_be_bytes(bytes[4..8].try_into().unwrap()) as usize, bytes.len(), "the header's length is the file's");
    let mut kinds = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        assert!(len >= 8 && at + len <= bytes.len(), "entry at {at} has a bad length {len}");
        kinds.push(String::from_utf8_lossy(&bytes[at..at + 4]).into_owned());
        at += len;
    }
    // ic09: 512×512, ic10: 1024×1024 (512@2x), what Finder and the Dock use on retina screens.
    for kind in ["ic09", "ic10"] {
        assert!(kinds.iter().any(|k| k == kind), "the .icns has no {kind} entry: {kinds:?}");
    }
}

#[test]
fn windows_installer_brings_webview2_and_the_icon() {
    let config = config_for(Target::Windows);
    match &config.bundle.windows.webview_install_mode {
        // The bootstrapper travels inside the installer (about 1.8 MB) and installs WebView2 only
        // where it is missing; the default would download the bootstrapper first.
        WebviewInstallMode::EmbedBootstrapper { silent } => assert!(*silent, "the WebView2 set-up runs silently"),
        other => panic!("WebView2 install mode is {other:?}, expected the embedded bootstrapper"),
    }
    let ico = ico::IconDir::read(std::fs::File::open(icon_with_extension(&config, "ico")).unwrap()).expect("icon.ico parses");
    let sizes: Vec<u32> = ico.entries().iter().map(|e| e.width()).collect();
    for size in [16, 32, 256] {
        assert!(sizes.contains(&size), "icon.ico has no {size}×{size} image: {sizes:?}");
    }
}

#[test]
fn every_os_builds_every_installer_from_one_target_list() {
    // `all` lets each OS build its own installers (deb, rpm, AppImage / msi, nsis / app, dmg);
    // scripts pick a subset with --bundles.
    for target in [Target::Linux, Target::MacOS, Target::Windows] {
        assert!(matches!(config_for(target).bundle.targets, BundleTarget::All), "{target}: bundle.targets is not \"all\"");
    }
}

#[test]
fn linux_packages_declare_what_the_app_calls_on() {
    let config = config_for(Target::Linux);
    let linux = &config.bundle.linux;
    // The hand-off to browser mode opens the default browser with xdg-open; the binary links
    // libdbus (the Secret Service). The tauri CLI adds WebKitGTK and GTK itself.
    let declared = |depends: &Option<Vec<String>>, package: &str| depends.as_ref().is_some_and(|d| d.iter().any(|p| p == package));
    for package in ["xdg-utils", "libdbus-1-3"] {
        assert!(declared(&linux.deb.depends, package), "the .deb does not depend on {package}");
    }
    for package in ["xdg-utils", "dbus-libs"] {
        assert!(declared(&linux.rpm.depends, package), "the .rpm does not depend on {package}");
    }
    let desktop = std::fs::read_to_string(file(linux.deb.desktop_template.as_ref().expect("a desktop entry template"))).unwrap();
    assert!(desktop.contains("Categories=Network;Telephony;"), "the menu files it under telephony");
    for png in config.bundle.icon.iter().filter(|icon| icon.ends_with(".png")) {
        let bytes = std::fs::read(file(png)).unwrap();
        // IHDR colour type 6: RGBA, which tauri requires of its icons.
        assert_eq!(bytes[25], 6, "{png} is not an RGBA PNG");
    }
}
