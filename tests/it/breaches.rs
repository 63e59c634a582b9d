//! Breaches through the API: an officer records a breach against this registrant's own orders and
//! occurrences, breaches are listed per managing organisation, and enforcement decisions record
//! who decided what and why.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, of_kind, registrant_with_order, spo};
use crate::support::{TestApp, registrant_body};

async fn record(app: &TestApp, registrant: &Value, token: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/registrants/{}/breaches", id(registrant)), token, &body).await
}

#[tokio::test]
async fn an_officer_records_a_breach_and_a_supervisor_decides_on_it() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let condition = &order["conditions"][0];
    let token = app.token_for("officer-3", Role::Ppo, "met");
    let (status, breach) =
        record(&app, &registrant, &token, json!({"condition_id": condition["id"], "summary": "Sent messages to the protected person."}))
            .await;
    assert_eq!(status, 201, "{breach}");
    assert_eq!(
        (breach["status"].as_str(), breach["source"].as_str(), breach["managing_org"].as_str()),
        (Some("open"), Some("officer"), Some("met"))
    );
    assert_eq!(breach["order_id"], order["id"], "the order is taken from the condition");
    assert_eq!(breach["registrant_reference"], registrant["reference"]);
    assert_eq!(
        (breach["summary"].as_str(), breach["recorded_by"].as_str()),
        (Some("Sent messages to the protected person."), Some("officer-3"))
    );

    let (status, page) = app.get("/api/v1/breaches?status=open", &token).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["items"][0].get("summary").is_none(), "listings carry no free text");

    let path = format!("/api/v1/breaches/{}/decisions", id(&breach));
    let supervisor = app.token_for("sergeant-2", Role::Supervisor, "met");
    let (status, decided) = app
        .post(&path, &supervisor, &json!({"action": "arrest", "reason": "Clear breach of the no-contact prohibition.", "version": 1}))
        .await;
    assert_eq!(status, 201, "{decided}");
    assert_eq!((decided["status"].as_str(), decided["version"].as_i64()), (Some("decided"), Some(2)));
    let decision = &decided["decisions"][0];
    assert_eq!(
        (decision["action"].as_str(), decision["decided_by"].as_str(), decision["decided_role"].as_str(), decision["reason"].as_str()),
        (Some("arrest"), Some("sergeant-2"), Some("supervisor"), Some("Clear breach of the no-contact prohibition."))
    );
    let (status, problem) = app.post(&path, &supervisor, &json!({"action": "charge", "reason": "Charged.", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")));
    let (status, problem) = app.post(&path, &supervisor, &json!({"action": "charge", "reason": "", "version": 2})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("reason")));
    assert_eq!(app.count("enforcement_decisions").await, 1);

    let (status, read) = app.get(&format!("/api/v1/breaches/{}", id(&breach)), &token).await;
    assert_eq!((status, read["decisions"].as_array().unwrap().len()), (200, 1));
    let (_, decided_only) = app.get("/api/v1/breaches?status=decided", &token).await;
    assert_eq!(decided_only["items"][0]["id"], breach["id"]);
}

#[tokio::test]
async fn references_must_be_this_registrants_and_nothing_is_written_otherwise() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let (other, other_order) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let token = app.token(Role::Ppo, "met");
    let audit_before = app.count("audit_events").await;
    let cases = [
        (json!({"order_id": other_order["id"], "summary": "x"}), "order_id"),
        (json!({"condition_id": other_order["conditions"][0]["id"], "summary": "x"}), "condition_id"),
        (json!({"occurrence_id": uuid::Uuid::now_v7(), "summary": "x"}), "occurrence_id"),
        (json!({"summary": "  "}), "summary"),
        (json!({"summary": "x", "severity": "high"}), "severity"),
    ];
    for (body, field) in cases {
        let (status, problem) = record(&app, &registrant, &token, body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    assert_eq!(app.count("breaches").await, 0);
    assert_eq!(app.count("audit_events").await, audit_before);

    // A missed occurrence of this registrant: one breach per occurrence.
    let list = obligations(&app, &registrant).await;
    let occurrence = &of_kind(&list, "initial_notification")[0]["occurrences"][0];
    let (status, breach) =
        record(&app, &registrant, &token, json!({"occurrence_id": occurrence["id"], "summary": "Did not notify."})).await;
    assert_eq!(status, 201, "{breach}");
    assert!(breach["order_id"].is_string(), "the order is taken from the occurrence's obligation");
    let (status, problem) = record(&app, &registrant, &token, json!({"occurrence_id": occurrence["id"], "summary": "Again."})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("breach_exists")));
    let (status, _) = record(&app, &other, &token, json!({"occurrence_id": occurrence["id"], "summary": "Wrong registrant."})).await;
    assert_eq!(status, 422);
    assert_eq!(app.count("breaches").await, 1);
}

#[tokio::test]
async fn breaches_belong_to_the_managing_organisation() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let (status, breach) = record(&app, &registrant, &app.token(Role::Ppo, "met"), json!({"summary": "Seen in the exclusion zone."})).await;
    assert_eq!(status, 201);
    let gmp = app.token(Role::Ppo, "gmp");
    let (status, problem) = record(&app, &registrant, &gmp, json!({"summary": "Not ours to record."})).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")));
    let (_, own) = app.get("/api/v1/breaches", &gmp).await;
    assert_eq!(own["items"].as_array().unwrap().len(), 0, "another force's list is its own by default");
    let (_, met) = app.get("/api/v1/breaches?managing_org=met", &gmp).await;
    assert_eq!(met["items"].as_array().unwrap().len(), 1);
    let (status, problem) = app
        .post(&format!("/api/v1/breaches/{}/decisions", id(&breach)), &gmp, &json!({"action": "warning", "reason": "r", "version": 1}))
        .await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")));
    let probation = app.token(Role::Probation, "probation-london");
    assert_eq!(app.get("/api/v1/breaches", &probation).await.0, 403);
    assert_eq!(app.count("enforcement_decisions").await, 0);
}

#[tokio::test]
async fn breach_listings_page_by_id() {
    let app = TestApp::spawn().await;
    let registrant = app.registrant("met", registrant_body("Paged")).await;
    let token = app.token(Role::Ppo, "met");
    for i in 0..3 {
        let (status, _) = record(&app, &registrant, &token, json!({"summary": format!("Breach {i}")})).await;
        assert_eq!(status, 201);
    }
    let (_, first) = app.get(&format!("/api/v1/breaches?limit=2&registrant_id={}", id(&registrant)), &token).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let after = first["next_after"].as_str().unwrap();
    let (_, second) = app.get(&format!("/api/v1/breaches?limit=2&after={after}"), &token).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["next_after"].is_null());
    let (status, problem) = app.get("/api/v1/breaches?limit=0", &token).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("limit")));
}
