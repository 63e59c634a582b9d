//! "Why is this due?" and what a breach is about, through the API: every occurrence names its
//! regime, its rule and the event that started its clock; a breach names its order, the exact
//! condition and what was missed and when.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, of_kind, registrant_with_order, spo};
use crate::support::TestApp;

/// "1 December 2026" for an instant in the JSON (sessions are materialised from today on).
fn day_of(instant: &Value) -> String {
    let at: chrono::DateTime<chrono::Utc> = instant.as_str().unwrap().parse().unwrap();
    at.with_timezone(&chrono_tz::Europe::London).format("%-d %B %Y").to_string()
}

#[tokio::test]
async fn each_occurrence_says_which_regime_rule_and_event_make_it_due() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-05", Some("2026-01-12"))).await;
    let address = json!({"kind": "home", "lines": ["9 Fiction Road"], "postcode": "EX1 9ZZ", "valid_from": "2026-11-02"});
    let (status, _) = app.post(&format!("/api/v1/registrants/{}/addresses", id(&registrant)), &app.token(Role::Ppo, "met"), &address).await;
    assert_eq!(status, 201);
    let list = obligations(&app, &registrant).await;
    let initial = &of_kind(&list, "initial_notification")[0]["occurrences"][0]["why"];
    assert_eq!(initial["regime"], "Stalking Protection Act 2019 s.9");
    assert_eq!(initial["rule"], "Notify the police in person within 3 days beginning with the day the order was served.");
    assert_eq!(initial["event"], "The order was served on 12 January 2026.", "served, not made: {initial}");
    let change = &of_kind(&list, "change_notification")[0]["occurrences"][0]["why"];
    assert_eq!(change["rule"], "Notify each change within 3 days beginning with the day of the change.");
    assert_eq!(change["event"], "A change of home address from 2 November 2026.");

    let (other, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let list = obligations(&app, &other).await;
    let session = &of_kind(&list, "attend_programme")[0]["occurrences"][0];
    let expected = format!("A session scheduled for {}.", day_of(&session["due_at"]));
    assert_eq!((session["why"]["regime"].clone(), session["why"]["event"].as_str()), (Value::Null, Some(expected.as_str())));
}

#[tokio::test]
async fn a_breach_names_its_order_condition_and_the_duty_missed() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let probation = app.token_for("po-1", Role::Probation, "probation-london");
    app.sessions_held().await;
    let list = obligations(&app, &registrant).await;
    let first = &of_kind(&list, "attend_programme")[0]["occurrences"][0];
    let (status, _) = app
        .post(&format!("/api/v1/occurrences/{}/compliance", id(first)), &probation, &json!({"outcome": "failed_to_attend", "version": 1}))
        .await;
    assert_eq!(status, 201);
    let ppo = app.token(Role::Ppo, "met");
    let (_, page) = app.get(&format!("/api/v1/breaches?registrant_id={}", id(&registrant)), &ppo).await;
    let (status, breach) = app.get(&format!("/api/v1/breaches/{}", id(&page["items"][0])), &ppo).await;
    assert_eq!(status, 200, "{breach}");
    let context = &breach["context"];
    assert_eq!(context["order"]["kind"], "dapo");
    assert_eq!(context["condition"]["text"], "Attend the behaviour change programme weekly.");
    assert_eq!(context["missed"]["duty"], "attend_programme");
    assert_eq!(context["missed"]["due_at"], first["due_at"]);
    assert_eq!(context["missed"]["why"]["event"], format!("A session scheduled for {}.", day_of(&first["due_at"])));
    assert_eq!(context["report"], Value::Null);
}
