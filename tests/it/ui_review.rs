//! The review pages at the HTML level: the alerts queue (sorting, "Acknowledge selected", its
//! error summary and CSRF), the overdue queue (words, days overdue, filters), the link review
//! queue and the side-by-side review with its "why" and decision form, the navigation and the
//! "My work" counts, for each role (the others get 403).

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;
use vigil::auth::Role;

use crate::jobs::{audit_count, fixture, raise_alert};
use crate::register_check::{check, record, registrant, report};
use crate::support::TestApp;
use crate::support::pages::{Browser, account};

const OTHERS: &[(Role, &str)] =
    &[(Role::Probation, "probation-london"), (Role::Intake, "met"), (Role::Auditor, "met"), (Role::Admin, "met")];

async fn signed_in(app: &TestApp, role: Role, org: &str) -> Browser {
    let browser = Browser::new(app);
    browser.sign_in(account(role, org)).await;
    browser
}

async fn open_alerts(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT COUNT(*) FROM alerts WHERE status = 'open'";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn a_public_protection_officer_acknowledges_selected_alerts() {
    let app = TestApp::spawn_demo().await;
    let registrant = app.registrant("met", crate::support::registrant_body("Alerted")).await;
    let rid: Uuid = registrant["id"].as_str().unwrap().parse().unwrap();
    let reference = registrant["reference"].as_str().unwrap().to_owned();
    let first = raise_alert(&app, "met", Some(rid), "one").await;
    let second = raise_alert(&app, "met", Some(rid), "two").await;
    let theirs = raise_alert(&app, "gmp", None, "three").await;
    let browser = signed_in(&app, Role::Ppo, "met").await;

    // Navigation and "My work" say what waits.
    let (status, html, _) = browser.get("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/alerts\"") && html.contains("href=\"/overdue\"") && html.contains("href=\"/links\""), "{html}");
    assert!(html.contains(">2</span> open alerts"), "{html}");
    assert!(
        html.contains(">Alerts <span class=\"moj-notification-badge\">2<span class=\"govuk-visually-hidden\"> waiting</span>"),
        "{html}"
    );

    let (status, html, _) = browser.get("/alerts").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Risk review due") && html.contains(&reference) && html.contains(&format!("href=\"/registrants/{rid}\"")),
        "{html}"
    );
    assert!(html.contains("The risk assessment was due for review on 15 January 2026."), "words and dates, not codes: {html}");
    assert!(!html.contains("risk_review_due") && !html.contains(&theirs.to_string()), "{html}");
    assert!(html.contains("data-module=\"moj-sortable-table\"") && html.contains("aria-sort=\"descending\""));
    // Server-side sorting by GET parameters.
    let (status, html, _) = browser.get("/alerts?sort=registrant&order=ascending").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/alerts?sort=registrant&#38;order=descending\""), "{html}");

    let csrf = browser.csrf("/alerts").await;
    // Nothing ticked: the error summary, 422, nothing written.
    let (status, html, _) = browser.post("/alerts", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#ids\"") && html.contains("<title>Error: "), "{html}");
    // Another force's alert among the ticked ones: refused whole, nothing written.
    let (status, html, _) = browser.post("/alerts", &[("csrf", &csrf), ("ids", &first.to_string()), ("ids", &theirs.to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Nothing was acknowledged"), "{html}");
    let (status, _, _) = browser.post("/alerts", &[("csrf", &csrf), ("ids", "not-an-id")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(open_alerts(&app).await, 3);
    assert_eq!(audit_count(&app, "alert.acknowledge", "success").await, 0);
    // Without the form's token, or from another site: refused, nothing written.
    let (status, _, _) = browser.post("/alerts", &[("csrf", "forged"), ("ids", &first.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(open_alerts(&app).await, 3);

    let (status, _, location) = browser
        .post(
            "/alerts",
            &[("csrf", &csrf), ("sort", "raised"), ("order", "descending"), ("ids", &first.to_string()), ("ids", &second.to_string())],
        )
        .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/alerts?sort=raised&order=descending&done=acknowledged")));
    assert_eq!(open_alerts(&app).await, 1, "only gmp's is open");
    assert_eq!(audit_count(&app, "alert.acknowledge", "success").await, 1);
    let (_, html, _) = browser.get("/alerts?sort=raised&order=descending&done=acknowledged").await;
    assert!(
        html.contains("govuk-notification-banner--success")
            && html.contains("have been acknowledged")
            && html.contains("There are no open alerts")
    );

    for (role, org) in OTHERS {
        let b = signed_in(&app, *role, org).await;
        assert_eq!(b.get("/alerts").await.0, StatusCode::FORBIDDEN, "{role}");
        let (_, home, _) = b.get("/").await;
        assert!(
            !home.contains("href=\"/alerts\"") && !home.contains("href=\"/overdue\"") && !home.contains("href=\"/links\""),
            "{role}: {home}"
        );
    }
}

#[tokio::test]
async fn the_overdue_queue_says_what_is_due_and_for_how_long() {
    let app = TestApp::spawn_demo().await;
    let past = vigil::clock::now() - chrono::Duration::days(3);
    let (registrant_id, _, _) = fixture(&app, &[(past, "pending"), (vigil::clock::now() + chrono::Duration::days(1), "pending")]).await;
    let browser = signed_in(&app, Role::Supervisor, "met").await;
    let (status, html, _) = browser.get("/overdue").await;
    assert_eq!(status, 200);
    assert!(html.contains("1 duty overdue") && html.contains("Appointment") && html.contains("govuk-tag--red"), "{html}");
    assert!(html.contains(&format!("href=\"/registrants/{registrant_id}/obligations\"")) && html.contains("3 days"), "{html}");
    assert!(!html.contains("attend_appointment\"<") && !html.contains(">attend_appointment"), "no codes on screen");
    let (_, html, _) = browser.get("/overdue?kind=initial_notification").await;
    assert!(html.contains("Nothing overdue matches these filters") && html.contains("Clear filters"), "{html}");
    let (_, html, _) = browser.get("/overdue?kind=attend_appointment&officer=Nobody").await;
    assert!(html.contains("Nothing overdue matches"), "{html}");
    let (_, home, _) = browser.get("/").await;
    assert!(home.contains(">1</span> overdue duty"), "{home}");
    for (role, org) in OTHERS {
        assert_eq!(signed_in(&app, *role, org).await.get("/overdue").await.0, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn a_link_is_reviewed_side_by_side_after_saying_why_and_decided_with_a_reason() {
    let app = TestApp::spawn_demo().await;
    let target = registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let ppo = app.token(Role::Ppo, "met");
    let report_id = record(&app, &ppo, &report("MET/90", "V-90", json!({ "names": [{ "given": "Robert", "family": "Hartley" }] }))).await;
    check(&app, &ppo, &report_id).await;
    let (_, queue) = app.get("/api/v1/links", &ppo).await;
    let link = queue.as_array().unwrap().iter().find(|l| l["target_id"] == target["id"]).expect("queued").clone();
    let id = link["id"].as_str().unwrap().to_owned();
    let browser = signed_in(&app, Role::Ppo, "met").await;

    let (status, html, _) = browser.get("/links").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("met/MET/90")
            && html.contains(target["reference"].as_str().unwrap())
            && html.contains(&format!("href=\"/links/{id}\"")),
        "{html}"
    );
    assert!(html.contains("Possible") || html.contains("Likely") || html.contains("Strong"), "a band in words: {html}");
    assert!(!html.contains("0.") && !html.contains("Vera") && !html.contains("V-90"), "no score or victim in the queue: {html}");
    let (_, home, _) = browser.get("/").await;
    assert!(home.contains(">1</span> link to review"), "{home}");

    // The review asks why first; a bad answer writes nothing.
    let (status, _, headers) = browser.get(&format!("/links/{id}")).await;
    assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, format!("/links/{id}/why").as_str()));
    let why = format!("/links/{id}/why");
    let csrf = browser.csrf(&why).await;
    let (status, html, _) = browser.post(&why, &[("csrf", &csrf), ("reason", "INVESTIGATION")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#reference\""), "{html}");
    assert_eq!(audit_count(&app, "link.review", "success").await, 0);
    let (status, _, location) = browser.post(&why, &[("csrf", &csrf), ("reason", "INVESTIGATION"), ("reference", "MET/90")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/links/{id}").as_str())));

    let (status, html, _) = browser.get(&format!("/links/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Is this the same person?") && html.contains("Side by side") && html.contains("Investigating a crime"), "{html}");
    assert!(html.contains("Robert Hartley") && html.contains("4 March 1980") && html.contains("Exactly the same: counts for"), "{html}");
    assert!(!html.contains("Vera") && !html.contains("V-90"), "never the victim: {html}");
    let title = html.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
    assert!(!title.contains("Hartley") && !title.contains('%'), "{title}");
    assert_eq!(audit_count(&app, "link.review", "success").await, 1);

    // A decision without a choice or a reason: the error summary, 422, nothing decided.
    let path = format!("/links/{id}");
    let csrf = browser.csrf(&path).await;
    let version = link["version"].to_string();
    let (status, html, _) = browser.post(&path, &[("csrf", &csrf), ("version", &version), ("why", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#decision\"") && html.contains("href=\"#why\"") && html.contains("<title>Error: "), "{html}");
    let (status, _, _) =
        browser.post(&path, &[("csrf", "forged"), ("version", &version), ("decision", "confirm"), ("why", "Same PNC")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, queue) = app.get("/api/v1/links", &ppo).await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "still pending");
    assert_eq!(audit_count(&app, "link.confirm", "success").await + audit_count(&app, "link.reject", "success").await, 0);

    let (status, _, location) = browser
        .post(&path, &[("csrf", &csrf), ("version", &version), ("decision", "reject"), ("why", "Different date of birth on PNC")])
        .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/links?done=rejected")));
    let (_, html, _) = browser.get("/links?done=rejected").await;
    assert!(html.contains("Link rejected") && html.contains("There are no links to review"), "{html}");
    assert_eq!(audit_count(&app, "link.reject", "success").await, 1);
    // Deciding again (a stale page): said on the page, nothing changes.
    let (status, html, _) =
        browser.post(&path, &[("csrf", &csrf), ("version", &version), ("decision", "confirm"), ("why", "Changed my mind")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("govuk-error-summary") && html.contains("This link has been decided"), "{html}");

    for (role, org) in OTHERS {
        let b = signed_in(&app, *role, org).await;
        assert_eq!(b.get("/links").await.0, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(b.get(&path).await.0, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(b.get(&why).await.0, StatusCode::FORBIDDEN, "{role}");
    }
}

#[tokio::test]
async fn the_overdue_queue_pages_by_a_hundred_keeping_its_filters() {
    let app = TestApp::spawn_demo().await;
    let past = vigil::clock::now() - chrono::Duration::days(3);
    let many: Vec<_> = (0..101).map(|i| (past - chrono::Duration::minutes(i), "pending")).collect();
    fixture(&app, &many).await;
    let browser = signed_in(&app, Role::Supervisor, "met").await;
    let (_, html, _) = browser.get("/overdue?kind=attend_appointment").await;
    assert!(html.contains("Duties overdue, page 1") && html.contains("href=\"/overdue?kind=attend_appointment&#38;page=2\""), "{html}");
    assert!(!html.contains("rel=\"prev\""), "{html}");
    assert_eq!(html.matches("/obligations\"").count(), 100, "a hundred rows");
    let (_, html, _) = browser.get("/overdue?kind=attend_appointment&page=2").await;
    assert!(html.contains("Duties overdue, page 2") && html.contains("href=\"/overdue?kind=attend_appointment&#38;page=1\""), "{html}");
    assert!(!html.contains("rel=\"next\""), "{html}");
    assert_eq!(html.matches("/obligations\"").count(), 1, "the oldest hundred came first");
}
