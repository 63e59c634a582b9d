//! Registrant use cases: create, read, list, update, and adding to name, address and identifier
//! history, ending and correcting addresses.

pub mod addresses;
mod bulk;
pub mod details;
pub mod erase;
pub mod input;
pub mod one_read;
pub mod read;
pub mod search;
pub mod views;

use chrono::{DateTime, NaiveDate, Utc};
use domain::commands::registrants::{NewAddress, NewIdentifier, NewName, NewRegistrant};
use domain::ids::{RecordId, RegistrantId};
use entities::{registrant, registrant_birth_date, registrant_descriptor};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use self::input::*;
use self::views::*;
use super::audit::{self, Action, Entry, Outcome};
use super::{Ctx, ServiceError, ServiceResult, obligations};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use domain::calendar;
use domain::errors::FieldErrors;
use domain::limits;
use domain::regimes::ChangeEvent;
use domain::vocab::{RegistrantStatus, RiskLevel};

const RECORD: &str = "registrant";

fn entry<'a>(action: Action, operation: &'static str, permission: Permission, ids: &'a [Uuid]) -> Entry<'a> {
    Entry { action, operation, permission, record_type: RECORD, record_ids: ids, outcome: Outcome::Success }
}

/// Validates a new registrant without touching the database, collecting every problem with
/// its JSON path (also used by the bulk import, which validates every row before writing any).
pub fn validate_new(caller: &Caller, input: &NewRegistrantInput, today: NaiveDate) -> Result<NewRegistrant, FieldErrors> {
    let mut errors = FieldErrors::default();
    // Lists over their limits are refused before any entry is normalised or indexed.
    let lists = [
        ("names", input.names.len(), limits::NAMES),
        ("birth_dates", input.birth_dates.len(), limits::BIRTH_DATES),
        ("descriptors", input.descriptors.len(), limits::DESCRIPTORS),
        ("addresses", input.addresses.len(), limits::ADDRESSES),
        ("identifiers", input.identifiers.len(), limits::IDENTIFIERS),
    ];
    errors.0.extend(lists.into_iter().filter_map(|(field, len, max)| limits::too_many(field, len, max)));
    errors.finish()?;
    let mut errors = FieldErrors::default();
    let managing_org = org_code(&mut errors, "managing_org", input.managing_org.as_deref()).unwrap_or_else(|| caller.org.clone());
    let supervising_org = org_code(&mut errors, "supervising_org", input.supervising_org.as_deref());
    let officer = short_text(&mut errors, "managing_officer", input.managing_officer.as_deref(), 100);
    let risk = risk(&mut errors, "risk", &input.risk);
    let mappa = mappa(&mut errors, "mappa", &input.mappa);
    require_one_primary(&mut errors, &input.names);
    let names: Vec<_> = input.names.iter().enumerate().filter_map(|(i, n)| name(&mut errors, &format!("names[{i}]"), n)).collect();
    let dates = birth_dates(&mut errors, "birth_dates", &input.birth_dates, today);
    let descriptors = descriptors(&mut errors, &input.descriptors);
    let addresses: Vec<_> =
        input.addresses.iter().enumerate().filter_map(|(i, a)| address(&mut errors, &format!("addresses[{i}]"), a)).collect();
    let identifiers: Vec<_> =
        input.identifiers.iter().enumerate().filter_map(|(i, x)| identifier(&mut errors, &format!("identifiers[{i}]"), x)).collect();
    let notes = short_text(&mut errors, "notes", input.notes.as_deref(), 4000);
    not_merged(&mut errors, input.status);
    errors.finish()?;
    Ok(NewRegistrant {
        managing_org,
        supervising_org,
        officer,
        status: input.status.unwrap_or(RegistrantStatus::Active),
        risk,
        mappa,
        names,
        dates,
        descriptors,
        addresses,
        identifiers,
        notes,
    })
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn create(ctx: &Ctx, caller: &Caller, input: NewRegistrantInput, now: DateTime<Utc>) -> ServiceResult<RegistrantView> {
    caller.require(Permission::RegistrantWrite)?;
    let (crypto, who) = (ctx.crypto.clone(), caller.clone());
    let rows = crate::services::cpu::off_workers(move || {
        let valid = validate_new(&who, &input, calendar::local_date(now))?;
        who.require_managing(&valid.managing_org)?;
        bulk::NewRows::seal(&crypto, &who.subject, std::slice::from_ref(&valid), now)
    })
    .await?;
    let txn = crate::services::tx::begin_write(&ctx.writer).await?;
    let ids = rows.write(&txn, now).await?;
    let recorded: Vec<Uuid> = ids.iter().map(|id| id.uuid()).collect();
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Collection, "registrant.create", Permission::RegistrantWrite, &recorded))
        .await?;
    let id = ids[0];
    let view = read::view(&txn, &ctx.crypto, read::find(&txn, id).await?).await?;
    txn.commit().await?;
    // The registrant is on the register whatever happens next; possible duplicates of it go to
    // the review queue (`services::duplicates`), and a failure to compare is logged, not fatal.
    if let Err(err) = crate::services::duplicates::propose(ctx, &ids, now).await {
        tracing::warn!(error = %err, "comparing a new registrant with the register for duplicates failed");
    }
    Ok(view)
}

