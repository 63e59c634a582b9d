//! Crime reports and the register check through the API: minimal disclosure for intake,
//! justification and rate limiting, matching through nicknames, transposed dates, swapped and
//! reformatted particulars, new people not matched, serial patterns across victims, breach
//! candidates, and the review queue whose rejections stick.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::support::{TestApp, into_parts};

/// A registrant with the given particulars, managed by `met`.
pub async fn registrant(app: &TestApp, given: &str, family: &str, dob: &str, phone: &str) -> Value {
    app.registrant(
        "met",
        json!({
            "managing_officer": "DC Example",
            "names": [{ "kind": "primary", "given": given, "family": family }],
            "birth_dates": [dob],
            "identifiers": [{ "kind": "phone", "value": phone }]
        }),
    )
    .await
}

pub fn report(crime_reference: &str, victim: &str, suspect: Value) -> Value {
    json!({
        "crime_reference": crime_reference,
        "principal_classification": "harassment",
        "included_classifications": ["stalking", "malicious_communications"],
        "occurred_from": "2026-10-01",
        "victim": { "reference": victim, "given": "Vera", "family": "Victim" },
        "suspect": suspect,
        "channels": ["sms"],
        "summary": "Synthetic summary of repeated unwanted messages."
    })
}

pub async fn record(app: &TestApp, token: &str, body: &Value) -> String {
    let (status, receipt) = app.post("/api/v1/reports", token, body).await;
    assert_eq!(status, 201, "recording a report: {receipt}");
    receipt["id"].as_str().expect("report id").to_owned()
}

/// Runs a check with a justification; returns status, body and the Retry-After header.
pub async fn check(app: &TestApp, token: &str, report_id: &str) -> (u16, Value, Option<String>) {
    let response = app
        .client
        .post(format!("{}/api/v1/reports/{report_id}/checks", app.base))
        .bearer_auth(token)
        .header("vigil-reason-code", "INVESTIGATION")
        .header("vigil-crime-reference", "MET-2026-000001")
        .send()
        .await
        .expect("check sent");
    let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (status, body) = into_parts(response).await;
    (status, body, retry)
}

/// The agreement level of `field` in the explanation of the candidate `target_id`, or
/// `not a candidate`.
pub fn level_of(view: &Value, target_id: &str, field: &str) -> String {
    candidate(view, target_id).map_or_else(|| "not a candidate".to_owned(), |c| level(c, field))
}

fn candidate<'a>(view: &'a Value, target_id: &str) -> Option<&'a Value> {
    view["candidates"].as_array()?.iter().find(|c| c["target_id"] == target_id)
}

fn level(candidate: &Value, field: &str) -> String {
    candidate["explanation"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["field"] == field))
        .and_then(|f| f["level"].as_str())
        .unwrap_or("absent")
        .to_owned()
}

#[tokio::test]
async fn intake_sees_only_hit_or_no_hit_a_reference_and_a_contact_route() {
    let app = TestApp::spawn().await;
    registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let intake = app.token(Role::Intake, "kent");
    let hit = record(
        &app,
        &intake,
        &report("KNT/1", "V-1", json!({ "names": [{ "given": "Bob", "family": "Hartley" }], "date_of_birth": "1980-04-03" })),
    )
    .await;
    let (status, answer, _) = check(&app, &intake, &hit).await;
    assert_eq!(status, 200, "{answer}");
    let keys: Vec<&str> = answer.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["check_reference", "contact_route", "result"]);
    assert_eq!(answer["result"], "possible_match");
    assert_eq!(answer["contact_route"], "met");
    assert!(answer["check_reference"].as_str().unwrap().starts_with("CHK-"));
    let text = answer.to_string();
    for secret in ["Hartley", "Robert", "VGL-", "1980", "7700", "Victim"] {
        assert!(!text.contains(secret), "intake must not see {secret}: {text}");
    }

    let miss = record(
        &app,
        &intake,
        &report("KNT/2", "V-2", json!({ "names": [{ "given": "Zara", "family": "Quill" }], "date_of_birth": "1995-06-07" })),
    )
    .await;
    let (status, answer, _) = check(&app, &intake, &miss).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = answer.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["check_reference", "contact_route", "result"]);
    assert_eq!((answer["result"].as_str(), &answer["contact_route"]), (Some("no_match"), &Value::Null));
    // Intake may not read the stored check with its candidates.
    assert_eq!(app.get("/api/v1/links", &intake).await.0, 403);
}

