//! Detection over 1,000,000 occurrences of which 10,000 are past due: the job
//! (`jobs::scheduler::run_named`, with its job_runs record, lock and watermark) against the bare
//! SQL statements that do the same detection and insertion, alternated in one run on one
//! database, reporting medians and their ratio, plus the process's peak memory.
//!
//! `BENCH_DATABASE_URL` picks the backend (a SQLite file in a temporary folder by default; for
//! PostgreSQL give a server URL and a throwaway database is created and dropped).
//! Run with `bench/detection.sh`.

// A benchmark, example or test harness stops at the first failure: the house rule against
// unwrap/expect/panic is for the service, not for code whose whole job is to check it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(non_snake_case)]

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait};

/// Overridable (BENCH_OCCURRENCES, BENCH_MISSED) to check the harness quickly.
fn sizes() -> (i64, i64) {
    let get = |name: &str, default: i64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    (get("BENCH_OCCURRENCES", 1_000_000), get("BENCH_MISSED", 10_000))
}
const PER_OBLIGATION: i64 = 1_000;
const ROUNDS: usize = 5;

fn now() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().unwrap_or_default()
}

async fn exec(db: &impl ConnectionTrait, sql: &str) {
    if let Err(e) = db.execute_unprepared(sql).await {
        panic!("{e}: {sql}");
    }
}

/// Seeds registrants, obligations and occurrences with set-based SQL (fast on both engines).
async fn seed(db: &DatabaseConnection) {
    let (OCCURRENCES, MISSED) = sizes();
    let pg = db.get_database_backend() == DbBackend::Postgres;
    let obligations = OCCURRENCES / PER_OBLIGATION;
    let (series, uuid_of, ts) = if pg {
        (
            "SELECT generate_series(1, {n}) AS i",
            "md5('{p}' || i)::uuid",
            "(TIMESTAMPTZ '2026-06-01 00:00:00+00' + ({e}) * INTERVAL '1 second')",
        )
    } else {
        (
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s",
            "unhex(printf('%08x%024x', {tag}, i))",
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', '2026-06-01 00:00:00', ({e}) || ' seconds')",
        )
    };
    let uuid = |p: &str, tag: u32| uuid_of.replace("{p}", p).replace("{tag}", &tag.to_string());
    let rows = |n: i64| series.replace("{n}", &n.to_string());
    let created = if pg { "TIMESTAMPTZ '2026-01-01 00:00:00+00'".to_owned() } else { "'2026-01-01T00:00:00+00:00'".to_owned() };
    exec(
        db,
        &format!(
            "INSERT INTO registrants (id, reference, status, managing_org, version, created_by, created_at, updated_at) \
         SELECT {}, 'BENCH-' || i, 'active', 'bench', 1, 'bench', {created}, {created} FROM ({}) s",
            uuid("r", 1),
            rows(obligations)
        ),
    )
    .await;
    exec(
        db,
        &format!(
            "INSERT INTO obligations (id, registrant_id, kind, status, created_at) \
         SELECT {}, {}, 'attend_appointment', 'open', {created} FROM ({}) s",
            uuid("o", 2),
            uuid("r", 1),
            rows(obligations)
        ),
    )
    .await;
    // Occurrence k belongs to obligation (k % obligations) + 1; the first MISSED are due before
    // the cutoff, the rest in the future.
    let obligation_of = if pg {
        "md5('o' || ((i % {m}) + 1))::uuid".replace("{m}", &obligations.to_string())
    } else {
        format!("unhex(printf('%08x%024x', 2, (i % {obligations}) + 1))")
    };
    let registrant_of = obligation_of.replace("'o'", "'r'").replace("%08x%024x', 2", "%08x%024x', 1");
    let offset = format!("CASE WHEN i <= {MISSED} THEN -86400 - i ELSE 86400 + i * 60 END");
    exec(
        db,
        &format!(
            "INSERT INTO occurrences (id, obligation_id, registrant_id, due_at, status, version, created_at) \
         SELECT {}, {obligation_of}, {registrant_of}, {}, 'pending', 1, {created} FROM ({}) s",
            uuid("x", 3),
            ts.replace("{e}", &offset),
            rows(OCCURRENCES)
        ),
    )
    .await;
    exec(db, "ANALYZE").await;
}

async fn reset(db: &DatabaseConnection) {
    exec(db, "DELETE FROM outbox").await;
    exec(db, "DELETE FROM breaches").await;
    exec(db, "DELETE FROM job_state").await;
    exec(
        db,
        "UPDATE occurrences SET status = 'pending', resolved_at = NULL, resolved_by = NULL, version = 1 WHERE resolved_by IS NOT NULL",
    )
    .await;
}

