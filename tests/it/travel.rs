//! Foreign travel (issue 16 item 8, SOA 2003 s.86): from the regime's `travel_notice_days`, a
//! trip is notified 7 days before departure, or 12 hours before where its details were not known
//! by then; a notification of kind `travel` meets it and no other kind does. Regimes without a
//! travel rule (SPA 2019 s.9) create no duty and say so.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::calendar;
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, obligations, of_kind, registrant_with_order, spo};
use crate::support::TestApp;

fn today() -> NaiveDate {
    calendar::local_date(vigil::clock::now())
}

fn register() -> Value {
    json!({"kind": "register_notification", "court": "Exampleton Crown Court", "case_reference": "EX/2026/0800",
        "made_on": today(), "until_further_order": true})
}

fn departure(days: i64) -> DateTime<Utc> {
    calendar::local_instant(today() + Duration::days(days), NaiveTime::from_hms_opt(6, 30, 0).unwrap())
}

fn travel_occurrences(list: &Value) -> Vec<Value> {
    of_kind(list, "change_notification")
        .iter()
        .flat_map(|d| d["occurrences"].as_array().unwrap().clone())
        .filter(|o| o["why"]["event"].as_str().is_some_and(|e| e.starts_with("Travel abroad")))
        .collect()
}

#[tokio::test]
async fn travel_is_due_a_week_ahead_or_twelve_hours_ahead_and_only_a_travel_notification_meets_it() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, _) = registrant_with_order(&app, register()).await;
    let path = format!("/api/v1/registrants/{}/travel", id(&registrant));

    let before = app.count("registrant_trips").await;
    let (status, problem) = app.post(&path, &ppo, &json!({"departs_at": departure(20), "destination": " "})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("destination")), "{problem}");
    let future = json!({"departs_at": departure(20), "destination": "Exampleland", "known_on": today() + Duration::days(1)});
    let (status, problem) = app.post(&path, &ppo, &future).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("known_on")), "{problem}");
    assert_eq!(app.count("registrant_trips").await, before, "nothing is written");
    assert_eq!(app.post(&path, &app.token(Role::Probation, "probation-london"), &future).await.0, 403);

    let (status, trip) = app.post(&path, &ppo, &json!({"departs_at": departure(20), "destination": "Exampleland"})).await;
    assert_eq!(status, 201, "{trip}");
    let due: DateTime<Utc> = trip["due"][0]["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, departure(20) - Duration::days(7));
    let (_, late) = app.post(&path, &ppo, &json!({"departs_at": departure(3), "destination": "Sampleland"})).await;
    let due: DateTime<Utc> = late["due"][0]["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, departure(3) - Duration::hours(12), "not known a week ahead: 12 hours");
    let occurrences = travel_occurrences(&obligations(&app, &registrant).await);
    assert_eq!(occurrences.len(), 2);
    assert!(occurrences[0]["why"]["rule"].as_str().unwrap().contains("at least 7 days before departure"), "{}", occurrences[0]);

    // Today, after the trip became known (its window opens at the start of today): five minutes
    // ago, or midnight if that was yesterday.
    let notified_at = (vigil::clock::now() - Duration::minutes(5)).max(calendar::start_of_day(today()));
    let notify = |kind: &str| {
        json!({"kind": kind, "method": "in_person_at_station", "station": "Exampleton Police Station",
            "acknowledgement_given": true, "notified_at": notified_at})
    };
    let url = format!("/api/v1/registrants/{}/notifications", id(&registrant));
    let (status, other) = app.post(&url, &ppo, &notify("change_of_address")).await;
    assert_eq!(status, 201, "{other}");
    assert!(
        travel_occurrences(&obligations(&app, &registrant).await).iter().all(|o| o["status"] == "pending"),
        "a change of address is not travel"
    );
    let (status, recorded) = app.post(&url, &ppo, &notify("travel")).await;
    assert_eq!(status, 201, "{recorded}");
    assert!(travel_occurrences(&obligations(&app, &registrant).await).iter().all(|o| o["status"] == "met"));
}

#[tokio::test]
async fn a_regime_without_a_travel_rule_creates_no_duty_and_says_so() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo(&today().to_string(), Some(&today().to_string()))).await;
    let path = format!("/api/v1/registrants/{}/travel", id(&registrant));
    let (status, trip) =
        app.post(&path, &app.token(Role::Ppo, "met"), &json!({"departs_at": departure(20), "destination": "Exampleland"})).await;
    assert_eq!(status, 201, "{trip}");
    assert_eq!((trip["due"].as_array().map(Vec::len), trip["warnings"][0]["code"].as_str()), (Some(0), Some("no_travel_duty")));
    assert!(travel_occurrences(&obligations(&app, &registrant).await).is_empty());
}

#[tokio::test]
async fn an_officer_records_travel_from_the_obligations_tab() {
    use crate::support::pages::{Browser, account};
    use reqwest::StatusCode;
    let app = TestApp::spawn_demo().await;
    let (registrant, _) = registrant_with_order(&app, register()).await;
    let rid = id(&registrant).to_owned();
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "met")).await;
    let why = format!("/registrants/{rid}/why");
    let csrf = browser.csrf(&why).await;
    assert_eq!(browser.post(&why, &[("csrf", &csrf), ("reason", "OFFENDER_MANAGEMENT")]).await.0, StatusCode::SEE_OTHER);
    let (_, html, _) = browser.get(&format!("/registrants/{rid}/obligations")).await;
    assert!(html.contains(&format!("href=\"/registrants/{rid}/travel/new\"")), "{html}");
    let page = format!("/registrants/{rid}/travel/new");
    let csrf = browser.csrf(&page).await;
    let (status, html, _) = browser.post(&page, &[("csrf", csrf.as_str()), ("destination", "Exampleland")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#departs-day\""), "{html}");
    assert_eq!(app.count("registrant_trips").await, 0);
    let leaves = today() + Duration::days(30);
    let (day, month, year) = (leaves.format("%-d").to_string(), leaves.format("%-m").to_string(), leaves.format("%Y").to_string());
    let form = [
        ("csrf", csrf.as_str()),
        ("departs-day", day.as_str()),
        ("departs-month", month.as_str()),
        ("departs-year", year.as_str()),
        ("departs-time", "6:30am"),
        ("destination", "Exampleland"),
    ];
    let (status, _, location) = browser.post(&page, &form).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/registrants/{rid}/obligations?done=travel"))));
    let (_, html, _) = browser.get(&format!("/registrants/{rid}/obligations?done=travel")).await;
    assert!(html.contains("Travel recorded") && html.contains("Travel abroad departing on"), "{html}");

    let probation = Browser::new(&app);
    probation.sign_in(account(Role::Probation, "probation-london")).await;
    assert_eq!(probation.get(&page).await.0, StatusCode::FORBIDDEN);
}
