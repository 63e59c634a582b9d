//! Failure behaviour: an operation that cannot be audited does not happen, and internal errors
//! answer with a generic problem and a correlation id, never the cause.

use sea_orm::{ConnectionTrait, DbBackend};
use vigil::auth::Role;

use crate::support::{TestApp, registrant_body};

/// Makes every audit insert fail, as a full disk or a revoked grant would.
async fn break_audit(app: &TestApp) {
    match app.db.get_database_backend() {
        DbBackend::Postgres => {
            app.db
                .execute_unprepared("CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$ LANGUAGE plpgsql")
                .await
                .unwrap();
            app.db
                .execute_unprepared(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
                )
                .await
                .unwrap();
        }
        _ => {
            app.db
                .execute_unprepared(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END",
                )
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn when_the_audit_cannot_be_written_nothing_is_read_or_written() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("FailClosed")).await;
    break_audit(&app).await;
    let token = app.token(Role::Ppo, "met");

    let (status, problem) = app.get(&format!("/api/v1/registrants/{}", created["id"].as_str().unwrap()), &token).await;
    assert_eq!(status, 500);
    assert!(!problem.to_string().contains("FailClosed"), "no data returned");
    assert!(!problem.to_string().contains("audit store"), "no internal cause returned");
    assert_eq!(problem["code"], "internal");
    assert!(problem["correlation_id"].as_str().is_some_and(|c| !c.is_empty()));

    let before = app.count("registrants").await;
    let (status, _) = app.post("/api/v1/registrants", &token, &registrant_body("NotAudited")).await;
    assert_eq!(status, 500);
    assert_eq!(app.count("registrants").await, before, "the create rolled back with its audit entry");
    assert_eq!(app.count("registrant_names").await, 2, "only the first registrant's two names");
}

/// Found by Schemathesis: the largest version number once overflowed `version + 1` and the
/// panic dropped the connection. Every versioned change now answers 409 for it.
#[tokio::test]
async fn the_largest_version_number_is_a_stale_version_not_a_crash() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Overflow")).await;
    let token = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/registrants/{}", created["id"].as_str().unwrap());
    let (status, problem) = app.patch(&path, &token, &serde_json::json!({"version": i32::MAX, "notes": "x"})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")), "{problem}");
    let (status, problem) = app
        .post(
            "/api/v1/links/00000000-0000-7000-8000-000000000000/decision",
            &token,
            &serde_json::json!({"decision": "reject", "reason": "x", "version": i32::MAX}),
        )
        .await;
    assert!(status == 404 || status == 409, "{status} {problem}");
}

#[tokio::test]
async fn a_stored_value_outside_its_vocabulary_is_corrupt_data_never_a_default() {
    let app = TestApp::spawn().await;
    let created = app.registrant("met", registrant_body("Corrupt")).await;
    let id = created["id"].as_str().unwrap();
    // As a bad manual fix or a half-applied migration would leave it.
    app.db.execute_unprepared("UPDATE registrants SET status = 'zombie'").await.unwrap();

    let (status, problem) = app.get(&format!("/api/v1/registrants/{id}"), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 500, "{problem}");
    assert_eq!(problem["code"], "corrupt_data");
    assert!(problem["correlation_id"].as_str().is_some_and(|c| !c.is_empty()), "{problem}");
    // The problem says nothing about what was stored or where.
    let text = problem.to_string();
    assert!(!text.contains("zombie") && !text.contains("RegistrantStatus") && !text.contains("registrants"), "{text}");
}
