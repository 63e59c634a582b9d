//! The compliance engine: missed obligations become exactly one breach and one notification,
//! however often, concurrently or from however many processes the detection runs; downtime is
//! caught up; a killed run loses and duplicates nothing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::ids::{ObligationId, OccurrenceId, RegistrantId};
use domain::vocab::{ObligationKind, ObligationStatus, OccurrenceStatus};
use entities::{obligation, occurrence};
use jobs::{detect_missed, scheduler};
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;
use vigil::auth::Role;

use crate::support::{TestApp, registrant_body};

const GRACE: Duration = Duration::from_secs(3600);

pub fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A registrant with one obligation and occurrences due at the given instants and statuses.
pub async fn fixture(app: &TestApp, dues: &[(DateTime<Utc>, &str)]) -> (Uuid, Uuid, Vec<Uuid>) {
    let registrant = app.registrant("met", registrant_body("Jobs")).await;
    let registrant_id: Uuid = registrant["id"].as_str().unwrap().parse().unwrap();
    let obligation_id = Uuid::now_v7();
    obligation::Entity::insert(obligation::ActiveModel {
        id: Set(ObligationId::from(obligation_id)),
        registrant_id: Set(RegistrantId::from(registrant_id)),
        order_id: Set(None),
        condition_id: Set(None),
        kind: Set(ObligationKind::AttendAppointment),
        regime_code: Set(None),
        schedule: Set(None),
        status: Set(ObligationStatus::Open),
        created_at: Set(vigil::clock::now()),
        closed_at: Set(None),
    })
    .exec_without_returning(&app.db)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (due, status) in dues {
        let id = Uuid::now_v7();
        occurrence::Entity::insert(occurrence::ActiveModel {
            id: Set(OccurrenceId::from(id)),
            obligation_id: Set(ObligationId::from(obligation_id)),
            registrant_id: Set(RegistrantId::from(registrant_id)),
            due_at: Set(*due),
            window_opens_at: Set(None),
            status: Set(OccurrenceStatus::parse(status).expect("a status in the vocabulary")),
            reason_sealed: Set(None),
            resolved_at: Set(None),
            resolved_by: Set(None),
            basis_event: Set(None),
            basis_on: Set(None),
            subject: Set(String::new()),
            version: Set(1),
            created_at: Set(vigil::clock::now()),
        })
        .exec_without_returning(&app.db)
        .await
        .unwrap();
        ids.push(id);
    }
    (registrant_id, obligation_id, ids)
}

async fn statuses(app: &TestApp, ids: &[Uuid]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        out.push(occurrence::Entity::find_by_id(*id).one(&app.db).await.unwrap().unwrap().status.as_str().to_owned());
    }
    out
}

#[tokio::test]
async fn missed_occurrences_become_one_breach_and_one_notification_however_often_detection_runs() {
    let app = TestApp::spawn().await;
    let due = t("2026-06-01T09:00:00Z");
    let (_, _, ids) =
        fixture(&app, &[(due, "pending"), (due + chrono::Duration::days(1), "met"), (due + chrono::Duration::days(2), "excused")]).await;
    let now = t("2026-06-10T12:00:00Z");
    let first = detect_missed::run(&app.db, now, GRACE).await.unwrap();
    assert_eq!((first.examined, first.created), (1, 1));
    let again = detect_missed::run(&app.db, now + chrono::Duration::minutes(5), GRACE).await.unwrap();
    assert_eq!((again.examined, again.created), (0, 0));
    let (a, b) = tokio::join!(detect_missed::run(&app.db, now, GRACE), detect_missed::run(&app.db, now, GRACE));
    assert_eq!(a.unwrap().created + b.unwrap().created, 0);
    assert_eq!(app.count("breaches").await, 1);
    assert_eq!(app.count("outbox").await, 1);
    assert_eq!(statuses(&app, &ids).await, ["missed", "met", "excused"]);
}