/// Writes already validated registrants in one transaction: all of them or none.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn create_batch(ctx: &Ctx, caller: &Caller, batch: &[NewRegistrant], now: DateTime<Utc>) -> ServiceResult<Vec<RegistrantId>> {
    let sealed = seal_batch(ctx, caller, batch, now)?;
    write_batch(ctx, caller, sealed, now).await
}

/// A batch of new registrants sealed and indexed in memory, ready for [`write_batch`].
pub struct SealedBatch(bulk::NewRows);

/// The CPU half of [`create_batch`]: checks the caller may create every registrant, then seals
/// and indexes them. The bulk import runs this on its reader thread, so that sealing the next
/// batch overlaps writing this one while a single writer keeps SQLite's transactions apart.
pub fn seal_batch(ctx: &Ctx, caller: &Caller, batch: &[NewRegistrant], now: DateTime<Utc>) -> ServiceResult<SealedBatch> {
    caller.require(Permission::RegistrantWrite)?;
    for valid in batch {
        caller.require_managing(&valid.managing_org)?;
    }
    Ok(SealedBatch(bulk::NewRows::seal(&ctx.crypto, &caller.subject, batch, now)?))
}

/// The database half of [`create_batch`]: one transaction, one collection audit entry naming
/// every registrant it created.
pub async fn write_batch(ctx: &Ctx, caller: &Caller, batch: SealedBatch, now: DateTime<Utc>) -> ServiceResult<Vec<RegistrantId>> {
    let txn = crate::services::tx::begin_write(&ctx.writer).await?;
    let ids = batch.0.write(&txn, now).await?;
    let recorded: Vec<Uuid> = ids.iter().map(|id| id.uuid()).collect();
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Collection, "registrant.create", Permission::RegistrantWrite, &recorded))
        .await?;
    txn.commit().await?;
    Ok(ids)
}

/// Reads one registrant, audited as a consultation. A registrant the caller may not see is
/// reported as not found (its existence is itself sensitive), and the attempt is audited.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: RegistrantId, now: DateTime<Utc>) -> ServiceResult<RegistrantView> {
    if !caller.can(Permission::RegistrantReadNational) {
        caller.require(Permission::RegistrantReadSupervised)?;
    }
    // One statement: the registrant and its particulars, in one snapshot and one round trip.
    let (found, particulars) = one_read::fetch(&ctx.db, id).await?.ok_or(ServiceError::NotFound("registrant"))?;
    if !caller.may_read_registrant(found.supervising_org.as_deref()) {
        audit::record_denied(ctx, caller, now, "registrant.read", Permission::RegistrantReadSupervised, RECORD, &[id.uuid()]).await?;
        return Err(ServiceError::NotFound("registrant"));
    }
    let view = read::view_of(&ctx.crypto, found, particulars)?;
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry(Action::Consultation, "registrant.read", Permission::RegistrantReadNational, &[id.uuid()]))
        .await?;
    Ok(view)
}