#[tokio::test]
async fn nicknames_transposed_dates_swapped_names_and_reformatted_phones_are_found() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let id = target["id"].as_str().unwrap();
    let ppo = app.token(Role::Ppo, "kent");

    let nickname = record(
        &app,
        &ppo,
        &report("KNT/10", "V-10", json!({ "names": [{ "given": "Bob", "family": "Hartley" }], "date_of_birth": "1980-04-03" })),
    )
    .await;
    let (status, view, _) = check(&app, &ppo, &nickname).await;
    assert_eq!(status, 200, "{view}");
    let found = candidate(&view, id).expect("the registrant is a candidate");
    assert_eq!((level(found, "name").as_str(), level(found, "date_of_birth").as_str()), ("nickname", "transposed"));
    assert_eq!(found["outcome"], "review");
    assert_eq!(found["target_reference"], target["reference"]);
    assert!(found["probability"].as_f64().unwrap() > 0.5);
    assert_eq!(view["algorithm_version"].as_str().map(|v| v.starts_with("fs-")), Some(true));

    let swapped = record(
        &app,
        &ppo,
        &report("KNT/11", "V-11", json!({ "names": [{ "given": "Hartley", "family": "Robert" }], "date_of_birth": "1981-03-04" })),
    )
    .await;
    let (_, view, _) = check(&app, &ppo, &swapped).await;
    let found = candidate(&view, id).expect("swapped names still block");
    assert_eq!((level(found, "name").as_str(), level(found, "date_of_birth").as_str()), ("swapped", "one_digit"));

    let phone = record(
        &app,
        &ppo,
        &report("KNT/12", "V-12", json!({ "names": [{ "given": "Unknown", "family": "Caller" }], "identifiers": [{ "kind": "phone", "value": "+44 (0)7700-900456" }] })),
    )
    .await;
    let (_, view, _) = check(&app, &ppo, &phone).await;
    let found = candidate(&view, id).expect("the reformatted phone finds the registrant");
    assert_eq!(level(found, "phone"), "agree");
    assert_eq!(found["outcome"], "review");
    // Explanations hold field names and levels, never values.
    assert!(!view.to_string().contains("900456"));

    let stranger = record(
        &app,
        &ppo,
        &report("KNT/13", "V-13", json!({ "names": [{ "given": "Zara", "family": "Quill" }], "date_of_birth": "1995-06-07", "identifiers": [{ "kind": "email", "value": "zq@example.org" }] })),
    )
    .await;
    let (_, view, _) = check(&app, &ppo, &stranger).await;
    assert_eq!(view["result"], "no_match", "{view}");
    assert!(candidate(&view, id).is_none());

    // Every run is stored with its candidates and can be read back.
    let (status, stored) = app.get(&format!("/api/v1/checks/{}", view["id"].as_str().unwrap()), &ppo).await;
    assert_eq!((status, stored["check_reference"].as_str()), (200, view["check_reference"].as_str()));
    assert_eq!(app.count("register_checks").await, 4);
}

#[tokio::test]
async fn checks_need_a_justification_and_are_rate_limited_per_user() {
    let app = TestApp::spawn_with_check_limit(2).await;
    let intake = app.token(Role::Intake, "kent");
    let id = record(&app, &intake, &report("KNT/20", "V-20", json!({ "names": [{ "given": "Nobody", "family": "Known" }] }))).await;

    let (status, problem) =
        app.unjustified(reqwest::Method::POST, &format!("/api/v1/reports/{id}/checks"), &intake, Some(&json!({}))).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("Vigil-Reason-Code")), "{problem}");
    // A reason that needs a reference, without one, names the reference.
    let (status, problem) = app.post(&format!("/api/v1/reports/{id}/checks"), &intake, &json!({})).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("Vigil-Crime-Reference")), "{problem}");
    assert_eq!(check(&app, &intake, &id).await.0, 200);
    assert_eq!(check(&app, &intake, &id).await.0, 200);
    let (status, problem, retry) = check(&app, &intake, &id).await;
    assert_eq!((status, problem["code"].as_str()), (429, Some("rate_limited")));
    assert!(retry.and_then(|r| r.parse::<u64>().ok()).is_some_and(|s| s > 0 && s <= 3600), "Retry-After in seconds");
    // Another user is not affected.
    let other = app.token_for("second-user", Role::Intake, "kent");
    assert_eq!(check(&app, &other, &id).await.0, 200);
    assert_eq!(app.count("register_checks").await, 3);
}

