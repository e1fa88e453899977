//! Generates `ui/src/api/generated.ts` from the Rust API types, so the two cannot drift apart.
//! A test fails when the committed file is stale; `cargo run -p callscope-api --example gen-ts`
//! (or `scripts/gen-ts`) rewrites it.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ts_rs::{TypeVisitor, TS};

/// Where the generated file lives, relative to the repository root.
pub const GENERATED_PATH: &str = "ui/src/api/generated.ts";

/// Where the account forms' specs are written as test data for the UI's tests and fakes (the
/// app itself reads them from `app_info`), relative to the repository root.
pub const ACCOUNT_FIELDS_PATH: &str = "ui/src/testing/account-fields.ts";

struct Declarations {
    cfg: ts_rs::Config,
    seen: HashSet<TypeId>,
    by_name: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let mut decl = T::decl(&self.cfg);
        if let Some(docs) = T::docs() {
            decl = format!("{docs}{decl}");
        }
        self.by_name.insert(T::ident(&self.cfg), decl);
        T::visit_dependencies(self);
    }
}

/// The whole generated file.
pub fn generate() -> String {
    let cfg = || ts_rs::Config::new().with_large_int("number");
    let mut decls = Declarations { cfg: cfg(), seen: HashSet::new(), by_name: BTreeMap::new() };
    super::visit_api_types(&mut decls);

    let mut out = String::from(
        "// Generated from crates/api by `scripts/gen-ts`. Do not edit: change the Rust types.\n\n",
    );
    for decl in decls.by_name.values() {
        out.push_str(&export(decl));
        out.push_str("\n\n");
    }
    out.push_str("/** Every API method with its parameters and result. */\nexport interface ApiMethods {\n");
    for (method, params, result, docs) in super::method_signatures(&cfg()) {
        for doc in docs {
            out.push_str(&format!("  /** {doc} */\n"));
        }
        out.push_str(&format!("  {method}: {{ params: {params}; result: {result} }};\n"));
    }
    out.push_str("}\n");
    out
}

/// The account forms' specs as a TypeScript constant, for the UI's tests.
pub fn generate_account_fields() -> Result<String, serde_json::Error> {
    let json = serde_json::to_string_pretty(&callscope_accounts::account_fields())?;
    Ok(format!(
        "// Generated from crates/accounts/src/fields.rs by `scripts/gen-ts`. Do not edit: change the Rust specs.\n\
         // The account forms' specs for the UI's tests and fakes; the app reads them from `app_info`.\n\
         import type {{ AccountFields }} from '../api/generated';\n\n\
         export const ACCOUNT_FIELDS: AccountFields = {json};\n"
    ))
}

/// `type X = ...` → `export type X = ...`, keeping any doc comment in front.
fn export(decl: &str) -> String {
    match decl.rfind("\ntype ") {
        Some(at) => format!("{}\nexport {}", &decl[..at], &decl[at + 1..]),
        None => format!("export {}", decl.trim_start()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_typescript_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(GENERATED_PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generate(),
            "{} is stale: run `scripts/gen-ts` and commit the result",
            path.display()
        );
    }

    #[test]
    fn the_committed_account_fields_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(ACCOUNT_FIELDS_PATH);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generate_account_fields().unwrap(),
            "{} is stale: run `scripts/gen-ts` and commit the result",
            path.display()
        );
    }

    #[test]
    fn every_method_and_type_is_declared() {
        let ts = generate();
        for name in ["AppInfo", "CallSummary", "JournalEvent", "Event", "EchoSignal", "ApiError", "CallState"] {
            assert!(ts.contains(&format!("export type {name} =")), "{name} missing");
        }
        assert!(ts.contains("create_call: { params: CreateCall; result: CallSummary };"));
        assert!(!ts.contains("bigint"), "numbers must be plain JS numbers");
    }
}