pub struct ListFilter {
    pub status: Option<RegistrantStatus>,
    pub managing_org: Option<String>,
    pub risk_level: Option<RiskLevel>,
    pub after: Option<Uuid>,
    pub limit: u64,
}

/// Lists registrants in creation order (UUIDv7 ids are time-ordered), with keyset paging.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn list(ctx: &Ctx, caller: &Caller, filter: ListFilter, now: DateTime<Utc>) -> ServiceResult<RegistrantPage> {
    let national = caller.can(Permission::RegistrantReadNational);
    if !national {
        caller.require(Permission::RegistrantReadSupervised)?;
    }
    let mut condition = Condition::all();
    match filter.status {
        Some(status) => condition = condition.add(registrant::Column::Status.eq(status)),
        // A record merged away is listed only when asked for: its person is listed once, under
        // the record it was merged into.
        None => condition = condition.add(registrant::Column::MergedInto.is_null()),
    }
    if let Some(org) = &filter.managing_org {
        condition = condition.add(registrant::Column::ManagingOrg.eq(org.as_str()));
    }
    if let Some(level) = filter.risk_level {
        condition = condition.add(registrant::Column::RiskLevel.eq(level.as_str()));
    }
    if !national {
        condition = condition.add(registrant::Column::SupervisingOrg.eq(caller.org.as_str()));
    }
    if let Some(after) = filter.after {
        condition = condition.add(registrant::Column::Id.gt(after));
    }
    let txn = crate::services::tx::begin_read(&ctx.db).await?;
    let rows = registrant::Entity::find().filter(condition).order_by_asc(registrant::Column::Id).limit(filter.limit + 1).all(&txn).await?;
    let has_more = rows.len() as u64 > filter.limit;
    let rows: Vec<_> = rows.into_iter().take(filter.limit as usize).collect();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.uuid()).collect();
    let items = read::summaries(&txn, &ctx.crypto, rows).await?;
    txn.commit().await?;
    if !ids.is_empty() {
        audit::commit(ctx, caller, now, entry(Action::Consultation, "registrant.list", Permission::RegistrantReadNational, &ids)).await?;
    }
    let next_after = if has_more { ids.last().copied() } else { None };
    Ok(RegistrantPage { items, next_after })
}

