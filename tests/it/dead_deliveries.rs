//! Dead deliveries are visible to operators and can be sent again: listed (ids, topic and the
//! last error, never a person), retried once with fresh attempts and audited; a delivery that is
//! not dead is a conflict, an unknown one 404.

use entities::outbox;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;
use vigil::auth::Role;

use crate::jobs::audit_count;
use crate::support::TestApp;

#[tokio::test]
async fn an_operator_sees_a_dead_delivery_and_sends_it_again_once() {
    let app = TestApp::spawn().await;
    let now = vigil::clock::now();
    let id = Uuid::now_v7();
    let row = outbox::ActiveModel {
        id: Set(id),
        topic: Set("alert.raised".into()),
        subject_id: Set(Uuid::now_v7()),
        recipient_org: Set("met".into()),
        payload: Set(json!({ "alert_id": Uuid::now_v7() }).to_string()),
        status: Set(domain::vocab::OutboxStatus::Dead),
        attempts: Set(8),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        last_error: Set(Some("HTTP 503 from the receiving system".into())),
        created_at: Set(now),
    };
    outbox::Entity::insert(row).exec_without_returning(&app.db).await.unwrap();
    let admin = app.token(Role::Admin, "met");

    let (status, dead) = app.get("/api/v1/outbox/dead", &admin).await;
    assert_eq!(status, 200, "{dead}");
    let listed = dead.as_array().unwrap().iter().find(|d| d["id"] == id.to_string()).expect("listed").clone();
    assert_eq!((listed["topic"].as_str(), listed["attempts"].as_i64()), (Some("alert.raised"), Some(8)));
    assert_eq!(listed["last_error"], "HTTP 503 from the receiving system");

    let path = format!("/api/v1/outbox/{id}/retry");
    let (status, retried) = app.post(&path, &admin, &json!({})).await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!((retried["status"].as_str(), retried["attempts"].as_i64()), (Some("pending"), Some(0)));
    assert_eq!(audit_count(&app, "outbox.retry", "success").await, 1);
    let (status, problem) = app.post(&path, &admin, &json!({})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("not_dead")), "{problem}");
    let (_, dead) = app.get("/api/v1/outbox/dead", &admin).await;
    assert!(dead.as_array().unwrap().is_empty(), "{dead}");
    let (status, _) = app.post(&format!("/api/v1/outbox/{}/retry", Uuid::now_v7()), &admin, &json!({})).await;
    assert_eq!(status, 404);
}
