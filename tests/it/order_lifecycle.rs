//! How orders end: a full SPO replacing the interim one (SPA 2019 s.5(6)) supersedes it from its
//! effective day without restarting the s.9(1) notification, and the interim order's duties end
//! excused, never breached.

use chrono::{Days, NaiveDate};
use jobs::detect_missed;
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, obligations, of_kind, registrant_with_order, spo};
use crate::support::TestApp;

const GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

fn today() -> NaiveDate {
    domain::calendar::local_date(vigil::clock::now())
}

fn day(offset: i64) -> String {
    let d = if offset < 0 { today() - Days::new(offset.unsigned_abs()) } else { today() + Days::new(offset.unsigned_abs()) };
    d.to_string()
}

/// An interim SPO made and served `days_ago` days ago, lasting a month more, with a weekly
/// appointment from the day it was made.
fn interim(days_ago: i64) -> Value {
    json!({
        "kind": "interim_spo",
        "court": "Exampleton Magistrates' Court",
        "case_reference": "EX/2026/0101",
        "made_on": day(-days_ago),
        "served_on": day(-days_ago),
        "expires_on": day(30),
        "conditions": [{
            "kind": "requirement",
            "category": "attend_appointments",
            "text": "Attend appointments with the police weekly.",
            "schedule": { "frequency": { "every": "week", "weekday": "Mon" }, "time": "10:00:00", "starts_on": day(-days_ago) }
        }]
    })
}

fn full_replacing(interim: &Value) -> Value {
    let mut body = spo(&day(0), Some(&day(0)));
    body["replaces_order_id"] = interim["id"].clone();
    body
}

fn for_order<'a>(list: &'a Value, kind: &str, order: &Value) -> Vec<&'a Value> {
    of_kind(list, kind).into_iter().filter(|o| o["order_id"] == order["id"]).collect()
}

#[tokio::test]
async fn a_full_spo_replacing_the_interim_one_supersedes_it_without_a_new_initial_notification() {
    let app = TestApp::spawn().await;
    let (registrant, interim) = registrant_with_order(&app, interim(20)).await;
    let ppo = app.token(Role::Ppo, "met");
    let notified = json!({"kind": "initial", "method": "in_person_elsewhere", "acknowledgement_given": true,
        "notified_at": format!("{}T10:00:00Z", day(-19))});
    let (status, body) = app.post(&format!("/api/v1/registrants/{}/notifications", id(&registrant)), &ppo, &notified).await;
    assert_eq!(status, 201, "{body}");

    let (status, full) = app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &ppo, &full_replacing(&interim)).await;
    assert_eq!(status, 201, "{full}");
    assert_eq!(full["replaces_order_id"], interim["id"]);

    let (_, ended) = app.get(&format!("/api/v1/orders/{}", id(&interim)), &ppo).await;
    assert_eq!((ended["status"].as_str(), ended["version"].as_i64()), (Some("superseded"), Some(2)), "{ended}");
    let change = &ended["status_history"][0];
    assert_eq!((change["from"].as_str(), change["to"].as_str()), (Some("interim"), Some("superseded")));
    let from: chrono::DateTime<chrono::Utc> = change["effective_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(from, domain::calendar::start_of_day(today()), "superseded from the full order's effective day");
    assert!(change["reason"].as_str().unwrap().contains(id(&full)), "{change}");

    let list = obligations(&app, &registrant).await;
    assert!(for_order(&list, "initial_notification", &full).is_empty(), "s.9(1) is not restarted: {list}");
    assert_eq!(of_kind(&list, "initial_notification").len(), 1, "the interim's, met");
    let appointments = for_order(&list, "attend_appointment", &interim);
    assert_eq!(appointments[0]["status"], "closed");
    let future: Vec<&Value> = appointments[0]["occurrences"].as_array().unwrap().iter().filter(|o| o["overdue"] == false).collect();
    assert!(!future.is_empty(), "{list}");
    for occurrence in future {
        assert_eq!(occurrence["status"], "excused", "{occurrence}");
        assert!(occurrence["reason"].as_str().unwrap().contains(id(&full)), "{occurrence}");
    }

    // Long after every deadline the detector finds nothing owed: no breach from the replacement.
    let later = vigil::clock::now() + chrono::Duration::days(60);
    detect_missed::run(&app.db, later, GRACE).await.unwrap();
    assert_eq!(app.count("breaches").await, 0);
    let (_, orders) = app.get(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &ppo).await;
    let statuses: Vec<&str> = orders["items"].as_array().unwrap().iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["superseded", "active"]);
}

