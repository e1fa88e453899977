//! Rewrites ui/src/api/generated.ts from the Rust API types, and the account forms' specs the
//! UI's tests use.

use callscope_api::typescript::{generate, generate_account_fields, ACCOUNT_FIELDS_PATH, GENERATED_PATH};

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let account_fields = generate_account_fields().expect("the account fields serialise");
    for (path, text) in [(GENERATED_PATH, generate()), (ACCOUNT_FIELDS_PATH, account_fields)] {
        let path = root.join(path);
        std::fs::write(&path, text).expect("writing the generated TypeScript");
        println!("wrote {}", path.display());
    }
}
