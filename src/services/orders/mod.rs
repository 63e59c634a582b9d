//! Order use cases: record an order with its protected persons and conditions, read and list
//! orders, record service, and move an order through its legal lifecycle. Recording or serving
//! an order creates the duties its regime and requirements call for, in the same transaction.

pub mod input;
pub mod lifecycle;
pub mod read;
pub mod variations;
pub mod views;

use chrono::{DateTime, Utc};
use domain::commands::orders::{NewCondition, ProtectedPersonDetails};
use domain::ids::{ConditionId, OrderId, RecordId, RegistrantId};
use entities::{order, order_condition, order_protected_person, order_status_change, registrant};
use sea_orm::ExprTrait;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use self::input::*;
use self::views::*;
use super::audit::{self, Action, Entry, Outcome};
use super::obligations::{duties, regimes};
use super::registrants::read as registrants;
use super::{Ctx, ServiceError, ServiceResult, tx};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use domain::calendar;
use domain::errors::{FieldErrors, field_error};
use domain::orders as rules;
use domain::regimes::Trigger;
use domain::vocab::{ConditionKind, OrderStatus};

const RECORD: &str = "order";

fn entry<'a>(action: Action, operation: &'static str, permission: Permission, ids: &'a [Uuid]) -> Entry<'a> {
    Entry { action, operation, permission, record_type: RECORD, record_ids: ids, outcome: Outcome::Success }
}

/// Records an order made against a registrant that the caller's organisation manages.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    input: NewOrderInput,
    now: DateTime<Utc>,
) -> ServiceResult<OrderView> {
    caller.require(Permission::OrderWrite)?;
    let mut errors = FieldErrors::default();
    let code = input.regime.clone().unwrap_or_else(|| input.kind.default_regime().to_owned());
    let regime = if code.len() <= 64 { regimes::load(&ctx.db, &code).await? } else { None };
    if regime.is_none() {
        errors.0.push(field_error("regime", "unknown_regime", "is not a known notification regime"));
    }
    let replaces = input.replaces_order_id;
    let valid = validate(&mut errors, input, calendar::local_date(now));
    errors.finish()?;
    let (Some(valid), Some(regime)) = (valid, regime) else {
        return Err(ServiceError::Invalid(FieldErrors::single("body", "invalid", "could not be read")));
    };

    let txn = tx::begin_write(&ctx.writer).await?;
    let owner = registrants::writable(&txn, caller, registrant_id).await?;
    let today = calendar::local_date(now);
    let effective_on = valid.dates.effective_on.unwrap_or(valid.dates.made_on);
    let replaced = match replaces {
        Some(r) => Some(lifecycle::replaced(&txn, r, registrant_id, valid.kind, effective_on, today).await?),
        None => None,
    };
    let id = OrderId::generate();
    let model = order::ActiveModel {
        id: Set(id),
        registrant_id: Set(registrant_id),
        kind: Set(valid.kind),
        regime_code: Set(regime.code.clone()),
        court_sealed: Set(Some(ctx.crypto.seal_str(columns::ORDER_COURT, id, &valid.court)?)),
        case_reference_sealed: Set(Some(ctx.crypto.seal_str(columns::ORDER_CASE_REFERENCE, id, &valid.case_reference)?)),
        made_on: Set(valid.dates.made_on),
        served_on: Set(valid.dates.served_on),
        effective_on: Set(valid.dates.effective_on),
        expires_on: Set(valid.dates.expires_on),
        until_further_order: Set(valid.dates.until_further_order),
        status: Set(valid.status),
        managing_org: Set(owner.managing_org.clone()),
        version: Set(1),
        created_by: Set(caller.subject.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        replaces_order_id: Set(replaces),
    };
    order::Entity::insert(model).exec_without_returning(&txn).await?;
    for person in &valid.protected_persons {
        insert_protected_person(&txn, ctx, id, person, None, now).await?;
    }
    let stored = read::find(&txn, id).await?;
    // An order recorded after its expiry is history: it creates no duties.
    let in_force = valid.status.is_in_force() && valid.dates.expires_on.is_none_or(|e| e > calendar::local_date(now));
    for c in &valid.conditions {
        let cid = insert_condition(&txn, ctx, id, c, None, now).await?;
        if let (true, ConditionKind::Requirement, Some(schedule)) = (in_force, c.kind, &c.schedule) {
            let kind = rules::obligation_kind(c.category);
            duties::on_scheduled_requirement(&txn, &stored, cid, kind, schedule, (c.starts_on, c.ends_on), now).await?;
        }
    }
    let others = read::in_force(&txn, registrant_id, today).await?;
    if in_force && !lifecycle::continues_initial(&txn, &stored).await? && !duties::displaced(&stored, &regime, &others) {
        for trigger in [Trigger::Made, Trigger::Service] {
            duties::on_order_trigger(&txn, &stored, &regime, trigger, now).await?;
        }
    }
    // Before the replaced order's duties are handed over: those were watched, these were not.
    duties::mark_historical(&txn, id, now).await?;
    let mut ids = vec![id.uuid(), registrant_id.uuid()];
    if let Some(previous) = &replaced {
        ids.push(previous.id.uuid());
        ids.push(lifecycle::supersede(&txn, ctx, caller, previous, &stored, now).await?);
    }
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Collection, "order.create", Permission::OrderWrite, &ids)).await?;
    let view = read::view(&txn, &ctx.crypto, stored, caller.can(Permission::ProtectedPersonRead)).await?;
    txn.commit().await?;
    Ok(view)
}