/// The limit is counted in the database: two replicas (separate pools, separate limiter
/// objects) share one window, and concurrent checks by one user admit exactly the limit.
#[tokio::test]
async fn the_check_limit_is_shared_by_replicas_and_exact_under_concurrency() {
    let app = TestApp::spawn().await;
    let intake = app.token(Role::Intake, "kent");
    let id = record(&app, &intake, &report("KNT/21", "V-21", json!({ "names": [{ "given": "Nobody", "family": "Known" }] }))).await;
    let id: uuid::Uuid = id.parse().unwrap();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mut ctx = app.ctx.clone();
        ctx.db = app.test_db.connect().await;
        ctx.checks = std::sync::Arc::new(vigil::services::checks::limiter::CheckLimiter::per_hour(3));
        replicas.push(ctx);
    }
    let mut caller = vigil::cli::import::import_caller("kent", "shared-user");
    caller.justification.crime_reference = Some("KNT-21".into());
    let mut tasks = Vec::new();
    for n in 0..8 {
        let (ctx, caller) = (replicas[n % 2].clone(), caller.clone());
        tasks.push(tokio::spawn(async move {
            vigil::services::checks::run(&ctx, &caller, domain::ids::ReportId::from(id), vigil::clock::now()).await
        }));
    }
    let (mut admitted, mut limited) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => admitted += 1,
            Err(vigil::services::ServiceError::RateLimited { retry_after_seconds }) => {
                assert!(retry_after_seconds > 0 && retry_after_seconds <= 3600);
                limited += 1;
            }
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!((admitted, limited), (3, 5));
    assert_eq!(app.count("register_checks").await, 3);
}

#[tokio::test]
async fn bad_report_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let intake = app.token(Role::Intake, "kent");
    let bad = report(
        "KNT/30",
        "V-30",
        json!({ "names": [{ "given": "Ann", "family": "Example" }], "identifiers": [{ "kind": "phone", "value": "12345" }] }),
    );
    let (status, problem) = app.post("/api/v1/reports", &intake, &bad).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("suspect.identifiers[0].value")), "{problem}");
    assert!(!problem.to_string().contains("12345"));
    let mut unknown = report("KNT/31", "V-31", json!({ "names": [{ "family": "Example" }] }));
    unknown["suspect"]["shoe_size"] = json!(9);
    let (status, problem) = app.post("/api/v1/reports", &intake, &unknown).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("suspect.shoe_size")), "{problem}");
    let (status, problem) = app.post("/api/v1/reports", &intake, &report("KNT/32", "V-32", json!({}))).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("suspect")), "{problem}");
    for table in ["crime_reports", "blind_indexes", "audit_events"] {
        assert_eq!(app.count(table).await, 0, "{table} must stay empty");
    }
}

