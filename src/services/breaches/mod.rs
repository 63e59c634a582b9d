//! Breach use cases: an officer records a breach, breaches are listed and read, and enforcement
//! decisions are recorded against them with who decided and why. Breaches detected from missed
//! occurrences are written by the detection job into the same table.

pub mod context;
pub mod input;
pub mod views;

use chrono::{DateTime, Utc};
use domain::ids::{BreachId, ConditionId, OccurrenceId, OrderId, RecordId, RegistrantId};
use entities::{breach, enforcement_decision, obligation, occurrence, order, order_condition, registrant};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use uuid::Uuid;

use self::input::{DecisionInput, NewBreachInput};
use self::views::*;
use super::audit::{self, Action, Entry, Outcome};
use super::registrants::read::{self as registrants};
use super::{Ctx, ServiceError, ServiceResult, tx};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use domain::errors::FieldErrors;
use domain::vocab::{BreachSource, BreachStatus};

const RECORD: &str = "breach";

fn entry<'a>(action: Action, operation: &'static str, permission: Permission, ids: &'a [Uuid]) -> Entry<'a> {
    Entry { action, operation, permission, record_type: RECORD, record_ids: ids, outcome: Outcome::Success }
}

/// Records a breach reported by an officer of the registrant's managing organisation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    body: NewBreachInput,
    now: DateTime<Utc>,
) -> ServiceResult<BreachView> {
    caller.require(Permission::BreachWrite)?;
    let summary = input::summary(&body)?;
    let owner = registrants::writable(&ctx.db, caller, registrant_id).await?;
    let refs = references(&ctx.db, registrant_id, &body).await?;

    let txn = tx::begin_write(&ctx.writer).await?;
    let id = BreachId::generate();
    let model = breach::ActiveModel {
        id: Set(id),
        registrant_id: Set(registrant_id),
        occurrence_id: Set(refs.occurrence_id),
        order_id: Set(refs.order_id),
        condition_id: Set(refs.condition_id),
        source: Set(BreachSource::Officer),
        status: Set(BreachStatus::Open),
        summary_sealed: Set(Some(ctx.crypto.seal_str(columns::BREACH_SUMMARY, id, &summary)?)),
        recorded_by: Set(Some(caller.subject.clone())),
        managing_org: Set(owner.managing_org.clone()),
        detected_at: Set(now),
        version: Set(1),
        created_at: Set(now),
        report_id: Set(None),
        withdrawal_reason_sealed: Set(None),
        withdrawn_by: Set(None),
        withdrawn_at: Set(None),
    };
    breach::Entity::insert(model).exec_without_returning(&txn).await?;
    let mut ids = vec![id.uuid(), registrant_id.uuid()];
    ids.extend(
        [refs.order_id.map(|i| i.uuid()), refs.condition_id.map(|i| i.uuid()), refs.occurrence_id.map(|i| i.uuid())].into_iter().flatten(),
    );
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Collection, "breach.create", Permission::BreachWrite, &ids)).await?;
    let view = view(&txn, ctx, find(&txn, id).await?, now).await?;
    txn.commit().await?;
    Ok(view)
}

struct References {
    order_id: Option<OrderId>,
    condition_id: Option<ConditionId>,
    occurrence_id: Option<OccurrenceId>,
}

/// Every referenced record must be this registrant's. A missing order or condition is taken
/// from the more specific reference (an occurrence's obligation, a condition's order).
async fn references(conn: &impl ConnectionTrait, registrant_id: RegistrantId, body: &NewBreachInput) -> ServiceResult<References> {
    let mut errors = FieldErrors::default();
    let mut refs = References { order_id: body.order_id, condition_id: body.condition_id, occurrence_id: body.occurrence_id };
    if let Some(id) = body.occurrence_id {
        match occurrence::Entity::find_by_id(id).one(conn).await? {
            Some(occ) if occ.registrant_id == registrant_id => {
                if breach::Entity::find().filter(breach::Column::OccurrenceId.eq(id)).count(conn).await? > 0 {
                    return Err(ServiceError::Conflict {
                        code: "breach_exists",
                        detail: "a breach is already recorded for this occurrence".into(),
                    });
                }
                if let Some(ob) = obligation::Entity::find_by_id(occ.obligation_id).one(conn).await? {
                    refs.order_id = refs.order_id.or(ob.order_id);
                    refs.condition_id = refs.condition_id.or(ob.condition_id);
                }
            }
            _ => errors.push("occurrence_id", "not_this_registrant", "is not an occurrence of this registrant"),
        }
    }
    if let Some(id) = body.condition_id {
        let condition = order_condition::Entity::find_by_id(id).one(conn).await?;
        let parent = match &condition {
            Some(c) => order::Entity::find_by_id(c.order_id).one(conn).await?,
            None => None,
        };
        match (condition, parent) {
            (Some(c), Some(o)) if o.registrant_id == registrant_id && body.order_id.is_none_or(|given| given == c.order_id) => {
                refs.order_id = refs.order_id.or(Some(c.order_id));
            }
            _ => errors.push("condition_id", "not_this_registrant", "is not a condition of this registrant's order"),
        }
    }
    if let Some(id) = body.order_id
        && order::Entity::find_by_id(id).one(conn).await?.is_none_or(|o| o.registrant_id != registrant_id)
    {
        errors.push("order_id", "not_this_registrant", "is not an order of this registrant");
    }
    errors.finish()?;
    Ok(refs)
}