/// A person the order protects; `added_by` is the variation that added them (`None`: as made).
async fn insert_protected_person(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    order_id: OrderId,
    person: &ProtectedPersonDetails,
    added_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> ServiceResult<Uuid> {
    let pid = Uuid::now_v7();
    let row = order_protected_person::ActiveModel {
        id: Set(pid),
        order_id: Set(order_id),
        data_subject_category: Set("victim".to_owned()),
        details_sealed: Set(ctx.crypto.seal_json(columns::PROTECTED_PERSON, pid, person)?),
        created_at: Set(now),
        added_by_variation: Set(added_by),
        removed_by_variation: Set(None),
        removed_on: Set(None),
    };
    order_protected_person::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(pid)
}

/// One condition; `added_by` is the variation that added it (`None`: the order as made).
async fn insert_condition(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    order_id: OrderId,
    c: &NewCondition,
    added_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> ServiceResult<ConditionId> {
    let id = ConditionId::generate();
    let schedule = c
        .schedule
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| ServiceError::Crypto(crate::crypto::CryptoError::Encoding))?;
    let row = order_condition::ActiveModel {
        id: Set(id),
        order_id: Set(order_id),
        kind: Set(c.kind),
        category: Set(c.category),
        parameters_sealed: Set(c.parameters.as_ref().map(|p| ctx.crypto.seal_json(columns::CONDITION_PARAMETERS, id, p)).transpose()?),
        text_sealed: Set(ctx.crypto.seal_str(columns::CONDITION_TEXT, id, &c.text)?),
        responsible_person_sealed: Set(ctx.crypto.seal_opt(columns::CONDITION_RESPONSIBLE, id, c.responsible_person.as_deref())?),
        schedule: Set(schedule),
        starts_on: Set(c.starts_on),
        ends_on: Set(c.ends_on),
        created_at: Set(now),
        added_by_variation: Set(added_by),
        removed_by_variation: Set(None),
        removed_on: Set(None),
    };
    order_condition::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(id)
}

/// Reads one order. Probation sees only orders of registrants it supervises (any other is "not
/// found"), and never protected persons. Returning protected persons is a disclosure.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: OrderId, now: DateTime<Utc>) -> ServiceResult<OrderView> {
    require_read(caller)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let found = read::find(&txn, id).await?;
    let owner = registrants::find(&txn, found.registrant_id).await?;
    if !caller.may_read_registrant(owner.supervising_org.as_deref()) {
        txn.rollback().await?;
        audit::record_denied(ctx, caller, now, "order.read", Permission::RegistrantReadSupervised, RECORD, &[id.uuid()]).await?;
        return Err(ServiceError::NotFound("order"));
    }
    let (action, permission, ids) = read_audit(&txn, caller, std::slice::from_ref(&found), owner.id).await?;
    let view = read::view(&txn, &ctx.crypto, found, caller.can(Permission::ProtectedPersonRead)).await?;
    audit::record(&txn, &ctx.crypto, caller, now, entry(action, "order.read", permission, &ids)).await?;
    txn.commit().await?;
    Ok(view)
}

/// Lists the orders of one registrant, oldest first, under the same rules as [`get`].
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn list_for_registrant(ctx: &Ctx, caller: &Caller, registrant_id: RegistrantId, now: DateTime<Utc>) -> ServiceResult<OrderList> {
    require_read(caller)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let owner = registrants::find(&txn, registrant_id).await?;
    if !caller.may_read_registrant(owner.supervising_org.as_deref()) {
        txn.rollback().await?;
        audit::record_denied(ctx, caller, now, "order.list", Permission::RegistrantReadSupervised, RECORD, &[registrant_id.uuid()]).await?;
        return Err(ServiceError::NotFound("registrant"));
    }
    let orders =
        order::Entity::find().filter(order::Column::RegistrantId.eq(registrant_id)).order_by_asc(order::Column::Id).all(&txn).await?;
    let (action, permission, ids) = read_audit(&txn, caller, &orders, registrant_id).await?;
    let mut items = Vec::with_capacity(orders.len());
    for o in orders {
        items.push(read::view(&txn, &ctx.crypto, o, caller.can(Permission::ProtectedPersonRead)).await?);
    }
    audit::record(&txn, &ctx.crypto, caller, now, entry(action, "order.list", permission, &ids)).await?;
    txn.commit().await?;
    Ok(OrderList { registrant_id, items })
}

