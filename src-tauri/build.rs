// The app package's manifest is the repository root (beside tauri.conf.json, where the tauri CLI
// wants it); its capabilities, permissions and icons live in src-tauri/.
fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().permissions_path_pattern("./src-tauri/permissions/**/*"))
        .windows_attributes(tauri_build::WindowsAttributes::new().window_icon_path("src-tauri/icons/icon.ico"));
    tauri_build::try_build(attributes).expect("tauri build step");
}