#[tokio::test]
async fn an_initial_notification_still_running_continues_under_the_full_order_with_its_clock() {
    let app = TestApp::spawn().await;
    let (registrant, interim) = registrant_with_order(&app, interim(0)).await;
    let before = obligations(&app, &registrant).await;
    let owed = for_order(&before, "initial_notification", &interim)[0]["occurrences"][0].clone();
    let (status, full) =
        app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &app.token(Role::Ppo, "met"), &full_replacing(&interim)).await;
    assert_eq!(status, 201, "{full}");
    let list = obligations(&app, &registrant).await;
    let was = &for_order(&list, "initial_notification", &interim)[0]["occurrences"][0];
    assert_eq!(was["status"], "excused");
    let now = &for_order(&list, "initial_notification", &full)[0]["occurrences"].as_array().unwrap().clone();
    assert_eq!(now.len(), 1, "{list}");
    assert_eq!(
        (&now[0]["due_at"], &now[0]["status"]),
        (&owed["due_at"], &json!("pending")),
        "the same deadline, from the interim's service"
    );
}

#[tokio::test]
async fn a_replacement_that_does_not_fit_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (registrant, interim) = registrant_with_order(&app, interim(20)).await;
    let (other, other_interim) = registrant_with_order(&app, self::interim(10)).await;
    let ppo = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/registrants/{}/orders", id(&registrant));
    let (status, full_spo) = app.post(&path, &ppo, &spo(&day(-5), Some(&day(-5)))).await;
    assert_eq!(status, 201, "{full_spo}");
    let with = |mut body: Value, key: &str, value: Value| {
        body[key] = value;
        body
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(full_replacing(&interim), "replaces_order_id", json!(uuid::Uuid::now_v7())), "replaces_order_id", "not_found"),
        (with(full_replacing(&interim), "replaces_order_id", json!("not-an-id")), "replaces_order_id", "invalid"),
        (full_replacing(&other_interim), "replaces_order_id", "other_registrant"),
        (with(full_replacing(&interim), "replaces_order_id", full_spo["id"].clone()), "replaces_order_id", "not_replaceable"),
        (with(crate::orders::dapo(&day(0), &day(1)), "replaces_order_id", interim["id"].clone()), "replaces_order_id", "not_replaceable"),
        (with(full_replacing(&interim), "effective_on", json!(day(3))), "effective_on", "in_future"),
    ];
    let (orders, audit) = (app.count("orders").await, app.count("audit_events").await);
    for (body, field, code) in cases {
        let (status, problem) = app.post(&path, &ppo, &body).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"].as_str(), Some(field), "{problem}");
        if code != "invalid" {
            assert_eq!(problem["errors"][0]["code"].as_str().or(problem["code"].as_str()), Some(code), "{problem}");
        }
    }
    assert_eq!((app.count("orders").await, app.count("audit_events").await), (orders, audit));
    assert_eq!(app.count("order_status_changes").await, 0);
    let (_, still) = app.get(&format!("/api/v1/orders/{}", id(&interim)), &ppo).await;
    assert_eq!(still["status"], "interim");
    assert!(of_kind(&obligations(&app, &other).await, "initial_notification").len() == 1);

    // A replaced interim order cannot be replaced again.
    assert_eq!(app.post(&path, &ppo, &full_replacing(&interim)).await.0, 201);
    let (status, problem) = app.post(&path, &ppo, &full_replacing(&interim)).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("replaces_order_id")), "{problem}");
}
