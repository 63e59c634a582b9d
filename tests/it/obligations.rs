//! Obligations through the API: notifications meet the duties they were on time for, changes of
//! name or address start change duties, periodic duties restart, compliance outcomes set
//! occurrence statuses, and stale or invalid writes change nothing.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, of_kind, registrant_with_order, spo};
use crate::support::{TestApp, registrant_body};

fn notification(kind: &str, notified_at: &str, acknowledged: bool) -> Value {
    json!({
        "kind": kind,
        "method": "in_person_at_station",
        "station": "Exampleton Police Station",
        "acknowledgement_given": acknowledged,
        "notified_at": notified_at,
        "details": "Notified name and home address."
    })
}

async fn notify(app: &TestApp, registrant: &Value, body: &Value) -> (u16, Value) {
    app.post(&format!("/api/v1/registrants/{}/notifications", id(registrant)), &app.token(Role::Ppo, "met"), body).await
}

/// The programme sessions of a DAPO registrant, in due order.
async fn sessions(app: &TestApp, registrant: &Value) -> Vec<Value> {
    let list = obligations(app, registrant).await;
    of_kind(&list, "attend_programme")[0]["occurrences"].as_array().unwrap().clone()
}

async fn comply(app: &TestApp, token: &str, occurrence: &Value, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/occurrences/{}/compliance", id(occurrence)), token, &body).await
}

#[tokio::test]
async fn a_notification_in_time_meets_the_initial_duty() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let (status, recorded) = notify(&app, &registrant, &notification("initial", "2026-01-14T16:30:00Z", true)).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["warnings"].as_array().unwrap().len(), 0, "{recorded}");
    assert_eq!(recorded["details"], "Notified name and home address.");
    let list = obligations(&app, &registrant).await;
    let occurrence = &of_kind(&list, "initial_notification")[0]["occurrences"][0];
    assert_eq!((occurrence["status"].as_str(), occurrence["overdue"].as_bool()), (Some("met"), Some(false)));
    assert_eq!(recorded["met_occurrences"], json!([occurrence["id"]]));
    assert_eq!(app.count("notification_events").await, 1);
}

#[tokio::test]
async fn a_late_notification_leaves_the_duty_pending_and_says_so() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let (status, recorded) = notify(&app, &registrant, &notification("initial", "2026-01-15T09:00:00Z", false)).await;
    assert_eq!(status, 201, "{recorded}");
    let codes: Vec<&str> = recorded["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["late", "acknowledgement_missing"]);
    assert_eq!(recorded["met_occurrences"], json!([]));
    let list = obligations(&app, &registrant).await;
    // The order was recorded after its deadline, so the duty is historical and stays so for review.
    assert_eq!(of_kind(&list, "initial_notification")[0]["occurrences"][0]["status"], "historical");
}

#[tokio::test]
async fn a_change_of_home_address_starts_a_change_duty_that_a_change_notification_meets() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let token = app.token(Role::Ppo, "met");
    let address = json!({"kind": "home", "lines": ["9 Fiction Road"], "postcode": "EX1 9ZZ", "valid_from": "2026-11-02"});
    let (status, _) = app.post(&format!("/api/v1/registrants/{}/addresses", id(&registrant)), &token, &address).await;
    assert_eq!(status, 201);
    let list = obligations(&app, &registrant).await;
    let change = of_kind(&list, "change_notification");
    assert_eq!(change.len(), 1, "{list}");
    assert_eq!(change[0]["occurrences"][0]["due_at"], "2026-11-05T00:00:00Z");
    assert_eq!(change[0]["occurrences"][0]["window_opens_at"], "2026-11-02T00:00:00Z");
    // A new alias on a day in British Summer Time: due at local midnight, 23:00 UTC.
    let name = json!({"kind": "alias", "given": "Terry", "family": "Ordered", "valid_from": "2026-07-06"});
    app.post(&format!("/api/v1/registrants/{}/names", id(&registrant)), &token, &name).await;
    let list = obligations(&app, &registrant).await;
    let dues: Vec<&str> =
        of_kind(&list, "change_notification")[0]["occurrences"].as_array().unwrap().iter().map(|o| o["due_at"].as_str().unwrap()).collect();
    assert_eq!(dues, ["2026-07-08T23:00:00Z", "2026-11-05T00:00:00Z"]);

    let (status, recorded) = notify(&app, &registrant, &notification("change_of_address", "2026-11-03T11:00:00Z", true)).await;
    assert_eq!(status, 201, "{recorded}");
    let list = obligations(&app, &registrant).await;
    let statuses: Vec<&str> =
        of_kind(&list, "change_notification")[0]["occurrences"].as_array().unwrap().iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "met"], "the alias was notified late, the address in time");
}

