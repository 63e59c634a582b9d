//! Job runs tell the truth after a crash: a run whose process was killed is recorded as failed
//! (abandoned) by the next run of its job, a live run elsewhere is left alone, and on PostgreSQL a
//! rerun waits out a lock that is being let go instead of reporting "running elsewhere".

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::vocab::JobOutcome;
use entities::job_run;
use jobs::{detect_missed, runner, scheduler};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, TransactionTrait};
use uuid::Uuid;

use crate::jobs::t;
use crate::support::TestApp;

async fn running(app: &TestApp, job: &str, started: DateTime<Utc>, heartbeat: DateTime<Utc>) -> Uuid {
    let id = Uuid::now_v7();
    job_run::Entity::insert(job_run::ActiveModel {
        id: Set(id),
        job: Set(job.to_owned()),
        holder: Set("lost-host:4242".to_owned()),
        started_at: Set(started),
        finished_at: Set(None),
        outcome: Set(JobOutcome::Running),
        examined: Set(0),
        created: Set(0),
        detail: Set(None),
        heartbeat_at: Set(Some(heartbeat)),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    id
}

async fn run(app: &TestApp, now: DateTime<Utc>) -> jobs::RunReport {
    let config = scheduler::JobsConfig::default();
    scheduler::run_named(&app.db, detect_missed::NAME, now, &config, &jobs::outbox::Sink::Log, &jobs::NoKeys).await.unwrap()
}

#[tokio::test]
async fn a_run_killed_mid_way_is_recorded_as_failed_by_the_next_run_and_a_live_one_is_left_alone() {
    let app = TestApp::spawn().await;
    let now = t("2026-12-01T10:00:00Z");
    let killed = running(&app, detect_missed::NAME, now - chrono::Duration::minutes(30), now - chrono::Duration::minutes(25)).await;
    let live = running(&app, detect_missed::NAME, now - chrono::Duration::minutes(10), now - chrono::Duration::seconds(30)).await;
    let other_job = running(&app, "order_hygiene", now - chrono::Duration::minutes(30), now - chrono::Duration::minutes(25)).await;

    let report = run(&app, now).await;
    assert!(!report.skipped);
    let killed = job_run::Entity::find_by_id(killed).one(&app.db).await.unwrap().unwrap();
    assert_eq!((killed.outcome, killed.finished_at, killed.detail.as_deref()), (JobOutcome::Failed, Some(now), Some(runner::ABANDONED)));
    let live = job_run::Entity::find_by_id(live).one(&app.db).await.unwrap().unwrap();
    assert_eq!(live.outcome, JobOutcome::Running, "its heartbeat is recent: another replica is running it");
    let other = job_run::Entity::find_by_id(other_job).one(&app.db).await.unwrap().unwrap();
    assert_eq!(other.outcome, JobOutcome::Running, "reaped by its own job's next run");

    let finished = job_run::Entity::find().filter(job_run::Column::Outcome.eq(JobOutcome::Succeeded)).all(&app.db).await.unwrap();
    assert_eq!(finished.len(), 1);
    assert!(finished[0].heartbeat_at.is_some() && finished[0].finished_at.is_some());

    // Once the live run's heartbeat is old too, it is reaped; the finished row never is.
    run(&app, now + chrono::Duration::minutes(10)).await;
    let live = job_run::Entity::find_by_id(live.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(live.outcome, JobOutcome::Failed);
    let finished = job_run::Entity::find_by_id(finished[0].id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(finished.outcome, JobOutcome::Succeeded);
}

async fn lock(txn: &sea_orm::DatabaseTransaction) {
    let sql =
        Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_advisory_xact_lock(hashtext($1))", [detect_missed::NAME.into()]);
    txn.execute_raw(sql).await.unwrap();
}

#[tokio::test]
async fn on_postgresql_a_rerun_waits_out_a_lock_being_let_go_and_skips_one_really_held() {
    let app = TestApp::spawn().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    // A session still winding down after its process died: it lets go within a second.
    let other = app.test_db.connect().await;
    let dying = other.begin().await.unwrap();
    lock(&dying).await;
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        dying.rollback().await.unwrap();
    });
    let report = run(&app, t("2026-12-01T10:00:00Z")).await;
    assert!(!report.skipped, "nothing was running elsewhere by the time the lock was free");
    release.await.unwrap();

    // A replica really running the job holds it for longer than the wait: this run is skipped.
    let held = other.begin().await.unwrap();
    lock(&held).await;
    let report = run(&app, t("2026-12-01T10:05:00Z")).await;
    assert!(report.skipped);
    held.rollback().await.unwrap();
}
