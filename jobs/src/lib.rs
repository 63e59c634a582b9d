//! Scheduled jobs and the legal calendar they share with the service.
//!
//! Each job is a module exposing `run(db, now, …) -> Result<RunReport, JobError>` and is
//! idempotent: correctness comes from unique keys and insert-on-conflict in the database, never
//! from the trigger. This crate stands on `domain` (the legal calendar, schedules and rules it
//! shares with the service) and `entities`, never on the service crate.
//!
//! A few writes are made both by a job and by a request, and must be the same row whichever
//! makes them, so they live here, below the service, and the service calls them inside its own
//! transaction before it writes its audit entry: [`detect_missed::record_breach`] (the breach and
//! notification a miss implies, by `domain::breaches`), [`materialise::materialise_one`] (a
//! schedule's occurrences), [`alerts::raise`], [`outbox::enqueue`] and
//! [`displaced::resume_after`] (an order's duties starting when the order displacing them ends).

pub mod alerts;
pub mod db;
pub mod detect_missed;
pub mod displaced;
pub mod expiry;
pub mod health;
pub mod hygiene;
pub mod materialise;
pub mod occurrences;
pub mod outbox;
pub mod reviews;
pub mod runner;
pub mod scheduler;

/// What one run of a job did, for `job_runs` and the CLI.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    pub job: &'static str,
    pub examined: u64,
    pub created: u64,
    /// Another replica was running the same job, so this run did nothing.
    pub skipped: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("database error in job: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("job data error: {0}")]
    Data(String),
    #[error("delivery failed: {0}")]
    Delivery(String),
}

impl JobError {
    /// A short, data-free description for `job_runs.detail`.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Database(_) => "database error",
            Self::Data(_) => "data error",
            Self::Delivery(_) => "delivery error",
        }
    }
}

/// What the jobs need of the key ring, which belongs to the service: the service hands this in.
/// Nothing sealed is ever copied out of the database by a job; only the officer's name is
/// opened, when a message is sent, and reasons a job writes are sealed as the service would.
pub trait Keys: Send + Sync {
    /// The registrant's managing officer, from the sealed column (the officer then managing the
    /// case, never copied into the outbox).
    fn officer(&self, registrant: domain::ids::RegistrantId, sealed: &[u8]) -> Option<String>;
    /// `text` sealed as the reason an occurrence was resolved.
    fn seal_occurrence_reason(&self, occurrence: uuid::Uuid, text: &str) -> Option<Vec<u8>>;
    /// `text` sealed as the reason for an order's status change.
    fn seal_status_reason(&self, change: uuid::Uuid, text: &str) -> Option<Vec<u8>>;
}

/// For tools without the key ring and tests of jobs that open nothing: no officer is named
/// and reasons are not written (the status change and `resolved_by` still say what happened).
pub struct NoKeys;

impl Keys for NoKeys {
    fn officer(&self, _registrant: domain::ids::RegistrantId, _sealed: &[u8]) -> Option<String> {
        None
    }
    fn seal_occurrence_reason(&self, _occurrence: uuid::Uuid, _text: &str) -> Option<Vec<u8>> {
        None
    }
    fn seal_status_reason(&self, _change: uuid::Uuid, _text: &str) -> Option<Vec<u8>> {
        None
    }
}
