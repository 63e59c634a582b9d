//! The metrics listener: request latency by route template and status, register checks, job
//! runs, the database-wide figures (outbox, audit sealer, jobs' health), the pool and the keys,
//! with no personal data in any label; every metric the shipped alert rules use is served; and
//! a failed or overdue job is reported by the metrics, the API and `jobs status`.

use chrono::Duration;
use domain::vocab::JobOutcome;
use entities::job_run;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;
use vigil::auth::Role;

use crate::register_check::{check, record, registrant, report};
use crate::support::TestApp;

async fn scrape(app: &TestApp, url: &str) -> String {
    let response = app.client.get(url).send().await.expect("scrape");
    assert_eq!(response.status(), 200);
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.expect("body")
}

/// The value of the series whose line starts with `series` (name and labels as rendered).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find(|l| l.starts_with(series)).and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok())
}

async fn job_run(app: &TestApp, job: &str, started_minutes_ago: i64, outcome: JobOutcome) {
    let started = vigil::clock::now() - Duration::minutes(started_minutes_ago);
    job_run::Entity::insert(job_run::ActiveModel {
        id: Set(Uuid::now_v7()),
        job: Set(job.to_owned()),
        holder: Set("test-host:1".to_owned()),
        started_at: Set(started),
        finished_at: Set(Some(started + Duration::seconds(1))),
        outcome: Set(outcome),
        examined: Set(0),
        created: Set(0),
        detail: Set(None),
        heartbeat_at: Set(Some(started)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn metrics_cover_requests_checks_jobs_and_the_database_without_personal_data() {
    let (app, url) = TestApp::spawn_with_metrics().await;
    let ppo = app.token(Role::Ppo, "met");
    let person = registrant(&app, "Quillon", "Zarquander", "1979-02-03", "07700 900461").await;
    let id = person["id"].as_str().unwrap().to_owned();
    let (status, _) = app.get(&format!("/api/v1/registrants/{id}"), &ppo).await;
    assert_eq!(status, 200);
    let intake = app.token(Role::Intake, "met");
    let suspect = json!({ "names": [{ "given": "Quillon", "family": "Zarquander" }], "date_of_birth": "1979-02-03" });
    let report_id = record(&app, &intake, &report("MET-2026-000901", "V-901", suspect)).await;
    let (status, _, _) = check(&app, &intake, &report_id).await;
    assert_eq!(status, 200);
    let config = jobs::scheduler::JobsConfig::default();
    jobs::scheduler::run_named(&app.db, jobs::detect_missed::NAME, vigil::clock::now(), &config, &jobs::outbox::Sink::Log, &jobs::NoKeys)
        .await
        .unwrap();

    let text = scrape(&app, &url).await;
    let read = r#"vigil_http_request_duration_seconds_count{method="GET",route="/api/v1/registrants/{id}",status="200"}"#;
    assert!(value(&text, read).is_some_and(|n| n >= 1.0), "a read by route template:\n{text}");
    assert!(value(&text, r#"vigil_register_checks_total{result="possible_match"}"#).is_some_and(|n| n >= 1.0), "{text}");
    assert!(text.contains("vigil_register_check_duration_seconds_bucket{le=\"0.001\"}"), "a histogram, not a summary");
    assert!(value(&text, r#"vigil_job_runs_total{job="detect_missed",outcome="succeeded"}"#).is_some_and(|n| n >= 1.0), "{text}");
    assert!(text.contains("vigil_job_run_duration_seconds_count{job=\"detect_missed\"}"));
    for series in ["vigil_outbox_pending ", "vigil_outbox_dead ", "vigil_audit_unsealed_entries ", "vigil_db_pool_max_connections "] {
        assert!(value(&text, series).is_some(), "{series} missing:\n{text}");
    }
    assert_eq!(value(&text, "vigil_database_up "), Some(1.0));
    assert!(text.contains("vigil_key_encryptions{key_id=\""), "{text}");

    // No value from a path, a body or a header is ever a label.
    for secret in [id.as_str(), "Zarquander", "Quillon", "1979-02-03", "900461", report_id.as_str(), "MET-2026-000901"] {
        assert!(!text.contains(secret), "{secret} appears in the metrics");
    }
    // Paths that match no route are one label, whatever they hold.
    app.client.get(format!("{}/api/v1/Zarquander", app.base)).send().await.unwrap();
    let text = scrape(&app, &url).await;
    assert!(!text.contains("Zarquander") && text.contains("route=\"unmatched\""), "{text}");

    // Every metric the shipped alert rules use is served.
    let rules = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/prometheus/vigil-alerts.yml")).unwrap();
    let mut names: Vec<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("vigil_"))
        .map(|w| w.trim_end_matches("_bucket").trim_end_matches("_count"))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        assert!(text.lines().any(|l| l.starts_with(name)), "the alert rules use {name}, which is not served:\n{text}");
    }
}

#[tokio::test]
async fn a_failed_or_overdue_job_is_reported_by_metrics_and_the_api() {
    let (app, url) = TestApp::spawn_with_metrics().await;
    let admin = app.token(Role::Admin, "met");
    // Runs from an hour ago: the nightly jobs' ticks before then do not count, the outbox (every
    // 30 s) and detection (every 5 min) are long overdue, and expiry's last run failed.
    job_run(&app, jobs::outbox::NAME, 60, JobOutcome::Succeeded).await;
    job_run(&app, jobs::expiry::NAME, 60, JobOutcome::Failed).await;
    let (status, health) = app.get("/api/v1/jobs/health", &admin).await;
    assert_eq!(status, 200, "{health}");
    let state = |job: &str| health.as_array().unwrap().iter().find(|h| h["job"] == job).map(|h| h["state"].clone()).unwrap();
    assert_eq!(state(jobs::outbox::NAME), "overdue", "{health}");
    assert_eq!(state(jobs::expiry::NAME), "failing", "{health}");
    assert_eq!(state(jobs::detect_missed::NAME), "overdue", "never ran since the first run an hour ago: {health}");
    assert_eq!(state(jobs::hygiene::NAME), "healthy", "its nightly tick was before the first run: {health}");

    let text = scrape(&app, &url).await;
    assert_eq!(value(&text, r#"vigil_job_overdue{job="deliver_outbox"}"#), Some(1.0), "{text}");
    assert_eq!(value(&text, r#"vigil_job_failing{job="expire_orders"}"#), Some(1.0), "{text}");
    assert_eq!(value(&text, r#"vigil_job_failing{job="order_hygiene"}"#), Some(0.0));

    // Running the jobs now puts them right.
    let config = jobs::scheduler::JobsConfig::default();
    for job in jobs::scheduler::ALL {
        jobs::scheduler::run_named(&app.db, job, vigil::clock::now(), &config, &jobs::outbox::Sink::Log, &jobs::NoKeys).await.unwrap();
    }
    let (_, health) = app.get("/api/v1/jobs/health", &admin).await;
    assert!(health.as_array().unwrap().iter().all(|h| h["state"] == "healthy"), "{health}");
    let text = scrape(&app, &url).await;
    assert_eq!(value(&text, r#"vigil_job_overdue{job="deliver_outbox"}"#), Some(0.0));
    assert!(value(&text, r#"vigil_job_last_success_timestamp_seconds{job="deliver_outbox"}"#).is_some());
}
