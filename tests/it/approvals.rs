//! Four-eyes actions: a second person, a recent authentication, one pending request per record,
//! and erasure that leaves nothing of the person but ids in the audit trail.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{dapo, id, registrant_with_order};
use crate::support::{TestApp, registrant_body};

fn supervisor(app: &TestApp, who: &str) -> String {
    app.token_for(who, Role::Supervisor, "met")
}

async fn ask(app: &TestApp, who: &str, body: &Value) -> (u16, Value) {
    app.post("/api/v1/approvals", &supervisor(app, who), body).await
}

async fn decide(app: &TestApp, who: &str, approval: &Value, decision: &str) -> (u16, Value) {
    let path = format!("/api/v1/approvals/{}/decision", id(approval));
    let version = approval["version"].as_i64().unwrap_or(1);
    app.post(&path, &supervisor(app, who), &json!({"decision": decision, "version": version, "reason": "checked the court record"})).await
}

#[tokio::test]
async fn the_requester_cannot_approve_their_own_request_and_a_second_request_waits() {
    let app = TestApp::spawn().await;
    let (_, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let body = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged by the court"});
    let (status, asked) = ask(&app, "sergeant-1", &body).await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!((asked["status"].as_str(), asked["requested_by"].as_str()), (Some("pending"), Some("sergeant-1")));

    let (status, problem) = decide(&app, "sergeant-1", &asked, "approve").await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("second_person_required")), "{problem}");
    let (status, problem) = ask(&app, "inspector-2", &body).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("approval_pending")));
    // Another organisation's supervisor cannot see or decide it.
    let path = format!("/api/v1/approvals/{}/decision", id(&asked));
    let (status, _) =
        app.post(&path, &app.token_for("other", Role::Supervisor, "gmp"), &json!({"decision": "approve", "version": 1})).await;
    assert_eq!(status, 404);
    let (_, theirs) = app.get("/api/v1/approvals", &app.token_for("other", Role::Supervisor, "gmp")).await;
    assert_eq!(theirs, json!([]));
    let (_, ours) = app.get("/api/v1/approvals", &supervisor(&app, "inspector-2")).await;
    assert_eq!(ours[0]["reason"], "Discharged by the court");
    assert_eq!(app.count("order_status_changes").await, 0, "nothing applied yet");

    // Rejection needs a reason, closes the request and applies nothing; a new request may follow.
    let path = format!("/api/v1/approvals/{}/decision", id(&asked));
    let (status, problem) = app.post(&path, &supervisor(&app, "inspector-2"), &json!({"decision": "reject", "version": 1})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("reason")), "{problem}");
    let (status, rejected) = decide(&app, "inspector-2", &asked, "reject").await;
    assert_eq!((status, rejected["status"].as_str(), rejected["decided_by"].as_str()), (200, Some("rejected"), Some("inspector-2")));
    let (status, problem) = decide(&app, "chief-3", &asked, "approve").await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_decided")), "{problem}");
    assert_eq!(app.count("order_status_changes").await, 0);
    let (status, _) = ask(&app, "inspector-2", &body).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn four_eyes_actions_need_a_recent_authentication() {
    let app = TestApp::spawn().await;
    let (_, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let now = vigil::clock::now();
    let stale =
        app.issuer.mint_authenticated_at("sergeant-1", &[Role::Supervisor], "met", now, 600, now - chrono::Duration::minutes(40)).unwrap();
    let body = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged by the court"});
    let response = app.request(reqwest::Method::POST, "/api/v1/approvals", Some(&stale), Some(&body)).await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.contains("error=\"insufficient_user_authentication\"") && challenge.contains("max_age=900"), "{challenge}");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "insufficient_user_authentication");
    assert_eq!(app.count("approvals").await, 0, "nothing written");

    // Deciding needs it too.
    let (status, asked) = ask(&app, "sergeant-1", &body).await;
    assert_eq!(status, 201);
    let old =
        app.issuer.mint_authenticated_at("inspector-2", &[Role::Supervisor], "met", now, 600, now - chrono::Duration::hours(2)).unwrap();
    let path = format!("/api/v1/approvals/{}/decision", id(&asked));
    let (status, problem) = app.post(&path, &old, &json!({"decision": "approve", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (401, Some("insufficient_user_authentication")));
    assert_eq!(app.count("order_status_changes").await, 0);
}

#[tokio::test]
async fn an_approved_erasure_removes_the_person_and_keeps_only_ids_in_the_audit_trail() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Erasable")).await;
    let registrant = id(&created).to_owned();
    let (_, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let body = json!({"action": "registrant.erasure", "target_id": registrant, "version": 1, "reason": "Conviction quashed"});
    let (status, problem) = app.post("/api/v1/approvals", &app.token(Role::Ppo, "met"), &body).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")), "a public protection officer cannot ask");
    let (status, asked) = ask(&app, "sergeant-1", &body).await;
    assert_eq!(status, 201, "{asked}");
    let blind_before = app.count("blind_indexes").await;
    let (status, approved) = decide(&app, "inspector-2", &asked, "approve").await;
    assert_eq!((status, approved["status"].as_str()), (200, Some("approved")), "{approved}");

    let (status, _) = app.get(&format!("/api/v1/registrants/{registrant}"), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 404, "the registrant is gone");
    assert_eq!(app.count("registrants").await, 1, "only the other registrant (with the order) remains");
    assert!(app.count("blind_indexes").await < blind_before, "its blind indexes went with it");
    let (status, _) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 200, "someone else's order is untouched");
    for table in ["registrant_names", "registrant_birth_dates", "registrant_addresses", "registrant_identifiers", "registrant_descriptors"]
    {
        let backend = app.db.get_database_backend();
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE registrant_id = '{registrant}'");
        let statement = match backend {
            sea_orm::DbBackend::Postgres => format!("SELECT COUNT(*) FROM {table} WHERE registrant_id = '{registrant}'::uuid"),
            _ => sql,
        };
        use sea_orm::ConnectionTrait;
        let row = app.db.query_one_raw(sea_orm::Statement::from_string(backend, statement)).await.unwrap().unwrap();
        assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 0, "{table}");
    }
    // The erasure itself is audited, with the approval, by the approver.
    let (status, problem) = decide(&app, "chief-3", &asked, "approve").await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_decided")));
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let erased = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Operation.eq("registrant.erase"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(erased.len(), 1);
    let entry = &erased[0];
    assert_eq!((entry.action.as_str(), entry.actor_subject.as_str()), ("erasure", "inspector-2"));
    assert!(entry.record_ids.contains(&registrant) && entry.record_ids.contains(id(&asked)), "names the record and the approval");
}

