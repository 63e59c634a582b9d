//! A session attended but entered after the grace period: the detector has marked it missed
//! and raised a breach. Probation corrects it with a reason: the occurrence becomes met, the
//! breach is withdrawn with that reason (never deleted), the managing force is told, the audit
//! names both; bad input or a decided breach changes nothing.

use jobs::detect_missed;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, of_kind, registrant_with_order};
use crate::support::TestApp;
use crate::support::pages::{Browser, account};

/// A DAPO whose programme sessions have all been held and detected as missed; returns the
/// registrant and the missed sessions.
async fn missed_sessions(app: &TestApp) -> (Value, Vec<Value>) {
    let (registrant, _) = registrant_with_order(app, dapo("2026-03-02", "2026-03-03")).await;
    app.sessions_held().await;
    detect_missed::run(&app.db, vigil::clock::now(), std::time::Duration::from_secs(3600)).await.unwrap();
    let list = obligations(app, &registrant).await;
    let sessions = of_kind(&list, "attend_programme")[0]["occurrences"].as_array().unwrap().clone();
    assert!(sessions.iter().all(|o| o["status"] == "missed"), "{list}");
    (registrant, sessions)
}

async fn correct(app: &TestApp, token: &str, occurrence: &Value, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/occurrences/{}/correction", id(occurrence)), token, &body).await
}

async fn breach_of(app: &TestApp, occurrence: &Value) -> Value {
    let ppo = app.token(Role::Ppo, "met");
    let (_, page) = app.get("/api/v1/breaches?limit=100", &ppo).await;
    let found = page["items"].as_array().unwrap().iter().find(|b| b["occurrence_id"] == occurrence["id"]).expect("its breach").clone();
    app.get(&format!("/api/v1/breaches/{}", id(&found)), &ppo).await.1
}

async fn last_entry(app: &TestApp) -> (String, String) {
    let sql = "SELECT operation, record_ids FROM audit_events ORDER BY seq DESC LIMIT 1";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    (row.try_get("", "operation").unwrap(), row.try_get("", "record_ids").unwrap())
}

#[tokio::test]
async fn probation_corrects_a_session_entered_late_and_the_breach_is_withdrawn_not_deleted() {
    let app = TestApp::spawn().await;
    let (_, sessions) = missed_sessions(&app).await;
    let session = &sessions[0];
    let breach = breach_of(&app, session).await;
    assert_eq!(breach["status"], "open");
    let probation = app.token_for("po-1", Role::Probation, "probation-london");
    let (breaches, records, audit) = (app.count("breaches").await, app.count("compliance_records").await, app.count("audit_events").await);

    // Bad input names the field and writes nothing.
    let attended = |reason: &str| json!({"outcome": "attended_complied", "reason": reason, "version": 2});
    for (body, field) in [
        (attended("  "), "reason"),
        (json!({"outcome": "failed_to_attend", "reason": "x", "version": 2}), "outcome"),
        (json!({"outcome": "acceptable_absence", "reason": "x", "version": 2}), "notes"),
    ] {
        let (status, problem) = correct(&app, &probation, session, body).await;
        assert_eq!((status, problem["field"].as_str()), (422, Some(field)), "{problem}");
    }
    let (status, problem) = correct(&app, &app.token(Role::Probation, "probation-midlands"), session, attended("x")).await;
    assert_eq!(status, 404, "another organisation's registrant: {problem}");
    let (status, problem) = correct(&app, &probation, session, json!({"outcome": "attended_complied", "reason": "x", "version": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("stale_version")));
    assert_eq!(app.count("audit_events").await, audit + 1, "only the refused read of another organisation is audited");
    assert_eq!(breach_of(&app, session).await["status"], "open");
    assert_eq!((app.count("breaches").await, app.count("compliance_records").await), (breaches, records));

    let reason = "Attended at 10:00; entered at the end of the day.";
    let (status, result) = correct(&app, &probation, session, attended(reason)).await;
    assert_eq!(status, 200, "{result}");
    let (operation, ids) = last_entry(&app).await;
    assert_eq!(operation, "occurrence.correction");
    assert!(ids.contains(id(session)) && ids.contains(id(&breach)), "{ids}");
    assert_eq!(result["withdrawn_breach_id"], breach["id"]);
    let occurrence = &result["occurrence"];
    assert_eq!((occurrence["status"].as_str(), occurrence["reason"].as_str()), (Some("met"), Some(reason)));
    assert_eq!(occurrence["compliance"][0]["outcome"], "attended_complied");

    let withdrawn = breach_of(&app, session).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert_eq!(
        (withdrawn["withdrawal"]["reason"].as_str(), withdrawn["withdrawal"]["withdrawn_by"].as_str()),
        (Some(reason), Some("po-1"))
    );
    assert_eq!(app.count("breaches").await, breaches, "withdrawn, not deleted");
    let told = app
        .db
        .query_one_raw(Statement::from_sql_and_values(
            app.db.get_database_backend(),
            if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
                "SELECT recipient_org FROM outbox WHERE topic = 'breach.withdrawn' AND subject_id = $1"
            } else {
                "SELECT recipient_org FROM outbox WHERE topic = 'breach.withdrawn' AND subject_id = ?"
            },
            [breach["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap().into()],
        ))
        .await
        .unwrap()
        .expect("the managing force is told");
    assert_eq!(told.try_get::<String>("", "recipient_org").unwrap(), "met");

    // Nothing more can be decided on it, and it cannot be corrected twice.
    let ppo = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/breaches/{}/decisions", id(&breach));
    let (status, problem) = app.post(&path, &ppo, &json!({"action": "warning", "reason": "r", "version": withdrawn["version"]})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("withdrawn")));
    let (status, problem) = correct(&app, &probation, session, json!({"outcome": "attended_complied", "reason": "x", "version": 3})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("not_missed")));
}

