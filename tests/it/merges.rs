//! Merging two records of one person, and undoing it: four eyes on a confirmed duplicate pair;
//! everything the later record held moves to the earlier one with its history and the register
//! check finds the person there only; an unmerge moves back exactly what moved.

use serde_json::{Value, json};
use vigil::auth::Role;

use crate::jobs::audit_count;
use crate::orders::{dapo, id};
use crate::register_check::{check, record, registrant, report};
use crate::support::TestApp;

fn supervisor(app: &TestApp, who: &str) -> String {
    app.token_for(who, Role::Supervisor, "met")
}

async fn read(app: &TestApp, registrant: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/registrants/{registrant}"), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn orders_of(app: &TestApp, registrant: &str) -> Vec<String> {
    let (status, list) = app.get(&format!("/api/v1/registrants/{registrant}/orders"), &app.token(Role::Ppo, "met")).await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().or(list.as_array()).cloned().unwrap_or_default();
    items.iter().map(|o| id(o).to_owned()).collect()
}

fn names(view: &Value) -> Vec<(String, String)> {
    let all = view["names"].as_array().unwrap();
    all.iter().map(|n| (n["given"].as_str().unwrap().to_owned(), n["kind"].as_str().unwrap().to_owned())).collect()
}

/// Asks (as `asker`) and approves (as `approver`) a merge or unmerge of the pair.
async fn four_eyes(app: &TestApp, action: &str, pair: &str, version: i64, approver: &str) -> (u16, Value) {
    let body = json!({"action": action, "target_id": pair, "version": version, "reason": "One person recorded twice (synthetic)."});
    let (status, asked) = app.post("/api/v1/approvals", &supervisor(app, "sergeant-1"), &body).await;
    assert_eq!(status, 201, "{asked}");
    let decision = json!({"decision": "approve", "version": asked["version"], "reason": "Checked both records."});
    app.post(&format!("/api/v1/approvals/{}/decision", id(&asked)), &supervisor(app, approver), &decision).await
}

/// The pair of `registrant`, found among the pairs of `status`.
async fn pair_of(app: &TestApp, registrant: &str, status: &str) -> Value {
    let (_, queue) = app.get(&format!("/api/v1/duplicates?status={status}"), &app.token(Role::Ppo, "met")).await;
    queue.as_array().unwrap().iter().find(|d| d["registrant_id"] == registrant).cloned().unwrap_or_else(|| panic!("a {status} pair"))
}

