//! A court varies or renews an order (issue 16 item 1): each hearing is a new version of the
//! order's terms with the hearing and the reason; the history is kept; duties follow the new
//! terms from the day they take effect, and those that no longer apply are excused with the
//! court's reason.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use domain::calendar;
use jobs::{detect_missed, expiry, materialise};
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{id, obligations, registrant_with_order, spo};
use crate::support::TestApp;

const GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

fn day(offset: i64) -> NaiveDate {
    let today = calendar::local_date(vigil::clock::now());
    if offset < 0 { today - Days::new(offset.unsigned_abs()) } else { today + Days::new(offset.unsigned_abs()) }
}

/// A DAPO made today that ends on `expires` (offset in days), with a daily appointment at 23:00.
fn dapo_until(expires: i64) -> Value {
    json!({
        "kind": "dapo",
        "court": "Sampleford Family Court",
        "case_reference": "SF/2026/0301",
        "made_on": day(0),
        "expires_on": day(expires),
        "conditions": [{
            "kind": "requirement",
            "category": "attend_appointments",
            "text": "Attend an appointment with the police daily.",
            "responsible_person": "PC Example",
            "schedule": { "frequency": { "every": "day" }, "time": "23:00:00", "starts_on": day(0) }
        }]
    })
}

fn hearing() -> Value {
    json!({ "court": "Sampleford Family Court", "case_reference": "SF/2026/0301/V", "heard_on": day(0) })
}

/// The occurrences of the obligation tied to `condition`, as (due, status, reason).
fn sessions(list: &Value, condition: &str) -> Vec<(DateTime<Utc>, String, String)> {
    let mut out = Vec::new();
    for ob in list["items"].as_array().unwrap().iter().filter(|o| o["condition_id"] == condition) {
        for o in ob["occurrences"].as_array().unwrap() {
            let due = o["due_at"].as_str().unwrap().parse().unwrap();
            out.push((due, o["status"].as_str().unwrap().to_owned(), o["reason"].as_str().unwrap_or_default().to_owned()));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn a_renewal_moves_the_end_and_the_sessions_keep_coming() {
    let app = TestApp::spawn().await;
    let keys = app.ctx.crypto.clone();
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, order) = registrant_with_order(&app, dapo_until(10)).await;
    let condition = order["conditions"][0]["id"].as_str().unwrap().to_owned();
    let before = sessions(&obligations(&app, &registrant).await, &condition);
    assert_eq!(before.last().map(|s| calendar::local_date(s.0)), Some(day(9)), "the old end cuts the sessions off");

    let path = format!("/api/v1/orders/{}/variations", id(&order));
    // A renewal gives the new end; without one nothing is written.
    let audit = app.count("audit_events").await;
    let body = json!({"kind": "renewal", "version": 1, "hearing": hearing(), "reason": "Renewed on the applicant's request."});
    let (status, problem) = app.post(&path, &ppo, &body).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("expires_on")), "{problem}");
    assert_eq!((app.count("order_variations").await, app.count("audit_events").await), (0, audit));

    let body = json!({"kind": "renewal", "version": 1, "hearing": hearing(), "reason": "Renewed on the applicant's request.",
        "expires_on": day(100)});
    let (status, renewed) = app.post(&path, &ppo, &body).await;
    assert_eq!(status, 201, "{renewed}");
    assert_eq!(
        (renewed["status"].as_str(), renewed["expires_on"].as_str(), renewed["terms_version"].as_i64(), renewed["version"].as_i64()),
        (Some("renewed"), Some(day(100).to_string().as_str()), Some(2), Some(2))
    );
    let v = &renewed["variations"][0];
    assert_eq!(
        (v["kind"].as_str(), v["case_reference"].as_str(), v["previous_expires_on"].as_str(), v["reason"].as_str()),
        (Some("renewal"), Some("SF/2026/0301/V"), Some(day(10).to_string().as_str()), Some("Renewed on the applicant's request."))
    );

    let after = sessions(&obligations(&app, &registrant).await, &condition);
    assert!(after.iter().any(|s| calendar::local_date(s.0) > day(10)), "sessions after the old end: {after:?}");
    // Past the old end, the order is still in force and its sessions are still materialised.
    let later = calendar::start_of_day(day(12));
    let run = expiry::run(&app.db, later, &*keys).await.unwrap();
    assert_eq!(run.created, 0, "a renewed order does not expire at its old end");
    materialise::run(&app.db, later, 56).await.unwrap();
    let topped = sessions(&obligations(&app, &registrant).await, &condition);
    assert!(topped.iter().any(|s| calendar::local_date(s.0) == day(12 + 50)), "the job keeps materialising: {topped:?}");
    let (_, audit) = app.get(&format!("/api/v1/audit/events?record_id={}", id(&order)), &app.token(Role::Auditor, "met")).await;
    let renewals: Vec<_> = audit["items"].as_array().unwrap().iter().filter(|e| e["operation"] == "order.renew").collect();
    assert_eq!(renewals.len(), 1, "{audit}");
    assert_eq!(renewals[0]["action"], "alteration");
}

