//! Orders end by themselves. `expires_on` is the first day an order no longer has effect, so it
//! stops at the start of that day in Europe/London (the end of its last day). This job makes
//! every in-force order whose expiry has come `expired`, exactly once, and ends its duties from
//! that instant: obligations close, occurrences due after the end are excused with the reason,
//! never breached; those due while it was in force stay as they are (a duty missed while the
//! order had effect is still a breach).
//!
//! Exactly once comes from the conditional UPDATE (the status is still one in force), which is
//! what the status change, the closing and the excusing follow; on PostgreSQL an advisory lock
//! also keeps replicas apart. Until this job has run, [`crate::detect_missed`] leaves alone the
//! occurrences of an order whose expiry has come, so the order of the two jobs never matters.

use chrono::{DateTime, NaiveDate, Utc};
use domain::calendar;
use domain::ids::{ObligationId, OrderId};
use domain::vocab::{ObligationStatus, OccurrenceStatus, OrderStatus};
use entities::{obligation, occurrence, order, order_status_change};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use crate::db::{begin_write, try_job_lock};
use crate::{JobError, Keys, RunReport};

pub const NAME: &str = "expire_orders";
/// Who the status change and the excused occurrences are recorded as resolved by.
pub const EXPIRY: &str = "vigil:expiry";

pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>, keys: &dyn Keys) -> Result<RunReport, JobError> {
    let today = calendar::local_date(now);
    let txn = begin_write(db).await?;
    if !try_job_lock(&txn, NAME).await? {
        txn.rollback().await?;
        return Ok(RunReport { job: NAME, skipped: true, ..Default::default() });
    }
    let due = order::Entity::find()
        .filter(order::Column::Status.is_in(OrderStatus::in_force().map(|s| s.as_str())))
        .filter(order::Column::ExpiresOn.lte(today))
        .all(&txn)
        .await?;
    let mut expired = 0;
    for found in &due {
        let Some(expires_on) = found.expires_on else { continue };
        if expire(&txn, found, expires_on, now, keys).await? {
            expired += 1;
        }
    }
    txn.commit().await?;
    Ok(RunReport { job: NAME, examined: due.len() as u64, created: expired, skipped: false })
}

/// Expires one order in the caller's transaction; false when it was no longer in force.
async fn expire(
    txn: &impl ConnectionTrait,
    found: &order::Model,
    expires_on: NaiveDate,
    now: DateTime<Utc>,
    keys: &dyn Keys,
) -> Result<bool, JobError> {
    let updated = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(OrderStatus::Expired.as_str()))
        .col_expr(order::Column::Version, Expr::col(order::Column::Version).add(1))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(found.id))
        .filter(order::Column::Status.eq(found.status))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    let ends_at = calendar::start_of_day(expires_on);
    let last_day = expires_on.pred_opt().unwrap_or(expires_on);
    let reason = format!("The order expired at the end of {last_day}.");
    let change_id = Uuid::now_v7();
    order_status_change::Entity::insert(order_status_change::ActiveModel {
        id: Set(change_id),
        order_id: Set(found.id),
        from_status: Set(found.status),
        to_status: Set(OrderStatus::Expired),
        reason_sealed: Set(keys.seal_status_reason(change_id, &reason)),
        changed_by: Set(EXPIRY.to_owned()),
        changed_role: Set(None),
        changed_at: Set(now),
        effective_at: Set(Some(ends_at)),
    })
    .exec_without_returning(txn)
    .await?;
    end_duties(txn, found.id, ends_at, &reason, now, keys).await?;
    crate::displaced::resume_after(txn, found, expires_on, now).await?;
    Ok(true)
}

/// Closes the order's open obligations and excuses their pending occurrences due after `ends_at`.
async fn end_duties(
    txn: &impl ConnectionTrait,
    order_id: OrderId,
    ends_at: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
    keys: &dyn Keys,
) -> Result<(), JobError> {
    let open: Vec<ObligationId> = obligation::Entity::find()
        .filter(obligation::Column::OrderId.eq(order_id))
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .all(txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    obligation::Entity::update_many()
        .col_expr(obligation::Column::Status, Expr::value(ObligationStatus::Closed.as_str()))
        .col_expr(obligation::Column::ClosedAt, Expr::value(now))
        .filter(obligation::Column::Id.is_in(open.clone()))
        .exec(txn)
        .await?;
    let after = occurrence::Entity::find()
        .filter(occurrence::Column::ObligationId.is_in(open))
        .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
        .filter(occurrence::Column::DueAt.gt(ends_at))
        .all(txn)
        .await?;
    crate::occurrences::excuse(txn, &after, reason, EXPIRY, now, keys).await?;
    Ok(())
}