#[tokio::test]
async fn an_approval_of_a_record_changed_since_the_request_is_refused() {
    let app = TestApp::spawn().await;
    let (_, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let body = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged by the court"});
    let (_, asked) = ask(&app, "sergeant-1", &body).await;
    // Someone varies the order meanwhile: the second person must not approve what they never saw.
    let path = format!("/api/v1/orders/{}/variations", id(&order));
    let (status, _) = app.post(&path, &app.token(Role::Ppo, "met"), &crate::orders::variation(1)).await;
    assert_eq!(status, 201);
    let (status, problem) = decide(&app, "inspector-2", &asked, "approve").await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")), "{problem}");
    let (_, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Ppo, "met")).await;
    assert_eq!(seen["status"], "varied");
}

#[tokio::test]
async fn one_request_is_read_by_its_organisations_supervisors_and_names_its_registrant() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let body = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged by the court"});
    let (_, asked) = ask(&app, "sergeant-1", &body).await;
    let path = format!("/api/v1/approvals/{}", id(&asked));
    let (status, one) = app.get(&path, &supervisor(&app, "inspector-2")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!((one["reason"].as_str(), one["registrant_id"].as_str()), (Some("Discharged by the court"), Some(id(&registrant))));
    let (_, listed) = app.get("/api/v1/approvals", &supervisor(&app, "inspector-2")).await;
    assert_eq!(listed[0]["registrant_id"].as_str(), Some(id(&registrant)), "the list names it too");
    assert_eq!(app.get(&path, &app.token_for("other", Role::Supervisor, "gmp")).await.0, 404, "another force's request does not exist");
    assert_eq!(app.get(&path, &app.token(Role::Ppo, "met")).await.0, 403);
    assert_eq!(app.get(&format!("/api/v1/approvals/{}", uuid::Uuid::now_v7()), &supervisor(&app, "inspector-2")).await.0, 404);
    // Reading it is audited, naming the request and its order.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let read = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Operation.eq("approval.read"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(read.len(), 1);
    assert!(read[0].record_ids.contains(id(&asked)) && read[0].record_ids.contains(id(&order)));
}