#[tokio::test]
async fn a_variation_replaces_a_requirement_from_its_effective_day_and_excuses_the_old_one_with_the_reason() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, order) = registrant_with_order(&app, dapo_until(60)).await;
    let old = order["conditions"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({
        "kind": "variation", "version": 1, "hearing": hearing(),
        "reason": "Appointments move to weekly on the officer's application.",
        "effective_on": day(2),
        "remove_conditions": [old],
        "add_conditions": [{
            "kind": "requirement", "category": "attend_appointments",
            "text": "Attend an appointment with the police every week.", "responsible_person": "PC Example",
            "schedule": { "frequency": { "every": "day" }, "time": "09:00:00", "starts_on": day(0) }
        }]
    });
    let (status, varied) = app.post(&format!("/api/v1/orders/{}/variations", id(&order)), &ppo, &body).await;
    assert_eq!(status, 201, "{varied}");
    assert_eq!((varied["status"].as_str(), varied["terms_version"].as_i64()), (Some("varied"), Some(2)));
    let variation = varied["variations"][0]["id"].as_str().unwrap();
    let current = varied["conditions"].as_array().unwrap();
    assert_eq!(current.len(), 1, "{varied}");
    assert_eq!(current[0]["added_by_variation"], variation);
    let new = current[0]["id"].as_str().unwrap().to_owned();
    let former = &varied["former_conditions"][0];
    assert_eq!((former["id"].as_str(), former["removed_by_variation"].as_str()), (Some(old.as_str()), Some(variation)));
    assert_eq!(former["removed_on"], day(2).to_string());
    assert_eq!(varied["variations"][0]["removed_conditions"], json!([old]));
    assert_eq!(varied["variations"][0]["added_conditions"], json!([new]));

    let list = obligations(&app, &registrant).await;
    let from = calendar::start_of_day(day(2));
    let removed = sessions(&list, &old);
    assert!(removed.iter().filter(|s| s.0 < from).all(|s| s.1 == "pending"), "still owed before it took effect: {removed:?}");
    assert_eq!(removed.iter().filter(|s| s.0 < from).count(), 2);
    let excused: Vec<_> = removed.iter().filter(|s| s.0 >= from).collect();
    assert!(!excused.is_empty() && excused.iter().all(|s| s.1 == "excused" && s.2.contains("weekly on the officer")), "{excused:?}");
    let added = sessions(&list, &new);
    assert!(!added.is_empty() && added.iter().all(|s| s.0 >= from && s.1 == "pending"), "from its effective day: {added:?}");

    // Long after, only the sessions owed under the old terms can be breached.
    detect_missed::run(&app.db, calendar::start_of_day(day(3)) + Duration::hours(1), GRACE).await.unwrap();
    let list = obligations(&app, &registrant).await;
    let missed = sessions(&list, &old).into_iter().filter(|s| s.1 == "missed").count();
    assert_eq!(missed, 2);
    assert_eq!(sessions(&list, &new).iter().filter(|s| s.1 == "missed").count(), 1, "the new one from day 2, 09:00");
    assert_eq!(app.count("breaches").await, 3);
}

