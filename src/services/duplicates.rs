//! Possible duplicates on the register itself. When registrants are created or imported (by
//! this force or another), each is compared with the register by the register check's own
//! machinery (blocking keys, match profiles, the scoring model learnt from the register), and
//! every existing registrant at or above the review threshold is proposed here with the
//! explanation. Nothing is merged on its own: an officer who may decide links confirms that the
//! two records are one person, or rejects the proposal, with a reason; both are audited.
//!
//! A confirmation records the link and nothing else. Merging a confirmed pair, and undoing a
//! merge, are four-eyes actions (`services::approvals`, applied by `services::merges`).

use chrono::{DateTime, Utc};
use domain::errors::FieldErrors;
use domain::ids::{RecordId, RegistrantId};
use domain::text;
use entities::{registrant, registrant_duplicate as dup};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::blind::OWNER_REGISTRANT;
use super::checks::assess;
use super::{Ctx, ServiceError, ServiceResult, match_profiles, tx};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::linkage::score::{FieldScore, REVIEW_THRESHOLD};
use crate::linkage::{ALGORITHM_VERSION, match_profile};

pub use domain::vocab::{DuplicateDecision, DuplicateStatus};

/// A proposed (or decided) pair. Field names and agreement levels, never values.
#[derive(Serialize, ToSchema)]
pub struct DuplicateView {
    pub id: Uuid,
    /// The registrant created or imported.
    pub registrant_id: RegistrantId,
    pub registrant_reference: String,
    /// The registrant already on the register that it may duplicate.
    pub existing_id: RegistrantId,
    pub existing_reference: String,
    pub probability: f64,
    pub explanation: Vec<FieldScore>,
    pub algorithm_version: String,
    pub status: DuplicateStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"decision": "confirm", "reason": "Same date of birth and phone; one person recorded twice (synthetic example).", "version": 1})))]
pub struct DuplicateDecisionInput {
    pub decision: DuplicateDecision,
    /// Why; sealed, kept for the audit of the decision.
    pub reason: String,
    /// The version you read; a stale version is refused with 409.
    pub version: i32,
}

/// What [`propose`] proposed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Proposed {
    /// Registrants with at least one possible duplicate.
    pub registrants: usize,
    pub pairs: usize,
}

/// Compares each of `ids` (just written) with the register and proposes every existing
/// registrant at or above the review threshold. A pair already proposed either way round is
/// not proposed again.
pub async fn propose(ctx: &Ctx, ids: &[RegistrantId], now: DateTime<Utc>) -> ServiceResult<Proposed> {
    let model = ctx.register_model.get(&ctx.db, &ctx.crypto).await?;
    let mut proposed = Proposed::default();
    for chunk in ids.chunks(500) {
        let raw: Vec<Uuid> = chunk.iter().map(|id| id.uuid()).collect();
        for (id, sealed) in match_profiles::load(&ctx.db, &raw).await? {
            let plain = match_profiles::open(&ctx.crypto, id, &sealed)?;
            let Some(profile) = match_profile::Opened::read(&plain).and_then(|o| o.profile()) else { continue };
            let mut stats = assess::Stats::default();
            let own = (OWNER_REGISTRANT.to_owned(), id);
            let found = assess::agreements(&ctx.db, &ctx.crypto, &profile, &[OWNER_REGISTRANT], &own, &model, &mut stats).await?;
            let likely: Vec<_> = found.scored.into_iter().filter(|(s, _)| s.probability >= REVIEW_THRESHOLD).collect();
            if likely.is_empty() {
                continue;
            }
            let txn = tx::begin_write(&ctx.writer).await?;
            let before = proposed.pairs;
            for (score, (_, existing)) in likely {
                let either_way = Condition::any()
                    .add(dup::Column::RegistrantId.eq(id).and(dup::Column::ExistingId.eq(existing)))
                    .add(dup::Column::RegistrantId.eq(existing).and(dup::Column::ExistingId.eq(id)));
                if dup::Entity::find().filter(either_way).one(&txn).await?.is_some() {
                    continue;
                }
                let explanation = serde_json::to_string(&score.fields).map_err(|_| ServiceError::Internal("an explanation"))?;
                let row = dup::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    registrant_id: Set(RegistrantId::from(id)),
                    existing_id: Set(RegistrantId::from(existing)),
                    probability: Set(score.probability),
                    explanation: Set(explanation),
                    algorithm_version: Set(ALGORITHM_VERSION.to_owned()),
                    status: Set(DuplicateStatus::Proposed),
                    decided_by: Set(None),
                    decided_role: Set(None),
                    reason_sealed: Set(None),
                    decided_at: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    merge_moves: Set(None),
                    merged_at: Set(None),
                    unmerged_at: Set(None),
                };
                dup::Entity::insert(row).exec_without_returning(&txn).await?;
                proposed.pairs += 1;
            }
            txn.commit().await?;
            proposed.registrants += usize::from(proposed.pairs > before);
        }
    }
    Ok(proposed)
}