#[tokio::test]
async fn concurrent_first_runs_still_make_exactly_one_breach_each() {
    let app = TestApp::spawn().await;
    let dues: Vec<_> = (0..50).map(|i| (t("2026-06-01T09:00:00Z") + chrono::Duration::hours(i), "pending")).collect();
    fixture(&app, &dues).await;
    let now = t("2026-07-01T00:00:00Z");
    let runs = futures_join(&app, now, 4).await;
    assert_eq!(runs.iter().sum::<u64>(), 50);
    assert_eq!(app.count("breaches").await, 50);
    assert_eq!(app.count("outbox").await, 50);
}

async fn futures_join(app: &TestApp, now: DateTime<Utc>, n: usize) -> Vec<u64> {
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let db = app.db.clone();
            tokio::spawn(async move { detect_missed::run(&db, now, GRACE).await.unwrap().created })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn two_vigil_processes_detect_each_miss_exactly_once() {
    let app = TestApp::spawn().await;
    let dues: Vec<_> = (0..200).map(|i| (t("2026-06-01T09:00:00Z") + chrono::Duration::minutes(i), "pending")).collect();
    fixture(&app, &dues).await;
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["jobs", "run", "detect_missed"])
            .env("VIGIL__DATABASE__URL", app.test_db.url())
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{} / {}", String::from_utf8_lossy(&a.stdout), String::from_utf8_lossy(&b.stdout));
    assert_eq!(app.count("breaches").await, 200);
    assert_eq!(app.count("outbox").await, 200);
    assert!(app.count("job_runs").await >= 2);
}

#[tokio::test]
async fn a_killed_run_loses_and_duplicates_nothing() {
    let app = TestApp::spawn().await;
    let dues: Vec<_> = (0..3000).map(|i| (t("2026-06-01T09:00:00Z") + chrono::Duration::seconds(i), "pending")).collect();
    fixture(&app, &dues).await;
    for delay_ms in [5u64, 40, 120] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["jobs", "run", "detect_missed"])
            .env("VIGIL__DATABASE__URL", app.test_db.url())
            .env("RUST_LOG", "off")
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        let _ = child.kill(); // SIGKILL: no cleanup, no rollback by the process itself.
        let _ = child.wait();
    }
    // On PostgreSQL a killed run's session keeps the job's advisory lock until the server
    // notices the dead connection; until then a run is skipped, as it should be.
    let mut report = detect_missed::run(&app.db, vigil::clock::now(), GRACE).await.unwrap();
    for _ in 0..100 {
        if !report.skipped {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        report = detect_missed::run(&app.db, vigil::clock::now(), GRACE).await.unwrap();
    }
    assert!(!report.skipped, "the job lock was never released");
    assert!(report.created <= 3000);
    assert_eq!(app.count("breaches").await, 3000);
    assert_eq!(app.count("outbox").await, 3000);
}

#[tokio::test]
async fn after_days_of_downtime_the_next_run_covers_the_whole_gap() {
    let app = TestApp::spawn().await;
    let last_run = t("2026-03-01T00:00:00Z");
    detect_missed::run(&app.db, last_run, GRACE).await.unwrap();
    let dues: Vec<_> = (0..72).map(|h| (last_run + chrono::Duration::hours(h), "pending")).collect();
    fixture(&app, &dues).await;
    let back = last_run + chrono::Duration::days(3) + chrono::Duration::hours(2);
    let report = detect_missed::run(&app.db, back, GRACE).await.unwrap();
    assert_eq!(report.created, 72);
    let watermark = jobs::runner::watermark(&app.db, detect_missed::NAME).await.unwrap().unwrap();
    assert_eq!(watermark, back - chrono::Duration::hours(1));
}

#[tokio::test]
async fn the_grace_boundary_is_exact_to_the_second() {
    let app = TestApp::spawn().await;
    let due = t("2026-10-25T00:00:00Z"); // the night the clocks go back
    let (_, _, ids) = fixture(&app, &[(due, "pending")]).await;
    let at_boundary = due + chrono::Duration::from_std(GRACE).unwrap();
    detect_missed::run(&app.db, at_boundary - chrono::Duration::seconds(1), GRACE).await.unwrap();
    detect_missed::run(&app.db, at_boundary, GRACE).await.unwrap();
    assert_eq!(statuses(&app, &ids).await, ["pending"], "due + grace is not yet past");
    detect_missed::run(&app.db, at_boundary + chrono::Duration::seconds(1), GRACE).await.unwrap();
    assert_eq!(statuses(&app, &ids).await, ["missed"]);
}

