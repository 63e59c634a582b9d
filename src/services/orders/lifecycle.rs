//! How one order ends another: a full SPO made when the main application is decided replaces the
//! interim SPO (SPA 2019 s.5(6)). The replacement is checked against the replaced order, the
//! replaced order is superseded from the new order's effective day, and its duties end then:
//! notifications owed under the same regime continue under the new order with their clocks
//! unchanged (s.9(1) runs from service of the interim order and is not restarted), everything
//! else not yet due is excused, never left to become a breach.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{OrderId, RegistrantId};
use entities::{obligation, order, order_status_change};
use sea_orm::ExprTrait;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::read;
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::services::obligations::duties::{self, Ending};
use crate::services::{Ctx, ServiceError, ServiceResult};
use domain::calendar;
use domain::errors::FieldErrors;
use domain::orders::{self as rules, Replaced};
use domain::vocab::{ObligationKind, OrderKind, OrderStatus};

/// The order `replaces` names, if a new order of `kind` in effect from `effective_on` may
/// replace it; otherwise a 422 naming the field.
pub async fn replaced(
    conn: &impl ConnectionTrait,
    replaces: OrderId,
    registrant_id: RegistrantId,
    kind: OrderKind,
    effective_on: NaiveDate,
    today: NaiveDate,
) -> ServiceResult<order::Model> {
    let Some(found) = order::Entity::find_by_id(replaces).one(conn).await? else {
        return Err(ServiceError::Invalid(FieldErrors::single("replaces_order_id", "not_found", "is not a known order")));
    };
    let shape = Replaced {
        kind: found.kind,
        status: found.status,
        same_registrant: found.registrant_id == registrant_id,
        made_on: found.made_on,
        expires_on: found.expires_on,
    };
    rules::check_replacement(kind, effective_on, &shape, today).map_err(|e| ServiceError::Invalid(FieldErrors(vec![e])))?;
    Ok(found)
}

/// Whether `o` continues the initial notification of the order it replaces, so that its own
/// making or service starts no new one: it does when both are under the same regime and the
/// replaced order's initial duty had begun (SPA 2019 s.9(1)).
pub async fn continues_initial(conn: &impl ConnectionTrait, o: &order::Model) -> ServiceResult<bool> {
    let Some(replaced) = o.replaces_order_id else { return Ok(false) };
    let previous = read::find(conn, replaced).await?;
    if previous.regime_code != o.regime_code {
        return Ok(false);
    }
    let initial = obligation::Entity::find()
        .filter(obligation::Column::OrderId.eq(replaced))
        .filter(obligation::Column::Kind.eq(ObligationKind::InitialNotification))
        .count(conn)
        .await?;
    Ok(initial > 0)
}

/// Supersedes `replaced` by `by` from the start of `by`'s effective day (Europe/London), in the
/// caller's transaction; returns the status change's id for the audit entry.
pub async fn supersede(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    caller: &Caller,
    replaced: &order::Model,
    by: &order::Model,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let effective_on = by.effective_on.unwrap_or(by.made_on);
    let ends_at = calendar::start_of_day(effective_on);
    // Guarded by status, not by a version the caller read: the caller names the order to
    // replace, and two replacements at once must not both succeed.
    let statuses = OrderStatus::in_force().map(|s| s.as_str());
    let updated = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(OrderStatus::Superseded.as_str()))
        .col_expr(order::Column::Version, Expr::col(order::Column::Version).add(1))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(replaced.id))
        .filter(order::Column::Status.is_in(statuses))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "replaces_order_id",
            "not_in_force",
            "the order it replaces is no longer in force",
        )));
    }
    let reason = format!("Replaced by order {} from {effective_on}.", by.id);
    let change_id = Uuid::now_v7();
    let change = order_status_change::ActiveModel {
        id: Set(change_id),
        order_id: Set(replaced.id),
        from_status: Set(replaced.status),
        to_status: Set(OrderStatus::Superseded),
        reason_sealed: Set(Some(ctx.crypto.seal_str(columns::ORDER_STATUS_REASON, change_id, &reason)?)),
        changed_by: Set(caller.subject.clone()),
        changed_role: Set(Some(caller.role_for(Permission::OrderWrite))),
        changed_at: Set(now),
        effective_at: Set(Some(ends_at)),
    };
    order_status_change::Entity::insert(change).exec_without_returning(txn).await?;
    let successor = (replaced.regime_code == by.regime_code).then_some(by);
    let ending = Ending { at: ends_at, reason: &reason, successor };
    duties::end_for_order(txn, &ctx.crypto, replaced.id, &ending, &caller.subject, now).await?;
    jobs::displaced::resume_after(txn, replaced, effective_on, now).await?;
    Ok(change_id)
}
