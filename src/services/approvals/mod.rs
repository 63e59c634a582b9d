//! Four-eyes actions (DESIGN §5): discharging an order ends a victim's protection, erasing a
//! registrant destroys a record, and merging two records (or undoing a merge) moves one person's
//! whole history, so none is done by one person. A supervisor requests the
//! action with a reason and the version of the record they saw; a different supervisor of the
//! managing organisation approves it, and the action is applied in the approval's own
//! transaction, or rejects it. Both steps need a recent authentication (step-up, `auth_time`
//! within [`crate::auth::STEP_UP`]) and both are audited; the applied change's audit entry names the
//! approval, which names the requester.
//!
//! A request waits [`PENDING_HOURS`] and then lapses. If the record changed after the request,
//! approving it fails with `stale_version` and the request should be rejected and made again:
//! the second person must approve what the first one saw.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{ApprovalId, OrderId, RecordId, RegistrantId};
use entities::approval;
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod views;

pub use self::views::ApprovalView;
use self::views::{view, views};
use super::audit::{self, Action, Entry, Outcome};
use super::registrants::erase;
use super::registrants::read as registrants;
use super::{Ctx, ServiceError, ServiceResult, merges, orders, tx};
use crate::auth::{AccessError, Caller, Permission};
use crate::crypto::columns;
use domain::calendar;
use domain::errors::FieldErrors;
use domain::vocab::OrderStatus;
pub use domain::vocab::{ApprovalAction, ApprovalStatus, Decision};

/// Erasure, discharge and key operations need an authentication at most this old.
/// A request lapses if nobody decides it within this.
pub const PENDING_HOURS: i64 = 72;

fn permission(action: ApprovalAction) -> Permission {
    match action {
        ApprovalAction::OrderDischarge => Permission::OrderDischarge,
        ApprovalAction::RegistrantErasure => Permission::RegistrantErase,
        ApprovalAction::RegistrantMerge | ApprovalAction::RegistrantUnmerge => Permission::RegistrantMerge,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"action": "order.discharge", "target_id": "0190a1b2-0000-7000-8000-00000000e0a1", "version": 1, "reason": "Discharged by the court on appeal (synthetic example)."})))]
pub struct ApprovalRequestInput {
    pub action: ApprovalAction,
    /// The order (discharge), the registrant (erasure), or the confirmed duplicate pair (merge
    /// and unmerge: the record added later is merged into the one already on the register).
    pub target_id: Uuid,
    /// The version of the order, registrant or duplicate pair you read.
    pub version: i32,
    /// Why: the court's discharge, the quashed conviction... (sealed).
    pub reason: String,
    /// Discharge only: the day the court's discharge took effect, when that was before the
    /// approval (duties due from then were not owed). Default: when it is approved.
    #[serde(default)]
    pub effective_on: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"decision": "approve", "version": 1, "reason": "Checked against the court record."})))]
pub struct ApprovalDecisionInput {
    pub decision: Decision,
    /// The approval's version you read.
    pub version: i32,
    pub reason: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApprovalFilter {
    pub status: Option<ApprovalStatus>,
}

fn reason(errors: &mut FieldErrors, field: &str, value: Option<&str>, required: bool) -> Option<String> {
    let text = value.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        if required {
            errors.push(field, "required", "give the reason for the record");
        }
        return None;
    }
    if text.chars().count() > 2000 {
        errors.push(field, "too_long", "must be at most 2000 characters");
        return None;
    }
    Some(text.to_owned())
}

fn entry<'a>(operation: &'static str, permission: Permission, ids: &'a [Uuid]) -> Entry<'a> {
    Entry { action: Action::Alteration, operation, permission, record_type: "approval", record_ids: ids, outcome: Outcome::Success }
}