fn require_read(caller: &Caller) -> ServiceResult<()> {
    if !caller.can(Permission::RegistrantReadNational) {
        caller.require(Permission::RegistrantReadSupervised)?;
    }
    Ok(())
}

/// A read that returns protected persons discloses them (s.62); any other read consults.
async fn read_audit(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    orders: &[order::Model],
    registrant_id: RegistrantId,
) -> ServiceResult<(Action, Permission, Vec<Uuid>)> {
    let mut ids: Vec<Uuid> = orders.iter().map(|o| o.id.uuid()).collect();
    ids.push(registrant_id.uuid());
    if caller.can(Permission::ProtectedPersonRead) {
        let order_ids: Vec<Uuid> = orders.iter().map(|o| o.id.uuid()).collect();
        let persons = read::protected_person_ids(conn, &order_ids).await?;
        if !persons.is_empty() {
            ids.extend(persons);
            return Ok((Action::Disclosure, Permission::ProtectedPersonRead, ids));
        }
    }
    Ok((Action::Consultation, Permission::RegistrantReadNational, ids))
}

/// Loads an order for a change by its managing organisation, checking the version read.
async fn for_change(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: OrderId,
    version: i32,
) -> ServiceResult<(order::Model, registrant::Model)> {
    let found = read::find(conn, id).await?;
    let owner = registrants::find(conn, found.registrant_id).await?;
    caller.require_managing(&owner.managing_org)?;
    if found.version != version {
        return Err(ServiceError::stale());
    }
    Ok((found, owner))
}

/// Records the day the order was served. For regimes that count from service, this starts the
/// initial notification period.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn record_service(ctx: &Ctx, caller: &Caller, id: OrderId, input: ServiceInput, now: DateTime<Utc>) -> ServiceResult<OrderView> {
    caller.require(Permission::OrderWrite)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let (found, _) = for_change(&txn, caller, id, input.version).await?;
    rules::check_service(found.made_on, input.served_on, calendar::local_date(now))
        .map_err(|e| ServiceError::Invalid(FieldErrors(vec![e])))?;
    if found.served_on.is_some() {
        return Err(ServiceError::Conflict { code: "already_served", detail: "the order's service is already recorded".into() });
    }
    if !found.status.is_in_force() {
        return Err(ServiceError::Conflict { code: "not_in_force", detail: "the order is no longer in force".into() });
    }
    bump(&txn, id, input.version, now, |u| u.col_expr(order::Column::ServedOn, Expr::value(input.served_on))).await?;
    let served = read::find(&txn, id).await?;
    let regime = if lifecycle::continues_initial(&txn, &served).await? { None } else { regimes::load(&txn, &served.regime_code).await? };
    let others = read::in_force(&txn, served.registrant_id, calendar::local_date(now)).await?;
    let regime = regime.filter(|r| !duties::displaced(&served, r, &others));
    if let Some(regime) = regime {
        duties::on_order_trigger(&txn, &served, &regime, Trigger::Service, now).await?;
    }
    duties::mark_historical(&txn, id, now).await?;
    audit::record(
        &txn,
        &ctx.crypto,
        caller,
        now,
        entry(Action::Alteration, "order.serve", Permission::OrderWrite, &[id.uuid(), served.registrant_id.uuid()]),
    )
    .await?;
    let view = read::view(&txn, &ctx.crypto, served, caller.can(Permission::ProtectedPersonRead)).await?;
    txn.commit().await?;
    Ok(view)
}

