//! Running a job: a `job_runs` row for every run (start, end, counts, outcome) that operators
//! can read, and the per-job watermark. The run row is written in its own transactions so that
//! a failed run is still recorded as failed.
//!
//! A run whose process is killed cannot record anything, so a running row carries a heartbeat,
//! refreshed every [`HEARTBEAT`] while the job works. Before each run of a job, its running rows
//! whose heartbeat is older than [`ABANDONED_AFTER`] are recorded as failed: abandoned. No row
//! stays `running` for ever, and a live run on another replica is never touched.

use std::future::Future;

use chrono::{DateTime, Utc};
use domain::vocab::JobOutcome;
use entities::{job_run, job_state};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use crate::{JobError, RunReport};

/// How often a running job refreshes its heartbeat.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(20);
/// A running row whose heartbeat is older than this belongs to a process that has stopped.
pub const ABANDONED_AFTER: chrono::Duration = chrono::Duration::minutes(2);
/// `job_runs.detail` of a run found abandoned.
pub const ABANDONED: &str = "abandoned: the process stopped during the run";

/// Metrics of every run, labelled by job (and outcome): what `job_runs` records, for Prometheus.
pub const RUNS: &str = "vigil_job_runs_total";
pub const DURATION: &str = "vigil_job_run_duration_seconds";
pub const EXAMINED: &str = "vigil_job_items_examined_total";
pub const CREATED: &str = "vigil_job_items_created_total";

/// Records as failed the runs of `job` that stopped refreshing their heartbeat before
/// `now - ABANDONED_AFTER` (their process was killed or lost); returns how many.
pub async fn reap_abandoned(db: &impl ConnectionTrait, job: &str, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let done = job_run::Entity::update_many()
        .col_expr(job_run::Column::Outcome, Expr::value(JobOutcome::Failed.as_str()))
        .col_expr(job_run::Column::FinishedAt, Expr::value(now))
        .col_expr(job_run::Column::Detail, Expr::value(ABANDONED))
        .filter(job_run::Column::Job.eq(job))
        .filter(job_run::Column::Outcome.eq(JobOutcome::Running))
        .filter(
            Condition::any()
                .add(job_run::Column::HeartbeatAt.lt(now - ABANDONED_AFTER))
                .add(job_run::Column::HeartbeatAt.is_null().and(job_run::Column::StartedAt.lt(now - ABANDONED_AFTER))),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Runs `job`, recording it in `job_runs`. `holder` names this process (host and pid).
pub async fn record<F, Fut>(
    db: &DatabaseConnection,
    name: &'static str,
    holder: &str,
    now: DateTime<Utc>,
    job: F,
) -> Result<RunReport, JobError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<RunReport, JobError>>,
{
    reap_abandoned(db, name, now).await?;
    let id = Uuid::now_v7();
    job_run::Entity::insert(job_run::ActiveModel {
        id: Set(id),
        job: Set(name.to_owned()),
        holder: Set(holder.to_owned()),
        started_at: Set(now),
        finished_at: Set(None),
        outcome: Set(JobOutcome::Running),
        examined: Set(0),
        created: Set(0),
        detail: Set(None),
        heartbeat_at: Set(Some(now)),
    })
    .exec_without_returning(db)
    .await?;
    // Instants are `now` plus the monotonic time since the run began, so a job never reads the
    // wall clock and a test's fixed clock gives reproducible records.
    let started = std::time::Instant::now();
    let at = |elapsed: std::time::Duration| now + chrono::Duration::from_std(elapsed).unwrap_or_default();
    let work = job();
    tokio::pin!(work);
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
    let result = loop {
        tokio::select! {
            result = &mut work => break result,
            _ = beat.tick() => {
                // A missed heartbeat only risks the run being reported abandoned; never fail the job for it.
                let alive = job_run::ActiveModel { id: Set(id), heartbeat_at: Set(Some(at(started.elapsed()))), ..Default::default() };
                if let Err(e) = job_run::Entity::update(alive).exec(db).await {
                    tracing::warn!(job = name, error = %e, "job heartbeat not recorded");
                }
            }
        }
    };
    let finished = at(started.elapsed());
    let (outcome, examined, created, detail) = match &result {
        Ok(r) if r.skipped => (JobOutcome::Skipped, 0, 0, Some("another replica held the job lock".to_owned())),
        Ok(r) => (JobOutcome::Succeeded, r.examined as i64, r.created as i64, None),
        // Only the error's category: job errors never carry personal data, but keep it terse.
        Err(e) => (JobOutcome::Failed, 0, 0, Some(e.category().to_owned())),
    };
    metrics::counter!(RUNS, "job" => name, "outcome" => outcome.as_str()).increment(1);
    metrics::histogram!(DURATION, "job" => name).record(started.elapsed().as_secs_f64());
    metrics::counter!(EXAMINED, "job" => name).increment(examined.unsigned_abs());
    metrics::counter!(CREATED, "job" => name).increment(created.unsigned_abs());
    job_run::Entity::update(job_run::ActiveModel {
        id: Set(id),
        finished_at: Set(Some(finished)),
        outcome: Set(outcome),
        examined: Set(examined),
        created: Set(created),
        detail: Set(detail),
        heartbeat_at: Set(Some(finished)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    result
}

pub async fn set_watermark(conn: &impl ConnectionTrait, job: &str, watermark: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), DbErr> {
    job_state::Entity::insert(job_state::ActiveModel {
        job: Set(job.to_owned()),
        watermark: Set(Some(watermark)),
        lease_holder: Set(None),
        lease_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(job_state::Column::Job).update_columns([job_state::Column::Watermark, job_state::Column::UpdatedAt]).to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn watermark(conn: &impl ConnectionTrait, job: &str) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(job_state::Entity::find_by_id(job.to_owned()).one(conn).await?.and_then(|s| s.watermark))
}
