//! Correcting an outcome recorded wrongly. A session attended but entered after the grace period
//! (end-of-day data entry) has already been marked missed by the detector and has raised a
//! breach. Probation, or the managing officer, records what really happened with a reason: the
//! occurrence becomes met (or excused, for an acceptable absence), the breach it caused is
//! withdrawn with that reason, never deleted, the managing force is told, and one audit entry
//! names the occurrence, the new compliance record and the breach. A breach already decided
//! (an enforcement action taken) is not withdrawn here: the managing officer reviews it.

use chrono::{DateTime, Utc};
use domain::commands::compliance;
use domain::errors::FieldErrors;
use domain::ids::{OccurrenceId, RecordId};
use domain::text;
use domain::vocab::{BreachStatus, ComplianceOutcome, OccurrenceStatus};
use entities::{breach, compliance_record, occurrence};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use super::compliance::{load, may_record};
use super::input::CorrectionInput;
use super::read;
use super::views::CorrectionResult;
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::{Ctx, ServiceError, ServiceResult, tx};

/// The notification sent to the managing force when a breach is withdrawn.
pub const WITHDRAWN_TOPIC: &str = "breach.withdrawn";

/// Corrects a missed session to what really happened; see the module documentation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn correct(
    ctx: &Ctx,
    caller: &Caller,
    id: OccurrenceId,
    body: CorrectionInput,
    now: DateTime<Utc>,
) -> ServiceResult<CorrectionResult> {
    caller.require(Permission::ComplianceRecord)?;
    let mut errors = FieldErrors::default();
    if !matches!(body.outcome, ComplianceOutcome::AttendedComplied | ComplianceOutcome::AcceptableAbsence) {
        errors.push("outcome", "not_a_correction", "a correction records that the session was attended or the absence acceptable");
    }
    let command = compliance::parse(body.outcome, body.notes.as_deref(), None, body.version).map_err(|e| errors.0.extend(e.0)).ok();
    let reason = text::required("reason", &body.reason, 4000).map_err(|e| errors.0.push(e)).ok();
    errors.finish()?;
    let (Some(command), Some(reason)) = (command, reason) else {
        return Err(ServiceError::Invalid(FieldErrors::single("body", "invalid", "could not be read")));
    };

    let txn = tx::begin_write(&ctx.writer).await?;
    let (txn, occ, owner) = load(ctx, txn, caller, id, ("occurrence.correction", Permission::ComplianceRecord), now).await?;
    may_record(caller, &owner)?;
    if occ.status != OccurrenceStatus::Missed {
        return Err(ServiceError::Conflict { code: "not_missed", detail: "only a session recorded as missed can be corrected".into() });
    }
    if occ.version != body.version {
        return Err(ServiceError::stale());
    }
    if read::find_obligation(&txn, occ.obligation_id).await?.kind.is_notification() {
        return Err(ServiceError::Conflict {
            code: "not_applicable",
            detail: "notification duties are met by recording the notification".into(),
        });
    }
    let caused = breach::Entity::find().filter(breach::Column::OccurrenceId.eq(id)).one(&txn).await?;
    if caused.as_ref().is_some_and(|b| b.status == BreachStatus::Decided) {
        return Err(ServiceError::Conflict {
            code: "breach_decided",
            detail: "the breach this caused has been decided; the managing officer must review it".into(),
        });
    }

    let status = command.outcome.occurrence_status();
    let corrected = occurrence::Entity::update_many()
        .col_expr(occurrence::Column::Status, Expr::value(status.as_str()))
        .col_expr(occurrence::Column::ReasonSealed, Expr::value(ctx.crypto.seal_str(columns::OCCURRENCE_REASON, id, &reason)?))
        .col_expr(occurrence::Column::ResolvedAt, Expr::value(now))
        .col_expr(occurrence::Column::ResolvedBy, Expr::value(caller.subject.clone()))
        .col_expr(occurrence::Column::Version, Expr::value(occ.version + 1))
        .filter(occurrence::Column::Id.eq(id))
        .filter(occurrence::Column::Version.eq(occ.version))
        .filter(occurrence::Column::Status.eq(OccurrenceStatus::Missed))
        .exec(&txn)
        .await?;
    if corrected.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    let record_id = Uuid::now_v7();
    compliance_record::Entity::insert(compliance_record::ActiveModel {
        id: Set(record_id),
        occurrence_id: Set(id),
        outcome: Set(command.outcome.kind()),
        notes_sealed: Set(command.outcome.notes().map(|n| ctx.crypto.seal_str(columns::COMPLIANCE_NOTES, record_id, n)).transpose()?),
        recorded_by: Set(caller.subject.clone()),
        recorded_org: Set(caller.org.clone()),
        recorded_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;

    let mut ids = vec![id.uuid(), record_id, owner.id.uuid()];
    if let Some(b) = &caused {
        let withdrawn = breach::Entity::update_many()
            .col_expr(breach::Column::Status, Expr::value(BreachStatus::Withdrawn.as_str()))
            .col_expr(
                breach::Column::WithdrawalReasonSealed,
                Expr::value(ctx.crypto.seal_str(columns::BREACH_WITHDRAWAL_REASON, b.id, &reason)?),
            )
            .col_expr(breach::Column::WithdrawnBy, Expr::value(caller.subject.clone()))
            .col_expr(breach::Column::WithdrawnAt, Expr::value(now))
            .col_expr(breach::Column::Version, Expr::col(breach::Column::Version).add(1))
            .filter(breach::Column::Id.eq(b.id))
            .filter(breach::Column::Version.eq(b.version))
            .exec(&txn)
            .await?;
        if withdrawn.rows_affected == 0 {
            return Err(ServiceError::stale());
        }
        jobs::outbox::enqueue(&txn, WITHDRAWN_TOPIC.to_owned(), b.id.uuid(), b.managing_org.clone(), now).await?;
        ids.push(b.id.uuid());
    }
    let entry = Entry {
        action: Action::Alteration,
        operation: "occurrence.correction",
        permission: Permission::ComplianceRecord,
        record_type: "occurrence",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let occurrence = read::occurrence_view(&txn, &ctx.crypto, read::find_occurrence(&txn, id).await?, now).await?;
    txn.commit().await?;
    Ok(CorrectionResult { occurrence, withdrawn_breach_id: caused.map(|b| b.id) })
}