/// Asks for a four-eyes action.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn request(ctx: &Ctx, caller: &Caller, input: ApprovalRequestInput, now: DateTime<Utc>) -> ServiceResult<ApprovalView> {
    let permission = permission(input.action);
    caller.require(permission)?;
    caller.require_recent_auth(now, crate::auth::STEP_UP)?;
    let mut errors = FieldErrors::default();
    let why = reason(&mut errors, "reason", Some(&input.reason), true);
    if input.effective_on.is_some() && input.action != ApprovalAction::OrderDischarge {
        errors.push("effective_on", "not_applicable", "give effective_on only for a discharge");
    }
    errors.finish()?;

    let txn = tx::begin_write(&ctx.writer).await?;
    let org = match input.action {
        ApprovalAction::OrderDischarge => {
            let owner = orders::for_approval(&txn, caller, OrderId::from(input.target_id), input.version).await?;
            let order = orders::read::find(&txn, OrderId::from(input.target_id)).await?;
            let current = order.status;
            if !current.can_become(OrderStatus::Discharged) {
                return Err(ServiceError::Conflict {
                    code: "illegal_transition",
                    detail: format!("an order that is {current} cannot be discharged"),
                });
            }
            if let Some(day) = input.effective_on {
                domain::orders::check_discharge(order.made_on, order.expires_on, day, calendar::local_date(now))
                    .map_err(|e| ServiceError::Invalid(FieldErrors(vec![e])))?;
            }
            owner.managing_org
        }
        ApprovalAction::RegistrantErasure => {
            let found = registrants::find(&txn, RegistrantId::from(input.target_id)).await?;
            caller.require_managing(&found.managing_org)?;
            if found.version != input.version {
                return Err(ServiceError::stale());
            }
            found.managing_org
        }
        ApprovalAction::RegistrantMerge | ApprovalAction::RegistrantUnmerge => {
            let merge = input.action == ApprovalAction::RegistrantMerge;
            merges::for_request(&txn, caller, input.target_id, input.version, merge).await?
        }
    };
    let pending_key = format!("{}:{}", input.action, input.target_id);
    let already = approval::Entity::find().filter(approval::Column::PendingKey.eq(&pending_key)).one(&txn).await?;
    if already.is_some() {
        return Err(ServiceError::Conflict {
            code: "approval_pending",
            detail: "this action is already waiting for a second person".into(),
        });
    }
    let id = ApprovalId::generate();
    let model = approval::ActiveModel {
        id: Set(id),
        action: Set(input.action),
        target_id: Set(input.target_id),
        target_version: Set(input.version),
        org: Set(org),
        status: Set(ApprovalStatus::Pending),
        pending_key: Set(Some(pending_key)),
        reason_sealed: Set(ctx.crypto.seal_str(columns::APPROVAL_REASON, id, why.as_deref().unwrap_or_default())?),
        requested_by_issuer: Set(caller.issuer.clone()),
        requested_by_subject: Set(caller.subject.clone()),
        requested_role: Set(caller.role_for(permission)),
        requested_at: Set(now),
        expires_at: Set(now + chrono::Duration::hours(PENDING_HOURS)),
        decided_by_issuer: Set(None),
        decided_by_subject: Set(None),
        decided_role: Set(None),
        decided_at: Set(None),
        decision_reason_sealed: Set(None),
        effective_on: Set(input.effective_on),
        version: Set(1),
    };
    approval::Entity::insert(model).exec_without_returning(&txn).await?;
    audit::record(&txn, &ctx.crypto, caller, now, entry("approval.request", permission, &[id.uuid(), input.target_id.uuid()])).await?;
    let view = view(&txn, ctx, approval::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("approval"))?).await?;
    txn.commit().await?;
    Ok(view)
}

