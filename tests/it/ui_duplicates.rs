//! The possible-duplicates pages: the queue by reference and likelihood in words, one pair with
//! what the comparison found (never values), and a decision with a reason through the GOV.UK
//! error summary; other roles are refused.

use reqwest::StatusCode;
use vigil::auth::Role;

use crate::jobs::audit_count;
use crate::register_check::registrant;
use crate::support::TestApp;
use crate::support::pages::{Browser, account};

#[tokio::test]
async fn an_officer_reviews_a_possible_duplicate_and_decides_it_with_a_reason() {
    let app = TestApp::spawn_demo().await;
    let existing = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let again = registrant(&app, "Bob", "Hartley", "1980-03-04", "07700 900458").await;
    let ppo = app.token(Role::Ppo, "met");
    let (_, queue) = app.get("/api/v1/duplicates", &ppo).await;
    let pair = queue.as_array().unwrap().iter().find(|d| d["registrant_id"] == again["id"]).expect("proposed").clone();
    let id = pair["id"].as_str().unwrap().to_owned();
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "met")).await;

    let (status, html, _) = browser.get("/duplicates").await;
    assert_eq!(status, 200);
    let (new_ref, old_ref) = (again["reference"].as_str().unwrap(), existing["reference"].as_str().unwrap());
    assert!(html.contains(new_ref) && html.contains(old_ref) && html.contains(&format!("href=\"/duplicates/{id}\"")), "{html}");
    assert!(!html.contains("Hartley") && !html.contains("0."), "no names or scores: {html}");
    let (_, links, _) = browser.get("/links").await;
    assert!(links.contains("href=\"/duplicates\""), "reached from link review: {links}");

    let path = format!("/duplicates/{id}");
    let (status, html, _) = browser.get(&path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Are these the same person?") && html.contains("Name: Same name, one a nickname of the other: counts for"),
        "{html}"
    );
    assert!(!html.contains("Hartley") && !html.contains("1980"), "levels, never values: {html}");

    // No choice and no reason: the error summary, 422, nothing decided.
    let csrf = browser.csrf(&path).await;
    let (status, html, _) = browser.post(&path, &[("csrf", &csrf), ("version", "1"), ("why", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#decision\"") && html.contains("href=\"#why\"") && html.contains("<title>Error: "), "{html}");
    assert_eq!(audit_count(&app, "duplicate.confirm", "success").await, 0);

    let (status, _, location) =
        browser.post(&path, &[("csrf", &csrf), ("version", "1"), ("decision", "confirm"), ("why", "Same PNC record")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/duplicates?done=confirmed")));
    let (_, html, _) = browser.get("/duplicates?done=confirmed").await;
    assert!(
        html.contains("Confirmed: the two records are about the same person") && html.contains("There are no possible duplicates"),
        "{html}"
    );
    assert_eq!(audit_count(&app, "duplicate.confirm", "success").await, 1);
    // A stale page: said on the page, nothing changes.
    let (status, html, _) =
        browser.post(&path, &[("csrf", &csrf), ("version", "1"), ("decision", "reject"), ("why", "Changed my mind")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("govuk-error-summary") && html.contains("Confirmed: the two records are about the same person."), "{html}");

    for (role, org) in [(Role::Probation, "probation-london"), (Role::Intake, "met"), (Role::Auditor, "met")] {
        let other = Browser::new(&app);
        other.sign_in(account(role, org)).await;
        assert_eq!(other.get("/duplicates").await.0, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(other.get(&path).await.0, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn a_supervisor_asks_for_a_confirmed_pair_to_be_merged_through_the_error_summary() {
    let app = TestApp::spawn_demo().await;
    registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let again = registrant(&app, "Bob", "Hartley", "1980-03-04", "07700 900458").await;
    let ppo = app.token(Role::Ppo, "met");
    let (_, queue) = app.get("/api/v1/duplicates", &ppo).await;
    let pair = queue.as_array().unwrap().iter().find(|d| d["registrant_id"] == again["id"]).expect("proposed").clone();
    let id = pair["id"].as_str().unwrap().to_owned();
    let decision = serde_json::json!({"decision": "confirm", "reason": "Same PNC record", "version": 1});
    assert_eq!(app.post(&format!("/api/v1/duplicates/{id}/decision"), &ppo, &decision).await.0, 200);

    // An officer who is not a supervisor sees the pair but no merge form.
    let officer = Browser::new(&app);
    officer.sign_in(account(Role::Ppo, "met")).await;
    let path = format!("/duplicates/{id}");
    let (_, html, _) = officer.get(&path).await;
    assert!(html.contains("Confirmed: the two records") && !html.contains("Ask for the merge"), "{html}");
    let (_, html, _) = officer.get("/duplicates?status=confirmed").await;
    assert!(
        html.contains(&format!("href=\"/duplicates/{id}\""))
            && html.contains("aria-current=\"page\" href=\"/duplicates?status=confirmed\""),
        "{html}"
    );

    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Supervisor, "met")).await;
    let (_, html, _) = browser.get(&path).await;
    assert!(html.contains("Merge the two records") && html.contains(&format!("action=\"/duplicates/{id}/merge\"")), "{html}");
    let csrf = browser.csrf(&path).await;
    let merge = format!("{path}/merge");
    let (status, html, _) = browser.post(&merge, &[("csrf", &csrf), ("version", "2"), ("reason", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#reason\"") && html.contains("Enter why these records should be merged"), "{html}");
    assert_eq!(app.count("approvals").await, 0, "nothing asked");
    let (status, _, location) = browser.post(&merge, &[("csrf", &csrf), ("version", "2"), ("reason", "One person recorded twice")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let approval = location.expect("to the request");
    assert!(approval.starts_with("/approvals/"), "{approval}");
    let (_, html, _) = browser.get(&approval).await;
    assert!(html.contains("Merge two records of one person"), "{html}");
    // Asked twice: said, and still one request.
    let (status, _, _) = browser.post(&merge, &[("csrf", &csrf), ("version", "2"), ("reason", "Again")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("approvals").await, 1);
    // Officers may not ask.
    let csrf = officer.csrf(&path).await;
    assert_eq!(officer.post(&merge, &[("csrf", &csrf), ("version", "2"), ("reason", "x")]).await.0, StatusCode::FORBIDDEN);

    // Once a second supervisor approves, the merged record says where everything went.
    let second = app.token_for("sergeant-2", Role::Supervisor, "met");
    let (_, pending) = app.get("/api/v1/approvals", &second).await;
    let request = pending.as_array().unwrap().iter().find(|a| a["action"] == "registrant.merge").expect("the request").clone();
    let decision = serde_json::json!({"decision": "approve", "version": request["version"], "reason": "Checked."});
    let (status, _) = app.post(&format!("/api/v1/approvals/{}/decision", request["id"].as_str().unwrap()), &second, &decision).await;
    assert_eq!(status, 200);
    let record = format!("/registrants/{}", again["id"].as_str().unwrap());
    let why = format!("{record}/why");
    let csrf = browser.csrf(&why).await;
    assert_eq!(browser.post(&why, &[("csrf", &csrf), ("reason", "OFFENDER_MANAGEMENT")]).await.0, StatusCode::SEE_OTHER);
    let (status, html, _) = browser.get(&record).await;
    assert_eq!(status, StatusCode::OK);
    let survivor = pair["existing_id"].as_str().unwrap();
    assert!(
        html.contains("This record was merged into another record of the same person")
            && html.contains(&format!("href=\"/registrants/{survivor}\""))
            && html.contains(">Merged<"),
        "{html}"
    );
}
