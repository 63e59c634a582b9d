//! Orders through the API: recording an order creates the duties its regime calls for, with
//! deadlines counted in Europe/London days; the lifecycle, discharge by a supervisor only,
//! protected persons hidden from probation, and validation that writes nothing.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::support::{TestApp, registrant_body};

/// A full SPO against a registrant, lasting until further order.
pub fn spo(made_on: &str, served_on: Option<&str>) -> Value {
    json!({
        "kind": "spo",
        "court": "Exampleton Magistrates' Court",
        "case_reference": "EX/2026/0001",
        "made_on": made_on,
        "served_on": served_on,
        "until_further_order": true,
        "protected_persons": [{ "given": "Pat", "family": "Protected", "relationship": "former partner" }],
        "conditions": [{ "kind": "prohibition", "category": "no_contact", "text": "No contact with the protected person by any means." }]
    })
}

/// A DAPO with a weekly programme every Tuesday at 10:00 from `starts_on`.
pub fn dapo(made_on: &str, starts_on: &str) -> Value {
    json!({
        "kind": "dapo",
        "court": "Sampleford Family Court",
        "case_reference": "SF/2026/0042",
        "made_on": made_on,
        "until_further_order": true,
        "conditions": [{
            "kind": "requirement",
            "category": "attend_programme",
            "text": "Attend the behaviour change programme weekly.",
            "parameters": { "programme": "Example programme" },
            "responsible_person": "Programme manager, Sampleford",
            "schedule": { "frequency": { "every": "week", "weekday": "Tue" }, "time": "10:00:00", "starts_on": starts_on }
        }]
    })
}

/// A variation heard on 1 April 2026 that gives the order an end, at order `version`.
pub fn variation(version: i64) -> Value {
    json!({
        "kind": "variation",
        "version": version,
        "hearing": { "court": "Sampleford Family Court", "case_reference": "SF/2026/0042/V", "heard_on": "2026-04-01" },
        "reason": "Varied on the application of the chief officer.",
        "expires_on": "2030-01-01"
    })
}

pub fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

/// Creates a registrant managed by `met` (supervised by probation-london) and an order on it.
pub async fn registrant_with_order(app: &TestApp, order: Value) -> (Value, Value) {
    let registrant = app.registrant("met", registrant_body("Ordered")).await;
    let token = app.token(Role::Ppo, "met");
    let (status, created) = app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &token, &order).await;
    assert_eq!(status, 201, "creating an order: {created}");
    (registrant, created)
}

pub async fn obligations(app: &TestApp, registrant: &Value) -> Value {
    let (status, list) = app.get(&format!("/api/v1/registrants/{}/obligations", id(registrant)), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 200, "{list}");
    list
}

pub fn of_kind<'a>(list: &'a Value, kind: &str) -> Vec<&'a Value> {
    list["items"].as_array().expect("items").iter().filter(|o| o["kind"] == kind).collect()
}

