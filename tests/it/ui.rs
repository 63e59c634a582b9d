//! The web interface at the HTML level (the browser suite drives a real Chromium; these run in
//! `cargo test`): the demo sign-in, each page's content per role, nothing restricted to the
//! wrong role, the GOV.UK error summary, the page headers, CSRF and origin checks, and the route
//! policy for every page.

use reqwest::StatusCode;
use vigil::auth::Role;
use vigil::auth::policy::UI_ROUTES;

use crate::support::pages::{Browser, account};
use crate::support::{TestApp, registrant_body};

#[tokio::test]
async fn a_public_protection_officer_signs_in_finds_a_registrant_and_says_why_before_reading() {
    let app = TestApp::spawn_demo().await;
    let mut body = registrant_body("Webpage");
    body["managing_officer"] = serde_json::json!("DC Example");
    let created = app.registrant("met", body).await;
    let id = created["id"].as_str().unwrap();
    let browser = Browser::new(&app);

    // Not signed in: every page sends the browser to the sign-in page.
    let (status, _, headers) = browser.get("/caseload").await;
    assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/sign-in?return_to=%2Fcaseload"));
    let (status, html, _) = browser.get("/sign-in").await;
    assert_eq!(status, 200);
    assert!(html.contains("Choose who you want to be") && html.contains("Public protection officer, met"));

    browser.sign_in(account(Role::Ppo, "met")).await;
    let (status, html, _) = browser.get("/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("My work") && html.contains("Signed in as Public protection officer, met") && html.contains("href=\"/caseload\"")
    );

    let (status, html, _) = browser.get("/caseload").await;
    assert_eq!(status, 200);
    assert!(html.contains("Testy Webpage") && html.contains(&format!("href=\"/registrants/{id}\"")), "{html}");

    // The record first asks why.
    let (status, _, headers) = browser.get(&format!("/registrants/{id}")).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, format!("/registrants/{id}/why?next=%2Fregistrants%2F{id}").as_str())
    );
    let why = format!("/registrants/{id}/why");
    let csrf = browser.csrf(&why).await;
    let before = app.count("web_justifications").await;
    // A reason that needs a reference, without one: the GOV.UK error summary, nothing kept.
    let (status, html, _) = browser.post(&why, &[("csrf", &csrf), ("reason", "INVESTIGATION")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#reference\"") && html.contains("<title>Error: "), "{html}");
    let (status, html, _) = browser.post(&why, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#reason\"") && html.contains("Choose why you are accessing this record"));
    assert_eq!(app.count("web_justifications").await, before, "nothing is written");

    let (status, _, location) = browser.post(&why, &[("csrf", &csrf), ("reason", "SAFEGUARDING"), ("reference", "CASE/1")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/registrants/{id}").as_str())));
    let (status, html, headers) = browser.get(&format!("/registrants/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Testy Webpage") && html.contains("Managed by met, DC Example") && html.contains("Protecting a victim"),
        "{html}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    // The read is audited with the reason and reference given on the page.
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT reason_code, crime_reference FROM audit_events WHERE operation = 'registrant.read' ORDER BY seq DESC";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    let (reason, reference): (Option<String>, Option<String>) = (row.try_get_by_index(0).unwrap(), row.try_get_by_index(1).unwrap());
    assert_eq!((reason.as_deref(), reference.as_deref()), (Some("SAFEGUARDING"), Some("CASE/1")));

    // Signing out ends the session for good, and is in the audit trail as signing in is.
    let csrf = browser.csrf("/").await;
    let (status, _, location) = browser.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/signed-out")));
    assert_eq!(browser.get("/caseload").await.0, StatusCode::SEE_OTHER);
    let sql = "SELECT actor_subject FROM audit_events WHERE operation = 'session.logout'";
    let rows = app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap();
    assert_eq!(rows.len(), 1, "one sign-out, audited once");
}

#[tokio::test]
async fn each_role_sees_only_its_pages() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Roles")).await;
    let id = created["id"].as_str().unwrap();
    for (role, org, caseload, record) in [
        (Role::Ppo, "met", 200, 303),
        (Role::Supervisor, "met", 200, 303),
        (Role::Probation, "probation-london", 200, 303),
        (Role::Intake, "met", 403, 403),
        (Role::Auditor, "met", 403, 403),
        (Role::Admin, "met", 403, 403),
    ] {
        let browser = Browser::new(&app);
        browser.sign_in(account(role, org)).await;
        let (status, html, _) = browser.get("/").await;
        assert_eq!(status, 200, "{role}");
        assert_eq!(html.contains("href=\"/caseload\""), caseload == 200, "{role}: the caseload is offered only to who may open it");
        let (status, html, _) = browser.get("/caseload").await;
        assert_eq!(status.as_u16(), caseload, "{role} caseload");
        if caseload == 403 {
            assert!(html.contains("You do not have access to this page") && !html.contains("Testy Roles"));
        }
        assert_eq!(browser.get(&format!("/registrants/{id}")).await.0.as_u16(), record, "{role} record");
    }
    // Probation reads only what its region supervises: another region's registrant is not found.
    let browser = Browser::new(&app);
    let elsewhere = app.registrant("gmp", serde_json::json!({"names": [{"kind": "primary", "given": "Other", "family": "Region"}]})).await;
    browser.sign_in(account(Role::Probation, "probation-london")).await;
    let why = format!("/registrants/{}/why", elsewhere["id"].as_str().unwrap());
    let csrf = browser.csrf(&why).await;
    browser.post(&why, &[("csrf", &csrf), ("reason", "COMPLIANCE")]).await;
    let (status, html, _) = browser.get(&format!("/registrants/{}", elsewhere["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Region"), "nothing about the registrant");
}

#[tokio::test]
async fn forms_need_their_token_and_this_origin() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Forms")).await;
    let why = format!("/registrants/{}/why", created["id"].as_str().unwrap());
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "met")).await;
    let csrf = browser.csrf(&why).await;
    let (status, _, _) = browser.post(&why, &[("csrf", "forged"), ("reason", "COMPLIANCE")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let request = browser.client.post(format!("{}{why}", app.base)).header("origin", "http://evil.example");
    let response = browser.with_cookie(request).form(&[("csrf", csrf.as_str()), ("reason", "COMPLIANCE")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = browser
        .client
        .post(format!("{}/sign-in", app.base))
        .header("sec-fetch-site", "cross-site")
        .form(&[("account", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no login CSRF");
    assert_eq!(app.count("web_justifications").await, 0);
}

#[tokio::test]
async fn pages_have_a_strict_policy_and_assets_are_served_from_the_binary() {
    let app = TestApp::spawn_demo().await;
    let browser = Browser::new(&app);
    for path in ["/sign-in", "/accessibility", "/cookies", "/signed-out"] {
        let (status, html, headers) = browser.get(path).await;
        assert_eq!(status, 200, "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(!html.contains("<script>") && !html.contains(" style="), "{path}: no inline script or style");
        assert!(html.contains("<html lang=\"en\"") && html.contains("govuk-skip-link"), "{path}");
    }
    let (_, html, _) = browser.get("/sign-in").await;
    let start = html.find("/assets/vigil.css?v=").unwrap() + "/assets/vigil.css?v=".len();
    let version = &html[start..start + 16];
    let (status, css, headers) = browser.get(&format!("/assets/vigil.css?v={version}")).await;
    assert_eq!((status, headers["content-type"].to_str().unwrap()), (StatusCode::OK, "text/css; charset=utf-8"));
    assert!(headers["cache-control"].to_str().unwrap().contains("immutable"));
    assert!(css.contains("govuk-button") && css.contains("moj-") && !css.contains("GDS Transport"));
    assert_eq!(browser.get("/assets/vigil.css?v=old").await.2["cache-control"], "no-cache");
    assert_eq!(browser.get("/assets/../Cargo.toml").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn serve_has_no_development_sign_in_and_refuses_its_sessions() {
    let demo = TestApp::spawn_demo().await;
    let served = TestApp::spawn().await;
    assert_eq!(Browser::new(&served).get("/sign-in").await.0, StatusCode::NOT_FOUND);
    assert_eq!(Browser::new(&served).post("/sign-in", &[("account", "0")]).await.0, StatusCode::NOT_FOUND);
    // Not signed in on serve: the identity provider's login, never the demo page.
    let (status, _, headers) = Browser::new(&served).get("/caseload").await;
    assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/auth/login?return_to=%2Fcaseload"));
    // A session the development sign-in made is refused by an app without it.
    let now = vigil::clock::now();
    let login = vigil::auth::login::LoggedIn {
        subject: "demo-ppo-met".into(),
        roles: vec![Role::Ppo],
        org: "met".into(),
        auth_time: now,
        id_token: zeroize::Zeroizing::new(String::new()),
        sid: None,
        refresh_token: None,
    };
    let limits = vigil::services::sessions::Limits {
        idle: chrono::Duration::minutes(30),
        absolute: chrono::Duration::hours(1),
        revalidate: chrono::Duration::hours(1),
    };
    let token = vigil::services::sessions::start(&served.db, &served.ctx.crypto, vigil::auth::dev::ISSUER, &login, None, &limits, now)
        .await
        .unwrap();
    let browser = Browser::new(&served);
    *browser.session.lock().unwrap() = Some(token);
    let (status, _, headers) = browser.get("/caseload").await;
    assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/auth/login?return_to=%2Fcaseload"));
    drop(demo);
}

#[tokio::test]
async fn every_page_route_is_in_the_policy_table_and_refused_without_its_permission() {
    // Each row of the table answers as the table says, for every role.
    let app = TestApp::spawn_demo().await;
    let id = uuid::Uuid::now_v7();
    for rule in UI_ROUTES {
        let path = rule.path.replace("{id}", &id.to_string()).replace("{*path}", "vigil.css");
        for (index, (role, _org)) in vigil::ui::signin_accounts().iter().enumerate() {
            let browser = Browser::new(&app);
            browser.sign_in(index).await;
            let may = rule.any_of.is_empty() || rule.any_of.iter().any(|p| vigil::auth::policy::permissions(*role).contains(p));
            let status = if rule.method == "GET" {
                browser.get(&path).await.0
            } else {
                let csrf = browser.csrf("/").await;
                browser.post(&path, &[("csrf", &csrf)]).await.0
            };
            if may {
                assert_ne!(status, StatusCode::FORBIDDEN, "{role} {} {}", rule.method, rule.path);
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} {} {}", rule.method, rule.path);
            }
        }
    }
}

#[tokio::test]
async fn the_orders_tab_shows_protected_persons_only_to_who_may_see_them() {
    let app = TestApp::spawn_demo().await;
    let (registrant, _order) = crate::orders::registrant_with_order(&app, crate::orders::spo("2026-11-02", Some("2026-11-02"))).await;
    let id = registrant["id"].as_str().unwrap();
    for (role, org, sees_protected) in [(Role::Ppo, "met", true), (Role::Probation, "probation-london", false)] {
        let browser = Browser::new(&app);
        browser.sign_in(account(role, org)).await;
        // The tab is behind the same "why" as the overview.
        let (status, _, headers) = browser.get(&format!("/registrants/{id}/orders")).await;
        let asked = format!("/registrants/{id}/why?next=%2Fregistrants%2F{id}%2Forders");
        assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, asked.as_str()));
        let why = format!("/registrants/{id}/why");
        let csrf = browser.csrf(&why).await;
        browser.post(&why, &[("csrf", &csrf), ("reason", "COMPLIANCE")]).await;
        let (status, html, _) = browser.get(&format!("/registrants/{id}/orders")).await;
        assert_eq!(status, 200, "{role}");
        assert!(
            html.contains("Stalking protection order") && html.contains("Exampleton Magistrates") && html.contains("2 November 2026"),
            "{role}: {html}"
        );
        assert_eq!(html.contains("Pat Protected"), sees_protected, "{role}: protected persons");
        assert_eq!(html.contains("No contact with the protected person by any means."), sees_protected, "{role}: a prohibition's wording");
        assert!(!html.contains("Pat") || sees_protected, "{role}");
    }
}

#[tokio::test]
async fn find_a_registrant_by_name_and_date_of_birth_or_by_identifier_with_a_reason() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Findable")).await;
    let id = created["id"].as_str().unwrap();
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "gmp")).await;
    let (status, html, _) = browser.get("/find").await;
    assert_eq!(status, 200);
    assert!(html.contains("Find a registrant") && html.contains("Why are you searching?"));
    let csrf = browser.csrf("/find").await;
    let audited = app.count("audit_events").await;
    // No reason: the error summary, and nothing searched or audited.
    let (status, html, _) = browser.post("/find", &[("csrf", &csrf), ("by", "name"), ("family", "Findable")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#reason\""), "{html}");
    assert!(!html.contains(&format!("/registrants/{id}")));
    let (status, html, _) = browser
        .post(
            "/find",
            &[
                ("csrf", &csrf),
                ("by", "name"),
                ("family", "Findable"),
                ("day", "31"),
                ("month", "2"),
                ("year", "1984"),
                ("reason", "INTELLIGENCE"),
                ("reference", "INT/1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#day\"") && html.contains("real date"), "{html}");
    assert_eq!(app.count("audit_events").await, audited, "nothing searched");

    let by_name = [
        ("csrf", csrf.as_str()),
        ("by", "name"),
        ("given", "Testy"),
        ("family", "Findable"),
        ("day", "29"),
        ("month", "2"),
        ("year", "1984"),
        ("reason", "INTELLIGENCE"),
        ("reference", "INT/1"),
    ];
    let (status, html, _) = browser.post("/find", &by_name).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("1 registrant found")
            && html.contains(&format!("href=\"/registrants/{id}\""))
            && html.contains("Matched on name and date of birth"),
        "{html}"
    );
    let by_phone =
        [("csrf", csrf.as_str()), ("by", "identifier"), ("kind", "phone"), ("value", "+44 7700 900123"), ("reason", "OFFENDER_MANAGEMENT")];
    let (status, html, _) = browser.post("/find", &by_phone).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/registrants/{id}\"")) && html.contains("Matched on the identifier"), "{html}");
    // Both searches audited with their reasons; the searched values are in no URL.
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT reason_code FROM audit_events WHERE operation = 'registrant.search' ORDER BY seq";
    let rows = app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap();
    let reasons: Vec<Option<String>> = rows.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
    assert_eq!(reasons, [Some("INTELLIGENCE".to_owned()), Some("OFFENDER_MANAGEMENT".to_owned())]);

    let probation = Browser::new(&app);
    probation.sign_in(account(Role::Probation, "probation-london")).await;
    assert_eq!(probation.get("/find").await.0, StatusCode::FORBIDDEN);
}
