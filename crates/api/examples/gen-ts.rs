//! Rewrites ui/src/api/generated.ts from the Rust API types.

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join(callscope_api::typescript::GENERATED_PATH);
    std::fs::write(&path, callscope_api::typescript::generate()).expect("writing the generated TypeScript");
    println!("wrote {}", path.display());
}
