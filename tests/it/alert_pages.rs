//! The alerts queue at length: the database orders and pages it (API `offset`, web pages of 100
//! with Previous and Next), so a queue of any size is read a page at a time and sorting by kind or
//! registrant covers the whole queue, not only the newest few hundred.

use domain::vocab::{AlertKind, AlertSubject};
use reqwest::StatusCode;
use uuid::Uuid;
use vigil::auth::Role;

use crate::support::TestApp;
use crate::support::pages::{Browser, account};

/// Raises `n` alerts for `org`, each a second newer than the one before; every tenth is a serial
/// pattern, the rest risk reviews. Returns their ids, oldest first.
async fn raise_many(app: &TestApp, org: &str, n: usize) -> Vec<Uuid> {
    let start = vigil::clock::now() - chrono::TimeDelta::hours(1);
    let mut ids = Vec::new();
    for i in 0..n {
        let kind = if i % 10 == 0 { AlertKind::SerialPattern } else { AlertKind::RiskReviewDue };
        let alert = jobs::alerts::NewAlert {
            kind,
            dedupe_key: format!("paging:{i}"),
            subject_type: AlertSubject::Registrant,
            subject_id: Uuid::now_v7(),
            registrant_id: None,
            managing_org: org.into(),
            detail: serde_json::json!({ "review_due_on": "2026-01-15", "reports": [], "distinct_victims": 2 }),
        };
        assert!(jobs::alerts::raise(&app.db, alert, start + chrono::TimeDelta::seconds(i as i64)).await.unwrap());
    }
    let mut rows: Vec<entities::alert::Model> = <entities::alert::Entity as sea_orm::EntityTrait>::find().all(&app.db).await.unwrap();
    rows.retain(|a| a.managing_org == org);
    rows.sort_by_key(|a| a.raised_at);
    for row in &rows {
        ids.push(row.id.0);
    }
    ids
}

#[tokio::test]
async fn the_api_pages_the_alerts_newest_first() {
    let app = TestApp::spawn().await;
    let ids = raise_many(&app, "met", 30).await;
    let token = app.token(Role::Ppo, "met");
    let (status, first) = app.get("/api/v1/alerts?limit=20", &token).await;
    assert_eq!(status, 200, "{first}");
    let first: Vec<&str> = first.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(first.len(), 20);
    assert_eq!(first[0], ids[29].to_string(), "newest first");
    let (_, rest) = app.get("/api/v1/alerts?limit=20&offset=20", &token).await;
    let rest: Vec<&str> = rest.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(rest.len(), 10);
    assert_eq!(rest[9], ids[0].to_string(), "the oldest last");
    assert!(rest.iter().all(|id| !first.contains(id)), "pages do not overlap");
    let (status, problem) = app.get("/api/v1/alerts?offset=100001", &token).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("offset")), "{problem}");
}

#[tokio::test]
async fn the_web_queue_shows_a_hundred_at_a_time_in_the_order_chosen() {
    let app = TestApp::spawn_demo().await;
    let ids = raise_many(&app, "met", 205).await;
    let browser = Browser::new(&app);
    browser.sign_in(account(Role::Ppo, "met")).await;

    let (status, html, _) = browser.get("/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Open alerts: 1 to 100 of 205"), "{html}");
    assert!(html.contains(&ids[204].to_string()) && !html.contains(&ids[104].to_string()), "the newest hundred");
    assert!(html.contains("href=\"/alerts?sort=raised&#38;order=descending&#38;page=2\" rel=\"next\""), "{html}");
    assert!(!html.contains("rel=\"prev\""));

    let (_, html, _) = browser.get("/alerts?sort=raised&order=descending&page=3").await;
    assert!(html.contains("Open alerts: 201 to 205 of 205"), "{html}");
    assert!(html.contains(&ids[0].to_string()) && html.contains("rel=\"prev\"") && !html.contains("rel=\"next\""));
    let (_, html, _) = browser.get("/alerts?page=9").await;
    assert!(html.contains("There are no more open alerts"), "{html}");

    // By kind, over the whole queue: the 21 serial patterns come after the 184 risk reviews.
    let (_, html, _) = browser.get("/alerts?sort=alert&order=ascending").await;
    assert_eq!(html.matches(">Serial pattern</a>").count(), 0, "{html}");
    let (_, html, _) = browser.get("/alerts?sort=alert&order=ascending&page=2").await;
    assert!(html.contains("Open alerts: 101 to 200 of 205"), "{html}");
    assert_eq!(html.matches(">Serial pattern</a>").count(), 16, "{html}");
    let (_, html, _) = browser.get("/alerts?sort=alert&order=ascending&page=3").await;
    assert_eq!(html.matches(">Serial pattern</a>").count(), 5, "{html}");
    let (_, html, _) = browser.get("/alerts?sort=alert&order=descending").await;
    assert_eq!(html.matches(">Serial pattern</a>").count(), 21, "{html}");

    // Acknowledging from page 2 comes back to page 2.
    let csrf = browser.csrf("/alerts").await;
    let form = [("csrf", csrf.as_str()), ("sort", "raised"), ("order", "descending"), ("page", "2"), ("ids", &ids[0].to_string())];
    let (status, _, location) = browser.post("/alerts", &form).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/alerts?sort=raised&order=descending&page=2&done=acknowledged"))
    );
    let (_, html, _) = browser.get("/alerts").await;
    assert!(html.contains("of 204"), "{html}");
}
