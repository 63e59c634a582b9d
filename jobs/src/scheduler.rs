//! The trigger. tokio-cron-scheduler only decides *when* to look; every job is idempotent and
//! catches up from the database, so a missed, doubled or late tick changes nothing. Schedules
//! are cron expressions in UTC (with seconds); legal dates are computed in the jobs themselves.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio_cron_scheduler::Job;
pub use tokio_cron_scheduler::JobScheduler;

use crate::Keys;
use crate::outbox::Sink;
use crate::{JobError, RunReport, detect_missed, expiry, hygiene, materialise, outbox, reviews, runner};

/// Every job, by the name used in `vigil jobs run NAME` and in `job_runs`.
pub const ALL: [&str; 6] = [materialise::NAME, expiry::NAME, detect_missed::NAME, hygiene::NAME, reviews::NAME, outbox::NAME];

#[derive(Clone)]
pub struct JobsConfig {
    pub grace: Duration,
    pub renewal_window_days: u32,
    pub horizon_days: u32,
    /// (job name, cron expression) pairs.
    pub schedules: Vec<(&'static str, String)>,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(3600),
            renewal_window_days: 56,
            horizon_days: 56,
            schedules: vec![
                (materialise::NAME, "0 7 * * * *".into()),
                (expiry::NAME, "30 */5 * * * *".into()),
                (detect_missed::NAME, "0 */5 * * * *".into()),
                (hygiene::NAME, "0 15 3 * * *".into()),
                (reviews::NAME, "0 30 3 * * *".into()),
                (outbox::NAME, "*/30 * * * * *".into()),
            ],
        }
    }
}

/// This process's name in `job_runs`.
pub fn holder() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "vigil".into());
    format!("{host}:{}", std::process::id())
}

/// Runs one job now, recorded in `job_runs`.
pub async fn run_named(
    db: &DatabaseConnection,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
    config: &JobsConfig,
    sink: &Sink,
    keys: &dyn Keys,
) -> Result<RunReport, JobError> {
    let holder = holder();
    match name {
        materialise::NAME => runner::record(db, materialise::NAME, &holder, now, || materialise::run(db, now, config.horizon_days)).await,
        expiry::NAME => runner::record(db, expiry::NAME, &holder, now, || expiry::run(db, now, keys)).await,
        detect_missed::NAME => runner::record(db, detect_missed::NAME, &holder, now, || detect_missed::run(db, now, config.grace)).await,
        hygiene::NAME => runner::record(db, hygiene::NAME, &holder, now, || hygiene::run(db, now, config.renewal_window_days)).await,
        reviews::NAME => runner::record(db, reviews::NAME, &holder, now, || reviews::run(db, now)).await,
        outbox::NAME => runner::record(db, outbox::NAME, &holder, now, || outbox::run(db, now, sink, keys)).await,
        other => Err(JobError::Data(format!("no job named {other}; jobs are {}", ALL.join(", ")))),
    }
}

/// Starts the scheduler. The returned handle must be kept alive; dropping it stops nothing, so
/// call `shutdown` on it when the service stops.
/// `clock` is the service's one reader of the system clock; it is called at each trigger and the
/// instant is passed into the job.
pub async fn start(
    db: DatabaseConnection,
    config: JobsConfig,
    sink: Arc<Sink>,
    keys: Arc<dyn Keys>,
    clock: fn() -> chrono::DateTime<chrono::Utc>,
) -> Result<JobScheduler, JobError> {
    let scheduler = JobScheduler::new().await.map_err(|e| JobError::Data(format!("scheduler: {e}")))?;
    for (name, cron) in config.schedules.clone() {
        let (db, config, sink, keys) = (db.clone(), config.clone(), sink.clone(), keys.clone());
        let job = Job::new_async(cron.as_str(), move |_id, _lock| {
            let (db, config, sink, keys) = (db.clone(), config.clone(), sink.clone(), keys.clone());
            Box::pin(async move {
                let now = clock();
                match run_named(&db, name, now, &config, &sink, keys.as_ref()).await {
                    Ok(report) => tracing::info!(
                        job = name,
                        examined = report.examined,
                        created = report.created,
                        skipped = report.skipped,
                        "job run"
                    ),
                    Err(err) => tracing::error!(job = name, error = %err, "job failed; the next tick retries"),
                }
            })
        })
        .map_err(|e| JobError::Data(format!("schedule for {name} ({cron}): {e}")))?;
        scheduler.add(job).await.map_err(|e| JobError::Data(format!("scheduler: {e}")))?;
    }
    scheduler.start().await.map_err(|e| JobError::Data(format!("scheduler: {e}")))?;
    Ok(scheduler)
}