/// Approves (and applies) or rejects a pending request. The decider must be someone else.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn decide(
    ctx: &Ctx,
    caller: &Caller,
    id: ApprovalId,
    input: ApprovalDecisionInput,
    now: DateTime<Utc>,
) -> ServiceResult<ApprovalView> {
    let mut errors = FieldErrors::default();
    let why = reason(&mut errors, "reason", input.reason.as_deref(), input.decision == Decision::Reject);
    errors.finish()?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let found = approval::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("approval"))?;
    let action = found.action;
    let permission = permission(action);
    caller.require(permission)?;
    // Another organisation's requests do not exist for this caller.
    if found.org != caller.org {
        return Err(ServiceError::NotFound("approval"));
    }
    caller.require_recent_auth(now, crate::auth::STEP_UP)?;
    if found.requested_by_issuer == caller.issuer && found.requested_by_subject == caller.subject {
        return Err(AccessError::SamePerson.into());
    }
    if found.status != ApprovalStatus::Pending {
        return Err(ServiceError::Conflict { code: "already_decided", detail: format!("this request is already {}", found.status) });
    }
    if found.version != input.version {
        return Err(ServiceError::stale());
    }
    if found.expires_at <= now {
        close(&txn, &found, ApprovalStatus::Expired, None, None, now).await?;
        txn.commit().await?;
        return Err(ServiceError::Conflict { code: "approval_expired", detail: "the request lapsed; make it again".into() });
    }
    let status = if input.decision == Decision::Approve { ApprovalStatus::Approved } else { ApprovalStatus::Rejected };
    let sealed = why.map(|r| ctx.crypto.seal_str(columns::APPROVAL_DECISION_REASON, id, &r)).transpose()?;
    close(&txn, &found, status, Some((caller, permission)), sealed, now).await?;
    if status == ApprovalStatus::Approved {
        match action {
            ApprovalAction::OrderDischarge => {
                let requested = ctx.crypto.open_str(columns::APPROVAL_REASON, id, &found.reason_sealed)?;
                let target = OrderId::from(found.target_id);
                orders::apply_status(
                    &txn,
                    ctx,
                    caller,
                    target,
                    found.target_version,
                    OrderStatus::Discharged,
                    Some(requested),
                    found.effective_on.map(calendar::start_of_day),
                    &[id.uuid()],
                    now,
                )
                .await?;
            }
            ApprovalAction::RegistrantErasure => {
                let current = registrants::find(&txn, RegistrantId::from(found.target_id)).await?;
                if current.version != found.target_version {
                    return Err(ServiceError::stale());
                }
                erase::erase(&txn, RegistrantId::from(found.target_id)).await?;
                let ids = [found.target_id.uuid(), id.uuid()];
                let erased = Entry {
                    action: Action::Erasure,
                    operation: "registrant.erase",
                    permission,
                    record_type: "registrant",
                    record_ids: &ids,
                    outcome: Outcome::Success,
                };
                audit::record(&txn, &ctx.crypto, caller, now, erased).await?;
            }
            ApprovalAction::RegistrantMerge | ApprovalAction::RegistrantUnmerge => {
                let (target, version) = (found.target_id, found.target_version);
                let (mut ids, operation) = if action == ApprovalAction::RegistrantMerge {
                    (merges::merge(&txn, &ctx.crypto, target, version, now).await?, "registrant.merge")
                } else {
                    (merges::unmerge(&txn, &ctx.crypto, target, version, now).await?, "registrant.unmerge")
                };
                ids.push(id.uuid());
                let combined = Entry {
                    action: Action::Combination,
                    operation,
                    permission,
                    record_type: "registrant",
                    record_ids: &ids,
                    outcome: Outcome::Success,
                };
                audit::record(&txn, &ctx.crypto, caller, now, combined).await?;
            }
        }
    }
    let operation = if status == ApprovalStatus::Approved { "approval.approve" } else { "approval.reject" };
    audit::record(&txn, &ctx.crypto, caller, now, entry(operation, permission, &[id.uuid(), found.target_id.uuid()])).await?;
    let view = view(&txn, ctx, approval::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("approval"))?).await?;
    txn.commit().await?;
    Ok(view)
}

