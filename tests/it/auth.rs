//! The auth seam: bearer tokens, roles, the route policy, and response hardening.

use reqwest::Method;
use serde_json::json;
use vigil::auth::Role;
use vigil::auth::dev::DevIssuer;

use crate::support::TestApp;

#[tokio::test]
async fn no_token_is_401_and_wrong_role_is_403() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/api/v1/registrants", None, None).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    for role in [Role::Intake, Role::Auditor, Role::Admin] {
        let (status, problem) = app.get("/api/v1/registrants", &app.token(role, "met")).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "{role}");
    }
    let (status, me) = app.get("/api/v1/me", &app.token(Role::Intake, "met")).await;
    assert_eq!((status, me["roles"][0].as_str(), me["organisation"].as_str()), (200, Some("intake"), Some("met")));
}

#[tokio::test]
async fn tokens_from_another_key_issuer_or_audience_are_rejected() {
    let app = TestApp::spawn().await;
    let stranger = DevIssuer::generate();
    let forged = stranger.mint("x", &[Role::Ppo], "met", vigil::clock::now(), 600).unwrap();
    let (status, _) = app.get("/api/v1/me", &forged).await;
    assert_eq!(status, 401, "signed by an untrusted key with the same kid");

    let expired = app.issuer.mint("x", &[Role::Ppo], "met", vigil::clock::now() - chrono::Duration::hours(2), 600).unwrap();
    assert_eq!(app.get("/api/v1/me", &expired).await.0, 401);

    let valid = app.token(Role::Ppo, "met");
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value = serde_json::from_slice(&engine.decode(&parts[1]).unwrap()).unwrap();
    claims["vigil_roles"] = json!(["supervisor"]);
    parts[1] = engine.encode(claims.to_string());
    assert_eq!(app.get("/api/v1/me", &parts.join(".")).await.0, 401, "tampered payload");

    let none_header = engine.encode(r#"{"alg":"none","typ":"at+jwt","kid":"vigil-dev-1"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_eq!(app.get("/api/v1/me", &unsigned).await.0, 401, "alg none");
}

#[tokio::test]
async fn every_response_carries_security_headers_and_our_own_request_id() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(format!("{}/api/v1/me", app.base))
        .header("x-request-id", "chosen-by-attacker")
        .bearer_auth(app.token(Role::Ppo, "met"))
        .send()
        .await
        .unwrap();
    let h = response.headers();
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["strict-transport-security"].to_str().unwrap().contains("max-age=31536000"));
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_ne!(h["x-request-id"], "chosen-by-attacker");
}

#[tokio::test]
async fn unsupported_methods_get_405_and_unknown_paths_404() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let response = app.request(Method::DELETE, "/api/v1/registrants", Some(&token), None).await;
    assert_eq!(response.status(), 405);
    let response = app.request(Method::PUT, "/api/v1/me", Some(&token), None).await;
    assert_eq!(response.status(), 405);
}

/// Every unmatched path, with or without a token, is the same problem+json 404: an unknown
/// path, a trailing slash, a doubled slash, another case.
#[tokio::test]
async fn every_unmatched_path_is_a_problem_json_404() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    for path in ["/nope", "/api/v1/nope", "/api/v1/registrants/", "/api//v1/registrants", "/API/V1/REGISTRANTS", "/api/v1/me/"] {
        for bearer in [Some(token.as_str()), None] {
            let response = app.request(Method::GET, path, bearer, None).await;
            assert_eq!(response.status(), 404, "{path}");
            assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
            let (_, problem) = crate::support::into_parts(response).await;
            assert_eq!(problem["code"], "not_found", "{path}");
        }
    }
}

/// Z11/Z12: TRACE is refused, and identity or role headers a client makes up change nothing.
#[tokio::test]
async fn trace_is_refused_and_client_supplied_identity_headers_are_ignored() {
    let app = TestApp::spawn().await;
    let trace = Method::from_bytes(b"TRACE").unwrap();
    assert_eq!(app.request(trace, "/api/v1/me", Some(&app.token(Role::Ppo, "met")), None).await.status(), 405);
    let intake = app.token_for("clerk-1", Role::Intake, "met");
    let response = app
        .client
        .get(format!("{}/api/v1/jobs/runs", app.base))
        .bearer_auth(&intake)
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-user-id", "admin-1")
        .header("x-role", "admin")
        .header("x-forwarded-user", "admin-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403, "still the token's intake role");
    let (_, me) = crate::support::into_parts(
        app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&intake).header("x-user-id", "admin-1").send().await.unwrap(),
    )
    .await;
    assert_eq!((me["subject"].as_str(), me["roles"][0].as_str()), (Some("clerk-1"), Some("intake")));
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_parsing() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Ppo, "met");
    let huge = json!({ "names": [{ "kind": "primary", "family": "x".repeat(100_000) }] });
    let (status, problem) = app.post("/api/v1/registrants", &token, &huge).await;
    assert_eq!((status, problem["code"].as_str()), (413, Some("body_too_large")));
    assert_eq!(app.count("registrants").await, 0);
}

#[tokio::test]
async fn every_api_route_has_a_policy_entry() {
    let app = TestApp::spawn().await;
    let response = app.client.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap();
    let spec: serde_json::Value = response.json().await.unwrap();
    let mut missing = Vec::new();
    // Health checks and the browser login flow are documented too, outside the policy layer.
    for (path, item) in spec["paths"].as_object().unwrap().iter().filter(|(path, _)| path.starts_with("/api/")) {
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            if vigil::auth::policy::route(&method, path).is_none() {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "routes without a policy entry: {missing:?}");
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[tokio::test]
async fn health_checks_answer_without_a_token() {
    let app = TestApp::spawn().await;
    assert_eq!(app.request(Method::GET, "/health/live", None, None).await.status(), 200);
    assert_eq!(app.request(Method::GET, "/health/ready", None, None).await.status(), 200);
}

/// One slow or oversized client cannot hold the service (issue 13 item 8): a connection that
/// never finishes its request head is dropped after the header read timeout while others are
/// served, a head over the limit is refused with 431, and an overlong bearer token is 401.
#[tokio::test]
async fn a_slow_or_oversized_request_head_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let address = app.base.trim_start_matches("http://").to_owned();

    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /health/live HTTP/1.1\r\nHost: vigil\r\n").await.unwrap();
    // Meanwhile everyone else is served.
    assert_eq!(app.client.get(format!("{}/health/live", app.base)).send().await.unwrap().status(), 200);
    let limit = vigil::http::server::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(5);
    let mut buf = Vec::new();
    let read = tokio::time::timeout(limit, slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the slow connection is still open after {limit:?}");

    let mut big = tokio::net::TcpStream::connect(&address).await.unwrap();
    let padding = "a".repeat(vigil::http::server::MAX_HEAD_BYTES + 1024);
    let request = format!("GET /health/live HTTP/1.1\r\nHost: vigil\r\nX-Padding: {padding}\r\n\r\n");
    let _ = big.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), big.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 431"), "{}", answer.lines().next().unwrap_or(""));

    let token = "a".repeat(vigil::http::policy::MAX_TOKEN_BYTES + 1);
    // A new connection: the app's pooled one sat idle past the header timeout above and the
    // server has (rightly) closed it.
    let response = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 401);
}