/// Moves an order to another status along the legal lifecycle. An order that stops being in
/// force closes its obligations. Discharge ends a victim's protection, so it is never done here
/// by one person: it is requested and approved by two (`services::approvals`).
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn change_status(
    ctx: &Ctx,
    caller: &Caller,
    id: OrderId,
    input: StatusChangeInput,
    now: DateTime<Utc>,
) -> ServiceResult<OrderView> {
    caller.require(Permission::OrderWrite)?;
    if input.status == OrderStatus::Discharged {
        return Err(ServiceError::Conflict {
            code: "four_eyes_required",
            detail: "a discharge needs a second supervisor: request it with POST /api/v1/approvals".into(),
        });
    }
    if matches!(input.status, OrderStatus::Varied | OrderStatus::Renewed) {
        return Err(ServiceError::Conflict {
            code: "variation_required",
            detail: "a variation or renewal changes the order's terms: record it with POST /api/v1/orders/{id}/variations".into(),
        });
    }
    let mut errors = FieldErrors::default();
    let reason = status_reason(&mut errors, input.reason.as_deref());
    errors.finish()?;
    let txn = tx::begin_write(&ctx.writer).await?;
    apply_status(&txn, ctx, caller, id, input.version, input.status, reason, None, &[], now).await?;
    let view = read::view(&txn, &ctx.crypto, read::find(&txn, id).await?, caller.can(Permission::ProtectedPersonRead)).await?;
    txn.commit().await?;
    Ok(view)
}

/// The status change itself, in the caller's transaction: the version must still be the one
/// read, the transition must be legal; it is recorded, audited (with `extra_ids`, e.g. the
/// approval that authorised it) and closes obligations when the order stops being in force:
/// from `effective_at` when the change took legal effect before it was recorded (a discharge
/// recorded days after the hearing), so that nothing due after it becomes a breach.
#[allow(clippy::too_many_arguments)]
pub async fn apply_status(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    caller: &Caller,
    id: OrderId,
    version: i32,
    status: OrderStatus,
    reason: Option<String>,
    effective_at: Option<DateTime<Utc>>,
    extra_ids: &[Uuid],
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let permission = if status == OrderStatus::Discharged { Permission::OrderDischarge } else { Permission::OrderWrite };
    caller.require(permission)?;
    let (found, owner) = for_change(txn, caller, id, version).await?;
    let current = found.status;
    if !current.can_become(status) {
        return Err(ServiceError::Conflict {
            code: "illegal_transition",
            detail: format!("an order that is {current} cannot become {status}"),
        });
    }
    bump(txn, id, version, now, |u| u.col_expr(order::Column::Status, Expr::value(status.as_str()))).await?;
    let change_id = Uuid::now_v7();
    let change = order_status_change::ActiveModel {
        id: Set(change_id),
        order_id: Set(id),
        from_status: Set(current),
        to_status: Set(status),
        reason_sealed: Set(reason.map(|r| ctx.crypto.seal_str(columns::ORDER_STATUS_REASON, change_id, &r)).transpose()?),
        changed_by: Set(caller.subject.clone()),
        changed_role: Set(Some(caller.role_for(permission))),
        changed_at: Set(now),
        effective_at: Set(effective_at),
    };
    order_status_change::Entity::insert(change).exec_without_returning(txn).await?;
    if !status.is_in_force() {
        let from = effective_at.map_or_else(|| calendar::local_date(now), calendar::local_date);
        jobs::displaced::resume_after(txn, &found, from, now).await?;
    }
    match (status.is_in_force(), effective_at) {
        (true, _) => {}
        (false, Some(at)) => {
            let reason = format!("The order was {status} with effect from {}.", calendar::local_date(at));
            let ending = duties::Ending { at, reason: &reason, successor: None };
            duties::end_for_order(txn, &ctx.crypto, id, &ending, &caller.subject, now).await?;
        }
        (false, None) => {
            duties::close_for_order(txn, &ctx.crypto, id, &caller.subject, now).await?;
        }
    }
    let operation = if status == OrderStatus::Discharged { "order.discharge" } else { "order.status.change" };
    let mut ids = vec![id.uuid(), owner.id.uuid(), change_id.uuid()];
    ids.extend_from_slice(extra_ids);
    audit::record(txn, &ctx.crypto, caller, now, entry(Action::Alteration, operation, permission, &ids)).await?;
    Ok(())
}

/// The order and its registrant, for a change by `caller` at `version`.
pub async fn for_approval(conn: &impl ConnectionTrait, caller: &Caller, id: OrderId, version: i32) -> ServiceResult<registrant::Model> {
    Ok(for_change(conn, caller, id, version).await?.1)
}

/// Applies a change guarded by the version the caller read; a concurrent change answers 409.
async fn bump(
    conn: &impl ConnectionTrait,
    id: OrderId,
    version: i32,
    now: DateTime<Utc>,
    change: impl FnOnce(sea_orm::UpdateMany<order::Entity>) -> sea_orm::UpdateMany<order::Entity>,
) -> ServiceResult<()> {
    let update = order::Entity::update_many()
        .col_expr(order::Column::Version, Expr::col(order::Column::Version).add(1))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Version.eq(version));
    if change(update).exec(conn).await?.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    Ok(())
}
