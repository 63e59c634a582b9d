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

/// On PostgreSQL, takes a transaction-scoped advisory lock for `job` without waiting; false
/// means another replica is running it now. Released at commit or rollback, so a pooled
/// connection never keeps it. SQLite runs a single replica, so it always proceeds.
pub async fn try_job_lock(txn: &DatabaseTransaction, job: &str) -> Result<bool, DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_try_advisory_xact_lock(hashtext($1))", [job.into()]))
        .await?;
    Ok(row.map(|r| r.try_get_by_index::<bool>(0)).transpose()?.unwrap_or(false))
}
