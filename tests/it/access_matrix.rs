//! Every API route × every role, anonymous included, against an access table written out here
//! by hand (not derived from `auth::policy`), so that a change to the policy that nobody meant
//! fails this test. A route in the OpenAPI document without a row here fails too.
//!
//! Expected: anonymous → 401; a role not in the row → 403; a role in the row → neither (the
//! random ids and empty bodies then give 404, 400 or 422, which is the service speaking).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;
use vigil::auth::Role;

use crate::support::TestApp;

const P: Role = Role::Ppo;
const S: Role = Role::Supervisor;
const B: Role = Role::Probation;
const I: Role = Role::Intake;
const A: Role = Role::Auditor;
const D: Role = Role::Admin;

/// (method, path, roles that may call it)
const TABLE: &[(&str, &str, &[Role])] = &[
    ("GET", "/api/v1/me", &[P, S, B, I, A, D]),
    ("GET", "/api/v1/reference", &[P, S, B, I, A, D]),
    ("GET", "/api/v1/reasons", &[P, S, B, I, A, D]),
    ("GET", "/api/v1/registrants", &[P, S, B]),
    ("POST", "/api/v1/registrants", &[P, S]),
    ("POST", "/api/v1/registrants/search", &[P, S]),
    ("GET", "/api/v1/registrants/{id}", &[P, S, B]),
    ("PATCH", "/api/v1/registrants/{id}", &[P, S]),
    ("POST", "/api/v1/registrants/{id}/names", &[P, S]),
    ("POST", "/api/v1/registrants/{id}/addresses", &[P, S]),
    ("POST", "/api/v1/registrants/{id}/addresses/{address_id}/end", &[P, S]),
    ("POST", "/api/v1/registrants/{id}/addresses/{address_id}/correction", &[P, S]),
    ("POST", "/api/v1/registrants/{id}/identifiers", &[P, S]),
    ("POST", "/api/v1/registrants/{id}/travel", &[P, S]),
    ("GET", "/api/v1/registrants/{id}/orders", &[P, S, B]),
    ("POST", "/api/v1/registrants/{id}/orders", &[P, S]),
    ("GET", "/api/v1/orders/{id}", &[P, S, B]),
    ("POST", "/api/v1/orders/{id}/service", &[P, S]),
    ("POST", "/api/v1/orders/{id}/status", &[P, S]),
    ("POST", "/api/v1/orders/{id}/variations", &[P, S]),
    ("GET", "/api/v1/registrants/{id}/obligations", &[P, S, B]),
    ("POST", "/api/v1/registrants/{id}/notifications", &[P, S]),
    ("POST", "/api/v1/occurrences/{id}/compliance", &[P, S, B]),
    ("POST", "/api/v1/occurrences/{id}/correction", &[P, S, B]),
    ("POST", "/api/v1/occurrences/{id}/excusal", &[P, S]),
    ("GET", "/api/v1/occurrences/overdue", &[P, S, B]),
    ("GET", "/api/v1/breaches", &[P, S]),
    ("GET", "/api/v1/exports/caseload", &[P, S, B]),
    ("GET", "/api/v1/exports/breaches", &[P, S]),
    ("GET", "/api/v1/exports/overdue", &[P, S, B]),
    ("POST", "/api/v1/registrants/{id}/breaches", &[P, S]),
    ("GET", "/api/v1/breaches/{id}", &[P, S]),
    ("POST", "/api/v1/breaches/{id}/decisions", &[P, S]),
    ("POST", "/api/v1/breaches/{id}/acknowledgement", &[P, S]),
    ("GET", "/api/v1/alerts", &[P, S]),
    ("POST", "/api/v1/alerts/acknowledgements", &[P, S]),
    ("GET", "/api/v1/work", &[P, S, B, I, A, D]),
    ("GET", "/api/v1/jobs/runs", &[D]),
    ("GET", "/api/v1/jobs/health", &[D]),
    ("GET", "/api/v1/outbox/dead", &[D]),
    ("POST", "/api/v1/outbox/{id}/retry", &[D]),
    ("POST", "/api/v1/registrants/{id}/suspensions", &[P, S]),
    ("POST", "/api/v1/suspensions/{id}/end", &[P, S]),
    ("GET", "/api/v1/reports", &[P, S, I]),
    ("POST", "/api/v1/reports", &[P, S, I]),
    ("GET", "/api/v1/reports/{id}", &[P, S, I]),
    ("POST", "/api/v1/reports/{id}/checks", &[P, S, I]),
    ("GET", "/api/v1/checks/{id}", &[P, S]),
    ("GET", "/api/v1/patterns/{id}", &[P, S]),
    ("GET", "/api/v1/links", &[P, S]),
    ("POST", "/api/v1/links/{id}/decision", &[P, S]),
    ("GET", "/api/v1/links/{id}", &[P, S]),
    ("GET", "/api/v1/duplicates", &[P, S]),
    ("POST", "/api/v1/duplicates/{id}/decision", &[P, S]),
    ("GET", "/api/v1/approvals", &[S]),
    ("POST", "/api/v1/approvals", &[S]),
    ("GET", "/api/v1/approvals/{id}", &[S]),
    ("POST", "/api/v1/approvals/{id}/decision", &[S]),
    ("GET", "/api/v1/audit/events", &[A]),
    ("GET", "/api/v1/audit/export", &[A]),
    ("GET", "/api/v1/sessions", &[D]),
    ("DELETE", "/api/v1/sessions/{id}", &[D]),
    ("POST", "/api/v1/sessions/revocations", &[D]),
];

