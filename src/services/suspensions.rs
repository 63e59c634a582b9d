//! Suspensions: custody, hospital detention or time abroad pause a registrant's clocks. While a
//! suspension is open the detection job leaves duties falling inside it pending and the
//! materialising job creates no sessions inside it. When it ends, notification duties that fell
//! due inside it are re-timed to 3 days beginning with the day it ended (the registrant must
//! notify promptly on release or return), and sessions inside it are excused.

use chrono::{DateTime, Utc};
use domain::ids::{RecordId, RegistrantId, SuspensionId};
use entities::{obligation, occurrence, suspension};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::registrants::read as registrants;
use super::{Ctx, ServiceError, ServiceResult, tx};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use domain::calendar;
use domain::errors::FieldErrors;
use domain::vocab::OccurrenceStatus;
use domain::vocab::{RegistrantStatus, SuspensionKind};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"kind": "custody", "starts_at": "2026-02-02T09:00:00Z"})))]
pub struct NewSuspensionInput {
    pub kind: SuspensionKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"ends_at": "2026-03-16T12:00:00Z"})))]
pub struct EndSuspensionInput {
    pub ends_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct SuspensionView {
    pub id: SuspensionId,
    pub registrant_id: RegistrantId,
    pub kind: SuspensionKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Notification duties re-timed and sessions excused when the suspension ended.
    pub retimed: u64,
    pub excused: u64,
}

const NOTIFICATION_KINDS: [&str; 4] = ["initial_notification", "change_notification", "annual_notification", "weekly_notification"];

fn entry<'a>(action: Action, operation: &'static str, ids: &'a [Uuid]) -> Entry<'a> {
    Entry {
        action,
        operation,
        permission: Permission::SuspensionWrite,
        record_type: "registrant",
        record_ids: ids,
        outcome: Outcome::Success,
    }
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    input: NewSuspensionInput,
    now: DateTime<Utc>,
) -> ServiceResult<SuspensionView> {
    caller.require(Permission::SuspensionWrite)?;
    if input.ends_at.is_some_and(|end| end < input.starts_at) {
        return Err(FieldErrors::single("ends_at", "before_start", "must not be before starts_at").into());
    }
    let txn = tx::begin_write(&ctx.writer).await?;
    registrants::writable(&txn, caller, registrant_id).await?;
    let id = SuspensionId::generate();
    suspension::Entity::insert(suspension::ActiveModel {
        id: Set(id),
        registrant_id: Set(registrant_id),
        kind: Set(input.kind),
        starts_at: Set(input.starts_at),
        ends_at: Set(None),
        recorded_by: Set(caller.subject.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let (retimed, excused) = match input.ends_at {
        Some(end) => close(&txn, ctx, id, registrant_id, input.starts_at, end, now).await?,
        None => (0, 0),
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Collection, "suspension.create", &[registrant_id.uuid(), id.uuid()]))
        .await?;
    txn.commit().await?;
    Ok(SuspensionView { id, registrant_id, kind: input.kind, starts_at: input.starts_at, ends_at: input.ends_at, retimed, excused })
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn end(
    ctx: &Ctx,
    caller: &Caller,
    id: SuspensionId,
    input: EndSuspensionInput,
    now: DateTime<Utc>,
) -> ServiceResult<SuspensionView> {
    caller.require(Permission::SuspensionWrite)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let found = suspension::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("suspension"))?;
    let owner = registrants::find(&txn, found.registrant_id).await?;
    caller.require_managing(&owner.managing_org)?;
    if found.ends_at.is_some() {
        return Err(ServiceError::Conflict { code: "already_ended", detail: "the suspension has already ended".into() });
    }
    if input.ends_at < found.starts_at {
        return Err(FieldErrors::single("ends_at", "before_start", "must not be before the suspension started").into());
    }
    let (retimed, excused) = close(&txn, ctx, id, found.registrant_id, found.starts_at, input.ends_at, now).await?;
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Alteration, "suspension.end", &[found.registrant_id.uuid(), id.uuid()]))
        .await?;
    txn.commit().await?;
    let kind = found.kind;
    Ok(SuspensionView {
        id,
        registrant_id: found.registrant_id,
        kind,
        starts_at: found.starts_at,
        ends_at: Some(input.ends_at),
        retimed,
        excused,
    })
}

/// A registrant's status that is a pause (custody, hospital, abroad) opens a suspension of that
/// kind from `now` if none of that kind is open; leaving that status ends the open one at `now`,
/// re-timing the notification duties that fell inside it. In the caller's transaction; returns
/// the suspensions opened or ended, for the audit entry.
pub async fn follow_status(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    (from, to): (RegistrantStatus, RegistrantStatus),
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let mut touched = Vec::new();
    let open_of = |kind: SuspensionKind| {
        suspension::Entity::find()
            .filter(suspension::Column::RegistrantId.eq(registrant_id))
            .filter(suspension::Column::Kind.eq(kind))
            .filter(suspension::Column::EndsAt.is_null())
    };
    if let Some(kind) = from.pauses().filter(|k| to.pauses() != Some(*k)) {
        for open in open_of(kind).all(txn).await? {
            close(txn, ctx, open.id, registrant_id, open.starts_at, std::cmp::max(now, open.starts_at), now).await?;
            touched.push(open.id.uuid());
        }
    }
    if let Some(kind) = to.pauses()
        && open_of(kind).one(txn).await?.is_none()
    {
        let id = SuspensionId::generate();
        suspension::Entity::insert(suspension::ActiveModel {
            id: Set(id),
            registrant_id: Set(registrant_id),
            kind: Set(kind),
            starts_at: Set(now),
            ends_at: Set(None),
            recorded_by: Set(caller.subject.clone()),
            created_at: Set(now),
        })
        .exec_without_returning(txn)
        .await?;
        touched.push(id.uuid());
    }
    Ok(touched)
}

/// Ends the suspension and applies its effect on the duties that fell inside it.
async fn close(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    id: SuspensionId,
    registrant_id: RegistrantId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ServiceResult<(u64, u64)> {
    suspension::Entity::update_many()
        .col_expr(suspension::Column::EndsAt, Expr::value(ends_at))
        .filter(suspension::Column::Id.eq(id))
        .exec(txn)
        .await?;
    let inside = occurrence::Entity::find()
        .filter(occurrence::Column::RegistrantId.eq(registrant_id))
        .filter(occurrence::Column::Status.eq(OccurrenceStatus::Pending))
        .filter(occurrence::Column::DueAt.gte(starts_at))
        .filter(occurrence::Column::DueAt.lt(ends_at))
        .all(txn)
        .await?;
    let obligation_ids: Vec<Uuid> = inside.iter().map(|o| o.obligation_id.uuid()).collect();
    let obligations = obligation::Entity::find().filter(obligation::Column::Id.is_in(obligation_ids)).all(txn).await?;
    let new_due = calendar::end_of_days_beginning_with(calendar::local_date(ends_at), 3);
    let (mut retimed, mut excused) = (0, 0);
    for occ in inside {
        let is_notification = obligations.iter().any(|b| b.id == occ.obligation_id && NOTIFICATION_KINDS.contains(&b.kind.as_str()));
        let clash = is_notification
            && occurrence::Entity::find()
                .filter(occurrence::Column::ObligationId.eq(occ.obligation_id))
                .filter(occurrence::Column::DueAt.eq(new_due))
                .filter(occurrence::Column::Subject.eq(&occ.subject))
                .one(txn)
                .await?
                .is_some();
        if is_notification && !clash {
            occurrence::Entity::update_many()
                .col_expr(occurrence::Column::DueAt, Expr::value(new_due))
                .col_expr(occurrence::Column::Version, Expr::col(occurrence::Column::Version).add(1))
                .filter(occurrence::Column::Id.eq(occ.id))
                .exec(txn)
                .await?;
            retimed += 1;
        } else {
            let reason = if clash {
                "superseded by the duty re-timed after a suspension"
            } else {
                "registrant suspended (custody, hospital or abroad)"
            };
            occurrence::Entity::update(occurrence::ActiveModel {
                id: Set(occ.id),
                status: Set(OccurrenceStatus::Excused),
                reason_sealed: Set(Some(ctx.crypto.seal_str(columns::OCCURRENCE_REASON, occ.id, reason)?)),
                resolved_at: Set(Some(now)),
                resolved_by: Set(Some("vigil:suspension".into())),
                version: Set(occ.version + 1),
                ..Default::default()
            })
            .exec(txn)
            .await?;
            excused += 1;
        }
    }
    Ok((retimed, excused))
}

/// The registrant's open suspensions (clocks paused), oldest first: the record's pages say
/// "Clocks paused since …". Why a person is away (custody, hospital) is personal: audited.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn open_for(ctx: &Ctx, caller: &Caller, registrant_id: RegistrantId, now: DateTime<Utc>) -> ServiceResult<Vec<SuspensionView>> {
    caller.require(Permission::ObligationRead)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let owner = registrants::find(&txn, registrant_id).await?;
    if !caller.may_read_registrant(owner.supervising_org.as_deref()) {
        txn.rollback().await?;
        return Err(ServiceError::NotFound("registrant"));
    }
    let rows = suspension::Entity::find()
        .filter(suspension::Column::RegistrantId.eq(registrant_id))
        .filter(suspension::Column::EndsAt.is_null())
        .all(&txn)
        .await?;
    let mut ids = vec![registrant_id.uuid()];
    ids.extend(rows.iter().map(|s| s.id.uuid()));
    let entry = Entry {
        action: Action::Consultation,
        operation: "suspension.list",
        permission: Permission::ObligationRead,
        record_type: "registrant",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    let mut views: Vec<SuspensionView> = rows
        .into_iter()
        .map(|s| SuspensionView { id: s.id, registrant_id, kind: s.kind, starts_at: s.starts_at, ends_at: None, retimed: 0, excused: 0 })
        .collect();
    views.sort_by_key(|s| s.starts_at);
    Ok(views)
}
