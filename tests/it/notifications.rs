//! Outbox delivery and the alerting jobs: a receiver that is down loses nothing and, once up,
//! sees each message once per idempotency key with a valid signature; alerts are raised once.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use jobs::outbox::{self, Sink};
use jobs::{detect_missed, hygiene, reviews};
use sea_orm::EntityTrait;
use serde_json::json;
use vigil::auth::Role;

use crate::jobs::{fixture, t};
use crate::support::{TestApp, registrant_body};

#[derive(Default)]
struct Receiver {
    /// How many more requests to fail before accepting.
    fail_next: usize,
    accepted: Vec<(String, String, Vec<u8>)>,
    attempts: usize,
}

async fn receiver(state: Arc<Mutex<Receiver>>) -> String {
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                let mut s = state.lock().unwrap();
                s.attempts += 1;
                if s.fail_next > 0 {
                    s.fail_next -= 1;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let key = headers["idempotency-key"].to_str().unwrap().to_owned();
                let signature = headers["vigil-signature"].to_str().unwrap().to_owned();
                s.accepted.push((key, signature, body.to_vec()));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn notifications_survive_a_receiver_outage_and_arrive_once_signed() {
    let app = TestApp::spawn().await;
    fixture(&app, &[(t("2026-06-01T09:00:00Z"), "pending"), (t("2026-06-02T09:00:00Z"), "pending")]).await;
    let now = t("2026-06-10T00:00:00Z");
    detect_missed::run(&app.db, now, std::time::Duration::from_secs(3600)).await.unwrap();
    let state = Arc::new(Mutex::new(Receiver { fail_next: 3, ..Default::default() }));
    let secret = b"0123456789abcdef0123456789abcdef".to_vec();
    let sink = Sink::webhook(receiver(state.clone()).await, secret.clone()).unwrap();

    let mut clock = now;
    for _ in 0..12 {
        outbox::run(&app.db, clock, &sink, &*app.ctx.crypto).await.unwrap();
        clock += chrono::Duration::minutes(10);
    }
    {
        let s = state.lock().unwrap();
        assert!(s.attempts >= 5, "failed attempts were retried");
        let mut keys: Vec<&str> = s.accepted.iter().map(|(k, _, _)| k.as_str()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!((keys.len(), s.accepted.len()), (2, 2), "each message accepted exactly once");
        for (key, signature, body) in &s.accepted {
            let (ts, v1) = signature.trim_start_matches("t=").split_once(",v1=").unwrap();
            assert_eq!(v1, outbox::sign(&secret, ts, body), "signature verifies");
            let message: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!(message["id"].as_str().unwrap(), key);
            assert_eq!(message["topic"], "breach.detected");
            assert!(message["registrant_reference"].as_str().unwrap().starts_with("VGL-"));
            assert!(!String::from_utf8_lossy(body).contains("Testy"), "no names in notifications");
        }
    }
    assert_eq!(app.count("outbox").await, 2);
}

#[tokio::test]
async fn a_receiver_that_never_recovers_leaves_messages_dead_not_lost() {
    let app = TestApp::spawn().await;
    fixture(&app, &[(t("2026-06-01T09:00:00Z"), "pending")]).await;
    detect_missed::run(&app.db, t("2026-06-10T00:00:00Z"), std::time::Duration::from_secs(3600)).await.unwrap();
    let state = Arc::new(Mutex::new(Receiver { fail_next: usize::MAX, ..Default::default() }));
    let sink = Sink::webhook(receiver(state.clone()).await, vec![7; 32]).unwrap();
    let mut clock = t("2026-06-10T00:00:00Z");
    for _ in 0..(outbox::MAX_ATTEMPTS + 5) {
        outbox::run(&app.db, clock, &sink, &*app.ctx.crypto).await.unwrap();
        clock += chrono::Duration::hours(2);
    }
    assert_eq!(state.lock().unwrap().attempts, outbox::MAX_ATTEMPTS as usize);
    let row = entities::outbox::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(row.len(), 1);
    assert_eq!((row[0].status.as_str(), row[0].attempts), ("dead", outbox::MAX_ATTEMPTS));
}

#[tokio::test]
async fn expiring_orders_and_overdue_reviews_raise_one_alert_each() {
    let app = TestApp::spawn().await;
    let mut body = registrant_body("Reviewed");
    body["risk"]["next_review_on"] = json!("2026-01-31");
    let registrant = app.registrant("met", body).await;
    let token = app.token(Role::Ppo, "met");
    let order = json!({
        "kind": "restraining_order", "court": "Exampleton Magistrates", "case_reference": "CASE-1",
        "made_on": "2025-02-01", "expires_on": "2026-03-15",
        "protected_persons": [{ "given": "Vic", "family": "Synthetic" }],
        "conditions": [{ "kind": "prohibition", "category": "no_contact", "text": "No contact with the protected person" }]
    });
    let (status, created) = app.post(&format!("/api/v1/registrants/{}/orders", registrant["id"].as_str().unwrap()), &token, &order).await;
    assert_eq!(status, 201, "{created}");

    let now = t("2026-02-15T08:00:00Z");
    let first = hygiene::run(&app.db, now, 56).await.unwrap();
    let again = hygiene::run(&app.db, now + chrono::Duration::days(1), 56).await.unwrap();
    assert_eq!((first.created, again.created), (1, 0));
    let r1 = reviews::run(&app.db, now).await.unwrap();
    let r2 = reviews::run(&app.db, now).await.unwrap();
    assert_eq!((r1.created, r2.created), (1, 0));

    let (status, alerts) = app.get("/api/v1/alerts", &token).await;
    assert_eq!(status, 200);
    let mut kinds: Vec<&str> = alerts.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["order_expiring", "risk_review_due"]);
    assert!(!alerts.to_string().contains("Synthetic"), "alerts carry ids, not names");
    assert_eq!(app.count("outbox").await, 2, "one notification per new alert");
    let (_, elsewhere) = app.get("/api/v1/alerts", &app.token(Role::Ppo, "gmp")).await;
    assert!(elsewhere.as_array().unwrap().is_empty());
}