#[tokio::test]
async fn a_shortened_order_excuses_what_falls_after_its_new_end_and_protected_persons_change_with_history() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (registrant, order) = registrant_with_order(&app, dapo_until(30)).await;
    let condition = order["conditions"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({"kind": "variation", "version": 1, "hearing": hearing(), "reason": "Shortened on appeal.", "expires_on": day(5),
        "add_protected_persons": [{"given": "Sam", "family": "Sample", "relationship": "new partner"}]});
    let (status, varied) = app.post(&format!("/api/v1/orders/{}/variations", id(&order)), &ppo, &body).await;
    assert_eq!(status, 201, "{varied}");
    let list = obligations(&app, &registrant).await;
    let end = calendar::start_of_day(day(5));
    let all = sessions(&list, &condition);
    assert!(all.iter().filter(|s| s.0 < end).all(|s| s.1 == "pending"));
    assert!(all.iter().filter(|s| s.0 >= end).all(|s| s.1 == "excused" && s.2.contains("Shortened on appeal")), "{all:?}");
    assert_eq!(varied["protected_persons"][0]["family"], "Sample");

    // The person added is removed at the next hearing: still in the history, no longer protected.
    let person = varied["protected_persons"][0]["id"].as_str().unwrap();
    let body = json!({"kind": "variation", "version": 2, "hearing": hearing(), "reason": "The person asked not to be named.",
        "remove_protected_persons": [person]});
    let (status, again) = app.post(&format!("/api/v1/orders/{}/variations", id(&order)), &ppo, &body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!((again["terms_version"].as_i64(), again["protected_persons"].as_array().map(Vec::len)), (Some(3), Some(0)));
    assert_eq!(again["former_protected_persons"][0]["id"], person);
    assert_eq!(again["variations"].as_array().map(Vec::len), Some(2));

    // Probation sees the hearings and what changed, never the people or the court's reasons.
    let (status, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Probation, "probation-london")).await;
    assert_eq!(status, 200, "{seen}");
    assert!(seen.get("protected_persons").is_none() && seen.get("former_protected_persons").is_none(), "{seen}");
    assert!(seen["variations"][0].get("reason").is_none(), "{seen}");
    assert_eq!(seen["variations"][1]["court"], "Sampleford Family Court");
}

#[tokio::test]
async fn a_variation_that_cannot_be_recorded_writes_nothing() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (_, order) = registrant_with_order(&app, spo(&day(0).to_string(), Some(&day(0).to_string()))).await;
    let path = format!("/api/v1/orders/{}/variations", id(&order));
    let refused = |status: u16, problem: &Value, expected: (u16, &str)| {
        let code = if status == 422 { &problem["errors"][0]["field"] } else { &problem["code"] };
        let code = code.as_str().unwrap_or_default().to_owned();
        assert_eq!((status, code.as_str()), expected, "{problem}");
    };
    // A status label is not a variation.
    let (status, problem) =
        app.post(&format!("/api/v1/orders/{}/status", id(&order)), &ppo, &json!({"status": "varied", "version": 1})).await;
    refused(status, &problem, (409, "variation_required"));
    let unknown = json!({"kind": "variation", "version": 1, "hearing": hearing(), "reason": "R.", "remove_conditions": [id(&order)]});
    let (status, problem) = app.post(&path, &ppo, &unknown).await;
    refused(status, &problem, (422, "remove_conditions[0]"));
    let nothing = json!({"kind": "variation", "version": 1, "hearing": hearing(), "reason": "R."});
    let (status, problem) = app.post(&path, &ppo, &nothing).await;
    refused(status, &problem, (422, "add_conditions"));
    let early = json!({"kind": "variation", "version": 1, "hearing": {"court": "C", "case_reference": "R", "heard_on": day(-1)},
        "reason": "R.", "expires_on": day(1000)});
    let (status, problem) = app.post(&path, &ppo, &early).await;
    refused(status, &problem, (422, "hearing.heard_on"));
    let short = json!({"kind": "variation", "version": 1, "hearing": hearing(), "reason": "R.", "expires_on": day(100)});
    let (status, problem) = app.post(&path, &ppo, &short).await;
    refused(status, &problem, (422, "expires_on"));
    let blank = json!({"kind": "renewal", "version": 1, "hearing": hearing(), "reason": " ", "until_further_order": true});
    let (status, problem) = app.post(&path, &ppo, &blank).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<_> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert!(fields.contains(&"reason".to_owned()) && fields.contains(&"expires_on".to_owned()), "{problem}");
    let good = json!({"kind": "variation", "version": 1, "hearing": hearing(), "reason": "R.", "expires_on": day(1000)});
    let (status, problem) = app.post(&path, &app.token(Role::Probation, "probation-london"), &good).await;
    assert_eq!(status, 403, "{problem}");
    let (status, problem) = app.post(&path, &app.token(Role::Ppo, "gmp"), &good).await;
    assert_eq!(status, 403, "{problem}");
    let stale = json!({"kind": "variation", "version": 7, "hearing": hearing(), "reason": "R.", "expires_on": day(1000)});
    let (status, problem) = app.post(&path, &ppo, &stale).await;
    refused(status, &problem, (409, "stale_version"));
    assert_eq!(app.count("order_variations").await, 0);
    let (_, unchanged) = app.get(&format!("/api/v1/orders/{}", id(&order)), &ppo).await;
    assert_eq!((unchanged["version"].as_i64(), unchanged["terms_version"].as_i64()), (Some(1), Some(1)));
}