/// Ends a pending request, conditionally, so two deciders cannot both succeed.
async fn close(
    txn: &impl ConnectionTrait,
    found: &approval::Model,
    status: ApprovalStatus,
    decider: Option<(&Caller, Permission)>,
    reason_sealed: Option<Vec<u8>>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut update = approval::Entity::update_many()
        .col_expr(approval::Column::Status, Expr::value(status.as_str()))
        .col_expr(approval::Column::PendingKey, Expr::value(Option::<String>::None))
        .col_expr(approval::Column::Version, Expr::col(approval::Column::Version).add(1))
        .col_expr(approval::Column::DecidedAt, Expr::value(now));
    if let Some((caller, permission)) = decider {
        update = update
            .col_expr(approval::Column::DecidedByIssuer, Expr::value(caller.issuer.clone()))
            .col_expr(approval::Column::DecidedBySubject, Expr::value(caller.subject.clone()))
            .col_expr(approval::Column::DecidedRole, Expr::value(caller.role_for(permission).as_str()))
            .col_expr(approval::Column::DecisionReasonSealed, Expr::value(reason_sealed));
    }
    let done = update
        .filter(approval::Column::Id.eq(found.id))
        .filter(approval::Column::Version.eq(found.version))
        .filter(approval::Column::Status.eq(ApprovalStatus::Pending))
        .exec(txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ServiceError::stale());
    }
    Ok(())
}

/// The organisation's requests, newest first (pending ones by default). Reasons can describe
/// people, so reading them is an audited consultation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn list(ctx: &Ctx, caller: &Caller, filter: ApprovalFilter, now: DateTime<Utc>) -> ServiceResult<Vec<ApprovalView>> {
    may_see_approvals(caller)?;
    let status = filter.status.unwrap_or(ApprovalStatus::Pending);
    let snapshot = tx::begin_read(&ctx.db).await?;
    let rows = approval::Entity::find()
        .filter(approval::Column::Org.eq(&caller.org))
        .filter(approval::Column::Status.eq(status))
        .order_by_desc(approval::Column::RequestedAt)
        .limit(200)
        .all(&snapshot)
        .await?;
    snapshot.commit().await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.uuid()).collect();
    let consulted = Entry {
        action: Action::Consultation,
        operation: "approval.list",
        permission: Permission::OrderDischarge,
        record_type: "approval",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, consulted).await?;
    views(&ctx.db, ctx, rows).await
}

fn may_see_approvals(caller: &Caller) -> ServiceResult<()> {
    if ![Permission::OrderDischarge, Permission::RegistrantErase, Permission::RegistrantMerge].into_iter().any(|p| caller.can(p)) {
        return Err(AccessError::Forbidden(Permission::OrderDischarge).into());
    }
    Ok(())
}

/// One request of the caller's organisation (any status), for the page that decides it. Its
/// reasons can describe people, so reading it is an audited consultation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: ApprovalId, now: DateTime<Utc>) -> ServiceResult<ApprovalView> {
    may_see_approvals(caller)?;
    let found = approval::Entity::find_by_id(id).one(&ctx.db).await?.ok_or(ServiceError::NotFound("approval"))?;
    // Another organisation's requests do not exist for this caller.
    if found.org != caller.org {
        return Err(ServiceError::NotFound("approval"));
    }
    let ids = [id.uuid(), found.target_id];
    let consulted = Entry {
        action: Action::Consultation,
        operation: "approval.read",
        permission: permission(found.action),
        record_type: "approval",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, consulted).await?;
    view(&ctx.db, ctx, found).await
}

/// How many of the organisation's pending requests, still in time, wait for a decision the
/// caller may make (someone else asked). A count says nothing about anyone, so it is not
/// audited: the home page shows it on every visit.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn waiting(ctx: &Ctx, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<u64> {
    may_see_approvals(caller)?;
    let mine = sea_orm::Condition::all()
        .add(approval::Column::RequestedByIssuer.eq(&caller.issuer))
        .add(approval::Column::RequestedBySubject.eq(&caller.subject));
    Ok(approval::Entity::find()
        .filter(approval::Column::Org.eq(&caller.org))
        .filter(approval::Column::Status.eq(ApprovalStatus::Pending))
        .filter(approval::Column::ExpiresAt.gt(now))
        .filter(sea_orm::Condition::not(mine))
        .count(&ctx.db)
        .await?)
}
