//! Reads need a reason (issue 13, item 2): every read of a person's content carries a reason
//! code from the published vocabulary, with a crime or case reference where the code needs one;
//! without it the read is refused, names the header and writes nothing (no audit entry either),
//! and with it the audit entry records both. Lists without personal data need none.

use reqwest::Method;
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, registrant_with_order, spo};
use crate::register_check::{check, record, report};
use crate::support::TestApp;

/// The reads of a person's content, written out by hand (not taken from the policy table), with
/// the role that makes them.
async fn content_reads(app: &TestApp) -> Vec<(Method, String, String, Option<Value>)> {
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, order) = registrant_with_order(app, spo("2026-11-02", Some("2026-11-02"))).await;
    let condition = order["conditions"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({"condition_id": condition, "summary": "Sent messages to the protected person."});
    let (status, breach) = app.post(&format!("/api/v1/registrants/{}/breaches", id(&registrant)), &ppo, &body).await;
    assert_eq!(status, 201, "{breach}");
    let report_id = record(app, &ppo, &report("MET/77", "V-77", json!({ "names": [{ "given": "Sam", "family": "Suspect" }] }))).await;
    let (status, checked, _) = check(app, &ppo, &report_id).await;
    assert_eq!(status, 200, "{checked}");
    let r = id(&registrant);
    vec![
        (Method::GET, "/api/v1/registrants".into(), ppo.clone(), None),
        (Method::GET, format!("/api/v1/registrants/{r}"), ppo.clone(), None),
        (Method::GET, format!("/api/v1/registrants/{r}/orders"), ppo.clone(), None),
        (Method::GET, format!("/api/v1/orders/{}", id(&order)), ppo.clone(), None),
        (Method::GET, format!("/api/v1/registrants/{r}/obligations"), ppo.clone(), None),
        (Method::GET, format!("/api/v1/breaches/{}", id(&breach)), ppo.clone(), None),
        (Method::GET, format!("/api/v1/reports/{report_id}"), ppo.clone(), None),
        (Method::GET, format!("/api/v1/checks/{}", id(&checked)), ppo.clone(), None),
        (
            Method::POST,
            "/api/v1/registrants/search".into(),
            ppo.clone(),
            Some(json!({"identifier": {"kind": "phone", "value": "07700 900123"}})),
        ),
    ]
}

async fn send(app: &TestApp, method: &Method, path: &str, token: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = app.client.request(method.clone(), format!("{}{path}", app.base)).bearer_auth(token);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(b) = body {
        request = request.json(b);
    }
    crate::support::into_parts(request.send().await.unwrap()).await
}

#[tokio::test]
async fn every_content_read_needs_a_known_reason_and_its_reference_and_the_audit_keeps_both() {
    let app = TestApp::spawn().await;
    let reads = content_reads(&app).await;
    for (method, path, token, body) in &reads {
        let before = app.count("audit_events").await;
        let refused = [
            (vec![], "Vigil-Reason-Code", "justification_required"),
            (vec![("vigil-reason-code", "BECAUSE")], "Vigil-Reason-Code", "unknown_reason_code"),
            (vec![("vigil-reason-code", "INVESTIGATION")], "Vigil-Crime-Reference", "reference_required"),
        ];
        for (headers, field, code) in refused {
            let (status, problem) = send(&app, method, path, token, body.as_ref(), &headers).await;
            assert_eq!(
                (status, problem["field"].as_str(), problem["errors"][0]["code"].as_str()),
                (422, Some(field), Some(code)),
                "{method} {path} with {headers:?}: {problem}"
            );
            assert!(!problem.to_string().contains("BECAUSE"), "the value is never echoed");
        }
        assert_eq!(app.count("audit_events").await, before, "{method} {path}: a refused read writes nothing");

        let justified = [("vigil-reason-code", "SAFEGUARDING"), ("vigil-crime-reference", "CASE/2026/17")];
        let (status, answer) = send(&app, method, path, token, body.as_ref(), &justified).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        // The read is audited, with the reason and the reference it was given.
        use sea_orm::{ConnectionTrait, Statement};
        let sql = format!("SELECT operation, reason_code, crime_reference FROM audit_events ORDER BY seq LIMIT 100 OFFSET {before}");
        let rows = app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
        assert!(!rows.is_empty(), "{method} {path} was not audited");
        for row in rows {
            let operation: String = row.try_get_by_index(0).unwrap();
            let reason: Option<String> = row.try_get_by_index(1).unwrap();
            let reference: Option<String> = row.try_get_by_index(2).unwrap();
            assert_eq!((reason.as_deref(), reference.as_deref()), (Some("SAFEGUARDING"), Some("CASE/2026/17")), "{operation}");
        }
    }
}

#[tokio::test]
async fn lists_without_personal_data_need_no_reason_and_the_vocabulary_is_published() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    for path in ["/api/v1/breaches", "/api/v1/alerts", "/api/v1/occurrences/overdue", "/api/v1/reports", "/api/v1/links", "/api/v1/reasons"]
    {
        assert_eq!(app.unjustified(Method::GET, path, &ppo, None).await.0, 200, "{path}");
    }
    // A reason given where none is needed must still be a real one.
    let (status, problem) = send(&app, &Method::GET, "/api/v1/breaches", &ppo, None, &[("vigil-reason-code", "BECAUSE")]).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("Vigil-Reason-Code")));

    let intake = app.token(Role::Intake, "met");
    let (status, reasons) = app.unjustified(Method::GET, "/api/v1/reasons", &intake, None).await;
    assert_eq!(status, 200);
    let codes: Vec<(&str, bool)> =
        reasons.as_array().unwrap().iter().map(|r| (r["code"].as_str().unwrap(), r["needs_reference"].as_bool().unwrap())).collect();
    assert!(codes.contains(&("INVESTIGATION", true)) && codes.contains(&("OFFENDER_MANAGEMENT", false)), "{codes:?}");
    assert!(reasons[0]["title"].as_str().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn the_openapi_document_declares_the_justification_headers() {
    let app = TestApp::spawn().await;
    let spec: Value = app.client.get(format!("{}/api/openapi.json", app.base)).send().await.unwrap().json().await.unwrap();
    let header = |path: &str, method: &str, name: &str| -> Option<Value> {
        spec["paths"][path][method]["parameters"].as_array()?.iter().find(|p| p["name"] == name && p["in"] == "header").cloned()
    };
    let reason = header("/api/v1/registrants/{id}", "get", "Vigil-Reason-Code").expect("declared on a content read");
    assert_eq!(reason["required"], true);
    assert!(reason["schema"]["enum"].as_array().unwrap().iter().any(|c| c == "OFFENDER_MANAGEMENT"));
    assert_eq!(header("/api/v1/registrants/{id}", "get", "Vigil-Crime-Reference").expect("declared")["required"], false);
    assert_eq!(header("/api/v1/breaches", "get", "Vigil-Reason-Code").expect("optional elsewhere")["required"], false);
    assert_eq!(header("/api/v1/reports/{id}/checks", "post", "Vigil-Reason-Code").expect("declared")["required"], true);
}
