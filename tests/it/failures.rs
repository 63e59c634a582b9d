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
