//! Use cases. Every query and transaction lives here; each public function checks the caller's
//! permission first. A change writes its audit entry in the same transaction as its effect, so a
//! change that cannot be audited does not happen; a consultation reads a snapshot, commits its
//! audit entry, and only then returns what it read (fail-closed without serialising reads). Helpers take `&impl ConnectionTrait` so
//! they work inside and outside transactions.

pub mod approvals;
pub mod audit;
pub mod blind;
pub mod breaches;
pub mod checks;
pub mod cpu;
pub mod duplicates;
pub mod exports;
pub mod justifications;
pub mod key_usage;
pub mod legacy;
pub mod links;
pub mod match_profiles;
pub mod merges;
pub mod obligations;
pub mod operations;
pub mod orders;
pub mod outbox;
pub mod queues;
pub mod reference;
pub mod references;
pub mod registrants;
pub mod reports;
pub mod rotation;
pub mod sessions;
pub mod suspensions;
pub mod tx;
pub mod web_drafts;
pub mod web_sessions;

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr, SqlErr};

use crate::auth::AccessError;
use crate::crypto::{Crypto, CryptoError};
use domain::errors::FieldErrors;

/// What every use case needs.
#[derive(Clone)]
pub struct Ctx {
    /// Reads, and writes that are not on a request's path (jobs, start-up work).
    pub db: DatabaseConnection,
    /// Writes on a request's path: write transactions and the audit entries of reads. On SQLite
    /// one connection of its own (`db::writer`); otherwise the same pool as `db`.
    pub writer: DatabaseConnection,
    /// Groups the audit entries of reads into one commit (`audit::batch`), when serving.
    pub audit_batch: Option<audit::batch::Batcher>,
    pub crypto: Arc<Crypto>,
    /// Per-user register check limit, counted in the database (see `checks::limiter`).
    pub checks: Arc<checks::limiter::CheckLimiter>,
    /// The register's size and the scoring parameters learnt from it (`checks::register_model`).
    pub register_model: Arc<checks::register_model::RegisterModel>,
    /// Every scheduled job's cron schedule, as configured, to tell whether each ran when due
    /// (`jobs::health`), whichever process runs them.
    pub job_schedules: Arc<Vec<(&'static str, String)>>,
}

impl Ctx {
    pub fn new(db: DatabaseConnection, crypto: Arc<Crypto>) -> Self {
        Self {
            writer: db.clone(),
            audit_batch: None,
            db,
            crypto,
            checks: Arc::new(checks::limiter::CheckLimiter::default()),
            register_model: Default::default(),
            job_schedules: Arc::new(jobs::scheduler::JobsConfig::default().schedules),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("access denied: {0}")]
    Forbidden(#[from] AccessError),
    #[error("conflict: {detail}")]
    Conflict { code: &'static str, detail: String },
    /// The database could not be reached (connection refused, pool exhausted): 503.
    #[error("database unavailable: {0}")]
    Unavailable(DbErr),
    /// A stored value is not in its vocabulary (or otherwise cannot be what its column says):
    /// the data is corrupt, not the request. Never defaulted.
    #[error("corrupt stored data: {0}")]
    CorruptData(String),
    #[error("database error: {0}")]
    Database(DbErr),
    #[error("sealed data error: {0}")]
    Crypto(#[from] CryptoError),
    #[error("rate limited")]
    RateLimited { retry_after_seconds: u64 },
    /// A failure inside the service itself (a background task that panicked): 500.
    #[error("internal: {0}")]
    Internal(&'static str),
}

impl From<FieldErrors> for ServiceError {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<DbErr> for ServiceError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict { code: "duplicate", detail: "a record with the same unique values already exists".into() }
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Self::Conflict { code: "missing_reference", detail: "a referenced record does not exist".into() }
            }
            _ => match err {
                DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => Self::Unavailable(err),
                // A stored enum whose text is not in the vocabulary: the message names the enum
                // and the stored text, which for a vocabulary column is never personal data.
                DbErr::Type(detail) => Self::CorruptData(detail),
                other => Self::Database(other),
            },
        }
    }
}

impl ServiceError {
    pub fn stale() -> Self {
        Self::Conflict { code: "stale_version", detail: "the record was changed by someone else; reload it and try again".into() }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