#[tokio::test]
async fn every_run_is_recorded_and_readable_by_administrators_only() {
    let app = TestApp::spawn().await;
    fixture(&app, &[(t("2026-01-01T10:00:00Z"), "pending")]).await;
    let config = scheduler::JobsConfig::default();
    for name in scheduler::ALL {
        let report =
            scheduler::run_named(&app.db, name, t("2026-02-01T00:00:00Z"), &config, &jobs::outbox::Sink::Log, &jobs::NoKeys).await.unwrap();
        assert!(!report.skipped);
    }
    let (status, runs) = app.get("/api/v1/jobs/runs", &app.token(Role::Admin, "ops")).await;
    assert_eq!(status, 200);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), scheduler::ALL.len());
    assert!(runs.iter().all(|r| r["outcome"] == "succeeded" && r["finished_at"].is_string()));
    let detect = runs.iter().find(|r| r["job"] == "detect_missed").unwrap();
    assert_eq!((detect["examined"].as_i64(), detect["created"].as_i64()), (Some(1), Some(1)));
    assert_eq!(app.get("/api/v1/jobs/runs", &app.token(Role::Ppo, "met")).await.0, 403);
    let err = scheduler::run_named(&app.db, "no_such_job", vigil::clock::now(), &config, &jobs::outbox::Sink::Log, &jobs::NoKeys).await;
    assert!(err.is_err());
}

#[tokio::test]
async fn suspensions_pause_detection_and_re_time_notification_duties() {
    let app = TestApp::spawn().await;
    let (registrant, _, ids) = fixture(&app, &[(t("2026-05-10T12:00:00Z"), "pending"), (t("2026-05-20T12:00:00Z"), "pending")]).await;
    let token = app.token(Role::Ppo, "met");
    let (status, suspension) = app
        .post(
            &format!("/api/v1/registrants/{registrant}/suspensions"),
            &token,
            &serde_json::json!({"kind": "custody", "starts_at": "2026-05-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{suspension}");
    detect_missed::run(&app.db, t("2026-06-01T00:00:00Z"), GRACE).await.unwrap();
    assert_eq!(statuses(&app, &ids).await, ["pending", "pending"], "paused while in custody");
    let (status, ended) = app
        .post(
            &format!("/api/v1/suspensions/{}/end", suspension["id"].as_str().unwrap()),
            &token,
            &serde_json::json!({"ends_at": "2026-05-15T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, 200, "{ended}");
    // Appointments inside the custody are excused; the later one stands.
    assert_eq!(ended["excused"], 1);
    assert_eq!(statuses(&app, &ids).await, ["excused", "pending"]);
    let (status, problem) = app
        .post(
            &format!("/api/v1/suspensions/{}/end", suspension["id"].as_str().unwrap()),
            &token,
            &serde_json::json!({"ends_at": "2026-05-16T10:00:00Z"}),
        )
        .await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("already_ended")));
    let (status, problem) = app
        .post(
            &format!("/api/v1/registrants/{registrant}/suspensions"),
            &token,
            &serde_json::json!({"kind": "prison", "starts_at": "2026-05-01T00:00:00Z"}),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("kind")));
    assert_eq!(app.count("suspensions").await, 1);
}

#[tokio::test]
async fn overdue_queue_and_breach_acknowledgement() {
    let app = TestApp::spawn().await;
    let past = vigil::clock::now() - chrono::Duration::days(2);
    let (_, _, ids) = fixture(&app, &[(past, "pending"), (vigil::clock::now() + chrono::Duration::days(2), "pending")]).await;
    let token = app.token(Role::Ppo, "met");
    let (status, queue) = app.get("/api/v1/occurrences/overdue", &token).await;
    assert_eq!(status, 200);
    assert_eq!(queue.as_array().unwrap().iter().map(|i| i["occurrence_id"].as_str().unwrap()).collect::<Vec<_>>(), [ids[0].to_string()]);
    let (_, other) = app.get("/api/v1/occurrences/overdue", &app.token(Role::Ppo, "gmp")).await;
    assert!(other.as_array().unwrap().is_empty(), "another force's queue is its own");
    detect_missed::run(&app.db, vigil::clock::now(), GRACE).await.unwrap();
    let (_, page) = app.get("/api/v1/breaches", &token).await;
    let breach = &page["items"][0];
    assert_eq!(breach["status"], "open");
    let path = format!("/api/v1/breaches/{}/acknowledgement", breach["id"].as_str().unwrap());
    let (status, acknowledged) = app.post(&path, &token, &serde_json::json!({"version": breach["version"]})).await;
    assert_eq!((status, acknowledged["status"].as_str()), (200, Some("acknowledged")), "{acknowledged}");
    let (status, problem) = app.post(&path, &token, &serde_json::json!({"version": acknowledged["version"]})).await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("not_open")));
}

