//! Database connections and migrations. SQLite runs in WAL mode with a busy timeout and
//! foreign keys on; PostgreSQL needs nothing special. Both run the same migrations.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    open(url, max_connections, false).await
}

/// For the serving process (`serve`, `demo`): as [`connect`], but on SQLite no request ever
/// runs a WAL checkpoint. SQLite normally checkpoints inside whichever commit pushes the log
/// past 1,000 pages, and that commit then waits for the copy and its fsync: every few dozen
/// register checks, one took three times as long as the rest (the p99). Here
/// `wal_autocheckpoint` is off and [`checkpoint_wal`] runs beside the requests instead
/// (`App::serve` starts it).
pub async fn connect_serving(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    open(url, max_connections, true).await
}

async fn open(url: &str, max_connections: u32, background_checkpoints: bool) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            let o = o
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if background_checkpoints { o.pragma("wal_autocheckpoint", "0") } else { o }
        });
    let db = Database::connect(options).await?;
    if url.starts_with("sqlite:") {
        restrict_sqlite_files(url);
    }
    Ok(db)
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

/// Copies the SQLite write-ahead log back into the database every quarter second, beside the
/// requests rather than inside one of them. PASSIVE never waits for readers or writers and
/// takes no write lock; whatever it could not copy is copied next time. Does nothing on
/// PostgreSQL.
pub async fn checkpoint_wal(db: DatabaseConnection) {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    let mut every = tokio::time::interval(Duration::from_millis(250));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(err) = db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!(error = %err, "SQLite WAL checkpoint failed; retrying");
        }
    }
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