#[tokio::test]
async fn a_breach_already_decided_is_not_withdrawn_by_a_correction() {
    let app = TestApp::spawn().await;
    let (_, sessions) = missed_sessions(&app).await;
    let breach = breach_of(&app, &sessions[1]).await;
    let ppo = app.token(Role::Ppo, "met");
    let path = format!("/api/v1/breaches/{}/decisions", id(&breach));
    let (status, _) = app.post(&path, &ppo, &json!({"action": "warning", "reason": "Warned by phone.", "version": 1})).await;
    assert_eq!(status, 201);
    let probation = app.token_for("po-1", Role::Probation, "probation-london");
    let body = json!({"outcome": "attended_complied", "reason": "Attended.", "version": 2});
    let (status, problem) = correct(&app, &probation, &sessions[1], body).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("breach_decided")), "{problem}");
    assert_eq!(breach_of(&app, &sessions[1]).await["status"], "decided");
    assert_eq!(app.count("compliance_records").await, 0);
}

#[tokio::test]
async fn the_correction_page_shows_the_error_summary_and_then_corrects() {
    let app = TestApp::spawn_demo().await;
    let (registrant, sessions) = missed_sessions(&app).await;
    let probation = Browser::new(&app);
    probation.sign_in(account(Role::Probation, "probation-london")).await;
    let why = format!("/registrants/{}/why", id(&registrant));
    let csrf = probation.csrf(&why).await;
    let (status, _, _) = probation.post(&why, &[("csrf", &csrf), ("reason", "COMPLIANCE")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, tab, _) = probation.get(&format!("/registrants/{}/obligations", id(&registrant))).await;
    let page = format!("/registrants/{}/occurrences/{}/correct", id(&registrant), id(&sessions[0]));
    assert!(tab.contains(&format!("href=\"{page}\"")) && tab.contains("Correct the outcome"));

    let csrf = probation.csrf(&page).await;
    let (status, html, _) = probation.post(&page, &[("csrf", &csrf), ("version", "2"), ("outcome", "attended_complied")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("govuk-error-summary") && html.contains("href=\"#reason\"") && html.contains("Enter why it was recorded as missed")
    );
    assert_eq!(app.count("compliance_records").await, 0);

    let form = [("csrf", csrf.as_str()), ("version", "2"), ("outcome", "attended_complied"), ("reason", "Attended; entered late.")];
    let (status, _, location) = probation.post(&page, &form).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(format!("/registrants/{}/obligations?done=corrected", id(&registrant)).as_str()))
    );
    assert_eq!(breach_of(&app, &sessions[0]).await["status"], "withdrawn");
    let (status, _, _) = probation.get(&page).await;
    assert_eq!(status, StatusCode::CONFLICT, "no longer missed");
}
