//! Possible duplicates on the register: a registrant created or imported is compared with the
//! register, and each likely pair is proposed for review with the explanation; an officer
//! confirms or rejects it with a reason, audited, once.

use serde_json::{Value, json};
use vigil::auth::Role;
use vigil::cli::import::{import, import_caller};

use crate::register_check::registrant;
use crate::support::TestApp;

async fn proposed(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, queue) = app.get("/api/v1/duplicates", token).await;
    assert_eq!(status, 200, "{queue}");
    queue.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_new_registrant_like_an_existing_one_is_proposed_and_decided_once_with_a_reason() {
    let app = TestApp::spawn().await;
    let existing = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    registrant(&app, "Zara", "Quill", "1991-07-09", "07700 900457").await;
    let ppo = app.token(Role::Ppo, "met");
    assert!(proposed(&app, &ppo).await.is_empty(), "unlike people are not proposed");

    let again = registrant(&app, "Bob", "Hartley", "1980-03-04", "07700 900458").await;
    let queue = proposed(&app, &ppo).await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    let pair = &queue[0];
    assert_eq!((&pair["registrant_id"], &pair["existing_id"]), (&again["id"], &existing["id"]));
    assert_eq!(pair["existing_reference"], existing["reference"]);
    assert_eq!(pair["status"], "proposed");
    let levels: Vec<&str> = pair["explanation"].as_array().unwrap().iter().filter_map(|f| f["level"].as_str()).collect();
    assert!(levels.contains(&"nickname") && levels.contains(&"exact"), "{levels:?}");
    assert!(!pair.to_string().contains("Hartley"), "levels, never values: {pair}");

    let id = pair["id"].as_str().unwrap();
    let path = format!("/api/v1/duplicates/{id}/decision");
    // No reason: the field is named and nothing changes.
    let (status, problem) = app.post(&path, &ppo, &json!({ "decision": "confirm", "reason": " ", "version": 1 })).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("reason")), "{problem}");
    let (status, _) = app.post(&path, &ppo, &json!({ "decision": "confirm", "reason": "Same PNC record", "version": 7 })).await;
    assert_eq!(status, 409, "a stale version");
    assert_eq!(proposed(&app, &ppo).await.len(), 1, "nothing was decided");

    let (status, decided) = app.post(&path, &ppo, &json!({ "decision": "confirm", "reason": "Same PNC record", "version": 1 })).await;
    assert_eq!((status, decided["status"].as_str()), (200, Some("confirmed")), "{decided}");
    let (status, problem) = app.post(&path, &ppo, &json!({ "decision": "reject", "reason": "Changed my mind", "version": 2 })).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_decided")), "{problem}");
    assert!(proposed(&app, &ppo).await.is_empty());
    let (_, confirmed) = app.get("/api/v1/duplicates?status=confirmed", &ppo).await;
    assert_eq!(confirmed.as_array().map(Vec::len), Some(1), "{confirmed}");
    assert!(app.count("audit_events").await > 0);

    // Intake staff may not see the register's duplicates.
    let (status, _) = app.get("/api/v1/duplicates", &app.token(Role::Intake, "met")).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_import_reports_the_rows_proposed_as_duplicates() {
    let app = TestApp::spawn().await;
    registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let csv = "given,family,birth_dates\nRobert,Hartly,1980-03-04\nPeter,Xylander,1975-01-02\n";
    let caller = import_caller("met", "test-operator");
    let outcome = import(&app.ctx, &caller, || Ok(std::io::Cursor::new(csv.to_owned())), 10, vigil::clock::now(), |_, _| {}).await.unwrap();
    assert_eq!((outcome.written, outcome.ids.len()), (2, 2));
    let proposed = vigil::services::duplicates::propose(&app.ctx, &outcome.ids, vigil::clock::now()).await.unwrap();
    assert_eq!((proposed.registrants, proposed.pairs), (1, 1), "only the misspelt surname is proposed");
    // Proposing again (a re-run) adds nothing.
    let again = vigil::services::duplicates::propose(&app.ctx, &outcome.ids, vigil::clock::now()).await.unwrap();
    assert_eq!(again.pairs, 0);
}