#[tokio::test]
async fn a_new_name_and_a_new_address_on_the_same_day_are_two_duties_each_met_only_by_its_own_notification() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let token = app.token(Role::Ppo, "met");
    let address = json!({"kind": "home", "lines": ["9 Fiction Road"], "postcode": "EX1 9ZZ", "valid_from": "2026-11-02"});
    let (status, _) = app.post(&format!("/api/v1/registrants/{}/addresses", id(&registrant)), &token, &address).await;
    assert_eq!(status, 201);
    let name = json!({"kind": "alias", "given": "Terry", "family": "Ordered", "valid_from": "2026-11-02"});
    let (status, _) = app.post(&format!("/api/v1/registrants/{}/names", id(&registrant)), &token, &name).await;
    assert_eq!(status, 201);
    let events = |list: &Value| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = of_kind(list, "change_notification")[0]["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["why"]["event"].as_str().unwrap().to_owned(), o["status"].as_str().unwrap().to_owned()))
            .collect();
        out.sort();
        out
    };
    let list = obligations(&app, &registrant).await;
    let both = of_kind(&list, "change_notification")[0]["occurrences"].as_array().unwrap().clone();
    assert_eq!(both.len(), 2, "two things to notify: {list}");
    assert!(both.iter().all(|o| o["due_at"] == "2026-11-05T00:00:00Z"));

    let (status, recorded) = notify(&app, &registrant, &notification("change_of_name", "2026-11-03T11:00:00Z", true)).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["met_occurrences"].as_array().unwrap().len(), 1, "{recorded}");
    let after = events(&obligations(&app, &registrant).await);
    let statuses: Vec<&str> = after.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "met").count(), 1, "{after:?}");
    let pending: Vec<&String> = after.iter().filter(|(_, s)| s == "pending").map(|(e, _)| e).collect();
    assert!(pending[0].contains("address"), "the address is still to be notified: {after:?}");

    let (status, _) = notify(&app, &registrant, &notification("change_of_address", "2026-11-04T11:00:00Z", true)).await;
    assert_eq!(status, 201);
    let after = events(&obligations(&app, &registrant).await);
    assert!(after.iter().all(|(_, s)| s == "met"), "{after:?}");
}

#[tokio::test]
async fn history_from_before_the_order_is_no_duty_and_a_future_change_is_not_overdue() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-19"))).await;
    let token = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/registrants/{}/addresses", id(&registrant));
    // A home address from 2025, and a name used from before service: covered by the initial
    // notification, not changes to notify.
    let old =
        json!({"kind": "home", "lines": ["1 Former Street"], "postcode": "EX3 3ZZ", "valid_from": "2025-02-01", "valid_to": "2025-12-31"});
    let (status, body) = app.post(&path, &token, &old).await;
    assert_eq!(status, 201, "{body}");
    let name = json!({"kind": "alias", "given": "Terry", "family": "Ordered", "valid_from": "2026-01-15"});
    assert_eq!(app.post(&format!("/api/v1/registrants/{}/names", id(&registrant)), &token, &name).await.0, 201);
    let list = obligations(&app, &registrant).await;
    assert!(of_kind(&list, "change_notification").is_empty(), "no duty from history: {list}");

    // A move next month is due three days from the move, and is not overdue now.
    let next_month = domain::calendar::local_date(vigil::clock::now()) + chrono::Days::new(30);
    let future = json!({"kind": "home", "lines": ["2 Coming Road"], "postcode": "EX4 4ZZ", "valid_from": next_month});
    assert_eq!(app.post(&path, &token, &future).await.0, 201);
    let list = obligations(&app, &registrant).await;
    let change = &of_kind(&list, "change_notification")[0]["occurrences"][0];
    let due: chrono::DateTime<chrono::Utc> = change["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, domain::calendar::end_of_days_beginning_with(next_month, 3));
    assert_eq!((change["status"].as_str(), change["overdue"].as_bool()), (Some("pending"), Some(false)), "{change}");
    // A notification made before the move does not meet it.
    let (status, _) = notify(
        &app,
        &registrant,
        &notification(
            "change_of_address",
            &format!("{}T10:00:00Z", domain::calendar::local_date(vigil::clock::now()) - chrono::Days::new(1)),
            true,
        ),
    )
    .await;
    assert_eq!(status, 201);
    let list = obligations(&app, &registrant).await;
    assert_eq!(of_kind(&list, "change_notification")[0]["occurrences"][0]["status"], "pending");
}

