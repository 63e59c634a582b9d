//! Re-sealing one column under the active encryption key, in id order, a batch per transaction.

use sea_orm::ExprTrait;
use sea_orm::sea_query::{Alias, Expr, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};
use uuid::Uuid;

use super::Pace;
use crate::crypto::{Column, Crypto, envelope};
use crate::services::{ServiceResult, tx};

async fn page(conn: &impl ConnectionTrait, column: Column, after: Option<Uuid>, batch: u64) -> ServiceResult<Vec<(Uuid, Option<Vec<u8>>)>> {
    let mut select = Query::select();
    select
        .column(Alias::new("id"))
        .column(Alias::new(column.column))
        .from(Alias::new(column.table))
        .order_by(Alias::new("id"), Order::Asc)
        .limit(batch);
    if let Some(after) = after {
        select.and_where(Expr::col(Alias::new("id")).gt(after));
    }
    let rows = conn.query_all_raw(conn.get_database_backend().build(&select)).await?;
    rows.iter().map(|r: &QueryResult| Ok((r.try_get::<Uuid>("", "id")?, r.try_get::<Option<Vec<u8>>>("", column.column)?))).collect()
}

fn is_old(crypto: &Crypto, sealed: &[u8]) -> bool {
    envelope::key_id(sealed).is_ok_and(|id| id != crypto.ring().active_encryption_id())
}

/// Re-seals every value of `column` that is under an older key; returns how many moved.
pub async fn column(
    db: &DatabaseConnection,
    crypto: &Crypto,
    column: Column,
    pace: Pace,
    progress: &(dyn Fn(u64) + Sync),
) -> ServiceResult<u64> {
    let mut after = None;
    let mut moved = 0;
    loop {
        let rows = page(db, column, after, pace.batch).await?;
        let Some(last) = rows.last().map(|r| r.0) else { break };
        let txn = tx::begin_write(db).await?;
        for (id, sealed) in rows.iter().filter_map(|(id, s)| s.as_ref().map(|s| (*id, s))) {
            if !is_old(crypto, sealed) {
                continue;
            }
            let plaintext = crypto.open(column, id, sealed)?;
            let fresh = crypto.seal(column, id, &plaintext)?;
            // Only if nobody changed it since it was read; a concurrent write is already new.
            let mut update = Query::update();
            update
                .table(Alias::new(column.table))
                .value(Alias::new(column.column), fresh)
                .and_where(Expr::col(Alias::new("id")).eq(id))
                .and_where(Expr::col(Alias::new(column.column)).eq(sealed.clone()));
            moved += txn.execute_raw(txn.get_database_backend().build(&update)).await?.rows_affected();
        }
        txn.commit().await?;
        pace.rest().await;
        progress(moved);
        after = Some(last);
    }
    Ok(moved)
}

/// How many values of `column` are still under an older key.
pub async fn count_old(db: &DatabaseConnection, crypto: &Crypto, column: Column, batch: u64) -> ServiceResult<u64> {
    let mut after = None;
    let mut old = 0;
    loop {
        let rows = page(db, column, after, batch).await?;
        let Some(last) = rows.last().map(|r| r.0) else { break };
        old += rows.iter().filter(|(_, s)| s.as_deref().is_some_and(|s| is_old(crypto, s))).count() as u64;
        after = Some(last);
    }
    Ok(old)
}
