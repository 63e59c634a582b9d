//! Recording what happened at an occurrence: a probation-practice compliance outcome, or an
//! excusal with a reason. Only pending occurrences can be resolved, each change is guarded by the
//! version the caller read, and both happen with their audit entry in one transaction.

use chrono::{DateTime, Utc};
use domain::ids::{OccurrenceId, RecordId};
use entities::{compliance_record, occurrence, registrant};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use super::duties::{self, Due};
use super::input::{self, ComplianceInput, ExcusalInput};
use super::read;
use super::views::{ComplianceResult, OccurrenceView};
use crate::auth::{AccessError, Caller, Permission};
use crate::crypto::columns;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::registrants::read as registrants;
use crate::services::{Ctx, ServiceError, ServiceResult, tx};
use domain::commands::compliance::RecordCompliance;
use domain::errors::FieldErrors;
use domain::vocab::OccurrenceStatus;

const RECORD: &str = "occurrence";

/// Records a compliance outcome. Probation may record for registrants its organisation
/// supervises; public protection officers for registrants their organisation manages.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    id: OccurrenceId,
    body: ComplianceInput,
    now: DateTime<Utc>,
) -> ServiceResult<ComplianceResult> {
    caller.require(Permission::ComplianceRecord)?;
    let command = RecordCompliance::try_from(&body)?;
    let outcome = &command.outcome;

    let txn = tx::begin_write(&ctx.writer).await?;
    let (txn, occ, owner) = load(ctx, txn, caller, id, ("occurrence.compliance", Permission::ComplianceRecord), now).await?;
    may_record(caller, &owner)?;
    check_resolvable(&occ, command.version)?;
    let obligation = read::find_obligation(&txn, occ.obligation_id).await?;
    if obligation.kind.is_notification() {
        return Err(ServiceError::Conflict {
            code: "not_applicable",
            detail: "notification duties are met by recording the notification".into(),
        });
    }
    outcome.check_session_started(occ.due_at, now)?;
    if outcome.rescheduled_to() == Some(occ.due_at) {
        return Err(FieldErrors::single("rescheduled_to", "same_instant", "must differ from the current due instant").into());
    }
    let status = outcome.occurrence_status();
    resolve(&txn, &occ, status, None, &caller.subject, now).await?;
    if let Some(consequence) = domain::breaches::consequence_of(status) {
        // Non-compliance recorded by a person is a breach just as a detected miss is, with the
        // same notification to the managing officer, in this transaction.
        jobs::detect_missed::record_breach(&txn, id.uuid(), &consequence, now).await?;
    }
    let record_id = Uuid::now_v7();
    let row = compliance_record::ActiveModel {
        id: Set(record_id),
        occurrence_id: Set(id),
        outcome: Set(outcome.kind()),
        notes_sealed: Set(outcome.notes().map(|n| ctx.crypto.seal_str(columns::COMPLIANCE_NOTES, record_id, n)).transpose()?),
        recorded_by: Set(caller.subject.clone()),
        recorded_org: Set(caller.org.clone()),
        recorded_at: Set(now),
    };
    compliance_record::Entity::insert(row).exec_without_returning(&txn).await?;
    let mut ids = vec![id.uuid(), record_id.uuid(), owner.id.uuid()];
    let rescheduled = match outcome.rescheduled_to() {
        Some(at) => {
            let basis = Some(domain::due::Basis { event: domain::due::DueEvent::Rescheduled, on: domain::calendar::local_date(now) });
            duties::add_occurrences(&txn, occ.obligation_id, occ.registrant_id, &[Due { at, opens: None, basis }], now).await?;
            let new = occurrence::Entity::find()
                .filter(occurrence::Column::ObligationId.eq(occ.obligation_id))
                .filter(occurrence::Column::DueAt.eq(at))
                .filter(occurrence::Column::Subject.eq(domain::due::DueEvent::Rescheduled.as_str()))
                .one(&txn)
                .await?
                .ok_or(ServiceError::NotFound("occurrence"))?;
            ids.push(new.id.uuid());
            Some(read::occurrence_view(&txn, &ctx.crypto, new, now).await?)
        }
        None => None,
    };
    let entry = Entry {
        action: Action::Collection,
        operation: "occurrence.compliance",
        permission: Permission::ComplianceRecord,
        record_type: RECORD,
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let occurrence = read::occurrence_view(&txn, &ctx.crypto, read::find_occurrence(&txn, id).await?, now).await?;
    txn.commit().await?;
    Ok(ComplianceResult { occurrence, rescheduled })
}

/// Probation may record for registrants its organisation supervises; public protection
/// officers for registrants their organisation manages.
pub(super) fn may_record(caller: &Caller, owner: &registrant::Model) -> ServiceResult<()> {
    let may = (caller.can(Permission::RegistrantWrite) && owner.managing_org == caller.org)
        || (caller.can(Permission::RegistrantReadSupervised) && owner.supervising_org.as_deref() == Some(caller.org.as_str()));
    if !may {
        return Err(AccessError::OtherOrganisation.into());
    }
    Ok(())
}

/// Excuses a pending occurrence with a reason (for example, the registrant was in hospital).
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn excuse(ctx: &Ctx, caller: &Caller, id: OccurrenceId, body: ExcusalInput, now: DateTime<Utc>) -> ServiceResult<OccurrenceView> {
    caller.require(Permission::OccurrenceExcuse)?;
    let reason = input::excusal(&body)?;

    let txn = tx::begin_write(&ctx.writer).await?;
    let (txn, occ, owner) = load(ctx, txn, caller, id, ("occurrence.excuse", Permission::OccurrenceExcuse), now).await?;
    caller.require_managing(&owner.managing_org)?;
    check_resolvable(&occ, body.version)?;
    let sealed = ctx.crypto.seal_str(columns::OCCURRENCE_REASON, id, &reason)?;
    resolve(&txn, &occ, OccurrenceStatus::Excused, Some(sealed), &caller.subject, now).await?;
    let ids = [id.uuid(), owner.id.uuid()];
    let entry = Entry {
        action: Action::Alteration,
        operation: "occurrence.excuse",
        permission: Permission::OccurrenceExcuse,
        record_type: RECORD,
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let view = read::occurrence_view(&txn, &ctx.crypto, read::find_occurrence(&txn, id).await?, now).await?;
    txn.commit().await?;
    Ok(view)
}

/// Loads an occurrence and its registrant in `txn`. A registrant the caller may not read makes
/// the occurrence "not found"; the refusal is audited once the transaction is abandoned (SQLite
/// has one writer, so it could not be written while the transaction is open).
pub(super) async fn load(
    ctx: &Ctx,
    txn: DatabaseTransaction,
    caller: &Caller,
    id: OccurrenceId,
    (operation, permission): (&'static str, Permission),
    now: DateTime<Utc>,
) -> ServiceResult<(DatabaseTransaction, occurrence::Model, registrant::Model)> {
    let occ = read::find_occurrence(&txn, id).await?;
    let owner = registrants::find(&txn, occ.registrant_id).await?;
    if !caller.may_read_registrant(owner.supervising_org.as_deref()) {
        txn.rollback().await?;
        audit::record_denied(ctx, caller, now, operation, permission, RECORD, &[id.uuid()]).await?;
        return Err(ServiceError::NotFound("occurrence"));
    }
    Ok((txn, occ, owner))
}

fn check_resolvable(occ: &occurrence::Model, version: i32) -> ServiceResult<()> {
    if !occ.status.is_open() {
        return Err(ServiceError::Conflict { code: "already_resolved", detail: "the occurrence is already resolved".into() });
    }
    if occ.version != version {
        return Err(ServiceError::stale());
    }
    Ok(())
}

async fn resolve(
    conn: &impl ConnectionTrait,
    occ: &occurrence::Model,
    status: OccurrenceStatus,
    reason: Option<Vec<u8>>,
    by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut update = occurrence::Entity::update_many()
        .col_expr(occurrence::Column::Status, Expr::value(status.as_str()))
        .col_expr(occurrence::Column::ResolvedAt, Expr::value(now))
        .col_expr(occurrence::Column::ResolvedBy, Expr::value(by))
        .col_expr(occurrence::Column::Version, Expr::value(occ.version + 1))
        .filter(occurrence::Column::Id.eq(occ.id))
        .filter(occurrence::Column::Version.eq(occ.version))
        .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()));
    if let Some(sealed) = reason {
        update = update.col_expr(occurrence::Column::ReasonSealed, Expr::value(sealed));
    }
    if update.exec(conn).await?.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    Ok(())
}
