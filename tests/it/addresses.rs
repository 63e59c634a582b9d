//! Addresses are ended and corrected (issue 16 item 9). Ending the only home address means the
//! registrant has no home address from the next day, a change that DAA 2021 s.41 requires to be
//! notified: one duty, from the regime's data, with no made-up address. An address recorded
//! wrongly is corrected in place with a reason; a corrected date moves its change duty.

use chrono::{Days, NaiveDate};
use domain::calendar;
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, obligations, of_kind, registrant_with_order};
use crate::support::TestApp;

fn day(offset: i64) -> NaiveDate {
    let today = calendar::local_date(vigil::clock::now());
    if offset < 0 { today - Days::new(offset.unsigned_abs()) } else { today + Days::new(offset.unsigned_abs()) }
}

/// A DAPO made today: its regime (DAA 2021 s.41) requires changes of name, home address and
/// having no home address to be notified within 3 days.
fn dapo_today() -> Value {
    json!({"kind": "dapo", "court": "Sampleford Family Court", "case_reference": "SF/2026/0500", "made_on": day(0),
        "until_further_order": true,
        "conditions": [{"kind": "prohibition", "category": "no_contact", "text": "No contact with the protected person."}]})
}

fn words(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The change duty's occurrences as (why: the event and its day, status, reason).
fn changes(list: &Value) -> Vec<(String, String, String)> {
    let Some(duty) = of_kind(list, "change_notification").first().copied() else { return Vec::new() };
    let mut out: Vec<_> = duty["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&o["why"]["event"]), text(&o["status"]), text(&o["reason"]))
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn ending_the_only_home_address_is_a_no_home_address_change_to_notify() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, _) = registrant_with_order(&app, dapo_today()).await;
    let home = registrant["addresses"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/registrants/{}/addresses/{home}/end", id(&registrant));
    let (status, problem) = app.post(&path, &ppo, &json!({"valid_to": "2024-12-31"})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("valid_to")), "before it started: {problem}");
    assert!(changes(&obligations(&app, &registrant).await).is_empty(), "nothing is written");

    let (status, ended) = app.post(&path, &ppo, &json!({"valid_to": day(0)})).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["addresses"][0]["valid_to"], day(0).to_string());
    let list = obligations(&app, &registrant).await;
    let due = changes(&list);
    assert_eq!(due.len(), 1, "{list}");
    assert_eq!((due[0].0.clone(), due[0].1.as_str()), (format!("No home address from {}.", words(day(1))), "pending"));
    let (status, problem) = app.post(&path, &ppo, &json!({"valid_to": day(0)})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_ended")), "{problem}");

    // Refused for who may not write the record, and for an address that is not the registrant's.
    assert_eq!(app.post(&path, &app.token(Role::Probation, "probation-london"), &json!({"valid_to": day(0)})).await.0, 403);
    let stranger = format!("/api/v1/registrants/{}/addresses/{}/end", id(&registrant), uuid::Uuid::now_v7());
    assert_eq!(app.post(&stranger, &ppo, &json!({"valid_to": day(0)})).await.0, 404);
    let (_, audit) = app.get(&format!("/api/v1/audit/events?record_id={home}"), &app.token(Role::Auditor, "met")).await;
    let ends = audit["items"].as_array().unwrap().iter().filter(|e| e["operation"] == "registrant.address.end").count();
    assert_eq!(ends, 1, "{audit}");
}

#[tokio::test]
async fn a_corrected_address_moves_its_change_duty_and_keeps_the_reason() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, _) = registrant_with_order(&app, dapo_today()).await;
    let add = format!("/api/v1/registrants/{}/addresses", id(&registrant));
    let moved = json!({"kind": "home", "lines": ["2 Fiction Raod"], "postcode": "EX1 2AA", "valid_from": day(1)});
    let (status, added) = app.post(&add, &ppo, &moved).await;
    assert_eq!(status, 201, "{added}");
    let address = added["addresses"].as_array().unwrap().iter().find(|a| a["valid_from"] == day(1).to_string()).unwrap().clone();
    assert_eq!(changes(&obligations(&app, &registrant).await).len(), 1);

    let path = format!("/api/v1/registrants/{}/addresses/{}/correction", id(&registrant), id(&address));
    let fixed = json!({"lines": ["2 Fiction Road"], "postcode": "EX1 2AA", "valid_from": day(2), "reason": "Typed the street and the date wrongly."});
    let mut blank = fixed.clone();
    blank["reason"] = json!("  ");
    let (status, problem) = app.post(&path, &ppo, &blank).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("reason")), "{problem}");
    let (_, unchanged) = app.get(&format!("/api/v1/registrants/{}", id(&registrant)), &ppo).await;
    let kept = unchanged["addresses"].as_array().unwrap().iter().find(|a| a["id"] == address["id"]).unwrap().clone();
    assert_eq!((kept["lines"][0].as_str(), &kept["corrected"]), (Some("2 Fiction Raod"), &Value::Null), "nothing is written");
    let (status, corrected) = app.post(&path, &ppo, &fixed).await;
    assert_eq!(status, 200, "{corrected}");
    let view = corrected["addresses"].as_array().unwrap().iter().find(|a| a["id"] == address["id"]).unwrap();
    assert_eq!((view["lines"][0].as_str(), view["valid_from"].as_str()), (Some("2 Fiction Road"), Some(day(2).to_string().as_str())));
    assert_eq!(view["corrected"]["reason"], "Typed the street and the date wrongly.");

    let due = changes(&obligations(&app, &registrant).await);
    assert_eq!(due.len(), 2, "{due:?}");
    let old = due.iter().find(|d| d.0 == format!("A change of home address from {}.", words(day(1)))).unwrap();
    assert!(old.1 == "excused" && old.2.contains("corrected"), "{due:?}");
    let new = due.iter().find(|d| d.0 == format!("A change of home address from {}.", words(day(2)))).unwrap();
    assert_eq!(new.1, "pending", "{due:?}");

    // A correction of the wording alone moves nothing.
    let wording =
        json!({"lines": ["2 Fiction Road", "Flat 1"], "postcode": "EX1 2AA", "valid_from": day(2), "reason": "Flat number missing."});
    assert_eq!(app.post(&path, &ppo, &wording).await.0, 200);
    assert_eq!(changes(&obligations(&app, &registrant).await).len(), 2);
    assert_eq!(app.post(&path, &app.token(Role::Ppo, "gmp"), &wording).await.0, 403);
}
