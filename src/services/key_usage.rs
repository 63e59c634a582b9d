//! Writing and reading the per-key encryption counts (`crypto::usage`, table `key_usage`).

use chrono::{DateTime, Utc};
use entities::key_usage;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, ExprTrait};

use super::ServiceResult;
use crate::crypto::Crypto;

/// Adds this process's unflushed counts to the table, then reads every key's total back.
pub async fn flush(db: &DatabaseConnection, crypto: &Crypto, now: DateTime<Utc>) -> ServiceResult<()> {
    for (key_id, delta) in crypto.usage.take_unflushed() {
        let row = key_usage::ActiveModel { key_id: Set(key_id as i32), encryptions: Set(delta as i64), updated_at: Set(now) };
        let upsert = OnConflict::column(key_usage::Column::KeyId)
            .value(key_usage::Column::Encryptions, Expr::col((key_usage::Entity, key_usage::Column::Encryptions)).add(delta as i64))
            .value(key_usage::Column::UpdatedAt, Expr::value(now))
            .to_owned();
        if let Err(err) = key_usage::Entity::insert(row).on_conflict(upsert).exec_without_returning(db).await {
            crypto.usage.restore(key_id, delta);
            return Err(err.into());
        }
    }
    load(db, crypto).await
}

/// Reads every key's total (at start, and after each flush).
pub async fn load(db: &DatabaseConnection, crypto: &Crypto) -> ServiceResult<()> {
    for row in key_usage::Entity::find().all(db).await? {
        crypto.usage.set_persisted(row.key_id as u32, u64::try_from(row.encryptions).unwrap_or(0));
    }
    Ok(())
}

/// Every key's total, for `vigil keys status`.
pub async fn totals(db: &DatabaseConnection) -> ServiceResult<Vec<(u32, u64)>> {
    Ok(key_usage::Entity::find().all(db).await?.into_iter().map(|r| (r.key_id as u32, u64::try_from(r.encryptions).unwrap_or(0))).collect())
}
