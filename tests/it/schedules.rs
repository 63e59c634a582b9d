//! Schedules know the calendar (issue 16 item 11): a requirement's sessions, expanded by an
//! RFC 5545 rule, skip bank holidays in England and Wales and the days the schedule lists as
//! exceptions, unless it says sessions are held on bank holidays; so the detector never breaches
//! anyone for not attending on 25 December.

use chrono::{Datelike, Duration, NaiveDate};
use domain::calendar;
use jobs::detect_missed;
use serde_json::{Value, json};

use crate::orders::{obligations, of_kind, registrant_with_order};
use crate::support::TestApp;

/// The next 20 December on or after today: its window of sessions reaches past New Year.
fn next_advent() -> NaiveDate {
    let today = calendar::local_date(vigil::clock::now());
    let this_year = NaiveDate::from_ymd_opt(today.year(), 12, 20).unwrap();
    if this_year >= today { this_year } else { NaiveDate::from_ymd_opt(today.year() + 1, 12, 20).unwrap() }
}

fn dapo(schedule: Value) -> Value {
    json!({"kind": "dapo", "court": "Sampleford Family Court", "case_reference": "SF/2026/0700",
        "made_on": calendar::local_date(vigil::clock::now()), "until_further_order": true,
        "conditions": [{"kind": "requirement", "category": "attend_appointments", "text": "Report to the police station daily.",
            "responsible_person": "PC Example", "schedule": schedule}]})
}

fn session_days(list: &Value) -> Vec<NaiveDate> {
    let duty = of_kind(list, "attend_appointment")[0];
    let mut days: Vec<NaiveDate> = duty["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| calendar::local_date(o["due_at"].as_str().unwrap().parse().unwrap()))
        .collect();
    days.sort();
    days
}

#[tokio::test]
async fn no_session_falls_on_christmas_a_bank_holiday_or_an_exception_day() {
    let app = TestApp::spawn().await;
    let start = next_advent();
    let christmas = start + Duration::days(5);
    let boxing_day = start + Duration::days(6);
    let new_year = NaiveDate::from_ymd_opt(start.year() + 1, 1, 1).unwrap();
    let excepted = start + Duration::days(2);
    let schedule = json!({"frequency": {"every": "day"}, "time": "18:00:00", "starts_on": start, "except": [excepted]});
    let (registrant, order) = registrant_with_order(&app, dapo(schedule)).await;
    assert_eq!(order["conditions"][0]["schedule"]["except"], json!([excepted]), "the exceptions are kept with the terms");
    let days = session_days(&obligations(&app, &registrant).await);
    assert!(days.contains(&start) && days.contains(&(start + Duration::days(1))), "{days:?}");
    for skipped in [christmas, boxing_day, new_year, excepted] {
        assert!(!days.contains(&skipped), "no session on {skipped}: {days:?}");
    }
    for day in &days {
        assert!(!domain::holidays::is_bank_holiday(*day), "{day}");
    }

    // Long after, only the sessions that exist can be missed: none for the holidays.
    detect_missed::run(&app.db, calendar::start_of_day(new_year + Duration::days(2)), std::time::Duration::from_secs(3600)).await.unwrap();
    let list = obligations(&app, &registrant).await;
    let missed =
        of_kind(&list, "attend_appointment")[0]["occurrences"].as_array().unwrap().iter().filter(|o| o["status"] == "missed").count();
    assert_eq!(missed, days.iter().filter(|d| **d <= new_year + Duration::days(1)).count());

    // A requirement the court says is held on bank holidays keeps them.
    let held = json!({"frequency": {"every": "day"}, "time": "18:00:00", "starts_on": start, "held_on_bank_holidays": true});
    let (registrant, _) = registrant_with_order(&app, dapo(held)).await;
    let days = session_days(&obligations(&app, &registrant).await);
    assert!(days.contains(&christmas) && days.contains(&new_year), "{days:?}");
}

#[tokio::test]
async fn too_many_exception_days_are_refused_by_name() {
    let app = TestApp::spawn().await;
    let start = next_advent();
    let many: Vec<NaiveDate> = (0..400).map(|i| start + Duration::days(i)).collect();
    let schedule = json!({"frequency": {"every": "day"}, "time": "18:00:00", "starts_on": start, "except": many});
    let registrant = app.registrant("met", crate::support::registrant_body("Excepted")).await;
    let token = app.token(vigil::auth::Role::Ppo, "met");
    let (status, problem) =
        app.post(&format!("/api/v1/registrants/{}/orders", crate::orders::id(&registrant)), &token, &dapo(schedule)).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("conditions[0].schedule.except")), "{problem}");
    assert_eq!(app.count("orders").await, 0);
}