#[tokio::test]
async fn a_stay_is_due_three_days_beginning_with_the_day_it_becomes_qualifying_not_its_first_day() {
    let app = TestApp::spawn().await;
    let mut order = spo("2026-01-12", Some("2026-01-12"));
    order["regime"] = json!("soa2003_part2");
    let (registrant, _) = registrant_with_order(&app, order).await;
    let token = app.token(Role::Ppo, "met");
    let stay = json!({"kind": "qualifying_stay", "lines": ["4 Holiday Lane"], "postcode": "EX2 2ZZ", "valid_from": "2026-11-02"});
    let (status, body) = app.post(&format!("/api/v1/registrants/{}/addresses", id(&registrant)), &token, &stay).await;
    assert_eq!(status, 201, "{body}");
    let list = obligations(&app, &registrant).await;
    let change = &of_kind(&list, "change_notification")[0]["occurrences"][0];
    // From Monday 2 November the stay is qualifying on Sunday the 8th (its seventh day): due by
    // the end of Tuesday the 10th.
    assert_eq!(change["due_at"], "2026-11-11T00:00:00Z", "{change}");
    assert_eq!(change["why"]["event"], "A stay at another address from 2 November 2026, qualifying on 8 November 2026.");
    assert!(change["why"]["rule"].as_str().unwrap().contains("the day it reaches 7 days"), "{change}");
}

#[tokio::test]
async fn annual_regimes_restart_with_every_notification_and_no_fixed_abode_adds_a_weekly_duty() {
    let app = TestApp::spawn().await;
    let mut body = registrant_body("Register");
    body["addresses"] =
        json!([{ "kind": "regularly_found", "lines": ["Doorway, Example Arcade"], "town": "Exampleton", "valid_from": "2026-01-01" }]);
    let registrant = app.registrant("met", body).await;
    let order = json!({
        "kind": "register_notification", "court": "Exampleton Crown Court", "case_reference": "T2026-0007",
        "made_on": "2026-03-09", "until_further_order": true
    });
    let token = app.token(Role::Ppo, "met");
    let (status, created) = app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &token, &order).await;
    assert_eq!((status, created["regime"].as_str()), (201, Some("serial_stalker_register")), "{created}");
    let (status, recorded) = notify(&app, &registrant, &notification("initial", "2026-03-10T12:00:00Z", true)).await;
    assert_eq!(status, 201, "{recorded}");
    let next: Vec<(&str, &str)> =
        recorded["next_due"].as_array().unwrap().iter().map(|n| (n["kind"].as_str().unwrap(), n["due_at"].as_str().unwrap())).collect();
    assert_eq!(next, [("annual_notification", "2027-03-10T00:00:00Z"), ("weekly_notification", "2026-03-17T00:00:00Z")]);

    let (_, again) = notify(&app, &registrant, &notification("periodic", "2026-03-16T12:00:00Z", true)).await;
    assert_eq!(again["met_occurrences"].as_array().unwrap().len(), 2, "both periods were met in time: {again}");
    let list = obligations(&app, &registrant).await;
    let annual: Vec<(&str, &str)> = of_kind(&list, "annual_notification")[0]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["due_at"].as_str().unwrap(), o["status"].as_str().unwrap()))
        .collect();
    assert_eq!(annual, [("2027-03-10T00:00:00Z", "met"), ("2027-03-16T00:00:00Z", "pending")]);
    assert_eq!(of_kind(&list, "weekly_notification")[0]["occurrences"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn invalid_notifications_are_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let audit_before = app.count("audit_events").await;
    let mut no_station = notification("initial", "2026-01-13T10:00:00Z", true);
    no_station["station"] = Value::Null;
    let (status, problem) = notify(&app, &registrant, &no_station).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("station")));
    let (status, problem) = notify(&app, &registrant, &notification("initial", "2099-01-01T00:00:00Z", true)).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("notified_at")));
    let (status, problem) = notify(&app, &registrant, &notification("by_carrier_pigeon", "2026-01-13T10:00:00Z", true)).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("kind")));
    assert_eq!(app.count("notification_events").await, 0);
    assert_eq!(app.count("audit_events").await, audit_before);
    let list = obligations(&app, &registrant).await;
    assert_eq!(of_kind(&list, "initial_notification")[0]["occurrences"][0]["status"], "historical");
}