/// The same detection and insertion, as bare statements in one transaction.
async fn bare_sql(db: &DatabaseConnection, at: DateTime<Utc>, cutoff: DateTime<Utc>) -> u64 {
    let backend = db.get_database_backend();
    let txn = db.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let p = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { "?".into() };
    let run = |sql: String, values: Vec<sea_orm::Value>| Statement::from_sql_and_values(backend, sql, values);
    let flipped = txn
        .execute_raw(run(
            format!(
                "UPDATE occurrences SET status = 'missed', resolved_at = {}, resolved_by = 'bare' WHERE status = 'pending' AND due_at < {}",
                p(1),
                p(2)
            ),
            vec![at.into(), cutoff.into()],
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .rows_affected();
    txn.execute_raw(run(
        format!(
            "INSERT INTO breaches (id, registrant_id, occurrence_id, source, status, managing_org, detected_at, version, created_at) \
             SELECT o.id, o.registrant_id, o.id, 'missed_occurrence', 'open', r.managing_org, {}, 1, {} FROM occurrences o JOIN registrants r ON r.id = o.registrant_id \
             WHERE o.resolved_at = {} AND o.resolved_by = 'bare' ON CONFLICT (occurrence_id) DO NOTHING",
            p(1), p(2), p(3)
        ),
        vec![at.into(), at.into(), at.into()],
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    txn.execute_raw(run(
        format!(
            "INSERT INTO outbox (id, topic, subject_id, recipient_org, payload, status, attempts, next_attempt_at, created_at) \
             SELECT b.id, 'breach.detected', b.id, b.managing_org, '{{}}', 'pending', 0, {}, {} FROM occurrences o JOIN breaches b ON b.occurrence_id = o.id \
             WHERE o.resolved_at = {} AND o.resolved_by = 'bare' ON CONFLICT (topic, subject_id) DO NOTHING",
            p(1), p(2), p(3)
        ),
        vec![at.into(), at.into(), at.into()],
    ))
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    txn.commit().await.unwrap_or_else(|e| panic!("{e}"));
    flipped
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let (url, cleanup) = match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let name = format!("vigil_bench_{}", std::process::id());
            let server = Database::connect(&admin).await.unwrap_or_else(|e| panic!("{e}"));
            exec(&server, &format!("CREATE DATABASE {name}")).await;
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin.clone());
            (format!("{base}/{name}"), Some((admin, name)))
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("vigil-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
            (format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()), None)
        }
    };
    let db = vigil::db::connect(&url, 4).await.unwrap_or_else(|e| panic!("{e}"));
    vigil::db::migrate(&db).await.unwrap_or_else(|e| panic!("{e}"));
    let backend = format!("{:?}", db.get_database_backend());
    let (OCCURRENCES, MISSED) = sizes();
    let started = Instant::now();
    seed(&db).await;
    println!(
        "{backend}: seeded {OCCURRENCES} occurrences ({MISSED} past due) in {:.1?}; peak RSS {} MiB",
        started.elapsed(),
        peak_rss_kib() / 1024
    );

    let config = jobs::scheduler::JobsConfig::default();
    let cutoff = now() - chrono::Duration::from_std(config.grace).unwrap_or_default();
    let rss_before = peak_rss_kib();
    let (mut job_times, mut sql_times) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        reset(&db).await;
        let t = Instant::now();
        let report = jobs::scheduler::run_named(&db, jobs::detect_missed::NAME, now(), &config, &jobs::outbox::Sink::Log, &jobs::NoKeys)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        job_times.push(t.elapsed());
        assert_eq!((report.examined, report.created), (MISSED as u64, MISSED as u64), "round {round}");
        reset(&db).await;
        let t = Instant::now();
        let flipped = bare_sql(&db, now(), cutoff).await;
        sql_times.push(t.elapsed());
        assert_eq!(flipped, MISSED as u64);
    }
    let (job, sql) = (median(job_times.clone()), median(sql_times.clone()));
    println!("{backend}: job runs   {:?}", job_times);
    println!("{backend}: bare SQL   {:?}", sql_times);
    println!(
        "{backend}: median job {:.1} ms, bare SQL {:.1} ms, ratio {:.2}; peak RSS before {} MiB, after {} MiB",
        job.as_secs_f64() * 1e3,
        sql.as_secs_f64() * 1e3,
        job.as_secs_f64() / sql.as_secs_f64(),
        rss_before / 1024,
        peak_rss_kib() / 1024
    );
    db.close().await.ok();
    if let Some((admin, name)) = cleanup {
        let server = Database::connect(&admin).await.unwrap_or_else(|e| panic!("{e}"));
        exec(&server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}
