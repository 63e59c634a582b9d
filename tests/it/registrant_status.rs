//! A registrant's status has effect: custody, hospital and abroad pause the clocks as a
//! suspension does, leaving them resumes the clocks, and death or the end of registration stops
//! every duty, excused with the reason, never breached.

use chrono::Duration;
use entities::suspension;
use jobs::detect_missed;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, registrant_with_order};
use crate::support::TestApp;

#[tokio::test]
async fn custody_pauses_the_clocks_release_resumes_them_and_death_ends_every_duty() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let ppo = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/registrants/{}", id(&registrant));

    let (status, body) = app.patch(&path, &ppo, &json!({"status": "in_custody", "version": 1})).await;
    assert_eq!(status, 200, "{body}");
    let open = suspension::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].kind.as_str(), open[0].ends_at), ("custody", None));
    // Saying so again opens nothing more.
    let (status, _) = app.patch(&path, &ppo, &json!({"status": "in_custody", "version": 2})).await;
    assert_eq!(status, 200);
    assert_eq!(app.count("suspensions").await, 1);

    let (status, _) = app.patch(&path, &ppo, &json!({"status": "active", "version": 3})).await;
    assert_eq!(status, 200);
    let ended = suspension::Entity::find().order_by_asc(suspension::Column::Id).all(&app.db).await.unwrap();
    assert!(ended[0].ends_at.is_some(), "release ends the pause");

    let (status, _) = app.patch(&path, &ppo, &json!({"status": "in_hospital", "version": 4})).await;
    assert_eq!(status, 200);
    let (status, _) = app.patch(&path, &ppo, &json!({"status": "deceased", "version": 5})).await;
    assert_eq!(status, 200);
    let all = suspension::Entity::find().order_by_asc(suspension::Column::Id).all(&app.db).await.unwrap();
    assert_eq!((all.len(), all[1].kind.as_str()), (2, "hospital"));
    assert!(all.iter().all(|s| s.ends_at.is_some()), "no pause is left open");

    let list = obligations(&app, &registrant).await;
    for obligation in list["items"].as_array().unwrap() {
        assert_eq!(obligation["status"], "closed", "{obligation}");
        for o in obligation["occurrences"].as_array().unwrap().iter().filter(|o| o["status"] != "met") {
            assert_eq!((o["status"].as_str(), o["reason"].as_str()), (Some("excused"), Some("The registrant died.")), "{o}");
        }
    }
    detect_missed::run(&app.db, vigil::clock::now() + Duration::days(90), std::time::Duration::from_secs(3600)).await.unwrap();
    assert_eq!(app.count("breaches").await, 0);
}
