//! The oversight pages at the HTML level: supervisors' four-eyes approvals, the auditor's audit
//! trail, the administrator's job runs and sessions. Each page for each role (403 for the roles
//! that may not), a supervisor's own request shown but not decidable, the GOV.UK error summary
//! with nothing written, and forms refused without their token or from another origin.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::json;
use vigil::auth::Role;

use crate::orders::{dapo, id, registrant_with_order};
use crate::support::pages::{Browser, account};
use crate::support::{TestApp, registrant_body};

/// The demo supervisor's subject, as the development sign-in names it.
const ME: &str = "demo-supervisor-met";

async fn approval(app: &TestApp, approval_id: &str) -> entities::approval::Model {
    let uuid: uuid::Uuid = approval_id.parse().unwrap();
    entities::approval::Entity::find_by_id(domain::ids::ApprovalId::from(uuid)).one(&app.db).await.unwrap().unwrap()
}

async fn operations(app: &TestApp, operation: &str) -> usize {
    entities::audit_event::Entity::find().filter(entities::audit_event::Column::Operation.eq(operation)).all(&app.db).await.unwrap().len()
}

#[tokio::test]
async fn a_supervisor_decides_a_colleagues_request_and_sees_their_own_without_a_form() {
    let app = TestApp::spawn_demo().await;
    let (ordered, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let theirs = app.registrant("met", registrant_body("Erasable")).await;
    let colleague = app.token_for("inspector-2", Role::Supervisor, "met");
    let body = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged by the court"});
    let (status, asked) = app.post("/api/v1/approvals", &colleague, &body).await;
    assert_eq!(status, 201, "{asked}");
    let mine = json!({"action": "registrant.erasure", "target_id": id(&theirs), "version": 1, "reason": "Entered by mistake"});
    let (status, own) = app.post("/api/v1/approvals", &app.token_for(ME, Role::Supervisor, "met"), &mine).await;
    assert_eq!(status, 201, "{own}");

    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Supervisor, "met")).await;
    let (_, home, _) = browser.get("/").await;
    assert!(home.contains("href=\"/approvals\"") && home.contains("1 request waits for your decision"), "{home}");
    assert!(!home.contains("/api/docs"), "the card links to the page, not the API");

    let (status, list, _) = browser.get("/approvals").await;
    assert_eq!(status, 200);
    assert!(list.contains("Discharge an order") && list.contains("Erase a registrant") && list.contains("inspector-2"), "{list}");
    assert!(list.contains("You asked for this, so another supervisor must decide it."));
    assert!(list.contains("aria-current=\"page\" href=\"/approvals\"") || list.contains("href=\"/approvals\" aria-current=\"page\""));

    // Their own request: every detail, the reason they cannot decide it, and no form.
    let own_page = format!("/approvals/{}", id(&own));
    let (status, html, _) = browser.get(&own_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Entered by mistake") && html.contains("Approving erases this registrant for good"), "{html}");
    assert!(html.contains("you cannot approve or reject it") && !html.contains(&format!("action=\"{own_page}\"")), "{html}");
    let csrf = browser.csrf("/approvals").await;
    let (status, html, _) = browser.post(&own_page, &[("csrf", &csrf), ("decision", "approve"), ("version", "1"), ("reason", "")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("You cannot decide your own request"));
    assert_eq!(approval(&app, id(&own)).await.status.as_str(), "pending", "nothing written");

    // A colleague's request: the impact, the requester's reason, and the form.
    let page = format!("/approvals/{}", id(&asked));
    let (status, html, _) = browser.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("govuk-warning-text") && html.contains("Approving discharges the order at once"), "{html}");
    assert!(html.contains("Discharged by the court") && html.contains(&format!("action=\"{page}\"")));
    assert!(html.contains(&format!("href=\"/registrants/{}\"", id(&ordered))), "links to the order's registrant");

    // Bad input: the GOV.UK error summary, 422, nothing decided or applied.
    let decided = operations(&app, "approval.approve").await + operations(&app, "approval.reject").await;
    let (status, html, _) = browser.post(&page, &[("csrf", &csrf), ("version", "1"), ("reason", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("govuk-error-summary") && html.contains("href=\"#decision\"") && html.contains("<title>Error: "), "{html}");
    assert!(html.contains("Choose whether to approve or reject the request"));
    let (status, html, _) = browser.post(&page, &[("csrf", &csrf), ("decision", "reject"), ("version", "1"), ("reason", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#reason\"") && html.contains("Enter why you are rejecting the request"), "{html}");
    assert!(html.contains("id=\"decision-reject\" name=\"decision\" type=\"radio\" value=\"reject\" checked"), "the choice is kept");
    let long = "x".repeat(2001);
    let (status, html, _) = browser.post(&page, &[("csrf", &csrf), ("decision", "approve"), ("version", "1"), ("reason", &long)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Reason must be 2,000 characters or fewer"));
    let still = approval(&app, id(&asked)).await;
    assert_eq!((still.status.as_str(), still.version), ("pending", 1), "nothing written");
    assert_eq!(operations(&app, "approval.approve").await + operations(&app, "approval.reject").await, decided);
    assert_eq!(app.count("order_status_changes").await, 0);

    // CSRF and origin.
    let (status, _, _) = browser.post(&page, &[("csrf", "forged"), ("decision", "approve"), ("version", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(approval(&app, id(&asked)).await.status.as_str(), "pending");

    // Approve: POST, redirect, GET with the success banner; the order is discharged.
    let (status, _, location) =
        browser.post(&page, &[("csrf", &csrf), ("decision", "approve"), ("version", "1"), ("reason", "Court order seen")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/approvals?done=approved")));
    let (_, html, _) = browser.get("/approvals?done=approved").await;
    assert!(html.contains("govuk-notification-banner--success") && html.contains("Request approved"), "{html}");
    assert!(!html.contains("Discharge an order"), "no longer waiting");
    let (_, seen) = app.get(&format!("/api/v1/orders/{}", id(&order)), &app.token(Role::Ppo, "met")).await;
    assert_eq!(seen["status"], "discharged");
    let (_, html, _) = browser.get("/approvals?status=approved").await;
    assert!(html.contains("Discharge an order") && html.contains("Approved"));
    let (status, html, _) = browser.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Court order seen") && !html.contains(&format!("action=\"{page}\"")), "decided: no form");
    // Deciding again: the page says why, nothing more happens.
    let (status, html, _) = browser.post(&page, &[("csrf", &csrf), ("decision", "reject"), ("version", "2"), ("reason", "No")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("Someone else has already decided this request"), "{html}");

    // Not a supervisor: refused.
    let other = Browser::new(&app);
    other.sign_in(account(Role::Ppo, "gmp")).await;
    assert_eq!(other.get(&page).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_sign_in_older_than_fifteen_minutes_must_sign_in_again_to_decide() {
    let app = TestApp::spawn_demo().await;
    let (_, order) = registrant_with_order(&app, dapo("2026-03-02", "2026-03-03")).await;
    let body = json!({"action": "order.discharge", "target_id": id(&order), "version": 1, "reason": "Discharged by the court"});
    let (_, asked) = app.post("/api/v1/approvals", &app.token_for("inspector-2", Role::Supervisor, "met"), &body).await;
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Supervisor, "met")).await;
    let backend = app.db.get_database_backend();
    let old = (vigil::clock::now() - chrono::Duration::minutes(40)).to_rfc3339();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => format!("UPDATE web_sessions SET auth_time = '{old}'::timestamptz WHERE subject = '{ME}'"),
        _ => format!("UPDATE web_sessions SET auth_time = '{old}' WHERE subject = '{ME}'"),
    };
    app.db.execute_raw(Statement::from_string(backend, sql)).await.unwrap();
    let page = format!("/approvals/{}", id(&asked));
    let (status, html, _) = browser.get(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Sign in again") && !html.contains(&format!("action=\"{page}\"")), "{html}");
    let csrf = browser.csrf("/approvals").await;
    let (status, html, _) = browser.post(&page, &[("csrf", &csrf), ("decision", "approve"), ("version", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Sign in again"));
    assert_eq!(approval(&app, id(&asked)).await.status.as_str(), "pending");
}

#[tokio::test]
async fn each_role_reaches_only_its_oversight_pages() {
    let app = TestApp::spawn_demo().await;
    // (role, org, approvals, audit, job runs, sessions)
    for (role, org, allowed) in [
        (Role::Ppo, "met", [false, false, false, false]),
        (Role::Supervisor, "met", [true, false, false, false]),
        (Role::Probation, "probation-london", [false, false, false, false]),
        (Role::Intake, "met", [false, false, false, false]),
        (Role::Auditor, "met", [false, true, false, false]),
        (Role::Admin, "met", [false, false, true, true]),
    ] {
        let browser = Browser::new(&app);
        browser.sign_in(account(role, org)).await;
        let (_, home, _) = browser.get("/").await;
        for (i, (path, label)) in
            [("/approvals", "Approvals"), ("/audit", "Audit"), ("/job-runs", "Job runs"), ("/sessions", "Sessions")].into_iter().enumerate()
        {
            let (status, html, _) = browser.get(path).await;
            let expected = if allowed[i] { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(status, expected, "{role} {path}");
            if !allowed[i] {
                assert!(html.contains("You do not have access to this page"), "{role} {path}");
            }
            let nav = format!("class=\"govuk-service-navigation__link\" href=\"{path}\"");
            assert_eq!(home.contains(&nav), allowed[i], "{role}: {label} in the navigation only for who may open it");
        }
        let (status, _, _) = browser.get("/audit/events/1").await;
        assert_eq!(status == StatusCode::FORBIDDEN, !allowed[1], "{role} audit entry");
        // Refused by the route policy, or (a supervisor) by the form's token.
        let (status, html, _) = browser.post(&format!("/approvals/{}", uuid::Uuid::now_v7()), &[("csrf", "x")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role} decide");
        let refusal = if allowed[0] { "This form has expired" } else { "You do not have access to this page" };
        assert!(html.contains(refusal), "{role} decide: {html}");
        if !allowed[3] {
            let (status, _, _) = browser.post("/sessions/person", &[("csrf", "x"), ("subject", "demo-ppo-met")]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} end sessions");
        }
    }
    assert_eq!(app.count("approvals").await, 0);
}

#[tokio::test]
async fn an_auditor_finds_the_views_of_a_record_with_the_reason_given() {
    let app = TestApp::spawn_demo().await;
    let created = app.registrant("met", registrant_body("Watched")).await;
    let record = id(&created).to_owned();
    let officer = Browser::new(&app);
    officer.sign_in(account(Role::Ppo, "met")).await;
    let why = format!("/registrants/{record}/why");
    let csrf = officer.csrf(&why).await;
    officer.post(&why, &[("csrf", &csrf), ("reason", "SAFEGUARDING"), ("reference", "CASE/77")]).await;
    assert_eq!(officer.get(&format!("/registrants/{record}")).await.0, StatusCode::OK);

    let auditor = Browser::new(&app);
    auditor.sign_in(account(Role::Auditor, "met")).await;
    let (status, html, _) = auditor.get("/audit").await;
    assert_eq!(status, 200);
    assert!(html.contains("moj-filter") && html.contains("id=\"from-day\"") && !html.contains("govuk-table"), "{html}");
    let (status, html, _) = auditor.get(&format!("/audit?record={record}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Registrant read") && html.contains("demo-ppo-met"), "{html}");
    assert!(html.contains("Protecting a victim or a person at risk, reference CASE/77"), "{html}");
    assert!(html.contains("Registrant create"), "its creation too");
    assert!(html.contains("Sealed") || html.contains("Not yet sealed"));
    let (_, html, _) = auditor.get(&format!("/audit?record={record}&action=consultation")).await;
    assert!(html.contains("Registrant read") && !html.contains("Registrant create"), "by kind of action");
    let (_, html, _) =
        auditor.get("/audit?who=demo-ppo-met&from-day=1&from-month=1&from-year=2020&to-day=31&to-month=12&to-year=2099").await;
    assert!(html.contains("Registrant read"), "{html}");
    let (_, html, _) = auditor.get("/audit?who=demo-ppo-met&from-day=1&from-month=1&from-year=2099").await;
    assert!(html.contains("No entries match"), "{html}");

    // Every field of the entry, and whether it is sealed.
    let read = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Operation.eq("registrant.read"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    vigil::services::audit::chain::seal_all(&app.db, app.ctx.crypto.clone(), vigil::clock::now()).await.unwrap();
    let (status, html, _) = auditor.get(&format!("/audit/events/{}", read.seq)).await;
    assert_eq!(status, 200);
    for field in [
        "Entry number",
        "Entry id",
        "When",
        "Who",
        "Signed in through",
        "Acting as",
        "Organisation",
        "Kind of action",
        "Outcome",
        "Kind of record",
        "Reason given",
        "Crime or case reference",
        "Request id",
        "Records",
        "Chain",
    ] {
        assert!(html.contains(&format!("<dt class=\"govuk-summary-list__key\">{field}</dt>")), "{field}: {html}");
    }
    assert!(html.contains(&read.id.to_string()) && html.contains("CASE/77") && html.contains("Public protection officer"));
    assert!(html.contains(&format!("href=\"/audit?record={record}\"")) && html.contains("Sealed") && html.contains("position"), "{html}");
    assert_eq!(auditor.get("/audit/events/999999").await.0, StatusCode::NOT_FOUND);

    // Bad filters: the GOV.UK error summary, 422, and no search run (nothing audited).
    let searches = operations(&app, "audit.search").await;
    for (query, field) in [
        ("record=not-an-id", "record"),
        ("from-day=31&from-month=2&from-year=2026", "from-day"),
        ("from-day=2&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026", "to-day"),
        ("action=gossip", "action"),
    ] {
        let (status, html, _) = auditor.get(&format!("/audit?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(html.contains("govuk-error-summary") && html.contains(&format!("href=\"#{field}\"")), "{query}: {html}");
        assert!(html.contains("<title>Error: "));
    }
    assert_eq!(operations(&app, "audit.search").await, searches, "nothing searched");
}

async fn session_id(app: &TestApp, subject: &str) -> Vec<uuid::Uuid> {
    entities::web_session::Entity::find()
        .filter(entities::web_session::Column::Subject.eq(subject))
        .filter(entities::web_session::Column::EndedAt.is_null())
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

#[tokio::test]
async fn an_administrator_sees_job_runs_and_ends_sessions_but_not_their_own_by_accident() {
    let app = TestApp::spawn_demo().await;
    let config = jobs::scheduler::JobsConfig::default();
    jobs::scheduler::run_named(&app.db, "deliver_outbox", vigil::clock::now(), &config, &jobs::outbox::Sink::Log, &jobs::NoKeys)
        .await
        .unwrap();
    let admin = Browser::new(&app);
    admin.sign_in(account(Role::Admin, "met")).await;
    let (_, home, _) = admin.get("/").await;
    assert!(home.contains("href=\"/job-runs\"") && home.contains("href=\"/sessions\"") && !home.contains("/api/docs"));
    let (status, html, _) = admin.get("/job-runs").await;
    assert_eq!(status, 200);
    assert!(html.contains("Send notifications") && html.contains("govuk-tag--green") && html.contains("Succeeded"), "{html}");
    let (_, html, _) = admin.get("/job-runs?job=detect_missed").await;
    assert!(html.contains("No runs yet") && html.contains("value=\"detect_missed\" selected"), "{html}");
    let (status, html, _) = admin.get("/job-runs?job=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#job\"") && html.contains("Choose a job from the list"));

    let intake = Browser::new(&app);
    intake.sign_in(account(Role::Intake, "met")).await;
    let (status, html, _) = admin.get("/sessions").await;
    assert_eq!(status, 200);
    assert!(html.contains("demo-intake-met") && html.contains("You, this browser") && html.contains("Sign out to end it"), "{html}");

    // Their own session: not from here.
    let own = session_id(&app, "demo-admin-met").await[0];
    assert!(!html.contains(&format!("/sessions/{own}/end")));
    assert_eq!(admin.get(&format!("/sessions/{own}/end")).await.0, StatusCode::CONFLICT);
    let csrf = admin.csrf("/sessions").await;
    let (status, html, _) = admin.post(&format!("/sessions/{own}/end"), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("To end your own session, sign out"));
    assert_eq!(admin.get("/sessions").await.0, StatusCode::OK, "still signed in");

    // Someone else's: "Are you sure?", then ended.
    let theirs = session_id(&app, "demo-intake-met").await[0];
    let confirm = format!("/sessions/{theirs}/end");
    let (status, html, _) = admin.get(&confirm).await;
    assert_eq!(status, 200);
    assert!(html.contains("Are you sure you want to end this session of demo-intake-met?") && html.contains("govuk-warning-text"));
    let (status, _, _) = admin.post(&confirm, &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(session_id(&app, "demo-intake-met").await.len(), 1, "nothing ended");
    let (status, _, location) = admin.post(&confirm, &[("csrf", &csrf)]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/sessions?done=ended")));
    let (_, html, _) = admin.get("/sessions?done=ended").await;
    assert!(html.contains("Session ended.") && !html.contains("demo-intake-met"), "{html}");
    assert_eq!(intake.get("/").await.0, StatusCode::SEE_OTHER, "signed out");
    assert_eq!(admin.get(&confirm).await.0, StatusCode::NOT_FOUND, "already ended");

    // Every session of one person.
    let (first, second) = (Browser::new(&app), Browser::new(&app));
    first.sign_in(account(Role::Intake, "met")).await;
    second.sign_in(account(Role::Intake, "met")).await;
    let (status, html, _) = admin.get("/sessions/person?subject=demo-intake-met").await;
    assert_eq!(status, 200);
    assert!(html.contains("Are you sure you want to end every session of demo-intake-met?"), "{html}");
    let (status, html, _) = admin.post("/sessions/person", &[("csrf", &csrf), ("subject", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#subject\"") && html.contains("Enter the user id whose sessions you want to end"), "{html}");
    assert_eq!(session_id(&app, "demo-intake-met").await.len(), 2, "nothing ended");
    let (status, _, location) = admin.post("/sessions/person", &[("csrf", &csrf), ("subject", "demo-intake-met")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/sessions?done=ended-all")));
    assert!(session_id(&app, "demo-intake-met").await.is_empty());
    assert_eq!(first.get("/").await.0, StatusCode::SEE_OTHER);
    assert_eq!(second.get("/").await.0, StatusCode::SEE_OTHER);

    // All of their own: warned, then signed out here too.
    let (_, html, _) = admin.get("/sessions/person?subject=demo-admin-met").await;
    assert!(html.contains("This includes the session you are using now"), "{html}");
    let (status, _, location) = admin.post("/sessions/person", &[("csrf", &csrf), ("subject", "demo-admin-met")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/signed-out")));
    assert_eq!(admin.get("/sessions").await.0, StatusCode::SEE_OTHER);
}
