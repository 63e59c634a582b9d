//! A register back-loaded from another system (issue 16 item 6): an order recorded long after it
//! was served has duties whose deadlines passed before Vigil knew of them. They are historical,
//! not breaches an hour later; the officer sees them and records the notifications that were
//! made (or excuses them). Duties Vigil watched from the start are still breached when missed.

use chrono::{Days, Duration, NaiveDate};
use domain::calendar;
use jobs::detect_missed;
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, obligations, of_kind, registrant_with_order, spo};
use crate::support::TestApp;

const GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

fn day(offset: i64) -> NaiveDate {
    let today = calendar::local_date(vigil::clock::now());
    if offset < 0 { today - Days::new(offset.unsigned_abs()) } else { today + Days::new(offset.unsigned_abs()) }
}

fn initial(list: &Value) -> Value {
    of_kind(list, "initial_notification")[0]["occurrences"][0].clone()
}

#[tokio::test]
async fn duties_already_past_when_an_order_is_recorded_are_historical_and_can_be_met_or_excused() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (old, _) = registrant_with_order(&app, spo(&day(-60).to_string(), Some(&day(-60).to_string()))).await;
    let (watched, _) = registrant_with_order(&app, spo(&day(0).to_string(), Some(&day(0).to_string()))).await;
    let occurrence = initial(&obligations(&app, &old).await);
    assert_eq!((occurrence["status"].as_str(), occurrence["overdue"].as_bool()), (Some("historical"), Some(false)), "{occurrence}");
    assert_eq!(initial(&obligations(&app, &watched).await)["status"], "pending", "recorded in time: watched");

    // The detector never breaches what Vigil did not watch; it still breaches what it did.
    detect_missed::run(&app.db, vigil::clock::now() + Duration::days(5), GRACE).await.unwrap();
    assert_eq!(initial(&obligations(&app, &old).await)["status"], "historical");
    assert_eq!(initial(&obligations(&app, &watched).await)["status"], "missed");
    assert_eq!(app.count("breaches").await, 1);

    // The officer records the notification that was made within the period: it meets the duty.
    let notified = calendar::start_of_day(day(-59)) + Duration::hours(10);
    let body = json!({"kind": "initial", "method": "in_person_at_station", "station": "Exampleton Police Station",
        "acknowledgement_given": true, "notified_at": notified});
    let (status, recorded) = app.post(&format!("/api/v1/registrants/{}/notifications", id(&old)), &ppo, &body).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["met_occurrences"], json!([occurrence["id"]]));
    assert_eq!(initial(&obligations(&app, &old).await)["status"], "met");
}

#[tokio::test]
async fn service_recorded_long_after_it_happened_starts_a_historical_duty_that_can_be_excused() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, order) = registrant_with_order(&app, spo(&day(-30).to_string(), None)).await;
    assert!(of_kind(&obligations(&app, &registrant).await, "initial_notification").is_empty(), "s.9 counts from service");
    let body = json!({"served_on": day(-29), "version": 1});
    let (status, served) = app.post(&format!("/api/v1/orders/{}/service", id(&order)), &ppo, &body).await;
    assert_eq!(status, 200, "{served}");
    let occurrence = initial(&obligations(&app, &registrant).await);
    assert_eq!(occurrence["status"], "historical", "{occurrence}");
    let path = format!("/api/v1/occurrences/{}/excusal", id(&occurrence));
    let (status, excused) =
        app.post(&path, &ppo, &json!({"reason": "Notified under the old system; record not migrated.", "version": 1})).await;
    assert_eq!(status, 200, "{excused}");
    assert_eq!((excused["status"].as_str(), excused["version"].as_i64()), (Some("excused"), Some(2)));
    detect_missed::run(&app.db, vigil::clock::now() + Duration::days(5), GRACE).await.unwrap();
    assert_eq!(app.count("breaches").await, 0);
}

#[tokio::test]
async fn recording_service_late_leaves_the_duties_vigil_was_already_watching_alone() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, order) = registrant_with_order(&app, spo(&day(-10).to_string(), None)).await;
    // A move five days ago, recorded now: its notification was due two days ago and is owed.
    let address = json!({"kind": "home", "lines": ["3 Watched Road"], "postcode": "EX3 3AA", "valid_from": day(-5)});
    assert_eq!(app.post(&format!("/api/v1/registrants/{}/addresses", id(&registrant)), &ppo, &address).await.0, 201);
    let change = || async { of_kind(&obligations(&app, &registrant).await, "change_notification")[0]["occurrences"][0].clone() };
    assert_eq!(change().await["status"], "pending");
    let body = json!({"served_on": day(-9), "version": 1});
    assert_eq!(app.post(&format!("/api/v1/orders/{}/service", id(&order)), &ppo, &body).await.0, 200);
    assert_eq!(initial(&obligations(&app, &registrant).await)["status"], "historical", "the new duty, already past");
    assert_eq!(change().await["status"], "pending", "the duty already watched is not hidden");
    detect_missed::run(&app.db, vigil::clock::now() + Duration::hours(2), GRACE).await.unwrap();
    assert_eq!(change().await["status"], "missed");
}
