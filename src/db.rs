//! Database connections and migrations. SQLite runs in WAL mode with a busy timeout and
//! foreign keys on; PostgreSQL needs nothing special. Both run the same migrations.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// How much of the SQLite file each reading connection maps. The bundled SQLite caps this at
/// 2 GiB (its `SQLITE_MAX_MMAP_SIZE`), so of a register of a million people (about 6 GB with
/// its blind indexes) the first third is mapped and the rest read page by page. Lifting the cap
/// changed nothing measurable for the register check at a million (BENCHMARKS.md): every write
/// resets a WAL reader's cache and its map, so a check's pages are cold either way.
const SQLITE_MMAP_BYTES: u64 = 8 << 30;

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let db = Database::connect(options(url, max_connections, SQLITE_MMAP_BYTES)).await?;
    if url.starts_with("sqlite:") {
        restrict_sqlite_files(url);
    } else {
        warn_without_autovacuum(&db).await;
    }
    Ok(db)
}

/// The connection the service writes through (`services::Ctx::writer`). On SQLite, one
/// connection of its own: writers then wait their turn in the pool, an async queue in arrival
/// order, instead of in SQLite's busy handler, which sleeps and retries with growing pauses and
/// made an audited read's commit the slowest part of its tail. It maps no memory: it reads
/// little, and a map over a file that grows with every write was page-fault work on every
/// connection (BENCHMARKS.md). On PostgreSQL, the same pool: row locks need no such queue.
pub async fn writer(url: &str, db: &DatabaseConnection) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") { Database::connect(options(url, 1, 0)).await } else { Ok(db.clone()) }
}

fn options(url: &str, max_connections: u32, mmap_bytes: u64) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Reads through a shared memory map instead of a read() call per page: at a
                // million registrants a register check touches thousands of index pages, and
                // copying each into a connection's private 2 MB cache was a tenth of its time.
                // Address space, not memory: the pages are the operating system's file cache.
                .pragma("mmap_size", mmap_bytes.to_string())
        });
    options
}

/// Without autovacuum nothing re-analyzes the tables that grow from empty (checks, candidates,
/// links, audit), and plans cached by long-lived connections keep the choices made when they
/// were small: foreign-key checks that scan a whole table, for example. At a million
/// registrants that tripled the register check's p99 within minutes (BENCHMARKS.md).
async fn warn_without_autovacuum(db: &DatabaseConnection) {
    use sea_orm::{ConnectionTrait, Statement};
    let statement = Statement::from_string(db.get_database_backend(), "SHOW autovacuum");
    if let Ok(Some(row)) = db.query_one_raw(statement).await
        && row.try_get_by_index::<String>(0).is_ok_and(|v| v == "off")
    {
        tracing::warn!("PostgreSQL autovacuum is off: run ANALYZE regularly, or turn it on, or queries will slow down as tables grow");
    }
}

/// The SQLite database and its WAL files hold the whole register (sealed, but with blind
/// indexes and the audit trail): readable by the service's user only, whatever the umask.
fn restrict_sqlite_files(url: &str) {
    use std::str::FromStr;
    let Ok(options) = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url) else { return };
    let path = options.get_filename().to_path_buf();
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists()
            && let Err(err) = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
        {
            tracing::warn!(error = %err, "could not restrict the SQLite file to its owner");
        }
    }
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
