//! Whether each scheduled job is healthy: its last finished run did not fail, and it has run
//! for every tick of its schedule that has passed. Read from `job_runs`, so it sees the runs
//! of every replica, and a job that no replica runs (the scheduler stopped, every replica has
//! `jobs.enabled = false`, the process was down at its daily tick) is found overdue.
//!
//! A tick counts as missed once [`START_WITHIN`] has passed after it with no run started since
//! it (less [`CLOCK_SLACK`] for clocks that differ between hosts). Ticks before the first run
//! of any job ever recorded are not counted, so a new installation is not overdue for the
//! nightly jobs of the night before it existed.

use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use domain::vocab::JobOutcome;
use entities::job_run;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

/// How long after its tick a run must have started.
pub const START_WITHIN: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// Allowance for the clocks of several hosts.
pub const CLOCK_SLACK: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Healthy,
    /// The last finished run failed.
    Failing,
    /// A tick passed without a run.
    Overdue,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobHealth {
    pub job: &'static str,
    pub state: JobState,
    pub schedule: String,
    /// The tick that should have had a run by now.
    pub last_due: Option<DateTime<Utc>>,
    pub last_started: Option<DateTime<Utc>>,
    pub last_outcome: Option<JobOutcome>,
    pub last_succeeded: Option<DateTime<Utc>>,
    /// What to do about it, when it is not healthy.
    pub advice: Option<String>,
}

impl JobHealth {
    pub fn healthy(&self) -> bool {
        self.state == JobState::Healthy
    }
}

/// Parses a schedule as the scheduler does (six fields, seconds first).
pub fn parse(cron: &str) -> Option<Cron> {
    CronParser::builder().seconds(Seconds::Required).build().parse(cron).ok()
}

/// The most recent tick of `cron` whose run should have started by `now`.
pub fn last_due(cron: &Cron, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_previous_occurrence(&(now - START_WITHIN), true).ok()
}

/// The health of every scheduled job at `now`.
pub async fn check(conn: &impl ConnectionTrait, schedules: &[(&'static str, String)], now: DateTime<Utc>) -> Result<Vec<JobHealth>, DbErr> {
    // The first run of each job by the (job, started_at) index: a minimum over the whole table
    // would read every row of a table that grows by thousands a day.
    let mut first_ever: Option<DateTime<Utc>> = None;
    for (job, _) in schedules {
        let first =
            job_run::Entity::find().filter(job_run::Column::Job.eq(*job)).order_by_asc(job_run::Column::StartedAt).one(conn).await?;
        first_ever = match (first_ever, first.map(|r| r.started_at)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let mut out = Vec::with_capacity(schedules.len());
    for (job, schedule) in schedules {
        let latest =
            |q: sea_orm::Select<job_run::Entity>| q.filter(job_run::Column::Job.eq(*job)).order_by_desc(job_run::Column::StartedAt);
        let last_started = latest(job_run::Entity::find()).one(conn).await?;
        let last_finished = latest(job_run::Entity::find())
            .filter(job_run::Column::Outcome.is_in([JobOutcome::Succeeded, JobOutcome::Failed]))
            .one(conn)
            .await?;
        let last_succeeded = latest(job_run::Entity::find()).filter(job_run::Column::Outcome.eq(JobOutcome::Succeeded)).one(conn).await?;
        let due = parse(schedule).and_then(|cron| last_due(&cron, now));
        let started_at = last_started.as_ref().map(|r| r.started_at);
        let missed = match (due, first_ever) {
            (Some(due), Some(first)) if due >= first => started_at.is_none_or(|s| s < due - CLOCK_SLACK),
            _ => false,
        };
        let failing = last_finished.as_ref().is_some_and(|r| r.outcome == JobOutcome::Failed);
        let (state, advice) = if failing {
            (JobState::Failing, Some(format!("its last run failed; see `vigil jobs status` and the log, then `vigil jobs run {job}`")))
        } else if missed {
            (
                JobState::Overdue,
                Some(format!("no run since its tick; is the scheduler running (jobs.enabled)? `vigil jobs run {job}` catches up")),
            )
        } else {
            (JobState::Healthy, None)
        };
        out.push(JobHealth {
            job,
            state,
            schedule: schedule.clone(),
            last_due: due,
            last_started: started_at,
            last_outcome: last_started.map(|r| r.outcome),
            last_succeeded: last_succeeded.map(|r| r.started_at),
            advice,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_tick_due_is_the_last_one_past_the_start_allowance() {
        let every_five = parse("0 */5 * * * *").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 6, 0).unwrap();
        // 10:05 is only a minute old: its run may not have started yet; 10:00 is due.
        assert_eq!(last_due(&every_five, now), Some(Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()));
        let later = Utc.with_ymd_and_hms(2026, 12, 1, 10, 7, 0).unwrap();
        assert_eq!(last_due(&every_five, later), Some(Utc.with_ymd_and_hms(2026, 12, 1, 10, 5, 0).unwrap()));
        let nightly = parse("0 15 3 * * *").unwrap();
        assert_eq!(last_due(&nightly, now), Some(Utc.with_ymd_and_hms(2026, 12, 1, 3, 15, 0).unwrap()));
    }

    #[test]
    fn a_schedule_the_scheduler_would_refuse_is_not_parsed() {
        assert!(parse("*/5 * * * *").is_none(), "five fields: the scheduler needs seconds");
        assert!(parse("not a schedule").is_none());
    }
}
