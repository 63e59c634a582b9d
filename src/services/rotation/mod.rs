//! Key rotation (`vigil keys rotate`): after `vigil keys add` has made a new encryption key and
//! a new blind-index key active, every sealed value still under an older key is opened and
//! sealed again ([`reseal`]), and every owner with blind indexes under an older key has them
//! rebuilt from its decrypted rows ([`reindex`]). The API keeps serving throughout: the ring
//! holds old and new keys, envelopes name their key, and lookups search under every blind key.
//!
//! Resumable by construction: each batch commits on its own, and work already moved is
//! recognised (an envelope's key id, a blind index's key id) and skipped, so after a crash the
//! same command continues where it stopped. Each update is conditional on the old value, so a
//! concurrent change by the service (which seals under the new key anyway) is never overwritten.

pub mod reindex;
pub mod reseal;

use sea_orm::DatabaseConnection;
use serde::Serialize;

use super::ServiceResult;
use crate::crypto::{Crypto, columns};

/// What is still under a key other than the active ones.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Remaining {
    pub sealed_values: u64,
    pub indexed_owners: u64,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct RotationReport {
    pub resealed: u64,
    pub reindexed_owners: u64,
}

/// How hard to push: rows per transaction, and a pause after each commit that lets the
/// service's own writers in (on SQLite they queue for the one write lock).
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub batch: u64,
    pub pause: std::time::Duration,
}

impl Pace {
    pub fn batch(batch: u64) -> Self {
        Self { batch, pause: std::time::Duration::ZERO }
    }

    pub(crate) async fn rest(&self) {
        if !self.pause.is_zero() {
            tokio::time::sleep(self.pause).await;
        }
    }
}

/// One step of progress: which column or owner kind, how many moved so far in it.
pub struct Progress<'a> {
    pub stage: &'a str,
    pub moved: u64,
}

/// Moves everything to the active keys at the given pace.
pub async fn rotate(
    db: &DatabaseConnection,
    crypto: &Crypto,
    pace: Pace,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> ServiceResult<RotationReport> {
    let mut report = RotationReport::default();
    for column in columns::ALL {
        let stage = format!("{}.{}", column.table, column.column);
        report.resealed += reseal::column(db, crypto, *column, pace, &|moved| progress(Progress { stage: &stage, moved })).await?;
    }
    for owner in [reindex::Owner::Registrant, reindex::Owner::Report] {
        let stage = format!("blind indexes of {}s", owner.as_str());
        report.reindexed_owners += reindex::owners(db, crypto, owner, pace, &|moved| progress(Progress { stage: &stage, moved })).await?;
    }
    Ok(report)
}

/// Counts what has not moved yet (a full read of the sealed columns: run it when deciding to
/// retire a key, not on a hot path).
pub async fn remaining(db: &DatabaseConnection, crypto: &Crypto, batch: u64) -> ServiceResult<Remaining> {
    let mut left = Remaining::default();
    for column in columns::ALL {
        left.sealed_values += reseal::count_old(db, crypto, *column, batch).await?;
    }
    left.indexed_owners = reindex::count_old(db, crypto).await?;
    Ok(left)
}