async fn alerts(app: &TestApp, org: &str) -> Vec<Value> {
    let (status, list) = app.get("/api/v1/alerts", &app.token(Role::Ppo, org)).await;
    assert_eq!(status, 200, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn two_victims_of_one_unregistered_suspect_raise_a_serial_pattern_alert() {
    let app = TestApp::spawn().await;
    let intake = app.token(Role::Intake, "kent");
    let suspect = json!({ "names": [{ "given": "Max", "family": "Stone" }], "identifiers": [{ "kind": "online_handle", "platform": "instagram", "value": "@max_s_example" }] });
    let first = record(&app, &intake, &report("KNT/40", "V-40", suspect.clone())).await;
    let (_, answer, _) = check(&app, &intake, &first).await;
    assert_eq!(answer["result"], "no_match");
    assert!(alerts(&app, "kent").await.is_empty());

    let mut again = suspect.clone();
    again["names"] = json!([{ "given": "Maxwell", "family": "Stone" }]);
    let second = record(&app, &intake, &report("KNT/41", "V-41", again)).await;
    let (_, answer, _) = check(&app, &intake, &second).await;
    assert_eq!((answer["result"].as_str(), answer["contact_route"].as_str()), (Some("possible_match"), Some("kent")));
    let raised = alerts(&app, "kent").await;
    let kinds: Vec<&str> = raised.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"serial_pattern") && kinds.contains(&"order_eligibility"), "{kinds:?}");
    let serial = raised.iter().find(|a| a["kind"] == "serial_pattern").unwrap();
    assert_eq!(serial["detail"]["distinct_victims"], 2);
    assert!(!serial.to_string().contains("Stone"));
    // Checking again raises nothing new.
    check(&app, &intake, &second).await;
    assert_eq!(alerts(&app, "kent").await.len(), raised.len());
}

#[tokio::test]
async fn a_registrant_linked_to_two_victims_alerts_the_managing_unit() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let intake = app.token(Role::Intake, "kent");
    let suspect = json!({ "names": [{ "given": "Robert", "family": "Hartley" }], "date_of_birth": "1980-03-04" });
    for (reference, victim) in [("KNT/50", "V-50"), ("KNT/51", "V-51")] {
        let id = record(&app, &intake, &report(reference, victim, suspect.clone())).await;
        assert_eq!(check(&app, &intake, &id).await.1["contact_route"], "met");
    }
    let raised = alerts(&app, "met").await;
    let serial = raised.iter().find(|a| a["kind"] == "serial_pattern").expect("serial pattern alert");
    assert_eq!(serial["registrant_id"], target["id"]);
    assert!(raised.iter().any(|a| a["kind"] == "order_eligibility"), "no order in force");
}

#[tokio::test]
async fn every_force_whose_report_is_in_a_serial_pattern_is_told() {
    let app = TestApp::spawn().await;
    let suspect = json!({ "names": [{ "given": "Max", "family": "Stone" }], "identifiers": [{ "kind": "online_handle", "platform": "instagram", "value": "@max_s_example" }] });
    let kent = app.token(Role::Intake, "kent");
    let first = record(&app, &kent, &report("KNT/80", "V-80", suspect.clone())).await;
    assert_eq!(check(&app, &kent, &first).await.1["result"], "no_match");
    let essex = app.token(Role::Intake, "essex");
    let second = record(&app, &essex, &report("ESX/81", "V-81", suspect)).await;
    assert_eq!(check(&app, &essex, &second).await.1["result"], "possible_match");
    let mut told = Vec::new();
    for org in ["kent", "essex"] {
        let serial: Vec<Value> = alerts(&app, org).await.into_iter().filter(|a| a["kind"] == "serial_pattern").collect();
        assert_eq!(serial.len(), 1, "{org} sees the pattern once: {serial:?}");
        assert_eq!((serial[0]["managing_org"].as_str(), serial[0]["detail"]["distinct_victims"].as_u64()), (Some(org), Some(2)));
        let text = serial[0].to_string();
        assert!(!text.contains("Stone") && !text.contains("max_s") && !text.contains("V-8"), "ids and counts only: {text}");
        told.push(serial[0]["id"].as_str().unwrap().to_owned());
    }
    assert!(alerts(&app, "met").await.is_empty(), "a force with no report in it is not told");
    // Checking again tells nobody twice.
    check(&app, &essex, &second).await;
    check(&app, &kent, &first).await;
    for org in ["kent", "essex"] {
        assert_eq!(alerts(&app, org).await.iter().filter(|a| a["kind"] == "serial_pattern").count(), 1, "{org}");
    }

    // The pattern behind the alert: reports across victims as V1, V2, the identifier in common.
    let path = format!("/api/v1/patterns/{}", told[0]);
    let kent_ppo = app.token(Role::Ppo, "kent");
    let (status, _) = app.unjustified(reqwest::Method::GET, &path, &kent_ppo, None).await;
    assert_eq!(status, 422, "a pattern is read under a reason");
    let (status, pattern) = app.get(&path, &kent_ppo).await;
    assert_eq!(status, 200, "{pattern}");
    let victims: Vec<&str> = pattern["reports"].as_array().unwrap().iter().map(|r| r["victim"].as_str().unwrap()).collect();
    assert_eq!(victims, ["V1", "V2"]);
    assert_eq!((pattern["distinct_victims"].as_u64(), pattern["order_in_force"].as_bool()), (Some(2), Some(false)));
    let common = &pattern["identifiers_in_common"][0];
    assert_eq!((common["kind"].as_str(), common["reports"].as_u64()), (Some("online_handle"), Some(2)), "{pattern}");
    assert!(!pattern.to_string().contains("V-80") && !pattern.to_string().contains("Vera"), "victims are never named");
    // A report's reader from a force that was told is pointed at the pattern; intake is not.
    let (_, read) = app.get(&format!("/api/v1/reports/{first}"), &kent_ppo).await;
    assert_eq!(read["serial_patterns"], json!([told[0]]));
    let (_, read) = app.get(&format!("/api/v1/reports/{first}"), &kent).await;
    assert_eq!(read["serial_patterns"], json!([]));
    // Another force's alert is not found; intake cannot read patterns at all.
    assert_eq!(app.get(&path, &app.token(Role::Ppo, "essex")).await.0, 404);
    assert_eq!(app.get(&path, &kent).await.0, 403);
}

