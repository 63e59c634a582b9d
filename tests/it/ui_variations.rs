//! "Record a variation or renewal" (`src/ui/order_vary.rs`) and the order page's court history,
//! at the HTML level: the page for the managing force's officer only, a bad form answers 422
//! with the GOV.UK error summary and writes nothing, a good one records the hearing, and the
//! order page shows the new terms, what was removed and the court's history (its reasons only to
//! the roles that may see protected persons).

use reqwest::StatusCode;
use vigil::auth::Role;

use crate::orders::{dapo, id};
use crate::support::pages::{Browser, account};
use crate::support::{TestApp, registrant_body};

async fn signed_in(app: &TestApp, role: Role, org: &str) -> Browser {
    let browser = Browser::new(app);
    browser.sign_in(account(role, org)).await;
    browser
}

async fn why(browser: &Browser, id: &str) {
    let path = format!("/registrants/{id}/why");
    let csrf = browser.csrf(&path).await;
    let (status, _, _) = browser.post(&path, &[("csrf", &csrf), ("reason", "OFFENDER_MANAGEMENT")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn answer(browser: &Browser, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
    let csrf = browser.csrf("/").await;
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    browser.post(path, &fields).await
}

#[tokio::test]
async fn an_officer_records_a_variation_and_the_order_shows_its_new_terms_and_history() {
    let app = TestApp::spawn_demo().await;
    let registrant = app.registrant("met", registrant_body("Varied")).await;
    let rid = id(&registrant).to_owned();
    let ppo = app.token(Role::Ppo, "met");
    let (status, order) = app.post(&format!("/api/v1/registrants/{rid}/orders"), &ppo, &dapo("2026-03-02", "2026-03-03")).await;
    assert_eq!(status, 201, "{order}");
    let old = order["conditions"][0]["id"].as_str().unwrap().to_owned();
    let page = format!("/registrants/{rid}/orders/{}", id(&order));
    let vary = format!("{page}/vary");

    let browser = signed_in(&app, Role::Ppo, "met").await;
    why(&browser, &rid).await;
    let (_, html, _) = browser.get(&page).await;
    assert!(html.contains(&format!("href=\"{vary}\"")) && html.contains("Record a variation or renewal"), "{html}");
    let (status, html, _) = browser.get(&vary).await;
    assert_eq!(status, 200);
    assert!(html.contains("Conditions the court removed") && html.contains(&format!("value=\"{old}\"")), "{html}");

    let (status, html, _) = answer(&browser, &vary, &[("court", "Sampleford Family Court")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#kind\"") && html.contains("href=\"#heard_on-day\""), "{html}");
    // The service's rules on the page: a variation that changes nothing.
    let heard = [("heard_on-day", "1"), ("heard_on-month", "4"), ("heard_on-year", "2026")];
    let mut form = vec![("kind", "variation"), ("court", "Sampleford Family Court"), ("case_reference", "SF/2026/0042/V")];
    form.extend(heard);
    form.push(("reason", "Programme replaced by weekly appointments."));
    let (status, html, _) = answer(&browser, &vary, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("A variation changes something"), "{html}");
    assert_eq!(app.count("order_variations").await, 0, "nothing is written");

    form.extend([
        ("remove_conditions", old.as_str()),
        ("requirements-0-category", "attend_appointments"),
        ("requirements-0-text", "Attend weekly appointments with the police."),
        ("requirements-0-responsible", "PC Example"),
    ]);
    let (status, _, location) = answer(&browser, &vary, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(format!("{page}?done=variation").as_str()));
    let (_, html, _) = browser.get(&format!("{page}?done=variation")).await;
    assert!(
        html.contains("Variation recorded")
            && html.contains("Attend weekly appointments with the police.")
            && html.contains("Conditions the court removed")
            && html.contains("Court history")
            && html.contains("Programme replaced by weekly appointments.")
            && html.contains("1 condition removed, 1 condition added"),
        "{html}"
    );
    let (_, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &ppo).await;
    assert_eq!((seen["status"].as_str(), seen["terms_version"].as_i64()), (Some("varied"), Some(2)), "{seen}");

    // Probation reads the history without the court's reasons, and cannot record a hearing.
    let probation = signed_in(&app, Role::Probation, "probation-london").await;
    why(&probation, &rid).await;
    let (status, html, _) = probation.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Court history") && !html.contains("Programme replaced") && !html.contains(&vary), "{html}");
    assert_eq!(probation.get(&vary).await.0, StatusCode::FORBIDDEN);
    // Another force's officer may not either.
    let other = signed_in(&app, Role::Ppo, "gmp").await;
    assert_ne!(other.get(&vary).await.0, StatusCode::OK);
    let (status, _, _) = other.post(&vary, &[("csrf", "x"), ("kind", "renewal")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("order_variations").await, 1);
}

#[tokio::test]
async fn a_supervisor_requests_a_discharge_that_waits_for_a_second_supervisor() {
    let app = TestApp::spawn_demo().await;
    let registrant = app.registrant("met", registrant_body("Discharged")).await;
    let rid = id(&registrant).to_owned();
    let ppo = app.token(Role::Ppo, "met");
    let (status, order) = app.post(&format!("/api/v1/registrants/{rid}/orders"), &ppo, &dapo("2026-03-02", "2026-03-03")).await;
    assert_eq!(status, 201, "{order}");
    let page = format!("/registrants/{rid}/orders/{}", id(&order));
    let discharge = format!("{page}/discharge");

    // A public protection officer records orders but does not discharge them.
    let officer = signed_in(&app, Role::Ppo, "met").await;
    why(&officer, &rid).await;
    let (_, html, _) = officer.get(&page).await;
    assert!(!html.contains(&discharge), "{html}");
    assert_eq!(officer.get(&discharge).await.0, StatusCode::FORBIDDEN);

    let supervisor = signed_in(&app, Role::Supervisor, "met").await;
    why(&supervisor, &rid).await;
    let (_, html, _) = supervisor.get(&page).await;
    assert!(html.contains(&format!("href=\"{discharge}\"")), "{html}");
    let (status, html, _) = answer(&supervisor, &discharge, &[("reason", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#reason\""), "{html}");
    let (status, html, _) = answer(
        &supervisor,
        &discharge,
        &[("reason", "Discharged on appeal."), ("effective_on-day", "1"), ("effective_on-month", "1"), ("effective_on-year", "2026")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "before the order was made");
    assert!(html.contains("on or after the day the order was made"), "{html}");
    assert_eq!(app.count("approvals").await, 0, "nothing is written");
    let (status, _, location) = answer(&supervisor, &discharge, &[("reason", "Discharged on appeal.")]).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("{page}?done=discharge_requested"))));
    let (_, html, _) = supervisor.get(&format!("{page}?done=discharge_requested")).await;
    assert!(html.contains("Discharge requested"), "{html}");
    assert_eq!(app.count("approvals").await, 1);
    let (_, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &ppo).await;
    assert_eq!(seen["status"], "active", "not discharged until a second supervisor approves");
    let (status, _, _) = answer(&supervisor, &discharge, &[("reason", "Again.")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "one request at a time");
}