/// Changes scalar fields, dates of birth and descriptors, guarded by the version the caller
/// read: a stale version changes nothing and answers 409.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn update(
    ctx: &Ctx,
    caller: &Caller,
    id: RegistrantId,
    input: UpdateRegistrantInput,
    now: DateTime<Utc>,
) -> ServiceResult<RegistrantView> {
    caller.require(Permission::RegistrantWrite)?;
    let today = calendar::local_date(now);
    let mut errors = FieldErrors::default();
    let supervising_org = org_code(&mut errors, "supervising_org", input.supervising_org.as_deref());
    let officer = short_text(&mut errors, "managing_officer", input.managing_officer.as_deref(), 100);
    let risk = risk(&mut errors, "risk", &input.risk);
    let mappa = mappa(&mut errors, "mappa", &input.mappa);
    let lists = [
        ("birth_dates", input.birth_dates.as_ref().map_or(0, Vec::len), limits::BIRTH_DATES),
        ("descriptors", input.descriptors.as_ref().map_or(0, Vec::len), limits::DESCRIPTORS),
    ];
    if let Some(over) = lists.into_iter().find_map(|(field, len, max)| limits::too_many(field, len, max)) {
        return Err(FieldErrors(vec![over]).into());
    }
    let dates = input.birth_dates.as_ref().map(|d| birth_dates(&mut errors, "birth_dates", d, today));
    let descriptors = input.descriptors.as_ref().map(|d| descriptors(&mut errors, d));
    let notes = short_text(&mut errors, "notes", input.notes.as_deref(), 4000);
    not_merged(&mut errors, input.status);
    errors.finish()?;

    let txn = crate::services::tx::begin_write(&ctx.writer).await?;
    let current = read::writable(&txn, caller, id).await?;
    let mut update = registrant::Entity::update_many()
        .col_expr(registrant::Column::Version, Expr::col(registrant::Column::Version).add(1))
        .col_expr(registrant::Column::UpdatedAt, Expr::value(now))
        .filter(registrant::Column::Id.eq(id))
        .filter(registrant::Column::Version.eq(input.version));
    if let Some(status) = input.status {
        update = update.col_expr(registrant::Column::Status, Expr::value(status.as_str()));
    }
    if input.managing_officer.is_some() {
        let sealed = ctx.crypto.seal_opt(columns::REGISTRANT_OFFICER, id, officer.as_deref())?;
        update = update.col_expr(registrant::Column::ManagingOfficerSealed, Expr::value(sealed));
    }
    if input.supervising_org.is_some() {
        update = update.col_expr(registrant::Column::SupervisingOrg, Expr::value(supervising_org));
    }
    if let Some((level, tool, review)) = risk {
        update = update
            .col_expr(registrant::Column::RiskLevel, Expr::value(level.as_str()))
            .col_expr(registrant::Column::RiskToolSealed, Expr::value(ctx.crypto.seal_opt(columns::RISK_TOOL, id, tool.as_deref())?))
            .col_expr(registrant::Column::RiskNextReviewOn, Expr::value(review));
    }
    if let Some((category, level, review)) = mappa {
        update = update
            .col_expr(registrant::Column::MappaCategory, Expr::value(category))
            .col_expr(registrant::Column::MappaLevel, Expr::value(level))
            .col_expr(registrant::Column::MappaNextReviewOn, Expr::value(review));
    }
    if input.notes.is_some() {
        let sealed = notes.map(|n| ctx.crypto.seal_str(columns::REGISTRANT_NOTES, id, &n)).transpose()?;
        update = update.col_expr(registrant::Column::NotesSealed, Expr::value(sealed));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    let mut ids = vec![id.uuid()];
    if let Some(status) = input.status.filter(|s| *s != current.status) {
        ids.extend(status_effects(&txn, ctx, caller, id, (current.status, status), now).await?);
    }
    if let Some(dates) = dates {
        registrant_birth_date::Entity::delete_many().filter(registrant_birth_date::Column::RegistrantId.eq(id)).exec(&txn).await?;
        for d in dates {
            details::insert_birth_date(&txn, &ctx.crypto, id, d, now).await?;
        }
        details::relink(&txn, &ctx.crypto, id).await?;
    }
    if let Some(descriptors) = descriptors {
        registrant_descriptor::Entity::delete_many().filter(registrant_descriptor::Column::RegistrantId.eq(id)).exec(&txn).await?;
        for d in &descriptors {
            details::insert_descriptor(&txn, &ctx.crypto, id, d, now).await?;
        }
    }
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Alteration, "registrant.update", Permission::RegistrantWrite, &ids))
        .await?;
    let view = read::view(&txn, &ctx.crypto, read::find(&txn, id).await?).await?;
    txn.commit().await?;
    Ok(view)
}

/// A status has effect (issue 16 item 10): custody, hospital and abroad pause the clocks as a
/// suspension; leaving them resumes the clocks; death or the end of registration ends every duty.
async fn status_effects(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    caller: &Caller,
    id: RegistrantId,
    (from, to): (RegistrantStatus, RegistrantStatus),
    now: DateTime<Utc>,
) -> ServiceResult<Vec<uuid::Uuid>> {
    let touched = crate::services::suspensions::follow_status(txn, ctx, caller, id, (from, to), now).await?;
    if to.ends_duties() {
        let reason = if to == RegistrantStatus::Deceased { "The registrant died." } else { "The registrant's registration ended." };
        crate::services::obligations::duties::end_for_registrant(txn, &ctx.crypto, id, reason, &caller.subject, now).await?;
    }
    Ok(touched)
}

