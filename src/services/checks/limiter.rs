//! Per-user rate limit on register checks (DESIGN §5: a register check is an equality oracle).
//!
//! The window is counted in the database, from `register_checks` (every run is kept there with
//! its actor and time, indexed on exactly those columns), inside the transaction that will
//! record this run. Every replica therefore sees the same count. To make it exact under
//! concurrency, the user's checks are serialised before counting: SQLite's write transaction
//! already holds the database write lock; on PostgreSQL a transaction-scoped advisory lock on
//! the user is taken, so two replicas cannot both admit a user's last allowed check.

use chrono::{DateTime, Duration, Utc};
use entities::register_check;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Statement};

use crate::services::ServiceResult;

pub const DEFAULT_PER_HOUR: u32 = 60;

#[derive(Debug)]
pub struct CheckLimiter {
    limit: u32,
    window: Duration,
}

impl Default for CheckLimiter {
    fn default() -> Self {
        Self::per_hour(DEFAULT_PER_HOUR)
    }
}

impl CheckLimiter {
    pub fn per_hour(limit: u32) -> Self {
        Self { limit, window: Duration::hours(1) }
    }

    /// Within the transaction that will record the run: admits one more check for the user at
    /// `now`, or says how many seconds until one is allowed.
    pub async fn admit(
        &self,
        txn: &impl ConnectionTrait,
        issuer: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Result<(), u64>> {
        if txn.get_database_backend() == DbBackend::Postgres {
            let user = format!("vigil:register_check:{issuer}\u{1f}{subject}");
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                [user.into()],
            ))
            .await?;
        }
        let start = now - self.window;
        let (count, oldest): (i64, Option<DateTime<Utc>>) = register_check::Entity::find()
            .select_only()
            .column_as(register_check::Column::Id.count(), "count")
            .column_as(register_check::Column::CreatedAt.min(), "oldest")
            .filter(register_check::Column::ActorIssuer.eq(issuer))
            .filter(register_check::Column::ActorSubject.eq(subject))
            .filter(register_check::Column::CreatedAt.gt(start))
            .into_tuple()
            .one(txn)
            .await?
            .unwrap_or((0, None));
        if count < i64::from(self.limit) {
            return Ok(Ok(()));
        }
        // When the oldest run in the window leaves it, one more is allowed.
        let wait = (oldest.unwrap_or(now) + self.window - now).num_seconds().max(1);
        Ok(Err(wait as u64))
    }
}