#[tokio::test]
async fn a_registrant_pattern_tells_the_managing_unit_and_every_reporting_force() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let suspect = json!({ "names": [{ "given": "Robert", "family": "Hartley" }], "date_of_birth": "1980-03-04" });
    for (org, reference, victim) in [("kent", "KNT/90", "V-90"), ("essex", "ESX/91", "V-91")] {
        let intake = app.token(Role::Intake, org);
        let id = record(&app, &intake, &report(reference, victim, suspect.clone())).await;
        assert_eq!(check(&app, &intake, &id).await.1["contact_route"], "met");
    }
    for org in ["met", "kent", "essex"] {
        let raised = alerts(&app, org).await;
        let serial: Vec<&Value> = raised.iter().filter(|a| a["kind"] == "serial_pattern").collect();
        assert_eq!(serial.len(), 1, "{org}: {raised:?}");
        assert_eq!(serial[0]["registrant_id"], target["id"]);
    }
    let met = alerts(&app, "met").await;
    let alert = met.iter().find(|a| a["kind"] == "serial_pattern").unwrap();
    let (status, pattern) = app.get(&format!("/api/v1/patterns/{}", alert["id"].as_str().unwrap()), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 200, "{pattern}");
    assert_eq!((pattern["registrant_reference"].clone(), pattern["order_in_force"].as_bool()), (target["reference"].clone(), Some(false)));
}

#[tokio::test]
async fn rejected_links_are_not_proposed_again() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let ppo = app.token(Role::Ppo, "met");
    // Same name, no date of birth: a possible match, not a strong one.
    let id = record(&app, &ppo, &report("MET/60", "V-60", json!({ "names": [{ "given": "Robert", "family": "Hartley" }] }))).await;
    let (_, view, _) = check(&app, &ppo, &id).await;
    assert_eq!(view["result"], "possible_match");
    let (status, queue) = app.get("/api/v1/links", &ppo).await;
    assert_eq!(status, 200);
    let link = queue.as_array().unwrap().iter().find(|l| l["target_id"] == target["id"]).expect("queued for review").clone();
    assert_eq!((link["status"].as_str(), link["strong"].as_bool()), (Some("pending"), Some(false)));
    let path = format!("/api/v1/links/{}/decision", link["id"].as_str().unwrap());
    let (status, problem) = app.post(&path, &ppo, &json!({ "decision": "reject", "reason": " ", "version": 1 })).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("reason")));
    let (status, decided) =
        app.post(&path, &ppo, &json!({ "decision": "reject", "reason": "Different date of birth on PNC", "version": 1 })).await;
    assert_eq!((status, decided["status"].as_str()), (200, Some("rejected")), "{decided}");
    let (status, _) = app.post(&path, &ppo, &json!({ "decision": "confirm", "reason": "Changed my mind", "version": 2 })).await;
    assert_eq!(status, 409);

    let (_, view, _) = check(&app, &ppo, &id).await;
    assert_eq!(view["result"], "no_match", "{view}");
    assert_eq!(candidate(&view, target["id"].as_str().unwrap()).unwrap()["outcome"], "previously_rejected");
    let (_, queue) = app.get("/api/v1/links", &ppo).await;
    assert!(queue.as_array().unwrap().is_empty());
    let intake = app.token(Role::Intake, "met");
    let (_, answer, _) = check(&app, &intake, &id).await;
    assert_eq!(answer["result"], "no_match");
}

