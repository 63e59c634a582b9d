//! Catalogue L03: failed authentication, denied access and invalid input (a mass-assignment
//! attempt among them) each reach the security log with `outcome="failure"`, the code, the
//! field and the request's route, and never the value that was sent.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;
use vigil::auth::Role;

use crate::support::TestApp;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// The security log of this whole test process, as JSON lines. A process-wide subscriber,
/// not a per-test one: tests run on many threads at once, and tracing caches per call site
/// whether anyone listens, which a scoped subscriber cannot rely on under that concurrency.
fn security_log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(tracing_subscriber::EnvFilter::new("vigil::security=info,vigil::http::security=info"))
            .with_writer(captured.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in the tests");
        captured
    })
}

/// The security events logged for one request (by its `x-request-id`).
fn events_of(request_id: &str) -> Vec<serde_json::Value> {
    let text = String::from_utf8(security_log().0.lock().unwrap_or_else(|e| e.into_inner()).clone()).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["span"]["request_id"] == request_id || e["fields"]["request_id"] == request_id)
        .collect()
}

async fn sent(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<&serde_json::Value>) -> (u16, String) {
    let response = app.request(method, path, Some(token), body).await;
    let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("request id").to_owned();
    (response.status().as_u16(), id)
}

#[tokio::test]
async fn refusals_reach_the_security_log_with_their_outcome_and_no_values() {
    security_log();
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");

    let (status, bad) = sent(&app, reqwest::Method::GET, "/api/v1/registrants", "not-a-token", None).await;
    assert_eq!(status, 401);
    let (status, denied) = sent(&app, reqwest::Method::GET, "/api/v1/jobs/runs", &ppo, None).await;
    assert_eq!(status, 403);
    let mut body = crate::support::registrant_body("Loggedname");
    body["created_by"] = json!("someone-else-canary");
    let (status, invalid) = sent(&app, reqwest::Method::POST, "/api/v1/registrants", &ppo, Some(&body)).await;
    assert_eq!(status, 422);

    let refused = |events: &[serde_json::Value], code: &str, status: u64| {
        events.iter().any(|e| e["fields"]["code"] == code && e["fields"]["status"] == status && e["fields"]["outcome"] == "failure")
    };
    let bad = events_of(&bad);
    assert!(bad.iter().any(|e| e["fields"]["message"] == "bearer token rejected" && e["fields"]["outcome"] == "failure"), "{bad:?}");
    assert!(refused(&bad, "unauthenticated", 401), "{bad:?}");
    let denied = events_of(&denied);
    assert!(refused(&denied, "forbidden", 403), "{denied:?}");
    assert!(
        denied.iter().any(|e| e["fields"]["message"] == "forbidden by policy" && e["fields"]["path"] == "/api/v1/jobs/runs"),
        "{denied:?}"
    );
    let invalid = events_of(&invalid);
    let mass = invalid.iter().find(|e| e["fields"]["status"] == 422).expect("the invalid body is logged");
    assert_eq!(mass["fields"]["field"], "created_by");
    assert_eq!(mass["span"]["route"], "/api/v1/registrants", "{mass}");
    let everything = String::from_utf8(security_log().0.lock().unwrap_or_else(|e| e.into_inner()).clone()).unwrap();
    assert!(!everything.contains("someone-else-canary") && !everything.contains("Loggedname"), "no submitted value reaches the log");
}
