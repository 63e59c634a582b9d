//! How many registrants the register holds, for the name frequencies a check weighs names by
//! (`linkage::score::NameFrequencies`). Counting a million rows costs milliseconds, and a
//! frequency does not move with one more registrant, so the count is shared by every check and
//! taken again only when older than [`REFRESH`].

use std::sync::Mutex;
use std::time::{Duration, Instant};

use entities::registrant;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use crate::services::ServiceResult;

pub const REFRESH: Duration = Duration::from_secs(300);

#[derive(Default)]
pub struct RegisterSize {
    counted: Mutex<Option<(Instant, u64)>>,
}

impl RegisterSize {
    /// The register's size, at most [`REFRESH`] old, counted in `conn`'s snapshot when due.
    pub async fn get(&self, conn: &impl ConnectionTrait) -> ServiceResult<u64> {
        if let Some((at, n)) = *self.counted.lock().unwrap_or_else(|e| e.into_inner())
            && at.elapsed() < REFRESH
        {
            return Ok(n);
        }
        let n = registrant::Entity::find().count(conn).await?;
        *self.counted.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), n));
        Ok(n)
    }
}