async fn views(conn: &impl ConnectionTrait, rows: Vec<dup::Model>) -> ServiceResult<Vec<DuplicateView>> {
    let ids: Vec<Uuid> = rows.iter().flat_map(|r| [r.registrant_id.uuid(), r.existing_id.uuid()]).collect();
    let references: HashMap<Uuid, String> = registrant::Entity::find()
        .select_only()
        .column(registrant::Column::Id)
        .column(registrant::Column::Reference)
        .filter(registrant::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let reference = |id: RegistrantId| references.get(&id.uuid()).cloned().ok_or(ServiceError::NotFound("registrant"));
    rows.into_iter()
        .map(|r| {
            Ok(DuplicateView {
                id: r.id,
                registrant_reference: reference(r.registrant_id)?,
                registrant_id: r.registrant_id,
                existing_reference: reference(r.existing_id)?,
                existing_id: r.existing_id,
                probability: r.probability,
                explanation: serde_json::from_str(&r.explanation).unwrap_or_default(),
                algorithm_version: r.algorithm_version,
                status: r.status,
                decided_at: r.decided_at,
                version: r.version,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Proposed duplicates (or, with `status`, decided ones), most probable first. Audited as a
/// consultation naming both registrants of every pair shown.
pub async fn queue(
    ctx: &Ctx,
    caller: &Caller,
    status: DuplicateStatus,
    limit: u64,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<DuplicateView>> {
    caller.require(Permission::LinkDecide)?;
    let snapshot = tx::begin_read(&ctx.db).await?;
    let rows = dup::Entity::find()
        .filter(dup::Column::Status.eq(status))
        .order_by_desc(dup::Column::Probability)
        .order_by_asc(dup::Column::Id)
        .limit(limit)
        .all(&snapshot)
        .await?;
    let out = views(&snapshot, rows).await?;
    snapshot.commit().await?;
    let ids: Vec<Uuid> = out.iter().flat_map(|d| [d.id, d.registrant_id.uuid(), d.existing_id.uuid()]).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "duplicate.queue",
        permission: Permission::LinkDecide,
        record_type: "registrant_duplicate",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry).await?;
    Ok(out)
}

/// One pair, for deciding it. Audited as a consultation naming both registrants.
pub async fn find(ctx: &Ctx, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> ServiceResult<DuplicateView> {
    caller.require(Permission::LinkDecide)?;
    let row = dup::Entity::find_by_id(id).one(&ctx.db).await?.ok_or(ServiceError::NotFound("possible duplicate"))?;
    let out = views(&ctx.db, vec![row]).await?.remove(0);
    let ids = [id, out.registrant_id.uuid(), out.existing_id.uuid()];
    let entry = Entry {
        action: Action::Consultation,
        operation: "duplicate.read",
        permission: Permission::LinkDecide,
        record_type: "registrant_duplicate",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, entry).await?;
    Ok(out)
}

/// Confirms that the two records are one person, or rejects the proposal, with a reason.
pub async fn decide(
    ctx: &Ctx,
    caller: &Caller,
    id: Uuid,
    input: DuplicateDecisionInput,
    now: DateTime<Utc>,
) -> ServiceResult<DuplicateView> {
    caller.require(Permission::LinkDecide)?;
    let reason = text::required("reason", &input.reason, 1000).map_err(|e| FieldErrors(vec![e]))?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let current = dup::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("possible duplicate"))?;
    if current.status != DuplicateStatus::Proposed {
        return Err(ServiceError::Conflict { code: "already_decided", detail: "this possible duplicate has already been decided".into() });
    }
    let status = match input.decision {
        DuplicateDecision::Confirm => DuplicateStatus::Confirmed,
        DuplicateDecision::Reject => DuplicateStatus::Rejected,
    };
    let updated = dup::Entity::update_many()
        .col_expr(dup::Column::Status, Expr::value(status.as_str()))
        .col_expr(dup::Column::DecidedBy, Expr::value(caller.subject.clone()))
        .col_expr(dup::Column::DecidedRole, Expr::value(caller.role_for(Permission::LinkDecide).as_str()))
        .col_expr(dup::Column::ReasonSealed, Expr::value(ctx.crypto.seal_str(columns::DUPLICATE_REASON, id, &reason)?))
        .col_expr(dup::Column::DecidedAt, Expr::value(now))
        .col_expr(dup::Column::Version, Expr::col(dup::Column::Version).add(1))
        .filter(dup::Column::Id.eq(id))
        .filter(dup::Column::Version.eq(input.version))
        .filter(dup::Column::Status.eq(DuplicateStatus::Proposed))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    let ids = [id, current.registrant_id.uuid(), current.existing_id.uuid()];
    let (action, operation) = if status == DuplicateStatus::Confirmed {
        (Action::Combination, "duplicate.confirm")
    } else {
        (Action::Alteration, "duplicate.reject")
    };
    let entry = Entry {
        action,
        operation,
        permission: Permission::LinkDecide,
        record_type: "registrant_duplicate",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let found = dup::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("possible duplicate"))?;
    let out = views(&txn, vec![found]).await?.remove(0);
    txn.commit().await?;
    Ok(out)
}