#[tokio::test]
async fn statutory_deadlines_across_dst_leap_day_and_year_end_breach_one_second_after_the_boundary() {
    use domain::calendar::end_of_days_beginning_with;
    let app = TestApp::spawn().await;
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    // Served on: the Saturday before clocks go forward, the Saturday before they go back,
    // the day before a leap day, and 30 December.
    let dues: Vec<DateTime<Utc>> = [d(2026, 3, 28), d(2026, 10, 24), d(2028, 2, 28), d(2026, 12, 30)]
        .into_iter()
        .map(|day| end_of_days_beginning_with(day, 3))
        .collect();
    assert_eq!(dues[0], t("2026-03-30T23:00:00Z"));
    assert_eq!(dues[1], t("2026-10-27T00:00:00Z"));
    assert_eq!(dues[2], t("2028-03-02T00:00:00Z"));
    assert_eq!(dues[3], t("2027-01-02T00:00:00Z"));
    let zero = Duration::ZERO;
    for due in dues {
        let (_, _, ids) = fixture(&app, &[(due, "pending")]).await;
        detect_missed::run(&app.db, due - chrono::Duration::seconds(1), zero).await.unwrap();
        detect_missed::run(&app.db, due, zero).await.unwrap();
        assert_eq!(statuses(&app, &ids).await, ["pending"], "not missed at or before {due}");
        detect_missed::run(&app.db, due + chrono::Duration::seconds(1), zero).await.unwrap();
        assert_eq!(statuses(&app, &ids).await, ["missed"], "missed one second after {due}");
    }
}

#[tokio::test]
async fn a_failed_run_is_recorded_and_does_not_advance_the_watermark() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    fixture(&app, &[(t("2026-01-01T10:00:00Z"), "pending")]).await;
    let config = scheduler::JobsConfig::default();
    let sink = jobs::outbox::Sink::Log;
    scheduler::run_named(&app.db, detect_missed::NAME, t("2025-12-01T00:00:00Z"), &config, &sink, &jobs::NoKeys).await.unwrap();
    let before = jobs::runner::watermark(&app.db, detect_missed::NAME).await.unwrap();
    // The breach insert fails as if its table were unavailable.
    app.db.execute_unprepared("ALTER TABLE breaches RENAME TO breaches_away").await.unwrap();
    let failed = scheduler::run_named(&app.db, detect_missed::NAME, t("2026-02-01T00:00:00Z"), &config, &sink, &jobs::NoKeys).await;
    assert!(failed.is_err());
    app.db.execute_unprepared("ALTER TABLE breaches_away RENAME TO breaches").await.unwrap();
    assert_eq!(jobs::runner::watermark(&app.db, detect_missed::NAME).await.unwrap(), before);
    let (_, runs) = app.get("/api/v1/jobs/runs?job=detect_missed", &app.token(Role::Admin, "ops")).await;
    assert_eq!(runs[0]["outcome"], "failed");
    assert_eq!(runs[0]["detail"], "database error");
    let occurrence_status = statuses(&app, &[]).await;
    assert!(occurrence_status.is_empty());
    // Nothing was half-done: the retry does all of it.
    let retry = scheduler::run_named(&app.db, detect_missed::NAME, t("2026-02-01T00:05:00Z"), &config, &sink, &jobs::NoKeys).await.unwrap();
    assert_eq!((retry.examined, retry.created), (1, 1));
}