#[tokio::test]
async fn compliance_outcomes_set_occurrence_statuses() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let probation = app.token_for("po-1", Role::Probation, "probation-london");
    app.sessions_held().await;
    let list = sessions(&app, &registrant).await;
    let (status, result) = comply(&app, &probation, &list[0], json!({"outcome": "attended_complied", "version": 1})).await;
    assert_eq!(status, 201, "{result}");
    let first = &result["occurrence"];
    assert_eq!((first["status"].as_str(), first["version"].as_i64(), first["resolved_by"].as_str()), (Some("met"), Some(2), Some("po-1")));
    assert_eq!(first["compliance"][0]["recorded_org"], "probation-london");

    let (_, result) = comply(&app, &probation, &list[1], json!({"outcome": "failed_to_attend", "version": 1})).await;
    assert_eq!(result["occurrence"]["status"], "missed");
    // Recorded non-compliance is a breach with its notification, like a detected miss.
    assert_eq!((app.count("breaches").await, app.count("outbox").await), (1, 1));
    let (_, result) = comply(
        &app,
        &probation,
        &list[2],
        json!({"outcome": "acceptable_absence", "notes": "Hospital appointment, letter seen.", "version": 1}),
    )
    .await;
    assert_eq!(
        (result["occurrence"]["status"].as_str(), result["occurrence"]["compliance"][0]["notes"].as_str()),
        (Some("excused"), Some("Hospital appointment, letter seen."))
    );

    let moved_to = "2031-01-02T10:00:00Z";
    let (status, result) =
        comply(&app, &probation, &list[3], json!({"outcome": "rescheduled", "version": 1, "rescheduled_to": moved_to})).await;
    assert_eq!(status, 201, "{result}");
    assert_eq!(result["occurrence"]["status"], "excused");
    assert_eq!((result["rescheduled"]["due_at"].as_str(), result["rescheduled"]["status"].as_str()), (Some(moved_to), Some("pending")));
    assert_eq!(sessions(&app, &registrant).await.len(), list.len() + 1);
    assert_eq!(app.count("compliance_records").await, 4);
}

#[tokio::test]
async fn attendance_cannot_be_recorded_for_a_session_that_has_not_started() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let probation = app.token_for("po-1", Role::Probation, "probation-london");
    // A session at least an hour away, so that the clock cannot reach it while the test runs (a run
    // at 09:59 on a Tuesday would otherwise see the 10:00 session start half-way through).
    let due = |s: &Value| s["due_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let soon = vigil::clock::now() + chrono::Duration::hours(1);
    let upcoming = sessions(&app, &registrant).await;
    let position = upcoming.iter().position(|s| due(s) > soon).expect("a session more than an hour away");
    let list = &upcoming[position..];
    let audit_before = app.count("audit_events").await;
    for outcome in ["attended_complied", "attended_failed_to_comply", "unacceptable_absence", "failed_to_attend"] {
        let (status, problem) = comply(&app, &probation, &list[0], json!({"outcome": outcome, "version": 1})).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("outcome")), "{outcome}: {problem}");
        assert_eq!(problem["errors"][0]["code"], "session_not_started", "{problem}");
    }
    assert_eq!((app.count("compliance_records").await, app.count("breaches").await), (0, 0), "nothing written");
    assert_eq!(app.count("audit_events").await, audit_before);
    assert_eq!(sessions(&app, &registrant).await[position]["status"], "pending");
    // An absence agreed beforehand can be recorded before the session.
    let agreed = json!({"outcome": "acceptable_absence", "notes": "Hospital appointment, letter seen.", "version": 1});
    let (status, result) = comply(&app, &probation, &list[0], agreed).await;
    assert_eq!((status, result["occurrence"]["status"].as_str()), (201, Some("excused")), "{result}");
}

