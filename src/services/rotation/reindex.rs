//! Rebuilding blind indexes under the active blind-index key, owner by owner. Owners are walked
//! in id order from their own tables (indexed), and only those with an index row under an older
//! key are rebuilt, each in its own transaction with its rows decrypted.

use domain::ids::{RegistrantId, ReportId};
use entities::{blind_index, crime_report, registrant};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::Pace;
use crate::crypto::Crypto;
use crate::services::blind::{OWNER_REGISTRANT, OWNER_REPORT};
use crate::services::registrants::details;
use crate::services::{ServiceResult, reports, tx};

const OWNERS_PER_TRANSACTION: usize = 25;

#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Registrant,
    Report,
}

impl Owner {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registrant => OWNER_REGISTRANT,
            Self::Report => OWNER_REPORT,
        }
    }
}

async fn ids(db: &DatabaseConnection, owner: Owner, after: Option<Uuid>, batch: u64) -> ServiceResult<Vec<Uuid>> {
    Ok(match owner {
        Owner::Registrant => {
            let mut find = registrant::Entity::find().select_only().column(registrant::Column::Id).order_by_asc(registrant::Column::Id);
            if let Some(a) = after {
                find = find.filter(registrant::Column::Id.gt(a));
            }
            find.limit(batch).into_tuple::<Uuid>().all(db).await?
        }
        Owner::Report => {
            let mut find =
                crime_report::Entity::find().select_only().column(crime_report::Column::Id).order_by_asc(crime_report::Column::Id);
            if let Some(a) = after {
                find = find.filter(crime_report::Column::Id.gt(a));
            }
            find.limit(batch).into_tuple::<Uuid>().all(db).await?
        }
    })
}

/// Of `ids`, those with any index row under a key other than the active one.
async fn stale(db: &DatabaseConnection, crypto: &Crypto, owner: Owner, ids: &[Uuid]) -> ServiceResult<Vec<Uuid>> {
    Ok(blind_index::Entity::find()
        .select_only()
        .column(blind_index::Column::OwnerId)
        .distinct()
        .filter(blind_index::Column::OwnerKind.eq(owner.as_str()))
        .filter(blind_index::Column::OwnerId.is_in(ids.iter().copied()))
        .filter(blind_index::Column::KeyId.ne(crypto.active_blind_key_id() as i32))
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

pub async fn owners(
    db: &DatabaseConnection,
    crypto: &Crypto,
    owner: Owner,
    pace: Pace,
    progress: &(dyn Fn(u64) + Sync),
) -> ServiceResult<u64> {
    let mut after = None;
    let mut moved = 0;
    loop {
        let page = ids(db, owner, after, pace.batch).await?;
        let Some(last) = page.last().copied() else { break };
        // A few owners per transaction: one commit per owner made PostgreSQL wait on the disk
        // for every registrant; a whole page per transaction would hold SQLite's write lock
        // (and so the service's writers) for too long.
        for group in stale(db, crypto, owner, &page).await?.chunks(OWNERS_PER_TRANSACTION) {
            let txn = tx::begin_write(db).await?;
            for id in group {
                match owner {
                    Owner::Registrant => details::reindex_all(&txn, crypto, RegistrantId::from(*id)).await?,
                    Owner::Report => reports::reindex(&txn, crypto, ReportId::from(*id)).await?,
                }
            }
            txn.commit().await?;
            pace.rest().await;
            moved += group.len() as u64;
        }
        progress(moved);
        after = Some(last);
    }
    Ok(moved)
}

/// Owners (of any kind) with an index row under an older key.
pub async fn count_old(db: &DatabaseConnection, crypto: &Crypto) -> ServiceResult<u64> {
    Ok(blind_index::Entity::find()
        .select_only()
        .column(blind_index::Column::OwnerId)
        .distinct()
        .filter(blind_index::Column::KeyId.ne(crypto.active_blind_key_id() as i32))
        .count(db)
        .await?)
}
