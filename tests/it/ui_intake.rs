//! The report intake pages at the HTML level: recording a crime report (every problem at once
//! with the GOV.UK error summary, nothing written; "Add another" without JavaScript), the
//! register check under the form's reason, a result page that says nothing about any
//! registrant, "My reports" and a report's page, the serial-pattern page (victims as V1, V2…,
//! under a reason), each page per role and the CSRF refusals.

use reqwest::StatusCode;
use vigil::auth::Role;

use crate::support::TestApp;
use crate::support::pages::{Browser, account};

/// A report form as a browser submits it: `fields` over a filled-in default.
fn report(csrf: &str, crime_reference: &str, victim: &str, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf),
        ("rows-names", "1"),
        ("rows-identifiers", "2"),
        ("crime_reference", crime_reference),
        ("principal_classification", "harassment"),
        ("included_classifications-0", "stalking"),
        ("occurred_from", "1"),
        ("occurred_from-month", "10"),
        ("occurred_from-year", "2026"),
        ("channels", "sms"),
        ("channels", "social_media"),
        ("summary", "Synthetic summary of repeated unwanted messages."),
        ("victim-reference", victim),
        ("victim-given", "Vera"),
        ("victim-family", "Victimson"),
        ("suspect-names-0-given", "Robert"),
        ("suspect-names-0-family", "Hartley"),
        ("suspect-date_of_birth", "4"),
        ("suspect-date_of_birth-month", "3"),
        ("suspect-date_of_birth-year", "1980"),
        ("suspect-identifiers-0-kind", "phone"),
        ("suspect-identifiers-0-value", "07700 900456"),
        ("reason", "INVESTIGATION"),
        ("action", "record"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in fields {
        form.retain(|(name, _)| name != k);
        form.push((k.to_string(), v.to_string()));
    }
    form
}

async fn post(browser: &Browser, path: &str, form: &[(String, String)]) -> (StatusCode, String, Option<String>) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(path, &pairs).await
}

async fn signed_in(app: &TestApp, role: Role, org: &str) -> Browser {
    let browser = Browser::new(app);
    browser.sign_in(account(role, org)).await;
    browser
}

/// Records a report through the form; returns the result page's path.
async fn record(browser: &Browser, crime_reference: &str, victim: &str, fields: &[(&str, &str)]) -> String {
    let csrf = browser.csrf("/reports/new").await;
    let (status, html, location) = post(browser, "/reports/new", &report(&csrf, crime_reference, victim, fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let location = location.unwrap();
    assert!(location.starts_with("/reports/") && location.contains("/checks/"), "{location}");
    location
}

async fn one(app: &TestApp, sql: &str) -> Vec<Option<String>> {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    (0..2).map(|i| row.try_get_by_index::<Option<String>>(i).unwrap()).collect()
}

#[tokio::test]
async fn intake_records_a_report_and_sees_only_the_result_and_its_reference() {
    let app = TestApp::spawn_demo().await;
    let target = crate::register_check::registrant(&app, "Robert", "Hartley", "1980-03-04", "07700 900456").await;
    let browser = signed_in(&app, Role::Intake, "met").await;
    let (_, home, _) = browser.get("/").await;
    assert!(home.contains("href=\"/reports/new\"") && home.contains("href=\"/reports\"") && !home.contains("/api/docs"), "{home}");
    let (status, form, _) = browser.get("/reports/new").await;
    assert_eq!(status, 200);
    assert!(
        form.contains("<h1 class=\"govuk-heading-l\">Record a crime report</h1>") && form.contains("id=\"suspect-identifiers-1-value\"")
    );

    let result = record(&browser, "MET/2026/101", "VIC-101", &[]).await;
    let (status, html, _) = browser.get(&result).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Possible match — the public protection unit has been told") && html.contains("CHK-"), "{html}");
    // Nothing about the registrant: not their reference, officer, name or who manages them.
    let reference = target["reference"].as_str().unwrap();
    for secret in [reference, "DC Example", target["id"].as_str().unwrap(), "Managed by"] {
        assert!(!html.contains(secret), "the result page shows {secret}");
    }
    // The check ran under the form's reason, with the report's crime reference.
    let why =
        one(&app, "SELECT reason_code, crime_reference FROM audit_events WHERE operation = 'register_check.run' ORDER BY seq DESC").await;
    assert_eq!(why, [Some("INVESTIGATION".to_owned()), Some("MET/2026/101".to_owned())]);

    // The report's page (the reason is remembered) and "My reports".
    let report_path = result.split("/checks/").next().unwrap().to_owned();
    let (status, html, _) = browser.get(&report_path).await;
    assert_eq!(status, 200);
    assert!(html.contains("MET/2026/101") && html.contains("Robert Hartley") && html.contains("Possible match"), "{html}");
    assert!(!html.contains(reference), "the report page says nothing about the registrant");
    let (status, html, _) = browser.get("/reports").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"{report_path}\"")) && html.contains("MET/2026/101"), "{html}");

    // A suspect nobody knows: no match.
    let result = record(
        &browser,
        "MET/2026/102",
        "VIC-102",
        &[
            ("suspect-names-0-given", "Nobody"),
            ("suspect-names-0-family", "Knownabout"),
            ("suspect-date_of_birth", ""),
            ("suspect-date_of_birth-month", ""),
            ("suspect-date_of_birth-year", ""),
            ("suspect-identifiers-0-kind", ""),
            ("suspect-identifiers-0-value", ""),
            ("reason", "SAFEGUARDING"),
        ],
    )
    .await;
    let (_, html, _) = browser.get(&result).await;
    assert!(html.contains("<title>No match – Vigil</title>") && !html.contains("Possible match"), "{html}");

    // Running the check again from the report's page.
    let report_path = result.split("/checks/").next().unwrap().to_owned();
    let csrf = browser.csrf(&report_path).await;
    let (status, _, location) = browser.post(&format!("{report_path}/checks"), &[("csrf", &csrf), ("reference", "MET/2026/102")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with(&format!("{report_path}/checks/")));
    assert_eq!(app.count("register_checks").await, 3);
}