#[tokio::test]
async fn an_spo_served_on_a_monday_must_be_notified_by_the_end_of_wednesday() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    assert_eq!(
        (order["status"].as_str(), order["regime"].as_str(), order["version"].as_i64()),
        (Some("active"), Some("spa2019_s9"), Some(1))
    );
    assert_eq!(order["case_reference"], "EX/2026/0001");
    assert_eq!(order["protected_persons"][0]["family"], "Protected");
    let list = obligations(&app, &registrant).await;
    let initial = of_kind(&list, "initial_notification");
    assert_eq!(initial.len(), 1, "{list}");
    assert_eq!(initial[0]["order_id"], order["id"]);
    assert_eq!(initial[0]["regime"], "spa2019_s9");
    let occurrences = initial[0]["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 1);
    assert_eq!(occurrences[0]["due_at"], "2026-01-15T00:00:00Z");
    // Recorded long after its deadline (a back-loaded register): historical, not overdue.
    assert_eq!(occurrences[0]["status"], "historical");
    assert_eq!(occurrences[0]["overdue"], false);
    // A prohibition is not an obligation.
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn service_recorded_later_starts_the_clock_and_summer_deadlines_end_at_2300_utc() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, spo("2026-07-01", None)).await;
    assert!(of_kind(&obligations(&app, &registrant).await, "initial_notification").is_empty(), "an SPO's period runs from service");
    let token = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/orders/{}/service", id(&order));
    let (status, problem) = app.post(&path, &token, &json!({"served_on": "2026-06-30", "version": 1})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("served_on")), "service before the order was made");
    let (status, served) = app.post(&path, &token, &json!({"served_on": "2026-07-06", "version": 1})).await;
    assert_eq!(status, 200, "{served}");
    assert_eq!((served["served_on"].as_str(), served["version"].as_i64()), (Some("2026-07-06"), Some(2)));
    let list = obligations(&app, &registrant).await;
    assert_eq!(of_kind(&list, "initial_notification")[0]["occurrences"][0]["due_at"], "2026-07-08T23:00:00Z");
    let (status, problem) = app.post(&path, &token, &json!({"served_on": "2026-07-07", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")));
    let (status, problem) = app.post(&path, &token, &json!({"served_on": "2026-07-07", "version": 2})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_served")));
}

#[tokio::test]
async fn a_dapo_counts_from_the_making_and_materialises_eight_weeks_of_sessions() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let list = obligations(&app, &registrant).await;
    assert_eq!(of_kind(&list, "initial_notification")[0]["occurrences"][0]["due_at"], "2026-03-05T00:00:00Z");
    // Probation supervises the requirement, so it sees it in full.
    let (_, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Probation, "probation-london")).await;
    assert_eq!(seen["conditions"][0]["text"], "Attend the behaviour change programme weekly.");
    assert_eq!(seen["conditions"][0]["parameters"]["programme"], "Example programme");
    let programme = of_kind(&list, "attend_programme");
    assert_eq!(programme.len(), 1);
    assert_eq!(programme[0]["schedule"]["frequency"]["weekday"], "Tue");
    let sessions = programme[0]["occurrences"].as_array().unwrap();
    assert_eq!(sessions.len(), 8, "eight weeks from today");
    for session in sessions {
        let due: chrono::DateTime<chrono::Utc> = session["due_at"].as_str().unwrap().parse().unwrap();
        let local = due.with_timezone(&chrono_tz::Europe::London);
        assert_eq!((chrono::Datelike::weekday(&local), local.format("%H:%M").to_string()), (chrono::Weekday::Tue, "10:00".to_owned()));
    }
}

#[tokio::test]
async fn illegal_status_transitions_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (_, order) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let token = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/orders/{}/status", id(&order));
    let audit_before = app.count("audit_events").await;
    let (status, problem) = app.post(&path, &token, &json!({"status": "interim", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("illegal_transition")), "{problem}");
    assert_eq!(app.count("order_status_changes").await, 0);
    assert_eq!(app.count("audit_events").await, audit_before);
    let (_, unchanged) = app.get(&format!("/api/v1/orders/{}", id(&order)), &token).await;
    assert_eq!((unchanged["status"].as_str(), unchanged["version"].as_i64()), (Some("active"), Some(1)));

    // Varied and renewed are what a court's variation makes, with its hearing, not a label.
    let (status, problem) = app.post(&path, &token, &json!({"status": "varied", "version": 1, "reason": "Varied on application"})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("variation_required")), "{problem}");
    let (status, ended) = app.post(&path, &token, &json!({"status": "expired", "version": 1, "reason": "Expired"})).await;
    assert_eq!((status, ended["status"].as_str(), ended["version"].as_i64()), (200, Some("expired"), Some(2)));
    assert_eq!(ended["status_history"][0]["reason"], "Expired");
    let (status, problem) = app.post(&path, &token, &json!({"status": "discharged", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("four_eyes_required")));
}

#[tokio::test]
async fn only_two_supervisors_together_may_discharge_an_order_and_discharge_closes_its_duties() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    // Not through the status route, by anyone: discharge is a four-eyes action.
    let path = format!("/api/v1/orders/{}/status", id(&order));
    let body = json!({"status": "discharged", "version": 1, "reason": "Discharged on appeal"});
    let (status, problem) = app.post(&path, &app.token(Role::Supervisor, "met"), &body).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("four_eyes_required")), "{problem}");
    assert_eq!(app.count("order_status_changes").await, 0);

    let request = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged on appeal"});
    let (status, problem) = app.post("/api/v1/approvals", &app.token(Role::Ppo, "met"), &request).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let (status, problem) = app.post("/api/v1/approvals", &app.token(Role::Supervisor, "gmp"), &request).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")));
    let (status, asked) = app.post("/api/v1/approvals", &app.token_for("sergeant-1", Role::Supervisor, "met"), &request).await;
    assert_eq!(status, 201, "{asked}");
    let decision = format!("/api/v1/approvals/{}/decision", id(&asked));
    let (status, _) =
        app.post(&decision, &app.token_for("inspector-2", Role::Supervisor, "met"), &json!({"decision": "approve", "version": 1})).await;
    assert_eq!(status, 200);

    let (_, discharged) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Supervisor, "met")).await;
    assert_eq!(discharged["status"], "discharged");
    let change = &discharged["status_history"][0];
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str(), change["changed_by"].as_str()),
        (Some("active"), Some("discharged"), Some("inspector-2"))
    );
    assert_eq!(change["changed_role"], "supervisor");
    assert_eq!(change["reason"], "Discharged on appeal", "the requester's reason is the change's reason");
    let list = obligations(&app, &registrant).await;
    let programme = of_kind(&list, "attend_programme")[0];
    assert_eq!(programme["status"], "closed");
    let future: Vec<&Value> = programme["occurrences"].as_array().unwrap().iter().filter(|o| o["overdue"] == false).collect();
    assert!(!future.is_empty() && future.iter().all(|o| o["status"] == "excused" && o["reason"].is_string()), "{programme}");
    // A discharged order is final.
    let (status, problem) = app.post(&path, &app.token(Role::Supervisor, "met"), &json!({"status": "active", "version": 2})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("illegal_transition")));
}

