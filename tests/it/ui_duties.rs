//! The obligations, outcome, notification, pause and breach pages at the HTML level: "Why is
//! this due?" on every row, actions only for who may take them, each write's error summary with
//! nothing written, and the road from a failed session to the breach and its decision.

use reqwest::StatusCode;
use serde_json::Value;
use vigil::auth::Role;

use crate::orders::{dapo, id, obligations, of_kind, registrant_with_order, spo};
use crate::support::TestApp;
use crate::support::pages::{Browser, account};

/// Signs in and gives a reason for the record, as the why page asks.
async fn reader(app: &TestApp, role: Role, org: &str, registrant: &Value) -> Browser {
    let browser = Browser::new(app);
    browser.sign_in(account(role, org)).await;
    let why = format!("/registrants/{}/why", id(registrant));
    let csrf = browser.csrf(&why).await;
    let (status, _, _) = browser.post(&why, &[("csrf", &csrf), ("reason", "COMPLIANCE")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    browser
}

#[tokio::test]
async fn the_obligations_tab_says_why_each_duty_is_due_and_offers_only_what_the_role_may_do() {
    let app = TestApp::spawn_demo().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-05", Some("2026-01-12"))).await;
    let path = format!("/registrants/{}/obligations", id(&registrant));
    let ppo = reader(&app, Role::Ppo, "met", &registrant).await;
    let (status, html, headers) = ppo.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    for expected in [
        "Why is this due?",
        "Stalking Protection Act 2019 s.9",
        "Notify the police in person within 3 days beginning with the day the order was served.",
        "The order was served on 12 January 2026.",
        "Overdue",
        "Record a notification",
        "Pause the clocks",
        ">Excuse<",
    ] {
        assert!(html.contains(expected), "ppo obligations: {expected}");
    }
    assert!(!html.contains("Record an outcome"), "notification duties are met by notifications, not outcomes");

    let (other, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let probation = reader(&app, Role::Probation, "probation-london", &other).await;
    let (status, html, _) = probation.get(&format!("/registrants/{}/obligations", id(&other))).await;
    assert_eq!(status, 200);
    assert!(html.contains("Record an outcome") && html.contains("A session scheduled for "));
    for hidden in [">Excuse<", "Record a notification", "Pause the clocks", "/breaches"] {
        assert!(!html.contains(hidden), "probation does not get {hidden}");
    }
    let intake = Browser::new(&app);
    intake.sign_in(account(Role::Intake, "met")).await;
    assert_eq!(intake.get(&path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(intake.get("/breaches").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_failed_session_becomes_a_breach_that_the_officer_decides() {
    let app = TestApp::spawn_demo().await;
    let (registrant, _) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    app.sessions_held().await;
    let list = obligations(&app, &registrant).await;
    let session = of_kind(&list, "attend_programme")[0]["occurrences"][0].clone();
    let outcome = format!("/registrants/{}/occurrences/{}/outcome", id(&registrant), id(&session));
    let probation = reader(&app, Role::Probation, "probation-london", &registrant).await;
    let csrf = probation.csrf(&outcome).await;

    // Nothing chosen, then a rescheduling without its date: the error summary, nothing written.
    let (status, html, _) = probation.post(&outcome, &[("csrf", &csrf), ("version", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#outcome\"") && html.contains("Select what happened"));
    let (status, html, _) = probation.post(&outcome, &[("csrf", &csrf), ("version", "1"), ("outcome", "rescheduled")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#to-day\"") && html.contains("href=\"#to-time\""), "the new date and time are asked for");
    let (status, _, _) = probation.post(&outcome, &[("csrf", "forged"), ("version", "1"), ("outcome", "failed_to_attend")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("compliance_records").await, 0);

    // Check answers warns of the breach; confirming records it and goes to the breach.
    let failed = [("csrf", csrf.as_str()), ("version", "1"), ("outcome", "failed_to_attend")];
    let (status, html, _) = probation.post(&outcome, &failed).await;
    assert_eq!(status, 200);
    assert!(html.contains("Check the outcome before recording it") && html.contains("records a breach"));
    assert!(html.contains("name=\"change\" value=\"outcome\" formaction=\"") && html.contains("#outcome\""), "{html}");
    assert_eq!(app.count("compliance_records").await, 0, "checking answers writes nothing");
    // "Change" goes back to the form with the answers as given, and writes nothing.
    let mut change = failed.to_vec();
    change.extend([("confirm", "yes"), ("change", "outcome")]);
    let (status, html, _) = probation.post(&outcome, &change).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"failed_to_attend\" checked") && !html.contains("Check the outcome"), "{html}");
    assert_eq!(app.count("compliance_records").await, 0, "changing an answer writes nothing");
    let mut confirmed = failed.to_vec();
    confirmed.push(("confirm", "yes"));
    let (status, _, location) = probation.post(&outcome, &confirmed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.as_deref().unwrap_or_default().ends_with("/obligations?done=outcome"), "probation cannot read breaches: {location:?}");
    assert_eq!((app.count("compliance_records").await, app.count("breaches").await), (1, 1));

    // The officer finds it in the list, reads what it is about and decides it.
    let ppo = reader(&app, Role::Ppo, "met", &registrant).await;
    let (_, html, _) = ppo.get("/breaches").await;
    assert!(html.contains("A duty was missed") && html.contains(registrant["reference"].as_str().unwrap()));
    let start = html.find(&format!("/registrants/{}/breaches/", id(&registrant))).expect("a link to the breach");
    let breach = html[start..].split('"').next().unwrap().to_owned();
    let (status, html, _) = ppo.get(&breach).await;
    assert_eq!(status, 200);
    for expected in [
        "Domestic abuse protection order made 2 March 2026",
        "Attend the behaviour change programme weekly.",
        "What was missed",
        "Why was this due?",
        "No decision has been recorded yet",
    ] {
        assert!(html.contains(expected), "breach page: {expected}");
    }
    let csrf = ppo.csrf(&breach).await;
    let (status, html, _) = ppo.post(&format!("{breach}/decision"), &[("csrf", &csrf), ("version", "1"), ("decision", "warning")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("Enter why you decided this"));
    assert_eq!(app.count("enforcement_decisions").await, 0);
    let (status, _, _) = ppo
        .post(
            &format!("{breach}/decision"),
            &[("csrf", &csrf), ("version", "1"), ("decision", "warning"), ("reason", "First failure; warned in writing.")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html, _) = ppo.get(&format!("{breach}?done=decided")).await;
    assert!(html.contains("Decision recorded") && html.contains("First failure; warned in writing.") && html.contains("Warning"));
    assert_eq!(app.count("enforcement_decisions").await, 1);
}

#[tokio::test]
async fn a_notification_and_a_pause_are_recorded_through_their_pages() {
    let app = TestApp::spawn_demo().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-05", Some("2026-01-12"))).await;
    let base = format!("/registrants/{}", id(&registrant));
    let ppo = reader(&app, Role::Ppo, "met", &registrant).await;
    let notify = format!("{base}/notifications/new");
    let csrf = ppo.csrf(&notify).await;
    let (status, html, _) = ppo
        .post(&notify, &[("csrf", &csrf), ("method", "in_person_at_station"), ("on-day", "31"), ("on-month", "2"), ("on-year", "2026")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in ["href=\"#kind\"", "href=\"#on-day\"", "href=\"#on-time\""] {
        assert!(html.contains(expected), "notification errors: {expected}");
    }
    let answers = [
        ("csrf", csrf.as_str()),
        ("kind", "initial"),
        ("method", "in_person_at_station"),
        ("station", "Exampleton Police Station"),
        ("on-day", "13"),
        ("on-month", "1"),
        ("on-year", "2026"),
        ("on-time", "2:30pm"),
    ];
    let (status, html, _) = ppo.post(&notify, &answers).await;
    assert_eq!(status, 200);
    assert!(html.contains("13 January 2026 at 2:30pm") && html.contains("Exampleton Police Station"));
    for field in ["kind", "method", "station", "on-day", "acknowledgement"] {
        assert!(html.contains(&format!("name=\"change\" value=\"{field}\"")), "a Change for {field}: {html}");
    }
    assert_eq!(app.count("notification_events").await, 0);
    let mut change = answers.to_vec();
    change.extend([("confirm", "yes"), ("change", "station")]);
    let (status, html, _) = ppo.post(&notify, &change).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"Exampleton Police Station\"") && html.contains("value=\"2:30pm\""), "the answers are kept: {html}");
    assert_eq!(app.count("notification_events").await, 0, "changing an answer writes nothing");
    let mut confirmed = answers.to_vec();
    confirmed.push(("confirm", "yes"));
    let (status, _, location) = ppo.post(&notify, &confirmed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert!(location.ends_with("done=notification_acknowledgement"), "no written acknowledgement was given: {location}");
    let (_, html, _) = ppo.get(&location).await;
    assert!(html.contains("govuk-notification-banner--success") && html.contains("Met"));

    let pause = format!("{base}/suspensions/new");
    let csrf = ppo.csrf(&pause).await;
    let (status, html, _) = ppo.post(&pause, &[("csrf", &csrf), ("kind", "custody")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#from-day\""));
    assert_eq!(app.count("suspensions").await, 0);
    let (status, _, _) =
        ppo.post(&pause, &[("csrf", &csrf), ("kind", "custody"), ("from-day", "3"), ("from-month", "11"), ("from-year", "2026")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html, _) = ppo.get(&format!("{base}/obligations")).await;
    assert!(html.contains("Clocks paused since 3 November 2026 (in custody)") && html.contains("Restart the clocks"));
    let (_, html, _) = ppo.get(&base).await;
    assert!(html.contains("Clocks paused since 3 November 2026"), "the overview says so too");
}

#[tokio::test]
async fn the_why_page_returns_to_the_page_that_asked_and_nowhere_else() {
    let app = TestApp::spawn_demo().await;
    let (registrant, _) = registrant_with_order(&app, spo("2026-01-05", Some("2026-01-12"))).await;
    let record = format!("/registrants/{}", id(&registrant));
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "met")).await;
    let (status, _, headers) = browser.get(&format!("{record}/obligations")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let why = headers["location"].to_str().unwrap().to_owned();
    assert_eq!(why, format!("{record}/why?next=%2Fregistrants%2F{}%2Fobligations", id(&registrant)));
    let csrf = browser.csrf(&why).await;
    let (_, _, location) = browser
        .post(&format!("{record}/why"), &[("csrf", &csrf), ("reason", "COMPLIANCE"), ("next", &format!("{record}/obligations"))])
        .await;
    assert_eq!(location, Some(format!("{record}/obligations")));
    for elsewhere in ["//evil.example/", "https://evil.example/", "/breaches", "/registrants/other/obligations"] {
        let (_, _, location) =
            browser.post(&format!("{record}/why"), &[("csrf", &csrf), ("reason", "COMPLIANCE"), ("next", elsewhere)]).await;
        assert_eq!(location.as_deref(), Some(record.as_str()), "{elsewhere} is not followed");
    }
}
