//! Running a job: a `job_runs` row for every run (start, end, counts, outcome) that operators
//! can read, and the per-job watermark. The run row is written in its own transactions so that
//! a failed run is still recorded as failed.

use std::future::Future;

use chrono::{DateTime, Utc};
use domain::vocab::JobOutcome;
use entities::{job_run, job_state};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use crate::{JobError, RunReport};

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
    })
    .exec_without_returning(db)
    .await?;
    // The end instant is `now` plus the monotonic time the run took, so a job never reads the
    // wall clock and a test's fixed clock gives reproducible records.
    let started = std::time::Instant::now();
    let result = job().await;
    let finished = now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let (outcome, examined, created, detail) = match &result {
        Ok(r) if r.skipped => (JobOutcome::Skipped, 0, 0, Some("another replica held the job lock".to_owned())),
        Ok(r) => (JobOutcome::Succeeded, r.examined as i64, r.created as i64, None),
        // Only the error's category: job errors never carry personal data, but keep it terse.
        Err(e) => (JobOutcome::Failed, 0, 0, Some(e.category().to_owned())),
    };
    job_run::Entity::update(job_run::ActiveModel {
        id: Set(id),
        finished_at: Set(Some(finished)),
        outcome: Set(outcome),
        examined: Set(examined),
        created: Set(created),
        detail: Set(detail),
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
