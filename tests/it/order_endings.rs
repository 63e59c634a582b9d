//! How orders end, from when. At the end of its last day (Europe/London) an order becomes
//! expired by a job, exactly once; a discharge takes effect from the day the court discharged
//! it, however late that is recorded. Either way, what was owed while the order had effect is
//! still owed, and what falls after its end is excused with the reason and never breached.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use domain::calendar;
use jobs::{detect_missed, expiry};
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, obligations, registrant_with_order};
use crate::support::TestApp;

const GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

fn today() -> NaiveDate {
    calendar::local_date(vigil::clock::now())
}

fn day(offset: i64) -> NaiveDate {
    if offset < 0 { today() - Days::new(offset.unsigned_abs()) } else { today() + Days::new(offset.unsigned_abs()) }
}

/// An interim SPO served today that ceases to have effect on day 2, with a daily appointment:
/// its initial notification (3 days beginning with service) falls due after its end.
fn short_interim() -> Value {
    json!({
        "kind": "interim_spo",
        "court": "Exampleton Magistrates' Court",
        "case_reference": "EX/2026/0202",
        "made_on": day(0),
        "served_on": day(0),
        "expires_on": day(2),
        "conditions": [{
            "kind": "requirement",
            "category": "attend_appointments",
            "text": "Attend an appointment with the police daily.",
            "responsible_person": "PC Example",
            "schedule": { "frequency": { "every": "day" }, "time": "23:00:00", "starts_on": day(0) }
        }]
    })
}

fn occurrences(list: &Value) -> Vec<(DateTime<Utc>, String)> {
    let mut out = Vec::new();
    for obligation in list["items"].as_array().unwrap() {
        for o in obligation["occurrences"].as_array().unwrap() {
            out.push((o["due_at"].as_str().unwrap().parse().unwrap(), o["status"].as_str().unwrap().to_owned()));
        }
    }
    out
}

#[tokio::test]
async fn an_order_expires_by_itself_once_and_only_what_was_owed_while_in_force_is_breached() {
    let app = TestApp::spawn().await;
    let keys = app.ctx.crypto.clone();
    let (registrant, order) = registrant_with_order(&app, short_interim()).await;
    let ends_at = calendar::start_of_day(day(2));

    let before = expiry::run(&app.db, vigil::clock::now(), &*keys).await.unwrap();
    assert_eq!((before.examined, before.created), (0, 0), "not yet expired");

    // Two hours after its end, the detector runs before the expiry job: it leaves the order's
    // occurrences alone, so none due after the end can become a breach by running first.
    let after = ends_at + Duration::hours(2);
    detect_missed::run(&app.db, after, GRACE).await.unwrap();
    assert_eq!(app.count("breaches").await, 0, "held until the expiry job has run");

    let run = expiry::run(&app.db, after, &*keys).await.unwrap();
    assert_eq!((run.examined, run.created), (1, 1));
    let again = expiry::run(&app.db, after + Duration::minutes(5), &*keys).await.unwrap();
    assert_eq!((again.examined, again.created), (0, 0), "exactly once");

    let ppo = app.token(Role::Ppo, "met");
    let (_, ended) = app.get(&format!("/api/v1/orders/{}", id(&order)), &ppo).await;
    assert_eq!((ended["status"].as_str(), ended["version"].as_i64()), (Some("expired"), Some(2)), "{ended}");
    let history = ended["status_history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{ended}");
    let change = &history[0];
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str(), change["changed_by"].as_str(), &change["changed_role"]),
        (Some("interim"), Some("expired"), Some(expiry::EXPIRY), &Value::Null)
    );
    let effective: DateTime<Utc> = change["effective_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(effective, ends_at, "the end of its last day, Europe/London");
    assert!(change["reason"].as_str().unwrap().contains(&day(1).to_string()), "{change}");

    detect_missed::run(&app.db, after, GRACE).await.unwrap();
    let list = obligations(&app, &registrant).await;
    let all = occurrences(&list);
    let owed: Vec<_> = all.iter().filter(|(due, _)| *due <= ends_at).collect();
    let later: Vec<_> = all.iter().filter(|(due, _)| *due > ends_at).collect();
    assert!(!owed.is_empty() && !later.is_empty(), "{list}");
    assert!(owed.iter().all(|(_, status)| status == "missed"), "owed while in force: {list}");
    assert!(later.iter().all(|(_, status)| status == "excused"), "never owed: {list}");
    assert_eq!(app.count("breaches").await, owed.len() as i64);
    for obligation in list["items"].as_array().unwrap() {
        assert_eq!(obligation["status"], "closed", "{obligation}");
        for o in obligation["occurrences"].as_array().unwrap().iter().filter(|o| o["status"] == "excused") {
            assert!(o["reason"].as_str().unwrap().contains("expired"), "{o}");
        }
    }

    // Long after, nothing more is breached.
    detect_missed::run(&app.db, after + Duration::days(30), GRACE).await.unwrap();
    assert_eq!(app.count("breaches").await, owed.len() as i64);
}

#[tokio::test]
async fn an_order_until_further_order_never_expires_by_itself() {
    let app = TestApp::spawn().await;
    let keys = app.ctx.crypto.clone();
    let (_, open_ended) = registrant_with_order(&app, crate::orders::spo(&day(0).to_string(), Some(&day(0).to_string()))).await;
    let years_later = calendar::start_of_day(day(3650));
    let run = expiry::run(&app.db, years_later, &*keys).await.unwrap();
    assert_eq!((run.examined, run.created), (0, 0));
    let (_, still) = app.get(&format!("/api/v1/orders/{}", id(&open_ended)), &app.token(Role::Ppo, "met")).await;
    assert_eq!(still["status"], "active");
}