#[tokio::test]
async fn stale_invalid_or_repeated_outcomes_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let token = app.token(Role::Ppo, "met");
    app.sessions_held().await;
    let list = sessions(&app, &registrant).await;
    let audit_before = app.count("audit_events").await;
    let (status, problem) = comply(&app, &token, &list[0], json!({"outcome": "attended_complied", "version": 7})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")));
    let (status, problem) = comply(&app, &token, &list[0], json!({"outcome": "acceptable_absence", "version": 1})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("notes")));
    let (status, problem) = comply(&app, &token, &list[0], json!({"outcome": "rescheduled", "version": 1})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("rescheduled_to")));
    let (status, problem) =
        comply(&app, &token, &list[0], json!({"outcome": "attended_complied", "version": 1, "rescheduled_to": "2031-01-01T10:00:00Z"}))
            .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("rescheduled_to")));
    let (status, problem) = comply(&app, &token, &list[0], json!({"outcome": "attended_complied", "version": "one"})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("version")));
    assert_eq!(app.count("compliance_records").await, 0);
    assert_eq!(app.count("audit_events").await, audit_before);
    assert_eq!(sessions(&app, &registrant).await[0]["status"], "pending");

    let (status, _) = comply(&app, &token, &list[0], json!({"outcome": "attended_complied", "version": 1})).await;
    assert_eq!(status, 201);
    let (status, problem) = comply(&app, &token, &list[0], json!({"outcome": "failed_to_attend", "version": 2})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_resolved")));
    assert_eq!(app.count("compliance_records").await, 1);
}

#[tokio::test]
async fn probation_sees_and_records_only_for_registrants_it_supervises() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    app.sessions_held().await;
    let list = sessions(&app, &registrant).await;
    let elsewhere = app.token(Role::Probation, "probation-midlands");
    let (status, _) = app.get(&format!("/api/v1/registrants/{}/obligations", id(&registrant)), &elsewhere).await;
    assert_eq!(status, 404);
    let (status, _) = comply(&app, &elsewhere, &list[0], json!({"outcome": "attended_complied", "version": 1})).await;
    assert_eq!(status, 404);
    let other_force = app.token(Role::Ppo, "gmp");
    let (status, problem) = comply(&app, &other_force, &list[0], json!({"outcome": "attended_complied", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")));
    let (status, _) =
        app.get(&format!("/api/v1/registrants/{}/obligations", id(&registrant)), &app.token(Role::Probation, "probation-london")).await;
    assert_eq!(status, 200);
    // Probation records outcomes but does not excuse, and notification duties are met by notifying.
    let probation = app.token(Role::Probation, "probation-london");
    let (status, _) =
        app.post(&format!("/api/v1/occurrences/{}/excusal", id(&list[0])), &probation, &json!({"reason": "x", "version": 1})).await;
    assert_eq!(status, 403);
    let all = obligations(&app, &registrant).await;
    let initial = &of_kind(&all, "initial_notification")[0]["occurrences"][0];
    let (status, problem) = comply(&app, &probation, initial, json!({"outcome": "attended_complied", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("not_applicable")));
    assert_eq!(app.count("compliance_records").await, 0);
}

#[tokio::test]
async fn an_excusal_needs_a_reason() {
    let app = TestApp::spawn().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    app.sessions_held().await;
    let list = sessions(&app, &registrant).await;
    let token = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/occurrences/{}/excusal", id(&list[0]));
    let (status, problem) = app.post(&path, &token, &json!({"reason": "   ", "version": 1})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("reason")));
    assert_eq!(sessions(&app, &registrant).await[0]["status"], "pending");
    let (status, excused) = app.post(&path, &token, &json!({"reason": "In hospital that week.", "version": 1})).await;
    assert_eq!(status, 200, "{excused}");
    assert_eq!(
        (excused["status"].as_str(), excused["reason"].as_str(), excused["version"].as_i64()),
        (Some("excused"), Some("In hospital that week."), Some(2))
    );
}
