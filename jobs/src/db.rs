//! Database helpers shared by the jobs.

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement, TransactionTrait, Value};

/// A transaction that holds SQLite's write lock from its first statement; on PostgreSQL, an
/// ordinary transaction (row locks and MVCC handle it). On SQLite a transaction that reads first
/// and writes later fails with SQLITE_BUSY, without waiting, when another connection wrote in
/// between (WAL snapshots cannot be upgraded). Taking the write lock with the first statement,
/// as `BEGIN IMMEDIATE` would, makes concurrent writers queue on the busy timeout instead.
/// The service and the jobs both use this one.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Sqlite {
        // A write that changes nothing still takes SQLite's write lock.
        txn.execute_unprepared("UPDATE reference_counters SET last = last WHERE 0 = 1").await?;
    }
    Ok(txn)
}

/// A statement written with `?` placeholders, renumbered to `$n` for PostgreSQL.
pub fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// How long a run waits for another session's hold on its job lock before it gives up.
/// A replica that is really running the job holds it for longer and this run is skipped; a
/// process killed mid-run leaves a server session winding down for a moment (it notices its
/// client has gone within `client_connection_check_interval`), and the rerun waits that out
/// instead of reporting the job as running elsewhere when nothing is.
pub const LOCK_WAIT: &str = "5s";

/// On PostgreSQL, takes a transaction-scoped advisory lock for `job`, waiting at most
/// [`LOCK_WAIT`]; false means another replica is running it now (the caller must roll back).
/// Released at commit or rollback, so a pooled connection never keeps it; and for as long as
/// the transaction lasts the server checks every second that this client is still there, so
/// a killed process releases it within a second even in the middle of a statement.
/// SQLite runs a single replica, so it always proceeds.
pub async fn try_job_lock(txn: &DatabaseTransaction, job: &str) -> Result<bool, DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    txn.execute_unprepared("SET LOCAL client_connection_check_interval = '1s'").await?;
    txn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{LOCK_WAIT}'")).await?;
    let taken = txn
        .execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_advisory_xact_lock(hashtext($1))", [job.into()]))
        .await;
    match taken {
        Ok(_) => {
            txn.execute_unprepared("SET LOCAL lock_timeout = 0").await?;
            Ok(true)
        }
        // 55P03 lock_not_available: the wait ran out.
        Err(e) if e.to_string().contains("lock timeout") || e.to_string().contains("55P03") => Ok(false),
        Err(e) => Err(e),
    }
}
