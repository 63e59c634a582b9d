//! The access log, as an operator's log shipper sees it: `vigil demo` with JSON logs writes one
//! line per request under the target `vigil::access`, with method, route template, status,
//! latency, request id and the caller's subject, never a path value or query string; and no
//! terminal colour codes when stderr is not a terminal.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::Value;

#[tokio::test]
async fn each_request_is_one_json_access_line_without_values_or_colour() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["demo", "--port", "0", "--registrants", "0", "--data-dir", dir.path().to_str().unwrap()])
        .env("VIGIL_LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigil demo starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let base = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the demo ended before it said where it runs");
        if let Some(rest) = line.trim().strip_prefix("Vigil demo running at ") {
            // Keep reading what it prints next: a closed pipe would fail its next line.
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
            break rest.to_owned();
        }
    };
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/health/ready")).send().await.unwrap().status(), 200);
    let token = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["dev-token", "--role", "ppo", "--org", "met", "--subject", "officer-17", "--data-dir", dir.path().to_str().unwrap()])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let secret_id = "0195d5e1-0000-7000-8000-00000000abcd";
    let answered = client
        .get(format!("{base}/api/v1/registrants/{secret_id}?note=private-value"))
        .bearer_auth(token.trim())
        .header("vigil-reason-code", "OFFENDER_MANAGEMENT")
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_client_error(), "{}", answered.status());
    child.kill().unwrap();
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let _ = child.wait();

    assert!(!logs.contains('\u{1b}'), "no colour codes when not a terminal");
    assert!(!logs.contains(secret_id) && !logs.contains("private-value"), "no path values or query strings: {logs}");
    let access: Vec<Value> =
        logs.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).filter(|l| l["target"] == "vigil::access").collect();
    assert_eq!(access.len(), 2, "one line per request: {logs}");
    let ready = &access[0];
    assert_eq!((ready["level"].as_str(), ready["fields"]["status"].as_u64()), (Some("INFO"), Some(200)), "{ready}");
    assert_eq!(ready["span"]["route"], "/health/ready", "{ready}");
    assert!(ready["fields"]["latency_ms"].is_number() && ready["span"]["request_id"].as_str().is_some_and(|id| id.len() == 36), "{ready}");
    let read = &access[1];
    assert_eq!(
        (read["span"]["method"].as_str(), read["span"]["route"].as_str()),
        (Some("GET"), Some("/api/v1/registrants/{id}")),
        "{read}"
    );
    assert_eq!(read["span"]["subject"], "officer-17", "the caller: {read}");
    assert!(!logs.contains("tokio_cron_scheduler"), "the scheduler's start-up chatter is quiet: {logs}");
}
