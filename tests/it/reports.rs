//! Reading crime reports back (intake staff see only their own organisation's; reviewers all,
//! with the checks run on each), and the review queue's "needs information" decision.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::register_check::{check, record, registrant, report};
use crate::support::TestApp;

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    keys.sort();
    keys
}

#[tokio::test]
async fn intake_reads_its_own_reports_and_reviewers_read_all_with_their_checks() {
    let app = TestApp::spawn().await;
    let kent = app.token(Role::Intake, "kent");
    let met = app.token(Role::Intake, "met");
    let ppo = app.token(Role::Ppo, "met");
    let suspect = json!({ "names": [{ "given": "Nobody", "family": "Known" }], "date_of_birth": "1985-02-03" });
    let own = record(&app, &kent, &report("KNT/30", "V-30", suspect.clone())).await;
    let other = record(&app, &met, &report("MET/30", "V-31", suspect)).await;
    assert_eq!(check(&app, &kent, &own).await.0, 200);

    // The list carries no sealed content and only the caller's organisation for intake.
    let (status, page) = app.get("/api/v1/reports", &kent).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], own.as_str());
    assert_eq!(
        keys(&items[0]),
        ["created_at", "crime_reference", "force", "id", "intake_org", "occurred_from", "principal_classification"]
    );
    let (_, all) = app.get("/api/v1/reports?limit=1", &ppo).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let (_, rest) = app.get(&format!("/api/v1/reports?limit=1&after={}", all["next_after"].as_str().unwrap()), &ppo).await;
    assert_eq!(rest["items"][0]["id"], other.as_str());
    assert!(rest["next_after"].is_null());

    // One report in full: decrypted details, and the checks run on it.
    let (status, view) = app.get(&format!("/api/v1/reports/{own}"), &kent).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["suspect"]["names"][0]["family"], "Known");
    assert_eq!(view["victim"]["family"], "Victim");
    assert_eq!(view["summary"], "Synthetic summary of repeated unwanted messages.");
    assert_eq!(view["included_classifications"], json!(["malicious_communications", "stalking"]));
    assert_eq!(view["checks"].as_array().unwrap().len(), 1);

    // Another organisation's report does not exist for intake; the attempt is audited.
    let before = app.count("audit_events").await;
    let (status, problem) = app.get(&format!("/api/v1/reports/{other}"), &kent).await;
    assert_eq!(status, 404, "{problem}");
    assert!(app.count("audit_events").await > before, "the refused read is audited");
    assert_eq!(app.get(&format!("/api/v1/reports/{other}"), &ppo).await.0, 200);
    // Probation officers have no business with crime reports.
    let probation = app.token(Role::Probation, "probation-london");
    assert_eq!(app.get("/api/v1/reports", &probation).await.0, 403);

    let (status, problem) = app.get("/api/v1/reports?limit=501", &ppo).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("limit")));
    let (status, problem) = app.get("/api/v1/reports?colour=blue", &ppo).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("colour")));
}

#[tokio::test]
async fn a_link_can_wait_for_information_and_still_be_decided() {
    let app = TestApp::spawn().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let ppo = app.token(Role::Ppo, "met");
    let id = record(&app, &ppo, &report("MET/80", "V-80", json!({ "names": [{ "given": "Robert", "family": "Hartley" }] }))).await;
    check(&app, &ppo, &id).await;
    let (_, queue) = app.get("/api/v1/links", &ppo).await;
    let link = queue.as_array().unwrap().iter().find(|l| l["target_id"] == target["id"]).expect("queued").clone();
    let path = format!("/api/v1/links/{}/decision", link["id"].as_str().unwrap());

    let body = json!({ "decision": "needs_info", "reason": "Asked the OIC for the suspect's date of birth", "version": 1 });
    let (status, waiting) = app.post(&path, &ppo, &body).await;
    assert_eq!((status, waiting["status"].as_str()), (200, Some("needs_info")), "{waiting}");
    let (_, pending) = app.get("/api/v1/links", &ppo).await;
    assert!(pending.as_array().unwrap().iter().all(|l| l["id"] != link["id"]), "off the main queue");
    let (status, parked) = app.get("/api/v1/links?status=needs_info", &ppo).await;
    assert_eq!(status, 200);
    assert!(parked.as_array().unwrap().iter().any(|l| l["id"] == link["id"]));
    let (status, problem) = app.post(&path, &ppo, &json!({ "decision": "needs_info", "reason": "Again", "version": 2 })).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_needs_info")));

    // A later check of the same report keeps it waiting rather than queueing it again.
    check(&app, &ppo, &id).await;
    let (_, pending) = app.get("/api/v1/links", &ppo).await;
    assert!(pending.as_array().unwrap().iter().all(|l| l["id"] != link["id"]));

    let (status, decided) = app.post(&path, &ppo, &json!({ "decision": "confirm", "reason": "DOB matches PNC", "version": 2 })).await;
    assert_eq!((status, decided["status"].as_str()), (200, Some("confirmed")), "{decided}");
    let (status, problem) = app.get("/api/v1/links?status=confirmed", &ppo).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("status")));
    let (status, problem) = app.get("/api/v1/links?status=maybe", &ppo).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("status")));
}

/// A report belongs to the caller's force (issue 13 item 4): naming another force is 403 and
/// writes nothing, and a crime reference another force already used is not revealed.
#[tokio::test]
async fn a_report_is_recorded_only_for_the_callers_own_force() {
    let app = TestApp::spawn().await;
    let kent = app.token(Role::Intake, "kent");
    let met = app.token(Role::Intake, "met");
    let suspect = json!({ "names": [{ "given": "Nobody", "family": "Known" }] });
    let mut body = report("MET/77", "V-77", suspect.clone());
    body["force"] = json!("met");
    let before = app.count("crime_reports").await;
    let (status, problem) = app.post("/api/v1/reports", &kent, &body).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("other_organisation")), "{problem}");
    assert_eq!(app.count("crime_reports").await, before, "nothing written");

    // The same crime reference at another force is that force's business, not a conflict.
    record(&app, &met, &report("SHARED/1", "V-1", suspect.clone())).await;
    let (status, created) = app.post("/api/v1/reports", &kent, &report("SHARED/1", "V-2", suspect)).await;
    assert_eq!(status, 201, "{created}");
}
