//! The metrics listener: `GET /metrics` in the Prometheus text format on an address of its own
//! (`[metrics] listen`), so that scraping needs no officer's token and the public port never
//! serves it. Bind it to loopback or the monitoring network only.
//!
//! Counters and histograms are recorded where the work happens; the figures that live in the
//! database (outbox, audit sealer, jobs) are read here, at scrape time, so they are as fresh as
//! the scrape and cost nothing between scrapes.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use metrics::{Unit, describe_gauge, gauge};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use crate::clock;
use crate::services::{Ctx, operations};

const OUTBOX_PENDING: &str = "vigil_outbox_pending";
const OUTBOX_DEAD: &str = "vigil_outbox_dead";
const OUTBOX_OLDEST: &str = "vigil_outbox_oldest_pending_age_seconds";
const AUDIT_UNSEALED: &str = "vigil_audit_unsealed_entries";
const AUDIT_OLDEST: &str = "vigil_audit_oldest_unsealed_age_seconds";
const DB_UP: &str = "vigil_database_up";
const POOL_OPEN: &str = "vigil_db_pool_connections";
const POOL_IDLE: &str = "vigil_db_pool_idle_connections";
const POOL_MAX: &str = "vigil_db_pool_max_connections";
const KEY_ENCRYPTIONS: &str = "vigil_key_encryptions";
const KEY_CEILING: &str = "vigil_key_encryption_ceiling";
const JOB_FAILING: &str = "vigil_job_failing";
const JOB_OVERDUE: &str = "vigil_job_overdue";
const JOB_LAST_SUCCESS: &str = "vigil_job_last_success_timestamp_seconds";

pub(super) fn describe() {
    describe_gauge!(OUTBOX_PENDING, "Notifications waiting to be delivered.");
    describe_gauge!(OUTBOX_DEAD, "Notifications that failed every attempt (`vigil outbox dead`).");
    describe_gauge!(OUTBOX_OLDEST, Unit::Seconds, "Age of the oldest notification waiting, 0 when none.");
    describe_gauge!(AUDIT_UNSEALED, "Audit entries not yet chained by the sealer.");
    describe_gauge!(AUDIT_OLDEST, Unit::Seconds, "Age of the oldest audit entry not yet chained, 0 when none.");
    describe_gauge!(DB_UP, "1 when the database answered this scrape's reads, else 0 (the other database figures are then stale).");
    describe_gauge!(POOL_OPEN, "Database connections this process has open.");
    describe_gauge!(POOL_IDLE, "Of those, idle.");
    describe_gauge!(POOL_MAX, "The most database connections this process opens.");
    describe_gauge!(KEY_ENCRYPTIONS, "Encryptions under each key of the ring, by key id (all replicas, as last flushed).");
    describe_gauge!(KEY_CEILING, "Encryptions under one key after which sealing refuses: add a key and rotate well before.");
    describe_gauge!(JOB_FAILING, "1 when the job's last finished run failed.");
    describe_gauge!(JOB_OVERDUE, "1 when a tick of the job's schedule passed without a run.");
    describe_gauge!(JOB_LAST_SUCCESS, Unit::Seconds, "When the job last ran successfully (Unix time).");
}

#[derive(Clone)]
pub struct Exporter {
    pub handle: PrometheusHandle,
    pub ctx: Ctx,
}

/// Serves `/metrics` on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, exporter: Exporter) -> std::io::Result<()> {
    let router = Router::new().route("/metrics", get(scrape)).with_state(exporter);
    axum::serve(listener, router).await
}

async fn scrape(State(exporter): State<Exporter>) -> impl IntoResponse {
    refresh(&exporter).await;
    exporter.handle.run_upkeep();
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], exporter.handle.render())
}

async fn refresh(exporter: &Exporter) {
    let now = clock::now();
    let db = &exporter.ctx.db;
    let age = |at: Option<chrono::DateTime<chrono::Utc>>| at.map_or(0.0, |t| (now - t).num_milliseconds().max(0) as f64 / 1000.0);
    let mut up = true;
    match operations::backlog(db).await {
        Ok(b) => {
            gauge!(OUTBOX_PENDING).set(b.outbox_pending as f64);
            gauge!(OUTBOX_DEAD).set(b.outbox_dead as f64);
            gauge!(OUTBOX_OLDEST).set(age(b.oldest_pending));
            gauge!(AUDIT_UNSEALED).set(b.audit_unsealed as f64);
            gauge!(AUDIT_OLDEST).set(age(b.oldest_unsealed));
        }
        Err(err) => {
            up = false;
            tracing::warn!(error = %err, "metrics: the outbox and audit figures could not be read");
        }
    }
    match jobs::health::check(db, &exporter.ctx.job_schedules, now).await {
        Ok(all) => {
            for h in all {
                gauge!(JOB_FAILING, "job" => h.job).set(f64::from(u8::from(h.state == jobs::health::JobState::Failing)));
                gauge!(JOB_OVERDUE, "job" => h.job).set(f64::from(u8::from(h.state == jobs::health::JobState::Overdue)));
                if let Some(at) = h.last_succeeded {
                    gauge!(JOB_LAST_SUCCESS, "job" => h.job).set(at.timestamp() as f64);
                }
            }
        }
        Err(err) => {
            up = false;
            tracing::warn!(error = %err, "metrics: the jobs' health could not be read");
        }
    }
    gauge!(DB_UP).set(f64::from(u8::from(up)));
    if let Some(pool) = operations::pool(db) {
        gauge!(POOL_OPEN).set(f64::from(pool.open));
        gauge!(POOL_IDLE).set(f64::from(pool.idle));
        gauge!(POOL_MAX).set(f64::from(pool.max));
    }
    for (key_id, total) in operations::key_encryptions(&exporter.ctx) {
        gauge!(KEY_ENCRYPTIONS, "key_id" => key_id.to_string()).set(total as f64);
    }
    gauge!(KEY_CEILING).set(crate::crypto::usage::CEILING as f64);
}