pub struct ListFilter {
    pub status: Option<BreachStatus>,
    pub registrant_id: Option<RegistrantId>,
    /// Defaults to the caller's organisation.
    pub managing_org: Option<String>,
    pub after: Option<Uuid>,
    pub limit: u64,
}

/// Lists breaches managed by one organisation (the caller's unless another is asked for), in
/// recording order with keyset paging.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn list(ctx: &Ctx, caller: &Caller, filter: ListFilter, now: DateTime<Utc>) -> ServiceResult<BreachPage> {
    caller.require(Permission::BreachRead)?;
    let org = filter.managing_org.unwrap_or_else(|| caller.org.clone());
    let mut condition = Condition::all().add(breach::Column::ManagingOrg.eq(org));
    if let Some(status) = filter.status {
        condition = condition.add(breach::Column::Status.eq(status));
    }
    if let Some(registrant_id) = filter.registrant_id {
        condition = condition.add(breach::Column::RegistrantId.eq(registrant_id));
    }
    if let Some(after) = filter.after {
        condition = condition.add(breach::Column::Id.gt(after));
    }
    let txn = tx::begin_write(&ctx.writer).await?;
    let rows = breach::Entity::find().filter(condition).order_by_asc(breach::Column::Id).limit(filter.limit + 1).all(&txn).await?;
    let has_more = rows.len() as u64 > filter.limit;
    let rows: Vec<_> = rows.into_iter().take(filter.limit as usize).collect();
    let references = registrant_references(&txn, rows.iter().map(|b| b.registrant_id)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for b in rows {
        items.push(BreachSummary {
            registrant_reference: reference_of(&references, b.registrant_id),
            source: b.source,
            status: b.status,
            id: b.id,
            registrant_id: b.registrant_id,
            order_id: b.order_id,
            occurrence_id: b.occurrence_id,
            managing_org: b.managing_org,
            detected_at: b.detected_at,
            version: b.version,
        });
    }
    let ids: Vec<Uuid> = items.iter().map(|b| b.id.uuid()).collect();
    if !ids.is_empty() {
        audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Consultation, "breach.list", Permission::BreachRead, &ids)).await?;
    }
    txn.commit().await?;
    let next_after = if has_more { ids.last().copied() } else { None };
    Ok(BreachPage { items, next_after })
}

/// One breach with its summary and enforcement decisions.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: BreachId, now: DateTime<Utc>) -> ServiceResult<BreachView> {
    caller.require(Permission::BreachRead)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let found = find(&txn, id).await?;
    let ids = [id.uuid(), found.registrant_id.uuid()];
    let view = view(&txn, ctx, found, now).await?;
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Consultation, "breach.read", Permission::BreachRead, &ids)).await?;
    txn.commit().await?;
    Ok(view)
}