#[tokio::test]
async fn a_bad_report_shows_every_problem_and_writes_nothing() {
    let app = TestApp::spawn_demo().await;
    let browser = signed_in(&app, Role::Intake, "met").await;
    let csrf = browser.csrf("/reports/new").await;
    let before: Vec<i64> =
        futures_counts(&app, &["crime_reports", "register_checks", "blind_indexes", "audit_events", "web_justifications"]).await;
    let bad = report(
        &csrf,
        "",
        "VIC 1!",
        &[
            ("principal_classification", ""),
            ("occurred_from", "31"),
            ("occurred_from-month", "2"),
            ("suspect-identifiers-0-kind", "email"),
            ("suspect-identifiers-0-value", "not an address"),
            ("suspect-identifiers-1-value", "07700 900999"),
            ("rows-addresses", "1"),
            ("suspect-addresses-0-postcode", "NOT A POSTCODE"),
            ("reason", ""),
        ],
    );
    let (status, html, _) = post(&browser, "/reports/new", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<title>Error: Record a crime report") && html.contains("govuk-error-summary"), "{html}");
    for field in [
        "crime_reference",
        "principal_classification",
        "occurred_from",
        "victim-reference",
        "suspect-identifiers-0-value",
        "suspect-identifiers-1-kind",
        "suspect-addresses-0-postcode",
        "reason",
    ] {
        assert!(html.contains(&format!("href=\"#{field}\"")), "the summary names {field}: {html}");
        assert!(html.contains(&format!("id=\"{field}-error\"")), "an inline message for {field}");
    }
    assert!(html.contains("value=\"07700 900999\""), "what was typed is kept");
    // The service's own rule: a suspect needs a name or an identifier.
    let empty = report(
        &csrf,
        "MET/2026/1",
        "VIC-1",
        &[
            ("suspect-names-0-given", ""),
            ("suspect-names-0-family", ""),
            ("suspect-date_of_birth", ""),
            ("suspect-date_of_birth-month", ""),
            ("suspect-date_of_birth-year", ""),
            ("suspect-identifiers-0-kind", ""),
            ("suspect-identifiers-0-value", ""),
        ],
    );
    let (status, html, _) = post(&browser, "/reports/new", &empty).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Give at least one name or identifier for the suspect"), "{html}");
    let after = futures_counts(&app, &["crime_reports", "register_checks", "blind_indexes", "audit_events", "web_justifications"]).await;
    assert_eq!(before, after, "nothing is written");
}

async fn futures_counts(app: &TestApp, tables: &[&str]) -> Vec<i64> {
    let mut out = Vec::new();
    for t in tables {
        out.push(app.count(t).await);
    }
    out
}

#[tokio::test]
async fn add_another_gives_one_more_row_without_javascript() {
    let app = TestApp::spawn_demo().await;
    let browser = signed_in(&app, Role::Intake, "met").await;
    let csrf = browser.csrf("/reports/new").await;
    let (_, html, _) = browser.get("/reports/new").await;
    assert!(!html.contains("id=\"suspect-identifiers-2-value\"") && !html.contains("id=\"included_classifications-1\""));
    let form = report(&csrf, "MET/2026/9", "VIC-9", &[("add", "identifiers"), ("suspect-identifiers-1-value", "kept@example.org")]);
    let (status, html, _) = post(&browser, "/reports/new", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"suspect-identifiers-2-value\"") && html.contains("value=\"kept@example.org\""), "{html}");
    assert!(html.contains("name=\"rows-identifiers\" value=\"3\"") && !html.contains("govuk-error-summary"));
    let form = report(&csrf, "MET/2026/9", "VIC-9", &[("add", "included")]);
    let (_, html, _) = post(&browser, "/reports/new", &form).await;
    assert!(html.contains("id=\"included_classifications-1\""), "{html}");
    assert_eq!(app.count("crime_reports").await, 0);
    // The rows then submit as a list.
    let form = report(
        &csrf,
        "MET/2026/9",
        "VIC-9",
        &[
            ("rows-identifiers", "3"),
            ("suspect-identifiers-2-kind", "online_handle"),
            ("suspect-identifiers-2-platform", "instagram"),
            ("suspect-identifiers-2-value", "@third_row_example"),
        ],
    );
    let (status, _, _) = post(&browser, "/reports/new", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list, _) = browser.get("/reports").await;
    let start = list.find("href=\"/reports/0").expect("the report is listed") + 6;
    let path = list[start..].split('"').next().unwrap().to_owned();
    let (_, html, _) = browser.get(&path).await;
    assert!(html.contains("Online handle: third_row_example on instagram"), "{html}");
}