fn supervisor(app: &TestApp, who: &str) -> String {
    app.token_for(who, Role::Supervisor, "met")
}

#[tokio::test]
async fn a_discharge_recorded_late_takes_effect_from_the_courts_day_and_nothing_after_it_is_breached() {
    let app = TestApp::spawn().await;
    // Served four days ago: the s.9(1) notification fell due at the end of yesterday and was not made.
    let (registrant, order) = registrant_with_order(&app, crate::orders::spo(&day(-5).to_string(), Some(&day(-4).to_string()))).await;
    let discharge = |effective_on: Value| json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged at the hearing", "effective_on": effective_on});

    for (effective_on, code) in [(json!(day(1)), "in_future"), (json!(day(-6)), "before_made"), (json!("2026-02-30"), "")] {
        let (status, problem) = app.post("/api/v1/approvals", &supervisor(&app, "sergeant-1"), &discharge(effective_on)).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some("effective_on")), "{problem}");
        if !code.is_empty() {
            assert_eq!(problem["errors"][0]["code"], code, "{problem}");
        }
    }
    let erasure =
        json!({"action": "registrant.erasure", "target_id": id(&registrant), "version": 1, "reason": "Quashed", "effective_on": day(-1)});
    let (status, problem) = app.post("/api/v1/approvals", &supervisor(&app, "sergeant-1"), &erasure).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("effective_on")), "{problem}");
    assert_eq!(app.count("approvals").await, 0, "nothing written");

    let (status, asked) = app.post("/api/v1/approvals", &supervisor(&app, "sergeant-1"), &discharge(json!(day(-3)))).await;
    assert_eq!((status, &asked["effective_on"]), (201, &json!(day(-3))), "{asked}");
    let path = format!("/api/v1/approvals/{}/decision", id(&asked));
    let (status, decided) = app.post(&path, &supervisor(&app, "inspector-2"), &json!({"decision": "approve", "version": 1})).await;
    assert_eq!(status, 200, "{decided}");

    let (_, ended) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Ppo, "met")).await;
    assert_eq!(ended["status"], "discharged");
    let effective: DateTime<Utc> = ended["status_history"][0]["effective_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(effective, calendar::start_of_day(day(-3)));
    let list = obligations(&app, &registrant).await;
    let initial = &crate::orders::of_kind(&list, "initial_notification")[0]["occurrences"][0];
    assert_eq!(initial["status"], "excused", "due after the discharge took effect: {list}");
    assert!(initial["reason"].as_str().unwrap().contains(&format!("discharged with effect from {}", day(-3))), "{initial}");

    detect_missed::run(&app.db, vigil::clock::now() + Duration::days(30), GRACE).await.unwrap();
    assert_eq!(app.count("breaches").await, 0);
}

#[tokio::test]
async fn an_spo_made_while_soa_notification_applies_starts_its_duty_the_day_that_ends() {
    let app = TestApp::spawn().await;
    let keys = app.ctx.crypto.clone();
    let mut soa = short_interim();
    soa["regime"] = json!("soa2003_part2");
    soa["conditions"] = json!([]);
    let (registrant, soa) = registrant_with_order(&app, soa).await;
    let ppo = app.token(Role::Ppo, "met");
    let (status, spo) = app
        .post(
            &format!("/api/v1/registrants/{}/orders", id(&registrant)),
            &ppo,
            &crate::orders::spo(&day(0).to_string(), Some(&day(0).to_string())),
        )
        .await;
    assert_eq!(status, 201, "{spo}");
    let for_order = |list: &Value, kind: &str, order: &Value| -> Vec<Value> {
        crate::orders::of_kind(list, kind).into_iter().filter(|o| o["order_id"] == order["id"]).cloned().collect()
    };
    let list = obligations(&app, &registrant).await;
    assert!(for_order(&list, "initial_notification", &spo).is_empty(), "s.9 does not apply while SOA Part 2 does: {list}");
    assert_eq!(for_order(&list, "initial_notification", &soa).len(), 1);
    // A change is one duty, under the regime that applies.
    let name = json!({"kind": "alias", "given": "Terry", "family": "Ordered", "valid_from": day(0)});
    assert_eq!(app.post(&format!("/api/v1/registrants/{}/names", id(&registrant)), &ppo, &name).await.0, 201);
    let list = obligations(&app, &registrant).await;
    assert_eq!(crate::orders::of_kind(&list, "change_notification").len(), 1, "{list}");
    assert!(for_order(&list, "change_notification", &spo).is_empty());

    // The SOA order ends at the end of day 1: s.9 starts from day 2, 3 days beginning with it.
    let run = expiry::run(&app.db, calendar::start_of_day(day(2)) + Duration::hours(1), &*keys).await.unwrap();
    assert_eq!(run.created, 1);
    let list = obligations(&app, &registrant).await;
    let initial = for_order(&list, "initial_notification", &spo);
    assert_eq!(initial.len(), 1, "{list}");
    let occurrence = &initial[0]["occurrences"][0];
    let due: DateTime<Utc> = occurrence["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due, calendar::end_of_days_beginning_with(day(2), 3));
    assert!(occurrence["why"]["event"].as_str().unwrap().contains("another order applied instead"), "{occurrence}");
}