#[tokio::test]
async fn probation_never_sees_protected_persons_nor_orders_it_does_not_supervise() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    let probation = app.token(Role::Probation, "probation-london");
    let (status, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &probation).await;
    assert_eq!(status, 200, "{seen}");
    assert!(seen.get("protected_persons").is_none(), "the field is absent for probation: {seen}");
    assert!(!seen.to_string().contains("Protected"));
    assert_eq!(seen["conditions"][0]["category"], "no_contact");
    assert!(seen["conditions"][0].get("text").is_none(), "a prohibition's wording describes the protected person");
    let (status, list) = app.get(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &probation).await;
    assert_eq!(status, 200);
    assert!(list["items"][0].get("protected_persons").is_none());

    let elsewhere = app.token(Role::Probation, "probation-midlands");
    let (status, problem) = app.get(&format!("/api/v1/orders/{}", id(&order)), &elsewhere).await;
    assert_eq!((status, problem["code"].as_str()), (404, Some("not_found")));
    let (status, _) = app.get(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &elsewhere).await;
    assert_eq!(status, 404);

    // Another force reads nationally, protected persons included, and that is a disclosure.
    let (status, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Ppo, "gmp")).await;
    assert_eq!((status, seen["protected_persons"][0]["given"].as_str()), (200, Some("Pat")));
    let disclosures = app.count("audit_events WHERE action = 'disclosure' AND operation = 'order.read'").await;
    assert_eq!(disclosures, 1);
    assert_eq!(app.count("audit_events WHERE outcome = 'denied'").await, 2);
    // Probation cannot record orders at all.
    let (status, _) = app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &probation, &spo("2026-01-12", None)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn invalid_orders_are_named_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let registrant = app.registrant("met", registrant_body("Invalid")).await;
    let token = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/registrants/{}/orders", id(&registrant));
    let audit_before = app.count("audit_events").await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = spo("2026-01-12", None);
                b["expires_on"] = json!("2030-01-01");
                b
            },
            "expires_on",
        ),
        (
            {
                let mut b = spo("2026-01-12", None);
                b["until_further_order"] = json!(false);
                b["expires_on"] = json!("2027-01-12");
                b
            },
            "expires_on",
        ),
        (
            {
                let mut b = spo("2026-01-12", None);
                b["regime"] = json!("no_such_regime");
                b
            },
            "regime",
        ),
        (
            {
                let mut b = spo("2026-01-12", Some("2026-01-11"));
                b["court"] = json!("Court");
                b
            },
            "served_on",
        ),
        (
            {
                let mut b = spo("2026-01-12", None);
                b["protected_persons"][0]["family"] = json!(" ");
                b
            },
            "protected_persons[0].family",
        ),
        (
            {
                let mut b = dapo("2026-03-02", "2026-03-03");
                b["conditions"][0]["responsible_person"] = Value::Null;
                b
            },
            "conditions[0].responsible_person",
        ),
        (
            {
                let mut b = dapo("2026-03-02", "2026-03-03");
                b["conditions"][0]["kind"] = json!("prohibition");
                b
            },
            "conditions[0].category",
        ),
        (
            {
                let mut b = dapo("2026-03-02", "2026-03-03");
                b["conditions"][0]["schedule"]["frequency"]["weekday"] = json!("Someday");
                b
            },
            "conditions[0].schedule.frequency",
        ),
        (
            {
                let mut b = spo("2026-01-12", None);
                b["status"] = json!("interim");
                b
            },
            "status",
        ),
        (
            {
                let mut b = spo("2026-01-12", None);
                b["colour"] = json!("red");
                b
            },
            "colour",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post(&path, &token, &body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    for table in ["orders", "order_protected_persons", "order_conditions", "obligations", "occurrences"] {
        assert_eq!(app.count(table).await, 0, "{table} must stay empty");
    }
    assert_eq!(app.count("audit_events").await, audit_before);
    let (_, list) = app.get(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn only_the_managing_organisation_records_orders() {
    let app = TestApp::spawn().await;
    let registrant = app.registrant("met", registrant_body("Managed")).await;
    let (status, problem) =
        app.post(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &app.token(Role::Ppo, "gmp"), &spo("2026-01-12", None)).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")));
    let missing = uuid::Uuid::now_v7();
    let (status, _) =
        app.post(&format!("/api/v1/registrants/{missing}/orders"), &app.token(Role::Ppo, "met"), &spo("2026-01-12", None)).await;
    assert_eq!(status, 404);
    assert_eq!(app.count("orders").await, 0);
}

/// Asserts that exactly one audit entry was written since `before`, with this action and operation.
async fn one_entry(app: &TestApp, before: i64, action: &str, operation: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let after = app.count("audit_events").await;
    assert_eq!(after, before + 1, "{operation} writes exactly one entry");
    let sql = "SELECT action, operation FROM audit_events ORDER BY seq DESC LIMIT 1";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    let found = (row.try_get::<String>("", "action").unwrap(), row.try_get::<String>("", "operation").unwrap());
    assert_eq!(found, (action.to_owned(), operation.to_owned()));
    after
}

#[tokio::test]
async fn each_operation_writes_one_audit_entry_with_its_s62_action() {
    let app = TestApp::spawn().await;
    let (registrant, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let ppo = app.token(Role::Ppo, "met");
    let mut n = one_entry(&app, app.count("audit_events").await - 1, "collection", "order.create").await;
    assert_eq!(app.get(&format!("/api/v1/orders/{}", id(&order)), &ppo).await.0, 200);
    n = one_entry(&app, n, "consultation", "order.read").await;
    assert_eq!(app.get(&format!("/api/v1/registrants/{}/orders", id(&registrant)), &ppo).await.0, 200);
    n = one_entry(&app, n, "consultation", "order.list").await;
    app.sessions_held().await;
    let list = obligations(&app, &registrant).await;
    n = one_entry(&app, n, "consultation", "obligation.list").await;

    let session = &of_kind(&list, "attend_programme")[0]["occurrences"][0];
    let (status, _) = app
        .post(&format!("/api/v1/occurrences/{}/compliance", id(session)), &ppo, &json!({"outcome": "attended_complied", "version": 1}))
        .await;
    assert_eq!(status, 201);
    n = one_entry(&app, n, "collection", "occurrence.compliance").await;
    let session = &of_kind(&list, "attend_programme")[0]["occurrences"][1];
    let (status, _) = app
        .post(&format!("/api/v1/occurrences/{}/excusal", id(session)), &ppo, &json!({"reason": "Court appearance.", "version": 1}))
        .await;
    assert_eq!(status, 200);
    n = one_entry(&app, n, "alteration", "occurrence.excuse").await;
    let notification =
        json!({"kind": "initial", "method": "in_person_elsewhere", "acknowledgement_given": true, "notified_at": "2026-03-03T10:00:00Z"});
    assert_eq!(app.post(&format!("/api/v1/registrants/{}/notifications", id(&registrant)), &ppo, &notification).await.0, 201);
    n = one_entry(&app, n, "collection", "notification.record").await;
    assert_eq!(app.post(&format!("/api/v1/orders/{}/variations", id(&order)), &ppo, &variation(1)).await.0, 201);
    n = one_entry(&app, n, "alteration", "order.vary").await;
    let (status, breach) =
        app.post(&format!("/api/v1/registrants/{}/breaches", id(&registrant)), &ppo, &json!({"summary": "Missed two sessions."})).await;
    assert_eq!(status, 201);
    n = one_entry(&app, n, "collection", "breach.create").await;
    let decision = json!({"action": "warning", "reason": "First missed sessions.", "version": 1});
    assert_eq!(app.post(&format!("/api/v1/breaches/{}/decisions", id(&breach)), &ppo, &decision).await.0, 201);
    n = one_entry(&app, n, "collection", "breach.decision").await;
    assert_eq!(app.get(&format!("/api/v1/breaches/{}", id(&breach)), &ppo).await.0, 200);
    one_entry(&app, n, "consultation", "breach.read").await;

    // Returning protected persons is a disclosure.
    let (_, spo_order) = registrant_with_order(&app, spo("2026-01-12", Some("2026-01-12"))).await;
    n = app.count("audit_events").await;
    assert_eq!(app.get(&format!("/api/v1/orders/{}", id(&spo_order)), &ppo).await.0, 200);
    n = one_entry(&app, n, "disclosure", "order.read").await;
    // ...but not to probation, for whom it stays a consultation.
    assert_eq!(app.get(&format!("/api/v1/orders/{}", id(&spo_order)), &app.token(Role::Probation, "probation-london")).await.0, 200);
    one_entry(&app, n, "consultation", "order.read").await;
}