#[tokio::test]
async fn each_role_reaches_only_its_intake_pages() {
    let app = TestApp::spawn_demo().await;
    let gmp = signed_in(&app, Role::Ppo, "gmp").await;
    let (_, home, _) = gmp.get("/").await;
    assert!(home.contains(">Record a report</a>") && home.contains(">My reports</a>"), "officers record reports too");
    let theirs = record(&gmp, "GMP/2026/1", "VIC-G1", &[]).await;
    let theirs = theirs.split("/checks/").next().unwrap().to_owned();
    for (role, org, new_report, reports) in [
        (Role::Intake, "met", 200, 200),
        (Role::Ppo, "met", 200, 200),
        (Role::Supervisor, "met", 200, 200),
        (Role::Probation, "probation-london", 403, 403),
        (Role::Auditor, "met", 403, 403),
        (Role::Admin, "met", 403, 403),
    ] {
        let browser = signed_in(&app, role, org).await;
        let (_, home, _) = browser.get("/").await;
        assert_eq!(home.contains("href=\"/reports/new\""), new_report == 200, "{role}: offered only to who may");
        assert_eq!(browser.get("/reports/new").await.0.as_u16(), new_report, "{role}");
        let (status, html, _) = browser.get("/reports").await;
        assert_eq!(status.as_u16(), reports, "{role}");
        assert!(!html.contains("GMP/2026/1"), "{role}: my reports are my organisation's");
        assert_eq!(
            browser.get("/patterns/00000000-0000-7000-8000-000000000000").await.0.as_u16(),
            match role {
                Role::Ppo | Role::Supervisor => 303,
                _ => 403,
            }
        );
    }
    // Intake may not read another organisation's report, even with a reason.
    let intake = signed_in(&app, Role::Intake, "met").await;
    let why = format!("{theirs}/why");
    let csrf = intake.csrf(&why).await;
    let (status, _, _) = intake.post(&why, &[("csrf", &csrf), ("reason", "INVESTIGATION"), ("reference", "MET/1")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html, _) = intake.get(&theirs).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("GMP/2026/1") && !html.contains("Hartley"));
    // A reader without a reason is asked for one first.
    let met = signed_in(&app, Role::Ppo, "met").await;
    let (status, _, headers) = met.get(&theirs).await;
    assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, why.as_str()));
}