/// The registrants (not earlier reports) a check of a report about the person finds.
async fn candidates(app: &TestApp, crime_reference: &str) -> Vec<String> {
    let ppo = app.token(Role::Ppo, "met");
    let suspect = json!({ "names": [{ "given": "Robert", "family": "Hartley" }], "date_of_birth": "1980-03-04" });
    let report_id = record(app, &ppo, &report(crime_reference, "V-9", suspect)).await;
    let (status, answer, _) = check(app, &ppo, &report_id).await;
    assert_eq!(status, 200, "{answer}");
    let registrants = answer["candidates"].as_array().unwrap().iter().filter(|c| c["target_kind"] == "registrant");
    registrants.map(|c| c["target_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_confirmed_duplicate_is_merged_by_two_supervisors_and_the_merge_can_be_undone() {
    let app = TestApp::spawn().await;
    let existing = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let again = registrant(&app, "Bob", "Hartley", "1980-03-04", "07700 900458").await;
    let (keep, fold) = (id(&existing).to_owned(), id(&again).to_owned());
    let ppo = app.token(Role::Ppo, "met");
    let (status, order) = app.post(&format!("/api/v1/registrants/{fold}/orders"), &ppo, &dapo("2026-03-02", "2026-03-03")).await;
    assert_eq!(status, 201, "{order}");
    let (_, queue) = app.get("/api/v1/duplicates", &ppo).await;
    let proposed = queue.as_array().unwrap().iter().find(|d| d["registrant_id"] == fold.as_str()).cloned().expect("proposed");
    let pair = id(&proposed).to_owned();

    // A pair nobody has confirmed cannot be merged; nothing is asked.
    let body = json!({"action": "registrant.merge", "target_id": pair, "version": 1, "reason": "Same person"});
    let (status, problem) = app.post("/api/v1/approvals", &supervisor(&app, "sergeant-1"), &body).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("not_confirmed")), "{problem}");
    let decision = json!({"decision": "confirm", "reason": "Same PNC record", "version": 1});
    let (status, _) = app.post(&format!("/api/v1/duplicates/{pair}/decision"), &ppo, &decision).await;
    assert_eq!(status, 200);
    // No reason: named, and nothing is asked. An officer who is not a supervisor may not ask.
    let body = json!({"action": "registrant.merge", "target_id": pair, "version": 2, "reason": " "});
    let (status, problem) = app.post("/api/v1/approvals", &supervisor(&app, "sergeant-1"), &body).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("reason")), "{problem}");
    let (status, _) =
        app.post("/api/v1/approvals", &ppo, &json!({"action": "registrant.merge", "target_id": pair, "version": 2, "reason": "x"})).await;
    assert_eq!(status, 403);
    assert_eq!(app.count("approvals").await, 0);
    assert_eq!(candidates(&app, "MET/1").await.len(), 2, "before the merge the check finds both records");

    // The requester cannot approve their own merge; a second supervisor can.
    let (status, _) = four_eyes(&app, "registrant.merge", &pair, 2, "sergeant-1").await;
    assert_eq!(status, 403, "one person cannot merge alone");
    assert_eq!(read(&app, &fold).await["status"], "active", "nothing merged");
    let (_, pending) = app.get("/api/v1/approvals", &supervisor(&app, "sergeant-2")).await;
    let waiting = pending.as_array().unwrap()[0].clone();
    assert_eq!((waiting["action"].as_str(), waiting["registrant_id"].as_str()), (Some("registrant.merge"), Some(keep.as_str())));
    let decision = json!({"decision": "approve", "version": waiting["version"], "reason": "Checked both records."});
    let (status, approved) =
        app.post(&format!("/api/v1/approvals/{}/decision", id(&waiting)), &supervisor(&app, "sergeant-2"), &decision).await;
    assert_eq!((status, approved["status"].as_str()), (200, Some("approved")), "{approved}");

    // Everything moved to the record already on the register, with its history.
    let merged = read(&app, &fold).await;
    assert_eq!((merged["status"].as_str(), merged["merged_into"].as_str()), (Some("merged"), Some(keep.as_str())));
    assert!(merged["names"].as_array().unwrap().is_empty() && merged["identifiers"].as_array().unwrap().is_empty());
    let survivor = read(&app, &keep).await;
    assert_eq!(names(&survivor), [("Robert".into(), "primary".into()), ("Bob".into(), "alias".into())]);
    assert_eq!(survivor["identifiers"].as_array().unwrap().len(), 2);
    assert_eq!(orders_of(&app, &keep).await, [id(&order).to_owned()]);
    assert!(orders_of(&app, &fold).await.is_empty());
    assert_eq!(candidates(&app, "MET/2").await, std::slice::from_ref(&keep), "the check finds the person once, on the survivor");
    assert_eq!(audit_count(&app, "registrant.merge", "success").await, 1);
    pair_of(&app, &fold, "merged").await;
    // The merged record is read-only, and listed only when asked for.
    let (status, problem) =
        app.post(&format!("/api/v1/registrants/{fold}/names"), &ppo, &json!({"kind": "alias", "given": "Rob", "family": "Hartley"})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("merged")), "{problem}");
    let (_, list) = app.get("/api/v1/registrants?limit=50", &ppo).await;
    assert!(!list.to_string().contains(&fold), "{list}");
    let (_, list) = app.get("/api/v1/registrants?status=merged", &ppo).await;
    assert!(list.to_string().contains(&fold), "{list}");
    let body = json!({"status": "merged", "version": survivor["version"]});
    let (status, problem) = app.patch(&format!("/api/v1/registrants/{keep}"), &ppo, &body).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("status")), "no one sets merged by hand: {problem}");
    let unchanged = read(&app, &keep).await;
    assert_eq!((unchanged["status"].as_str(), &unchanged["version"]), (Some("active"), &survivor["version"]), "and nothing was written");

    // Something recorded on the survivor after the merge stays there when the merge is undone.
    let (status, _) = app
        .post(&format!("/api/v1/registrants/{keep}/names"), &ppo, &json!({"kind": "alias", "given": "Robbie", "family": "Hartley"}))
        .await;
    assert_eq!(status, 201);
    let version = pair_of(&app, &fold, "merged").await["version"].as_i64().unwrap();
    let (status, undone) = four_eyes(&app, "registrant.unmerge", &pair, version, "sergeant-2").await;
    assert_eq!((status, undone["status"].as_str()), (200, Some("approved")), "{undone}");
    let back = read(&app, &fold).await;
    assert_eq!((back["status"].as_str(), back["merged_into"].as_str()), (Some("active"), None));
    assert_eq!(names(&back), [("Bob".into(), "primary".into())]);
    assert_eq!(orders_of(&app, &fold).await, [id(&order).to_owned()]);
    let survivor = read(&app, &keep).await;
    assert_eq!(names(&survivor), [("Robert".into(), "primary".into()), ("Robbie".into(), "alias".into())]);
    assert!(orders_of(&app, &keep).await.is_empty());
    let mut found = candidates(&app, "MET/3").await;
    found.sort();
    let mut both = vec![keep.clone(), fold.clone()];
    both.sort();
    assert_eq!(found, both, "both records are found again");
    assert_eq!(audit_count(&app, "registrant.unmerge", "success").await, 1);
    pair_of(&app, &fold, "confirmed").await;
}
