//! The pages that write a registrant's record (`src/ui/register.rs`, `details.rs`,
//! `order_new.rs`, `order.rs`) at the HTML level: adding a registrant through the task list and
//! its question pages (add-another rows without JavaScript, the duplicate interruption card, the
//! sealed draft), the personal details tab and its add pages, adding an order and recording its
//! service with the initial notification due date. Per role: who gets the pages and the change
//! links, and who gets a 403; every bad form answers 422 with the GOV.UK error summary and writes
//! nothing; every form refuses a missing token or another origin.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use vigil::auth::Role;

use crate::support::pages::{Browser, account};
use crate::support::{TestApp, registrant_body};

async fn signed_in(app: &TestApp, role: Role, org: &str) -> Browser {
    let browser = Browser::new(app);
    browser.sign_in(account(role, org)).await;
    browser
}

/// Gives the record's "Why are you accessing this?" answer.
async fn why(browser: &Browser, id: &str) {
    let path = format!("/registrants/{id}/why");
    let csrf = browser.csrf(&path).await;
    let (status, _, _) = browser.post(&path, &[("csrf", &csrf), ("reason", "OFFENDER_MANAGEMENT")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// Starts "Add a registrant"; returns the draft's task list path.
async fn start(browser: &Browser) -> String {
    let (status, html, _) = browser.get("/registrants/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("Add a registrant") && html.contains("Start"), "{html}");
    let csrf = browser.csrf("/registrants/new").await;
    let (status, _, location) = browser.post("/registrants/new", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    location.unwrap()
}

async fn answer(browser: &Browser, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
    let csrf = browser.csrf("/").await;
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    browser.post(path, &fields).await
}

fn today() -> chrono::NaiveDate {
    domain::calendar::local_date(vigil::clock::now())
}

#[tokio::test]
async fn a_public_protection_officer_adds_a_registrant_through_the_task_list() {
    let app = TestApp::spawn_demo().await;
    let browser = signed_in(&app, Role::Ppo, "met").await;
    let (_, html, _) = browser
        .post("/find", &[("csrf", &browser.csrf("/find").await), ("by", "name"), ("family", "Nobody"), ("reason", "OFFENDER_MANAGEMENT")])
        .await;
    assert!(html.contains("Not found? <a class=\"govuk-link\" href=\"/registrants/new\">Add a registrant</a>"), "{html}");

    let tasks = start(&browser).await;
    assert!(tasks.starts_with("/registrants/new/"));
    let (status, html, _) = browser.get(&tasks).await;
    assert_eq!(status, 200);
    assert!(html.contains("govuk-task-list") && html.contains("Cannot start yet"), "{html}");
    let registrants = app.count("registrants").await;

    // Add another without JavaScript: the page comes back with one more row, nothing checked.
    let names = format!("{tasks}/names");
    let (status, html, _) =
        answer(&browser, &names, &[("names-0-given", "Zebedee"), ("names-0-family", "Quartermain"), ("action", "add")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Other name 1") && html.contains("value=\"Quartermain\"") && !html.contains("govuk-error-summary"), "{html}");
    // A name with neither part (someone known by one name needs only one): the error summary,
    // linked to the input, and nothing kept.
    let (status, html, _) = answer(&browser, &names, &[("names-0-given", " "), ("names-0-family", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#names-0-given\""), "{html}");
    assert!(html.contains("<title>Error: "));
    // An alias whose kind was not chosen.
    let (status, html, _) = answer(
        &browser,
        &names,
        &[("names-0-given", "Zebedee"), ("names-0-family", "Quartermain"), ("names-1-given", "Zeb"), ("names-1-family", "Q")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#names-1-kind\""), "{html}");
    let (status, _, location) = answer(
        &browser,
        &names,
        &[
            ("names-0-given", "Zebedee"),
            ("names-0-family", "Quartermain"),
            ("names-1-kind", "alias"),
            ("names-1-given", "Zeb"),
            ("names-1-family", "Quarters"),
        ],
    )
    .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(tasks.as_str())));
    // The draft is sealed: no answer is in the database in clear, nor in any address.
    let backend = app.db.get_database_backend();
    let rows = app.db.query_all_raw(Statement::from_string(backend, "SELECT draft_sealed FROM web_drafts".to_owned())).await.unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let sealed: Vec<u8> = row.try_get_by_index(0).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("Quartermain"), "the draft is stored sealed");
    }
    assert!(!tasks.contains("Quartermain"));

    let dates = format!("{tasks}/dates");
    let (status, html, _) = answer(&browser, &dates, &[("dates-0-day", "31"), ("dates-0-month", "2"), ("dates-0-year", "1980")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#dates-0-day\"") && html.contains("Date of birth must be a real date"), "{html}");
    let (status, _, _) = answer(&browser, &dates, &[("dates-0-day", "29"), ("dates-0-month", "2"), ("dates-0-year", "1980")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let addresses = format!("{tasks}/addresses");
    let bad_address = [("addresses-0-kind", "home"), ("addresses-0-line1", "1 Any Street"), ("addresses-0-postcode", "nonsense")];
    let (status, html, _) = answer(&browser, &addresses, &bad_address).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#addresses-0-postcode\"") && html.contains("Enter a real UK postcode"), "{html}");
    let (status, _, _) = answer(
        &browser,
        &addresses,
        &[
            ("addresses-0-kind", "home"),
            ("addresses-0-line1", "1 Any Street"),
            ("addresses-0-town", "Leeds"),
            ("addresses-0-postcode", "ls1 1aa"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let identifiers = format!("{tasks}/identifiers");
    let (status, html, _) =
        answer(&browser, &identifiers, &[("identifiers-0-kind", "phone"), ("identifiers-0-value", "not a phone")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#identifiers-0-value\""), "{html}");
    let (status, _, _) = answer(&browser, &identifiers, &[("identifiers-0-kind", "phone"), ("identifiers-0-value", "07700 900123")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let management = format!("{tasks}/management");
    let (status, html, _) = answer(&browser, &management, &[("mappa_category", "2")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#mappa_level\""), "{html}");
    let (status, _, _) = answer(
        &browser,
        &management,
        &[
            ("officer", "DC Example"),
            ("supervising_org", "probation-london"),
            ("risk", "high"),
            ("mappa_category", "2"),
            ("mappa_level", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("registrants").await, registrants, "nothing reaches the register before check answers");

    let (status, html, _) = browser.get(&format!("{tasks}/check")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Zebedee Quartermain")
            && html.contains("Zeb Quarters (alias)")
            && html.contains("29 February 1980")
            && html.contains("LS1 1AA"),
        "{html}"
    );
    let (status, _, location) = answer(&browser, &format!("{tasks}/check"), &[]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{tasks}/done").as_str())));
    assert_eq!(app.count("registrants").await, registrants + 1);
    let (status, html, _) = browser.get(&format!("{tasks}/done")).await;
    assert_eq!(status, 200);
    assert!(html.contains("govuk-panel--confirmation") && html.contains("Registrant added") && html.contains("Add an order"), "{html}");
    // The draft now holds only what the confirmation shows; the answers are gone.
    assert_eq!(browser.get(&tasks).await.0, StatusCode::SEE_OTHER);
    // Another browser session cannot open this draft.
    let other = signed_in(&app, Role::Ppo, "met").await;
    let (status, html, _) = other.get(&format!("{tasks}/check")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Your answers have gone") && !html.contains("Quartermain"));
}

#[tokio::test]
async fn a_possible_duplicate_interrupts_until_the_officer_continues_anyway() {
    let app = TestApp::spawn_demo().await;
    let existing = app.registrant("met", registrant_body("Duplicate")).await;
    let browser = signed_in(&app, Role::Ppo, "met").await;
    let tasks = start(&browser).await;
    answer(&browser, &format!("{tasks}/names"), &[("names-0-given", "Testy"), ("names-0-family", "Duplicate")]).await;
    answer(&browser, &format!("{tasks}/dates"), &[("dates-0-day", "29"), ("dates-0-month", "2"), ("dates-0-year", "1984")]).await;
    let before = app.count("registrants").await;
    let (status, html, _) = answer(&browser, &format!("{tasks}/check"), &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("moj-interruption-card")
            && html.contains("This person may already be on the register")
            && html.contains(&format!("href=\"/registrants/{}\"", existing["id"].as_str().unwrap()))
            && html.contains("Continue anyway"),
        "{html}"
    );
    assert_eq!(app.count("registrants").await, before, "nothing is added until the officer decides");
    let (status, _, location) = answer(&browser, &format!("{tasks}/check"), &[("confirm", "anyway")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{tasks}/done").as_str())));
    assert_eq!(app.count("registrants").await, before + 1);
}

#[tokio::test]
async fn personal_details_show_add_links_only_to_the_managing_organisations_writers() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Particulars")).await;
    let id = created["id"].as_str().unwrap();
    let details = format!("/registrants/{id}/details");
    for (role, org, page, links) in [
        (Role::Ppo, "met", 200, true),
        (Role::Supervisor, "met", 200, true),
        (Role::Ppo, "gmp", 200, false),
        (Role::Probation, "probation-london", 200, false),
        (Role::Intake, "met", 403, false),
        (Role::Auditor, "met", 403, false),
    ] {
        let browser = signed_in(&app, role, org).await;
        if page == 200 {
            assert_eq!(browser.get(&details).await.0, StatusCode::SEE_OTHER, "{role} {org}: asks why first");
            why(&browser, id).await;
        }
        let (status, html, _) = browser.get(&details).await;
        assert_eq!(status.as_u16(), page, "{role} {org}");
        if page == 200 {
            assert!(html.contains("Testy Particulars") && html.contains("1 Fiction Road") && html.contains("29 February 1984"), "{html}");
            assert!(html.contains("aria-current=\"page\" href=\"/registrants/") && html.contains(">Personal details</a>"));
            assert_eq!(html.contains("Add a name"), links, "{role} {org}: add links");
            assert_eq!(html.contains("Add an identifier"), links, "{role} {org}: add links");
        } else {
            assert!(!html.contains("Particulars"));
        }
        // The add pages: the managing organisation's writers only.
        let (status, html, _) = browser.get(&format!("{details}/names/new")).await;
        assert_eq!(status.as_u16(), if links { 200 } else { 403 }, "{role} {org}: add a name");
        if !links {
            assert!(!html.contains("Particulars"), "{role} {org}: a refusal says nothing about the person");
        }
    }
    // Another organisation's officer cannot add by posting the form either; nothing is written.
    let gmp = signed_in(&app, Role::Ppo, "gmp").await;
    why(&gmp, id).await;
    let before = app.count("registrant_names").await;
    let csrf = gmp.csrf("/").await;
    let form = [("csrf", csrf.as_str()), ("names-0-kind", "alias"), ("names-0-given", "Other"), ("names-0-family", "Force")];
    let (status, html, _) = gmp.post(&format!("{details}/names/new"), &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("You cannot change this record"), "{html}");
    assert_eq!(app.count("registrant_names").await, before);
}

#[tokio::test]
async fn the_managing_officer_adds_a_name_an_address_and_an_identifier() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Additions")).await;
    let id = created["id"].as_str().unwrap();
    let browser = signed_in(&app, Role::Ppo, "met").await;
    why(&browser, id).await;
    let details = format!("/registrants/{id}/details");
    let (status, html, _) = browser.get(&format!("{details}/addresses/new")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Add an address") && html.contains("id=\"addresses-0-line1\""), "{html}");

    let names = app.count("registrant_names").await;
    let (status, html, _) = answer(&browser, &format!("{details}/names/new"), &[("names-0-kind", "alias"), ("names-0-given", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#names-0-given\""), "{html}");
    assert_eq!(app.count("registrant_names").await, names, "nothing is written");
    let (status, _, location) = answer(
        &browser,
        &format!("{details}/names/new"),
        &[("names-0-kind", "deed_poll"), ("names-0-given", "Ad"), ("names-0-family", "Ditions")],
    )
    .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{details}?done=name").as_str())));
    let (_, html, _) = browser.get(&format!("{details}?done=name")).await;
    assert!(
        html.contains("govuk-notification-banner--success") && html.contains("Name added") && html.contains("Ad Ditions (deed poll)"),
        "{html}"
    );

    let addresses = app.count("registrant_addresses").await;
    let (status, html, _) = answer(
        &browser,
        &format!("{details}/addresses/new"),
        &[("addresses-0-kind", "home"), ("addresses-0-line1", ""), ("addresses-0-postcode", "LS1 1AA")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#addresses-0-line1\""), "{html}");
    assert_eq!(app.count("registrant_addresses").await, addresses);
    let (status, _, _) = answer(
        &browser,
        &format!("{details}/addresses/new"),
        &[("addresses-0-kind", "home"), ("addresses-0-line1", "2 New Road"), ("addresses-0-postcode", "LS1 1AA")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("registrant_addresses").await, addresses + 1);

    let (status, _, _) = answer(
        &browser,
        &format!("{details}/identifiers/new"),
        &[("identifiers-0-kind", "online_handle"), ("identifiers-0-platform", "instagram"), ("identifiers-0-value", "@additions")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html, _) = browser.get(&format!("{details}?done=identifier")).await;
    assert!(html.contains("Identifier added") && html.contains("on instagram") && html.contains("2 New Road"), "{html}");

    // Another country's national identifier needs its issuing country, typed in the same box as
    // a handle's platform: without it, the error summary links to that box and nothing is kept.
    let identifiers = app.count("registrant_identifiers").await;
    let national = format!("{details}/identifiers/new");
    let (status, html, _) =
        answer(&browser, &national, &[("identifiers-0-kind", "national_id"), ("identifiers-0-value", "12 345 678 90")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#identifiers-0-platform\""), "{html}");
    assert_eq!(app.count("registrant_identifiers").await, identifiers, "nothing is written");
    let form = [("identifiers-0-kind", "national_id"), ("identifiers-0-platform", "fr"), ("identifiers-0-value", "12 345 678 90")];
    let (status, _, _) = answer(&browser, &national, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html, _) = browser.get(&format!("{details}?done=identifier")).await;
    assert!(html.contains("1234567890 (issued by FR)"), "{html}");
}

#[tokio::test]
async fn an_order_is_added_and_served_and_its_initial_notification_falls_due() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Ordered")).await;
    let id = created["id"].as_str().unwrap();
    let browser = signed_in(&app, Role::Ppo, "met").await;
    why(&browser, id).await;
    let (_, html, _) = browser.get(&format!("/registrants/{id}/orders")).await;
    assert!(html.contains(&format!("href=\"/registrants/{id}/orders/new\"")), "the orders tab offers Add an order: {html}");
    let new = format!("/registrants/{id}/orders/new");
    let (status, html, _) = browser.get(&new).await;
    assert_eq!(status, 200);
    assert!(html.contains("Prohibition 1") && html.contains("Stalking protection order"), "{html}");

    let orders = app.count("orders").await;
    let (status, html, _) = answer(&browser, &new, &[("court", "Leeds Magistrates")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#kind\"") && html.contains("href=\"#made_on-day\""), "{html}");
    let made = today() - chrono::Duration::days(1);
    let (day, month, year) = (made.format("%-d").to_string(), made.format("%-m").to_string(), made.format("%Y").to_string());
    let mut base = vec![
        ("kind", "spo"),
        ("court", "Leeds Magistrates"),
        ("case_reference", "LM/2026/1"),
        ("made_on-day", day.as_str()),
        ("made_on-month", month.as_str()),
        ("made_on-year", year.as_str()),
        ("prohibitions-0-category", "no_contact"),
        ("prohibitions-0-text", "Not to contact Vera Victim directly or indirectly"),
    ];
    // Add another prohibition without JavaScript.
    let mut adding = base.clone();
    adding.push(("action", "add-prohibitions"));
    let (status, html, _) = answer(&browser, &new, &adding).await;
    assert_eq!(status, 200);
    assert!(html.contains("Prohibition 2") && html.contains("Not to contact Vera Victim"), "{html}");
    // Neither an end date nor until further order: the service's rule, on the page.
    let (status, html, _) = answer(&browser, &new, &base).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#expires_on-day\"") && html.contains("until further order"), "{html}");
    assert_eq!(app.count("orders").await, orders, "nothing is written");

    base.extend([
        ("until_further_order", "yes"),
        ("requirements-0-category", "attend_appointments"),
        ("requirements-0-text", "Attend appointments with the stalking service"),
        ("persons-0-given", "Vera"),
        ("persons-0-family", "Victim"),
        ("persons-0-relationship", "former partner"),
    ]);
    let (status, _, location) = answer(&browser, &new, &base).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "added");
    let location = location.unwrap();
    assert!(location.starts_with(&format!("/registrants/{id}/orders/")) && location.ends_with("?done=added"), "{location}");
    let order = location.trim_end_matches("?done=added").to_owned();
    assert!(!order.contains("Vera"), "nothing restricted in an address");
    let (status, html, _) = browser.get(&location).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Order added")
            && html.contains("Prohibition 1: No contact")
            && html.contains("Requirement 1: Attend appointments")
            && html.contains("Vera Victim (former partner)")
            && html.contains("Record service")
            && !html.contains("Initial notification due"),
        "{html}"
    );
    assert!(!html.contains("<title>Vera"), "no protected person in the title");
    let (_, html, _) = browser.get(&format!("/registrants/{id}/orders")).await;
    assert!(html.contains(&format!("href=\"{order}/service\"")), "an unserved order's card offers Record service: {html}");

    // Probation reads the order without its protected persons and without Record service.
    let probation = signed_in(&app, Role::Probation, "probation-london").await;
    why(&probation, id).await;
    let (status, html, _) = probation.get(&order).await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("Vera") && !html.contains("Record service") && html.contains("Attend appointments with the stalking service"),
        "{html}"
    );
    assert_eq!(probation.get(&format!("{order}/service")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(probation.get(&new).await.0, StatusCode::FORBIDDEN);

    let service = format!("{order}/service");
    let (status, html, _) = browser.get(&service).await;
    assert_eq!(status, 200);
    assert!(html.contains("When was the order served?"), "{html}");
    let version = html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let tomorrow = today() + chrono::Duration::days(1);
    let (t_day, t_month, t_year) =
        (tomorrow.format("%-d").to_string(), tomorrow.format("%-m").to_string(), tomorrow.format("%Y").to_string());
    let (status, html, _) = answer(
        &browser,
        &service,
        &[
            ("version", version.as_str()),
            ("served_on-day", t_day.as_str()),
            ("served_on-month", t_month.as_str()),
            ("served_on-year", t_year.as_str()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#served_on-day\"") && html.contains("today or in the past"), "{html}");
    assert_eq!(app.count("occurrences").await, 0, "nothing is written");
    let served = today();
    let (s_day, s_month, s_year) = (served.format("%-d").to_string(), served.format("%-m").to_string(), served.format("%Y").to_string());
    let (status, _, location) = answer(
        &browser,
        &service,
        &[
            ("version", version.as_str()),
            ("served_on-day", s_day.as_str()),
            ("served_on-month", s_month.as_str()),
            ("served_on-year", s_year.as_str()),
        ],
    )
    .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{order}?done=served").as_str())));
    let (_, html, _) = browser.get(&format!("{order}?done=served")).await;
    // The due date is the one on the duty the service created: ask the API for it.
    let token = app.token(Role::Ppo, "met");
    let (_, duties) = app.get(&format!("/api/v1/registrants/{id}/obligations"), &token).await;
    let initial = duties["items"].as_array().unwrap().iter().find(|d| d["kind"] == "initial_notification").unwrap();
    let due_at: chrono::DateTime<chrono::Utc> = initial["occurrences"][0]["due_at"].as_str().unwrap().parse().unwrap();
    let last_day = domain::calendar::local_date(due_at - chrono::Duration::seconds(1));
    assert_eq!(last_day, served + chrono::Duration::days(2), "3 days beginning with the day of service");
    let expected = format!("Initial notification due by {} (3 days beginning with the day of service)", last_day.format("%-d %B %Y"));
    assert!(html.contains("Service recorded") && html.contains(&expected) && !html.contains(">Record service</a>"), "{expected}: {html}");
}

#[tokio::test]
async fn the_writing_forms_need_their_token_and_this_origin() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Tokens")).await;
    let id = created["id"].as_str().unwrap();
    let browser = signed_in(&app, Role::Ppo, "met").await;
    why(&browser, id).await;
    let drafts = app.count("web_drafts").await;
    let (status, _, _) = browser.post("/registrants/new", &[("csrf", "wrong")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("web_drafts").await, drafts);
    let tasks = start(&browser).await;
    let (status, _, _) = browser.post(&format!("{tasks}/names"), &[("names-0-family", "Forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let names = app.count("registrant_names").await;
    let (status, _, _) = browser
        .post(&format!("/registrants/{id}/details/names/new"), &[("csrf", "x"), ("names-0-kind", "alias"), ("names-0-family", "Forged")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("registrant_names").await, names);
    let orders = app.count("orders").await;
    let (status, _, _) = browser.post(&format!("/registrants/{id}/orders/new"), &[("kind", "spo")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("orders").await, orders);
    // The right token from another site is refused too.
    let csrf = browser.csrf("/").await;
    let request = browser.client.post(format!("{}/registrants/{id}/details/names/new", app.base)).header("origin", "http://evil.example");
    let response = browser
        .with_cookie(request)
        .form(&[("csrf", csrf.as_str()), ("names-0-kind", "alias"), ("names-0-family", "Forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("registrant_names").await, names);
}

#[tokio::test]
async fn only_writers_may_add_registrants() {
    let app = TestApp::spawn_demo().await;
    for (role, org, status) in [
        (Role::Ppo, "met", 200),
        (Role::Supervisor, "met", 200),
        (Role::Probation, "probation-london", 403),
        (Role::Intake, "met", 403),
        (Role::Auditor, "met", 403),
        (Role::Admin, "met", 403),
    ] {
        let browser = signed_in(&app, role, org).await;
        let (got, html, _) = browser.get("/registrants/new").await;
        assert_eq!(got.as_u16(), status, "{role}");
        if status == 403 {
            assert!(html.contains("You do not have access to this page"));
        }
    }
}