#[tokio::test]
async fn intake_forms_need_their_token() {
    let app = TestApp::spawn_demo().await;
    let browser = signed_in(&app, Role::Intake, "met").await;
    let result = record(&browser, "MET/2026/7", "VIC-7", &[]).await;
    let report_path = result.split("/checks/").next().unwrap().to_owned();
    let form = report("forged", "MET/2026/8", "VIC-8", &[]);
    assert_eq!(post(&browser, "/reports/new", &form).await.0, StatusCode::FORBIDDEN);
    let refused = [
        (format!("{report_path}/checks"), vec![("csrf", "forged")]),
        (format!("{report_path}/why"), vec![("csrf", "forged"), ("reason", "COMPLIANCE")]),
    ];
    for (path, form) in &refused {
        assert_eq!(browser.post(path, form).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let ppo = signed_in(&app, Role::Ppo, "met").await;
    let (status, _, _) =
        ppo.post("/patterns/00000000-0000-7000-8000-000000000000/why", &[("csrf", "forged"), ("reason", "COMPLIANCE")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!((app.count("crime_reports").await, app.count("register_checks").await), (1, 1));
}

#[tokio::test]
async fn a_serial_pattern_across_forces_shows_victims_only_as_their_place() {
    let app = TestApp::spawn_demo().await;
    let suspect = [
        ("suspect-names-0-given", "Max"),
        ("suspect-names-0-family", "Stone"),
        ("suspect-date_of_birth", ""),
        ("suspect-date_of_birth-month", ""),
        ("suspect-date_of_birth-year", ""),
        ("suspect-identifiers-0-kind", "online_handle"),
        ("suspect-identifiers-0-platform", "instagram"),
        ("suspect-identifiers-0-value", "@max_s_example"),
    ];
    let intake = signed_in(&app, Role::Intake, "met").await;
    record(&intake, "MET/2026/301", "VIC-SECRET-1", &suspect).await;
    let gmp = signed_in(&app, Role::Ppo, "gmp").await;
    let second = record(&gmp, "GMP/2026/302", "VIC-SECRET-2", &suspect).await;
    let (_, html, _) = gmp.get(&second).await;
    assert!(html.contains("Possible match"), "{html}");
    let (_, mine, _) = intake.get("/reports").await;
    let start = mine.find("href=\"/reports/0").unwrap() + 6;
    let (_, html, _) = intake.get(mine[start..].split('"').next().unwrap()).await;
    assert!(
        html.contains("MET/2026/301") && !html.contains("/patterns/") && !html.contains("serial pattern"),
        "intake is not told: {html}"
    );

    for org in ["met", "gmp"] {
        let (status, alerts) = app.get("/api/v1/alerts", &app.token(Role::Ppo, org)).await;
        assert_eq!(status, 200);
        let alert = alerts.as_array().unwrap().iter().find(|a| a["kind"] == "serial_pattern").expect("both forces are told").clone();
        let path = format!("/patterns/{}", alert["id"].as_str().unwrap());
        let browser = signed_in(&app, Role::Ppo, org).await;
        // The force's own report points at the pattern.
        let (_, mine, _) = browser.get("/reports").await;
        let start = mine.find("href=\"/reports/0").expect("the force's report is listed") + 6;
        let report_path = mine[start..].split('"').next().unwrap().to_owned();
        let csrf = browser.csrf(&format!("{report_path}/why")).await;
        browser.post(&format!("{report_path}/why"), &[("csrf", &csrf), ("reason", "AUDIT")]).await;
        let (_, report_html, _) = browser.get(&report_path).await;
        assert!(report_html.contains(&format!("href=\"{path}\"")), "{report_html}");
        let (status, _, headers) = browser.get(&path).await;
        assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, format!("{path}/why").as_str()));
        let csrf = browser.csrf(&format!("{path}/why")).await;
        let (status, html, _) = browser.post(&format!("{path}/why"), &[("csrf", &csrf), ("reason", "INTELLIGENCE")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reason that needs a reference, without one");
        assert!(html.contains("href=\"#reference\""));
        let (status, _, _) =
            browser.post(&format!("{path}/why"), &[("csrf", &csrf), ("reason", "INTELLIGENCE"), ("reference", "OP/77")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, html, _) = browser.get(&path).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("<title>Serial pattern across 2 victims – Vigil</title>"), "{html}");
        assert!(html.contains("No active order — consider an SPO application") && html.contains("Not on the register"));
        assert!(html.contains(">V1<") && html.contains(">V2<") && html.contains("MET/2026/301") && html.contains("GMP/2026/302"));
        assert!(html.contains("Online handle: max_s_example on instagram") && html.contains("In the reports about V1, V2"), "{html}");
        assert!(html.contains("moj-timeline") && html.contains("Conduct against V1 began"));
        for secret in ["VIC-SECRET", "Vera", "Victimson"] {
            assert!(!html.contains(secret), "{org}: the pattern page names a victim ({secret})");
        }
        let why =
            one(&app, "SELECT reason_code, crime_reference FROM audit_events WHERE operation = 'serial_pattern.read' ORDER BY seq DESC")
                .await;
        assert_eq!(why, [Some("INTELLIGENCE".to_owned()), Some("OP/77".to_owned())]);
        // The other force's alert is not this one's to open.
        let other = if org == "met" { "gmp" } else { "met" };
        let (_, theirs) = app.get("/api/v1/alerts", &app.token(Role::Ppo, other)).await;
        let theirs = theirs.as_array().unwrap().iter().find(|a| a["kind"] == "serial_pattern").unwrap()["id"].as_str().unwrap().to_owned();
        let csrf = browser.csrf(&format!("/patterns/{theirs}/why")).await;
        browser.post(&format!("/patterns/{theirs}/why"), &[("csrf", &csrf), ("reason", "AUDIT")]).await;
        assert_eq!(browser.get(&format!("/patterns/{theirs}")).await.0, StatusCode::NOT_FOUND);
    }
}
