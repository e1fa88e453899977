//! `callscope-lab rest`: prints where the fakes listen and what to log in with, stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[cfg(unix)]
#[tokio::test]
async fn rest_prints_base_urls_and_seeded_credentials_then_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callscope-lab"))
        .args(["rest", "--telnyx-port", "0", "--twilio-port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let started: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(started["pid"].as_u64(), Some(child.id() as u64));

    let telnyx_base = started["telnyx"]["base_url"].as_str().unwrap();
    assert!(telnyx_base.starts_with("http://127.0.0.1:") && telnyx_base.ends_with("/v2"), "{telnyx_base}");
    let key = started["telnyx"]["seed"]["api_key"].as_str().unwrap();
    let balance = reqwest::Client::new().get(format!("{telnyx_base}/balance")).bearer_auth(key).send().await.unwrap();
    assert_eq!(balance.status(), 200);

    let twilio = &started["twilio"];
    let (account, token) =
        (twilio["seed"]["account_sid"].as_str().unwrap(), twilio["seed"]["auth_token"].as_str().unwrap());
    let url = format!("{}/Accounts/{account}/Balance.json", twilio["api_base_url"].as_str().unwrap());
    let balance = reqwest::Client::new().get(url).basic_auth(account, Some(token)).send().await.unwrap();
    assert_eq!(balance.status(), 200);
    assert!(twilio["seed"]["main_key"]["secret"].is_string());

    // Only the process this test started, by its id.
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "the lab did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