/// What can be added to a registrant's history.
pub enum Addition {
    Name(NameInput),
    Address(AddressInput),
    Identifier(IdentifierInput),
}

/// Adds a name, address or identifier. Adding a name or home address is a change that a
/// notification regime may require the registrant to notify; those obligations are created by
/// the obligations service in the same transaction.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn add(ctx: &Ctx, caller: &Caller, id: RegistrantId, addition: Addition, now: DateTime<Utc>) -> ServiceResult<RegistrantView> {
    caller.require(Permission::RegistrantWrite)?;
    let mut errors = FieldErrors::default();
    let valid = match &addition {
        Addition::Name(n) => name(&mut errors, "", n).map(Valid::Name),
        Addition::Address(a) => address(&mut errors, "", a).map(Valid::Address),
        Addition::Identifier(i) => identifier(&mut errors, "", i).map(Valid::Identifier),
    };
    // Paths were built relative to the body; drop the leading dot.
    for e in &mut errors.0 {
        e.field = e.field.trim_start_matches('.').to_owned();
    }
    errors.finish()?;
    let Some(valid) = valid else { return Err(ServiceError::Invalid(FieldErrors::single("body", "invalid", "could not be read"))) };

    let txn = crate::services::tx::begin_write(&ctx.writer).await?;
    read::writable(&txn, caller, id).await?;
    let (operation, source) = match &valid {
        Valid::Name(n) => {
            let row = details::insert_name(&txn, &ctx.crypto, id, n, now).await?;
            details::relink(&txn, &ctx.crypto, id).await?;
            ("registrant.name.add", row)
        }
        Valid::Address(a) => ("registrant.address.add", details::insert_address(&txn, &ctx.crypto, id, a, now).await?),
        Valid::Identifier(i) => ("registrant.identifier.add", details::insert_identifier(&txn, &ctx.crypto, id, i, now).await?),
    };
    if !matches!(valid, Valid::Name(_)) {
        details::relink(&txn, &ctx.crypto, id).await?;
    }
    // A change the regime of an in-force order requires the registrant to notify starts a
    // notification period on the day of the change.
    let change = match &valid {
        Valid::Name(n) => Some((ChangeEvent::Name, n.valid_from)),
        Valid::Address(a) => Some((ChangeEvent::for_address(a.kind), a.valid_from)),
        Valid::Identifier(i) => ChangeEvent::for_identifier(i.identifier.kind).map(|event| (event, i.valid_from)),
    };
    if let Some((event, valid_from)) = change {
        let changed_on = valid_from.unwrap_or_else(|| calendar::local_date(now));
        obligations::duties::on_registrant_change(&txn, id, event, changed_on, now).await?;
    }
    registrant::Entity::update_many()
        .col_expr(registrant::Column::Version, Expr::col(registrant::Column::Version).add(1))
        .col_expr(registrant::Column::UpdatedAt, Expr::value(now))
        .filter(registrant::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &ctx.crypto,
        caller,
        now,
        entry(Action::Collection, operation, Permission::RegistrantWrite, &[id.uuid(), source.uuid()]),
    )
    .await?;
    let view = read::view(&txn, &ctx.crypto, read::find(&txn, id).await?).await?;
    txn.commit().await?;
    Ok(view)
}

/// `merged` is what an approved merge makes a record, never a status anyone sets.
fn not_merged(errors: &mut FieldErrors, status: Option<RegistrantStatus>) {
    if status == Some(RegistrantStatus::Merged) {
        errors.push("status", "not_settable", "a record becomes merged only when a merge of two records is approved");
    }
}

enum Valid {
    Name(NewName),
    Address(NewAddress),
    Identifier(NewIdentifier),
}