#[tokio::test]
async fn confirmed_links_count_towards_serial_patterns() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let ppo = app.token(Role::Ppo, "met");
    for (reference, victim) in [("MET/70", "V-70"), ("MET/71", "V-71")] {
        let id = record(&app, &ppo, &report(reference, victim, json!({ "names": [{ "given": "Robert", "family": "Hartley" }] }))).await;
        check(&app, &ppo, &id).await;
    }
    assert!(alerts(&app, "met").await.iter().all(|a| a["kind"] != "serial_pattern"), "weak links do not count before review");
    let (_, queue) = app.get("/api/v1/links", &ppo).await;
    for link in queue.as_array().unwrap().iter().filter(|l| l["target_id"] == target["id"]) {
        let path = format!("/api/v1/links/{}/decision", link["id"].as_str().unwrap());
        let (status, _) =
            app.post(&path, &ppo, &json!({ "decision": "confirm", "reason": "Same PNC record", "version": link["version"] })).await;
        assert_eq!(status, 200);
    }
    assert!(alerts(&app, "met").await.iter().any(|a| a["kind"] == "serial_pattern" && a["registrant_id"] == target["id"]));
}

#[tokio::test]
async fn a_report_against_a_protected_person_raises_a_breach_candidate() {
    let app = TestApp::spawn().await;
    let (registrant, order) = crate::orders::registrant_with_order(&app, crate::orders::spo("2026-01-05", Some("2026-01-06"))).await;
    let intake = app.token(Role::Intake, "kent");
    let mut body = report("KNT/80", "V-80", json!({ "names": [{ "given": "Testy", "family": "Ordered" }], "date_of_birth": "1984-02-29" }));
    body["victim"] = json!({ "reference": "V-80", "given": "Pat", "family": "Protected" });
    let id = record(&app, &intake, &body).await;
    let (_, answer, _) = check(&app, &intake, &id).await;
    assert_eq!(answer["result"], "possible_match");
    let ppo = app.token(Role::Ppo, "met");
    let (status, page) = app.get(&format!("/api/v1/breaches?registrant_id={}", registrant["id"].as_str().unwrap()), &ppo).await;
    assert_eq!(status, 200, "{page}");
    let breaches: Vec<&Value> = page["items"].as_array().unwrap().iter().filter(|b| b["source"] == "crime_report").collect();
    assert_eq!(breaches.len(), 1, "{page}");
    let (_, breach) = app.get(&format!("/api/v1/breaches/{}", breaches[0]["id"].as_str().unwrap()), &ppo).await;
    assert_eq!(breach["condition_id"], order["conditions"][0]["id"], "{breach}");
    check(&app, &intake, &id).await;
    assert_eq!(app.count("breaches").await, 1, "a second check raises no second breach");
}

#[tokio::test]
async fn a_report_using_a_prohibited_channel_raises_a_breach_candidate_on_that_condition() {
    let app = TestApp::spawn().await;
    let mut order = crate::orders::spo("2026-01-05", Some("2026-01-06"));
    order["conditions"] = json!([{
        "kind": "prohibition", "category": "banned_channel",
        "text": "Not to use social media to contact anyone named in the order.",
        "parameters": { "channels": ["social_media"] }
    }]);
    let (registrant, order) = crate::orders::registrant_with_order(&app, order).await;
    let intake = app.token(Role::Intake, "kent");
    let mut body = report("KNT/90", "V-90", json!({ "names": [{ "given": "Testy", "family": "Ordered" }], "date_of_birth": "1984-02-29" }));
    body["channels"] = json!(["social_media"]);
    let id = record(&app, &intake, &body).await;
    check(&app, &intake, &id).await;
    let ppo = app.token(Role::Ppo, "met");
    let (_, page) = app.get(&format!("/api/v1/breaches?registrant_id={}", registrant["id"].as_str().unwrap()), &ppo).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let (_, breach) = app.get(&format!("/api/v1/breaches/{}", items[0]["id"].as_str().unwrap()), &ppo).await;
    assert_eq!((breach["source"].as_str(), &breach["condition_id"]), (Some("crime_report"), &order["conditions"][0]["id"]));
}

