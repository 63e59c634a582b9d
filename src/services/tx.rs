//! Transactions. Every audited operation writes, so every transaction here is a write
//! transaction. On SQLite a transaction that reads first and writes later fails with
//! SQLITE_BUSY, without waiting, when another connection wrote in between (WAL snapshots cannot
//! be upgraded). Taking the write lock with the first statement, as `BEGIN IMMEDIATE` would,
//! makes concurrent requests queue on the busy timeout instead of failing. PostgreSQL needs
//! nothing: row locks and MVCC handle it.

use sea_orm::{AccessMode, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel, TransactionTrait};

/// A read-only snapshot for consultations. It takes no write lock, so reads run in parallel on
/// SQLite too; the consultation's audit entry is then committed on its own, and the caller
/// returns nothing unless that commit succeeded (fail-closed without serialising reads).
///
/// One snapshot for every statement in it: SQLite's deferred transaction is one in WAL mode;
/// PostgreSQL needs REPEATABLE READ (its default, READ COMMITTED, gives each statement a newer
/// one, so a record and its children, or the audit chain and its mark, could disagree).
pub async fn begin_read(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await,
        _ => db.begin().await,
    }
}

/// A transaction that holds SQLite's write lock from its first statement. One implementation,
/// shared with the jobs (which cannot depend on this crate): see `jobs::db::begin_write`.
pub use jobs::db::begin_write;
