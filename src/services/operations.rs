//! What an operator watches that lives in the database rather than in one process: the outbox
//! backlog and dead deliveries, the audit sealer's lag, the database pool, the keys' use and
//! the scheduled jobs' health. Counts, ages and ids only; never a record's content. Read at
//! scrape time by the metrics exporter (`telemetry::exporter`); every replica reports the same
//! database-wide figures, so alert rules aggregate them with `max`.

use chrono::{DateTime, Utc};
use entities::outbox;
use jobs::health::JobState;
use sea_orm::{ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{Action, Entry, Outcome};
use super::{Ctx, ServiceResult, audit};
use crate::auth::{Caller, Permission};
use domain::vocab::{JobOutcome, OutboxStatus};

pub struct Backlog {
    pub outbox_pending: u64,
    pub outbox_dead: u64,
    pub oldest_pending: Option<DateTime<Utc>>,
    pub audit_unsealed: u64,
    pub oldest_unsealed: Option<DateTime<Utc>>,
}

pub async fn backlog(db: &DatabaseConnection) -> ServiceResult<Backlog> {
    let outbox_of = |status: OutboxStatus| {
        outbox::Entity::find()
            .select_only()
            .column_as(outbox::Column::Id.count(), "n")
            .column_as(outbox::Column::CreatedAt.min(), "oldest")
            .filter(outbox::Column::Status.eq(status))
            .into_tuple::<(i64, Option<DateTime<Utc>>)>()
    };
    let (pending, oldest_pending) = outbox_of(OutboxStatus::Pending).one(db).await?.unwrap_or((0, None));
    let (dead, _) = outbox_of(OutboxStatus::Dead).one(db).await?.unwrap_or((0, None));
    let (audit_unsealed, oldest_unsealed) = audit::chain::lag(db).await?;
    Ok(Backlog {
        outbox_pending: pending.unsigned_abs(),
        outbox_dead: dead.unsigned_abs(),
        oldest_pending,
        audit_unsealed,
        oldest_unsealed,
    })
}

/// This process's connection pool: connections open, of which idle, and the most it opens.
pub struct Pool {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

pub fn pool(db: &DatabaseConnection) -> Option<Pool> {
    // The accessors panic on the other engine, so the backend is asked first.
    let (open, idle, max) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle(), p.options().get_max_connections())
        }
        _ => return None,
    };
    Some(Pool { open, idle: u32::try_from(idle).unwrap_or(u32::MAX), max })
}

/// Encryptions under each key, every replica's included (as last flushed) with this process's.
pub fn key_encryptions(ctx: &Ctx) -> Vec<(u32, u64)> {
    ctx.crypto.usage.totals()
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobHealthState {
    Healthy,
    /// The last finished run failed.
    Failing,
    /// A tick of the schedule passed without a run.
    Overdue,
}

#[derive(Serialize, ToSchema)]
pub struct JobHealthView {
    pub job: String,
    pub state: JobHealthState,
    /// Cron, seconds first, in UTC.
    pub schedule: String,
    /// The latest tick whose run should have started by now.
    pub last_due: Option<DateTime<Utc>>,
    pub last_started: Option<DateTime<Utc>>,
    pub last_outcome: Option<JobOutcome>,
    pub last_succeeded: Option<DateTime<Utc>>,
    /// What to do, when it is not healthy.
    pub advice: Option<String>,
}

/// Every scheduled job's health (`jobs::health`), for administrators. Audited as an
/// administrative read, as the job runs are.
pub async fn job_health(ctx: &Ctx, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<Vec<JobHealthView>> {
    caller.require(Permission::JobsRead)?;
    let all = jobs::health::check(&ctx.db, &ctx.job_schedules, now).await?;
    let entry = Entry {
        action: Action::Consultation,
        operation: "jobs.health",
        permission: Permission::JobsRead,
        record_type: "job_run",
        record_ids: &[],
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, entry).await?;
    Ok(all
        .into_iter()
        .map(|h| JobHealthView {
            job: h.job.to_owned(),
            state: match h.state {
                JobState::Healthy => JobHealthState::Healthy,
                JobState::Failing => JobHealthState::Failing,
                JobState::Overdue => JobHealthState::Overdue,
            },
            schedule: h.schedule,
            last_due: h.last_due,
            last_started: h.last_started,
            last_outcome: h.last_outcome,
            last_succeeded: h.last_succeeded,
            advice: h.advice,
        })
        .collect())
}