const ROLES: &[(Role, &str)] = &[(P, "met"), (S, "met"), (B, "probation-london"), (I, "met"), (A, "met"), (D, "met")];

#[tokio::test]
async fn every_route_for_every_role_matches_the_access_table() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app.client.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let mut documented = BTreeSet::new();
    // Health checks and the browser login flow are documented too, outside the policy layer.
    for (path, item) in spec["paths"].as_object().unwrap().iter().filter(|(path, _)| path.starts_with("/api/")) {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let tabled: BTreeSet<String> = TABLE.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    assert_eq!(documented, tabled, "every documented route needs a row in the access table, and every row a route");

    let tokens: Vec<(Role, String)> = ROLES.iter().map(|(role, org)| (*role, app.token(*role, org))).collect();
    let mut wrong = Vec::new();
    for (method, path, allowed) in TABLE {
        let concrete = path.replace("{id}", &uuid::Uuid::now_v7().to_string()).replace("{address_id}", &uuid::Uuid::now_v7().to_string());
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = (method != Method::GET).then(|| json!({}));
        let send = |token: Option<&str>| {
            let mut request = app.client.request(method.clone(), format!("{}{concrete}", app.base));
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            if let Some(b) = &body {
                request = request.json(b);
            }
            request.header("vigil-reason-code", "INVESTIGATION").header("vigil-crime-reference", "MATRIX-1").send()
        };
        let status = send(None).await.unwrap().status().as_u16();
        if status != 401 {
            wrong.push(format!("anonymous {method} {path}: {status}, wanted 401"));
        }
        for (role, token) in &tokens {
            let status = send(Some(token)).await.unwrap().status().as_u16();
            let may = allowed.contains(role);
            if may && (status == 401 || status == 403 || status >= 500) {
                wrong.push(format!("{role} {method} {path}: {status}, wanted the service's answer"));
            }
            if !may && status != 403 {
                wrong.push(format!("{role} {method} {path}: {status}, wanted 403"));
            }
        }
    }
    assert!(wrong.is_empty(), "access table mismatches:\n{}", wrong.join("\n"));
}

/// Fields a caller must not set (ids, references, versions, audit columns, other organisations)
/// are refused by name rather than silently taken or dropped.
#[tokio::test]
async fn mass_assignment_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let ppo = app.token(P, "met");
    let mut body = crate::support::registrant_body("Massassign");
    for (field, value) in [
        ("id", json!(uuid::Uuid::now_v7())),
        ("reference", json!("VGL-2026-999999")),
        ("version", json!(7)),
        ("created_by", json!("someone-else")),
        ("created_at", json!("2020-01-01T00:00:00Z")),
    ] {
        body[field] = value;
        let (status, problem) = app.post("/api/v1/registrants", &ppo, &body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{field}: {problem}");
        body.as_object_mut().unwrap().remove(field);
    }
    // Another organisation's register cannot be written by naming it.
    body["managing_org"] = json!("kent");
    let (status, _) = app.post("/api/v1/registrants", &ppo, &body).await;
    assert_eq!(status, 403);
    assert_eq!(app.count("registrants").await, 0);
}
