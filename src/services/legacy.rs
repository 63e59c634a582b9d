//! Values written before their column was sealed. A migration cannot seal (the key ring is not
//! the database's), so each release that seals a column adds the sealed column beside the old
//! one; at start-up the service seals whatever is still in the old column and empties it. The
//! service never reads or writes the old columns otherwise; a later migration drops them.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use super::ServiceResult;
use crate::crypto::{Column, Crypto, columns};

/// (table, plaintext column, the sealed column that replaced it) — migration 27.
const SEALED_SINCE_27: &[(&str, &str, Column)] = &[
    ("registrants", "managing_officer", columns::REGISTRANT_OFFICER),
    ("registrants", "risk_tool", columns::RISK_TOOL),
    ("registrant_identifiers", "platform", columns::IDENTIFIER_PLATFORM),
    ("orders", "court", columns::ORDER_COURT),
    ("order_conditions", "responsible_person", columns::CONDITION_RESPONSIBLE),
    ("notification_events", "station", columns::NOTIFICATION_STATION),
];
const BATCH: u64 = 500;

/// Seals and empties every legacy plaintext value; returns how many were moved. Idempotent, and
/// one cheap query per column when there is nothing left to do.
pub async fn seal_plaintext(db: &DatabaseConnection, crypto: &Crypto) -> ServiceResult<u64> {
    let mut moved = 0;
    for (table, plain, sealed) in SEALED_SINCE_27 {
        loop {
            let select = Query::select()
                .column(Alias::new("id"))
                .column(Alias::new(*plain))
                .from(Alias::new(*table))
                .and_where(Expr::col(Alias::new(*plain)).is_not_null())
                .limit(BATCH)
                .to_owned();
            let rows = db.query_all(&select).await?;
            if rows.is_empty() {
                break;
            }
            let txn = db.begin().await?;
            for row in rows {
                let id: Uuid = row.try_get_by_index(0)?;
                let value: String = row.try_get_by_index(1)?;
                let update = Query::update()
                    .table(Alias::new(*table))
                    .value(Alias::new(sealed.column), crypto.seal_str(*sealed, id, &value)?)
                    .value(Alias::new(*plain), Option::<String>::None)
                    .and_where(Expr::col(Alias::new("id")).eq(id))
                    .to_owned();
                txn.execute(&update).await?;
                moved += 1;
            }
            txn.commit().await?;
        }
    }
    // A copy of the officer's name, now read from the registrant when a message is sent.
    let clear = Query::update()
        .table(Alias::new("outbox"))
        .value(Alias::new("recipient_officer"), Option::<String>::None)
        .and_where(Expr::col(Alias::new("recipient_officer")).is_not_null())
        .to_owned();
    moved += db.execute(&clear).await?.rows_affected();
    if moved > 0 {
        tracing::info!(moved, "sealed values left in plaintext columns by an earlier version");
    }
    Ok(moved)
}