#[tokio::test]
async fn report_particulars_never_reach_the_database_in_clear() {
    let app = TestApp::spawn().await;
    let tag = uuid::Uuid::now_v7().simple().to_string()[20..].to_owned();
    let (suspect, victim, summary) = (format!("Canarysuspect{tag}"), format!("Canaryvictim{tag}"), format!("Canary summary {tag}"));
    let mut body = report(
        "KNT/99",
        "V-99",
        json!({ "names": [{ "given": "Cal", "family": suspect }], "identifiers": [{ "kind": "email", "value": format!("{tag}@example.org") }] }),
    );
    body["victim"]["family"] = json!(victim);
    body["summary"] = json!(summary);
    let intake = app.token(Role::Intake, "kent");
    let id = record(&app, &intake, &body).await;
    check(&app, &intake, &id).await;
    if let Some(path) = app.test_db.sqlite_path() {
        for file in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                for needle in [&suspect, &victim, &summary, &tag] {
                    let lower = needle.to_lowercase();
                    for n in [needle.as_str(), lower.as_str()] {
                        assert!(!bytes.windows(n.len()).any(|w| w == n.as_bytes()), "{n} found in {}", file.display());
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn a_link_is_reviewed_side_by_side_with_a_justification_and_never_shows_the_victim() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let ppo = app.token(Role::Ppo, "met");
    let suspect =
        json!({ "names": [{ "given": "Robert", "family": "Hartley" }], "identifiers": [{ "kind": "email", "value": "rh@example.org" }] });
    let id = record(&app, &ppo, &report("MET/80", "V-80", suspect)).await;
    check(&app, &ppo, &id).await;
    let (_, queue) = app.get("/api/v1/links", &ppo).await;
    let link = queue.as_array().unwrap().iter().find(|l| l["target_id"] == target["id"]).expect("queued").clone();
    let path = format!("/api/v1/links/{}", link["id"].as_str().unwrap());

    // A read of two people's particulars: refused without a reason, audited with one.
    let (status, problem) = app.unjustified(reqwest::Method::GET, &path, &ppo, None).await;
    assert_eq!(status, 422, "{problem}");
    let (status, review) = app.get(&path, &ppo).await;
    assert_eq!(status, 200, "{review}");
    assert_eq!(review["link"]["id"], link["id"]);
    assert_eq!(review["suspect"]["reference"], "met/MET/80");
    assert_eq!(review["suspect"]["names"][0]["family"], "Hartley");
    assert_eq!(review["suspect"]["identifiers"][0]["kind"], "email");
    assert_eq!(
        (review["candidate"]["reference"].as_str(), review["candidate"]["held_by"].as_str()),
        (target["reference"].as_str(), Some("met"))
    );
    assert_eq!(review["candidate"]["dates_of_birth"][0], "1980-03-04");
    assert!(review["link"]["explanation"].as_array().unwrap().iter().any(|f| f["field"] == "name" && f["level"] == "exact"));
    let text = review.to_string();
    assert!(!text.contains("Vera") && !text.contains("V-80"), "no victim in a link review: {text}");
    assert_eq!(crate::jobs::audit_count(&app, "link.review", "success").await, 1);

    for role in [Role::Probation, Role::Intake, Role::Auditor, Role::Admin] {
        assert_eq!(app.get(&path, &app.token(role, "met")).await.0, 403, "{role}");
    }
    assert_eq!(app.get(&format!("/api/v1/links/{}", uuid::Uuid::now_v7()), &ppo).await.0, 404);
}