/// Records an enforcement decision; the breach becomes `decided`. Later decisions (a warning,
/// then a return to court) are added to the same breach.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn decide(ctx: &Ctx, caller: &Caller, id: BreachId, body: DecisionInput, now: DateTime<Utc>) -> ServiceResult<BreachView> {
    caller.require(Permission::BreachWrite)?;
    let reason = input::reason(&body)?;

    let txn = tx::begin_write(&ctx.writer).await?;
    let found = find(&txn, id).await?;
    caller.require_managing(&found.managing_org)?;
    if found.status == BreachStatus::Withdrawn {
        return Err(ServiceError::Conflict { code: "withdrawn", detail: "the breach was withdrawn: its outcome was corrected".into() });
    }
    let updated = breach::Entity::update_many()
        .col_expr(breach::Column::Status, Expr::value(BreachStatus::Decided.as_str()))
        .col_expr(breach::Column::Version, Expr::col(breach::Column::Version).add(1))
        .filter(breach::Column::Id.eq(id))
        .filter(breach::Column::Version.eq(body.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    let decision_id = Uuid::now_v7();
    let decision = enforcement_decision::ActiveModel {
        id: Set(decision_id),
        breach_id: Set(id),
        action: Set(body.action),
        reason_sealed: Set(ctx.crypto.seal_str(columns::DECISION_REASON, decision_id, &reason)?),
        decided_by: Set(caller.subject.clone()),
        decided_role: Set(caller.role_for(Permission::BreachWrite)),
        decided_at: Set(now),
    };
    enforcement_decision::Entity::insert(decision).exec_without_returning(&txn).await?;
    let ids = [id.uuid(), decision_id.uuid(), found.registrant_id.uuid()];
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Collection, "breach.decision", Permission::BreachWrite, &ids)).await?;
    let view = view(&txn, ctx, find(&txn, id).await?, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// An officer of the managing organisation acknowledges an open breach: it has been seen and is
/// being dealt with. Detected breaches start open; acknowledging stops them nagging.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn acknowledge(ctx: &Ctx, caller: &Caller, id: BreachId, version: i32, now: DateTime<Utc>) -> ServiceResult<BreachView> {
    caller.require(Permission::BreachWrite)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let found = find(&txn, id).await?;
    caller.require_managing(&found.managing_org)?;
    if found.status != BreachStatus::Open {
        return Err(ServiceError::Conflict { code: "not_open", detail: "only an open breach can be acknowledged".into() });
    }
    let updated = breach::Entity::update_many()
        .col_expr(breach::Column::Status, Expr::value(BreachStatus::Acknowledged.as_str()))
        .col_expr(breach::Column::Version, Expr::col(breach::Column::Version).add(1))
        .filter(breach::Column::Id.eq(id))
        .filter(breach::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    let ids = [id.uuid(), found.registrant_id.uuid()];
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Alteration, "breach.acknowledge", Permission::BreachWrite, &ids)).await?;
    let view = view(&txn, ctx, find(&txn, id).await?, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// The breach recorded for a missed occurrence of a registrant, if any: the page that records a
/// failed outcome takes the officer straight to it. Ids only; the breach's own read is audited.
pub async fn for_occurrence(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    occurrence_id: OccurrenceId,
    _now: DateTime<Utc>,
) -> ServiceResult<Option<BreachId>> {
    caller.require(Permission::BreachRead)?;
    let found = breach::Entity::find()
        .filter(breach::Column::RegistrantId.eq(registrant_id))
        .filter(breach::Column::OccurrenceId.eq(occurrence_id))
        .one(&ctx.db)
        .await?;
    Ok(found.map(|b| b.id))
}

/// Which registrant a breach is about, for links that name only the breach (an alert). Ids
/// only, as in the list; the breach's own read is audited.
pub async fn registrant_of(ctx: &Ctx, caller: &Caller, id: BreachId) -> ServiceResult<RegistrantId> {
    caller.require(Permission::BreachRead)?;
    Ok(find(&ctx.db, id).await?.registrant_id)
}

async fn find(conn: &impl ConnectionTrait, id: BreachId) -> ServiceResult<breach::Model> {
    breach::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("breach"))
}

async fn registrant_references(
    conn: &impl ConnectionTrait,
    ids: impl Iterator<Item = RegistrantId>,
) -> ServiceResult<Vec<(RegistrantId, String)>> {
    let mut ids: Vec<RegistrantId> = ids.collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = registrant::Entity::find().filter(registrant::Column::Id.is_in(ids)).all(conn).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.reference)).collect())
}

fn reference_of(references: &[(RegistrantId, String)], id: RegistrantId) -> String {
    references.iter().find(|(owner, _)| *owner == id).map(|(_, r)| r.clone()).unwrap_or_default()
}

async fn view(conn: &impl ConnectionTrait, ctx: &Ctx, b: breach::Model, now: DateTime<Utc>) -> ServiceResult<BreachView> {
    let context = context::of(conn, &ctx.crypto, &b, now).await?;
    let decisions = enforcement_decision::Entity::find()
        .filter(enforcement_decision::Column::BreachId.eq(b.id))
        .order_by_asc(enforcement_decision::Column::Id)
        .all(conn)
        .await?;
    let mut decision_views = Vec::with_capacity(decisions.len());
    for d in decisions {
        decision_views.push(DecisionView {
            id: d.id,
            action: d.action,
            reason: ctx.crypto.open_str(columns::DECISION_REASON, d.id, &d.reason_sealed)?,
            decided_by: d.decided_by,
            decided_role: d.decided_role,
            decided_at: d.decided_at,
        });
    }
    let references = registrant_references(conn, std::iter::once(b.registrant_id)).await?;
    Ok(BreachView {
        registrant_reference: reference_of(&references, b.registrant_id),
        source: b.source,
        status: b.status,
        summary: b.summary_sealed.as_deref().map(|s| ctx.crypto.open_str(columns::BREACH_SUMMARY, b.id, s)).transpose()?,
        id: b.id,
        registrant_id: b.registrant_id,
        order_id: b.order_id,
        condition_id: b.condition_id,
        occurrence_id: b.occurrence_id,
        recorded_by: b.recorded_by,
        managing_org: b.managing_org,
        detected_at: b.detected_at,
        decisions: decision_views,
        withdrawal: match (&b.withdrawal_reason_sealed, &b.withdrawn_by, b.withdrawn_at) {
            (Some(sealed), Some(by), Some(at)) => Some(WithdrawalView {
                reason: ctx.crypto.open_str(columns::BREACH_WITHDRAWAL_REASON, b.id, sealed)?,
                withdrawn_by: by.clone(),
                withdrawn_at: at,
            }),
            _ => None,
        },
        context,
        version: b.version,
        created_at: b.created_at,
    })
}