/// An open alert for `org`, about `registrant`, as a job raises it; returns its id.
pub async fn raise_alert(app: &TestApp, org: &str, registrant: Option<Uuid>, key: &str) -> Uuid {
    use domain::vocab::{AlertKind, AlertSubject};
    let subject = registrant.unwrap_or_else(Uuid::now_v7);
    let alert = jobs::alerts::NewAlert {
        kind: AlertKind::RiskReviewDue,
        dedupe_key: format!("test:{key}"),
        subject_type: AlertSubject::Registrant,
        subject_id: subject,
        registrant_id: registrant.map(RegistrantId::from),
        managing_org: org.into(),
        detail: serde_json::json!({ "registrant_id": subject, "review_due_on": "2026-01-15" }),
    };
    assert!(jobs::alerts::raise(&app.db, alert, vigil::clock::now()).await.unwrap());
    let row =
        entities::alert::Entity::find().all(&app.db).await.unwrap().into_iter().find(|a| a.dedupe_key == format!("test:{key}")).unwrap();
    row.id.0
}

pub async fn audit_count(app: &TestApp, operation: &str, outcome: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = format!("SELECT COUNT(*) FROM audit_events WHERE operation = '{operation}' AND outcome = '{outcome}'");
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn alerts_are_acknowledged_by_their_own_organisation_all_or_nothing_once_and_audited() {
    use domain::ids::RecordId;
    let app = TestApp::spawn().await;
    let registrant = app.registrant("met", registrant_body("Alerted")).await;
    let rid: Uuid = registrant["id"].as_str().unwrap().parse().unwrap();
    let mine: Vec<Uuid> = [raise_alert(&app, "met", Some(rid), "a").await, raise_alert(&app, "met", Some(rid), "b").await]
        .into_iter()
        .chain([raise_alert(&app, "met", None, "c").await])
        .collect();
    let theirs = raise_alert(&app, "gmp", None, "d").await;
    let ppo = app.token(Role::Ppo, "met");
    let path = "/api/v1/alerts/acknowledgements";
    let (_, open) = app.get("/api/v1/alerts", &ppo).await;
    assert_eq!(open.as_array().unwrap().len(), 3);
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .filter(|a| a["registrant_id"] == registrant["id"])
            .all(|a| a["registrant_reference"] == registrant["reference"])
    );

    // Nothing chosen, or a list that is not one: the field is named, nothing changes.
    let (status, problem) = app.post(path, &ppo, &serde_json::json!({ "ids": [] })).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("ids")), "{problem}");
    // Another force's alert among them: refused as not found, and nothing at all is acknowledged.
    let (status, _) = app.post(path, &ppo, &serde_json::json!({ "ids": [mine[0], theirs] })).await;
    assert_eq!(status, 404);
    let (status, _) = app.post(path, &app.token(Role::Ppo, "gmp"), &serde_json::json!({ "ids": [mine[0]] })).await;
    assert_eq!(status, 404, "another force cannot acknowledge met's alert");
    assert_eq!(app.get("/api/v1/alerts", &ppo).await.1.as_array().unwrap().len(), 3);
    assert_eq!(app.get("/api/v1/alerts", &app.token(Role::Ppo, "gmp")).await.1.as_array().unwrap().len(), 1);
    assert_eq!(audit_count(&app, "alert.acknowledge", "success").await, 0);
    assert_eq!(audit_count(&app, "alert.acknowledge", "denied").await, 2);
    for role in [Role::Probation, Role::Intake, Role::Auditor, Role::Admin] {
        assert_eq!(app.post(path, &app.token(role, "met"), &serde_json::json!({ "ids": [mine[0]] })).await.0, 403, "{role}");
    }

    let (status, done) = app.post(path, &ppo, &serde_json::json!({ "ids": [mine[0], mine[1], mine[0]] })).await;
    assert_eq!(status, 200, "{done}");
    let done = done.as_array().unwrap();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|a| a["status"] == "acknowledged" && a["acknowledged_at"].is_string()), "{done:?}");
    let (_, open) = app.get("/api/v1/alerts", &ppo).await;
    assert_eq!(open.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>(), [mine[2].to_string()]);
    assert_eq!(audit_count(&app, "alert.acknowledge", "success").await, 1);
    // Again: idempotent, the first acknowledgement stands and no second alteration is recorded.
    let first = entities::alert::Entity::find_by_id(domain::ids::AlertId::from(mine[0])).one(&app.db).await.unwrap().unwrap();
    let (status, again) =
        app.post(path, &app.token_for("someone-else", Role::Supervisor, "met"), &serde_json::json!({ "ids": [mine[0]] })).await;
    assert_eq!((status, again[0]["status"].as_str()), (200, Some("acknowledged")));
    let after = entities::alert::Entity::find_by_id(domain::ids::AlertId::from(mine[0])).one(&app.db).await.unwrap().unwrap();
    assert_eq!((after.acknowledged_by, after.acknowledged_at), (first.acknowledged_by.clone(), first.acknowledged_at));
    assert_eq!(first.acknowledged_by.as_deref(), Some("test-user"));
    assert_eq!(audit_count(&app, "alert.acknowledge", "success").await, 1);
    // A job raising the same fact again does not reopen it.
    let alert = jobs::alerts::NewAlert {
        kind: domain::vocab::AlertKind::RiskReviewDue,
        dedupe_key: "test:a".into(),
        subject_type: domain::vocab::AlertSubject::Registrant,
        subject_id: rid,
        registrant_id: Some(RegistrantId::from(rid)),
        managing_org: "met".into(),
        detail: serde_json::json!({}),
    };
    assert!(!jobs::alerts::raise(&app.db, alert, vigil::clock::now()).await.unwrap());
    assert_eq!(after.id.uuid(), mine[0]);

    // "My work" counts: what waits, for the roles that have each queue.
    let (status, counts) = app.get("/api/v1/work", &ppo).await;
    assert_eq!((status, counts["open_alerts"].as_u64(), counts["links_to_review"].as_u64()), (200, Some(1), Some(0)), "{counts}");
    let (status, counts) = app.get("/api/v1/work", &app.token(Role::Probation, "probation-london")).await;
    assert_eq!(status, 200);
    assert!(counts["open_alerts"].is_null() && counts["links_to_review"].is_null() && counts["overdue"].is_u64(), "{counts}");
}

