//! The account forms come from the backend: `app_info` publishes each field's label, rule and
//! message, and `save_account` refuses a bad value with that same message, naming the field by
//! its label.

use callscope_api::{ApiError, Face, Request};
use callscope_core::backend::{Backend, Caller};
use callscope_core::paths::Paths;
use callscope_journal::Journal;
use serde_json::{json, Value};

fn backend(dir: &std::path::Path) -> std::sync::Arc<Backend> {
    Backend::with_journal(Paths::under(dir), Journal::in_memory("test").unwrap(), None)
}

async fn call(backend: &Backend, request: Value) -> Result<Value, ApiError> {
    let request = Request::from_json(request).map_err(|e| callscope_core::Error::from(e).to_api())?;
    backend.dispatch(Caller { face: Face::Browser }, request).await.map_err(|e| e.to_api())
}

#[tokio::test]
async fn app_info_publishes_every_providers_fields_and_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let info = call(&backend(dir.path()), json!({"method": "app_info", "params": {}})).await.unwrap();
    let fields = &info["account_fields"];
    assert_eq!(fields["name"]["label"], "Name");
    let providers: Vec<&str> = fields["providers"].as_array().unwrap().iter().map(|p| p["provider"].as_str().unwrap()).collect();
    assert_eq!(providers, ["telnyx", "twilio", "sip"]);
    let twilio = &fields["providers"][1];
    let sid = twilio["fields"].as_array().unwrap().iter().find(|f| f["field"] == "account_sid").unwrap();
    assert_eq!(sid["label"], "Account SID");
    assert_eq!(sid["required"], true);
    assert_eq!(sid["rule"]["pattern"], "^AC[0-9a-fA-F]{32}$");
    assert_eq!(sid["rule"]["message"], "must be AC followed by 32 hexadecimal digits");
    let secrets: Vec<&str> = twilio["secrets"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(secrets, ["twilio_api_key_secret", "twilio_auth_token"]);
}

#[tokio::test]
async fn a_bad_setting_is_refused_with_the_published_message() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(dir.path());
    let save = json!({"method": "save_account", "params": {
        "profile": {"name": "acme", "provider": "twilio", "account_sid": "AC123", "api_key_sid": format!("SK{}", "0".repeat(32))},
        "secrets": [{"kind": "twilio_api_key_secret", "value": "s"}],
        "mode": "create",
    }});
    let error = call(&backend, save).await.unwrap_err();
    assert_eq!(error.code, "bad_input");
    assert_eq!(error.field.as_deref(), Some("account_sid"));
    assert_eq!(error.message, "Account SID: must be AC followed by 32 hexadecimal digits");
    assert!(!dir.path().join("config").join("accounts.toml").exists(), "nothing saved");
}
