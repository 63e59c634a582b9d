//! CSV exports of the caseload, breaches and overdue duties: what the caller may see in the
//! list, every page, as an attachment; refused without a reason with nothing audited as a
//! disclosure; one disclosure entry naming the records and the justification; and the web
//! interface's download links under the page's own reason.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use vigil::auth::Role;

use crate::support::pages::{Browser, account};
use crate::support::{TestApp, registrant_body};

async fn disclosures(app: &TestApp, operation: &str) -> Vec<entities::audit_event::Model> {
    entities::audit_event::Entity::find().filter(entities::audit_event::Column::Operation.eq(operation)).all(&app.db).await.unwrap()
}

async fn export(app: &TestApp, token: &str, path: &str, reason: Option<&str>) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(format!("{}{path}", app.base)).bearer_auth(token);
    if let Some(reason) = reason {
        request = request.header("vigil-reason-code", reason);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.headers().clone(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_caseload_export_is_every_page_of_what_the_officer_sees_and_a_disclosure() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let mut references = Vec::new();
    // More than one page of the list (the export reads 100 a page).
    for i in 0..105 {
        let created = app.registrant("met", registrant_body(&format!("Exportfam{i:03}"))).await;
        references.push(created["reference"].as_str().unwrap().to_owned());
    }
    let other = app.registrant("gmp", registrant_body("Elsewhere")).await;

    let (status, headers, body) = export(&app, &ppo, "/api/v1/exports/caseload", None).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("Vigil-Reason-Code"), "the problem names the header: {body}");
    assert!(disclosures(&app, "export.caseload").await.is_empty(), "nothing disclosed");
    assert!(headers.get("content-disposition").is_none());

    let (status, headers, body) = export(&app, &ppo, "/api/v1/exports/caseload", Some("OFFENDER_MANAGEMENT")).await;
    assert_eq!(status, 200, "{body}");
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"vigil-caseload-"));
    assert_eq!(headers["vigil-export-rows"], "105");
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("reference,name,status,risk_level,managing_org,supervising_org"));
    assert_eq!(lines.count(), 105, "every page, one row each");
    assert!(references.iter().all(|r| body.contains(r.as_str())));
    assert!(body.contains("Exportfam104") && !body.contains(other["reference"].as_str().unwrap()), "only met's caseload");

    let entries = disclosures(&app, "export.caseload").await;
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!((entry.action.as_str(), entry.reason_code.as_deref()), ("disclosure", Some("OFFENDER_MANAGEMENT")));
    let ids: Vec<String> = serde_json::from_str(&entry.record_ids).unwrap();
    assert_eq!(ids.len(), 105, "the disclosure names every registrant in the file");
}

#[tokio::test]
async fn breaches_and_overdue_exports_follow_their_lists_and_roles() {
    let app = TestApp::spawn().await;
    let ppo = app.token(Role::Ppo, "met");
    let (status, _, body) = export(&app, &ppo, "/api/v1/exports/breaches?status=open", Some("COMPLIANCE")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.trim(), "registrant_reference,source,status,detected_at,managing_org,breach_id", "no breaches yet: the header only");
    let (status, _, body) = export(&app, &ppo, "/api/v1/exports/breaches?status=nonsense", Some("COMPLIANCE")).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = export(&app, &ppo, "/api/v1/exports/overdue?kind=initial_notification", Some("COMPLIANCE")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("registrant_reference,duty,due_at"));
    let intake = app.token(Role::Intake, "met");
    let (status, _, _) = export(&app, &intake, "/api/v1/exports/caseload", Some("OFFENDER_MANAGEMENT")).await;
    assert_eq!(status, 403);
    assert_eq!(disclosures(&app, "export.breaches").await.len(), 1);
    assert_eq!(disclosures(&app, "export.overdue").await.len(), 1);
}

#[tokio::test]
async fn the_web_pages_offer_the_download_under_their_own_reason() {
    let app = TestApp::spawn_demo().await;
    app.registrant("met", registrant_body("Downloadable")).await;
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "met")).await;
    let (status, page, _) = browser.get("/caseload").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/caseload.csv\""), "{page}");
    let (status, body, headers) = browser.get("/caseload.csv").await;
    assert_eq!(status, 200, "{body}");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert!(body.contains("Downloadable"));
    let entries = disclosures(&app, "export.caseload").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].reason_code.as_deref(), Some("OFFENDER_MANAGEMENT"));
    let (status, _, _) = browser.get("/overdue.csv").await;
    assert_eq!(status, 200);

    let probation = Browser::new(&app);
    probation.sign_in(account(Role::Probation, "probation-london")).await;
    let (status, _, _) = probation.get("/breaches.csv").await;
    assert_eq!(status, 403, "probation has no breaches list");
}