#[tokio::test]
async fn the_overdue_queue_filters_by_what_is_due_and_counts_cheaply() {
    let app = TestApp::spawn().await;
    let past = vigil::clock::now() - chrono::Duration::days(3);
    fixture(&app, &[(past, "pending"), (past - chrono::Duration::days(1), "pending"), (past + chrono::Duration::hours(1), "missed")]).await;
    let token = app.token(Role::Ppo, "met");
    let (status, all) = app.get("/api/v1/occurrences/overdue", &token).await;
    assert_eq!((status, all.as_array().unwrap().len()), (200, 2));
    // Pages, oldest first: the second page of one starts after the first.
    let (_, second) = app.get("/api/v1/occurrences/overdue?limit=1&offset=1", &token).await;
    assert_eq!(second.as_array().unwrap().iter().map(|i| &i["occurrence_id"]).collect::<Vec<_>>(), [&all[1]["occurrence_id"]]);
    let (_, beyond) = app.get("/api/v1/occurrences/overdue?offset=2", &token).await;
    assert!(beyond.as_array().unwrap().is_empty());
    let (status, problem) = app.get("/api/v1/occurrences/overdue?offset=100001", &token).await;
    assert_eq!((status, problem["field"].as_str()), (400, Some("offset")));
    let (_, appointments) = app.get("/api/v1/occurrences/overdue?kind=attend_appointment", &token).await;
    assert_eq!(appointments.as_array().unwrap().len(), 2);
    let (_, none) = app.get("/api/v1/occurrences/overdue?kind=initial_notification", &token).await;
    assert!(none.as_array().unwrap().is_empty());
    assert_eq!(app.get("/api/v1/occurrences/overdue?kind=nonsense", &token).await.0, 400);
    assert_eq!(app.get("/api/v1/work", &token).await.1["overdue"], 2);
    assert_eq!(app.get("/api/v1/work", &app.token(Role::Ppo, "gmp")).await.1["overdue"], 0);
}
