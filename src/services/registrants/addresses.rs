//! Ending and correcting an address. A registrant leaves a home: the address ends on the last
//! day they lived there, and if no other home address is current the next day, the registrant
//! has no home address from then, which DAA 2021 s.41 (and SOA 2003 s.84, SPA 2019 s.9(4))
//! regimes require to be notified: a first-class event, not a made-up address. An address
//! recorded wrongly is corrected in place with a reason; a corrected date moves the change duty
//! it started (the old one excused with the reason, a new one from the right day).

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::due::DueEvent;
use domain::errors::FieldErrors;
use domain::ids::{RecordId, RegistrantId};
use domain::regimes::ChangeEvent;
use domain::vocab::{AddressKind, OccurrenceStatus};
use entities::{occurrence, registrant_address};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::RegistrantView;
use super::{Action, Permission, details, entry, input, read};
use crate::auth::Caller;
use crate::crypto::columns;
use crate::services::{Ctx, ServiceError, ServiceResult, audit, obligations, tx};
use domain::text;

/// The last day the registrant lived at (or was found at) the address.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"valid_to": "2026-03-31"})))]
pub struct AddressEndInput {
    pub valid_to: NaiveDate,
}

/// The address as it should have been recorded, and why it was wrong. The kind is not
/// corrected: a different kind of address is another address.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"lines": ["2 Example Street"], "town": "Exampleton", "postcode": "SW1A 1AA", "reason": "House number was mistyped (synthetic example)."})))]
pub struct AddressCorrectionInput {
    pub lines: Vec<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub reason: String,
}

/// Ends an address of a registrant the caller's organisation manages.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn end(
    ctx: &Ctx,
    caller: &Caller,
    id: RegistrantId,
    address_id: Uuid,
    body: AddressEndInput,
    now: DateTime<Utc>,
) -> ServiceResult<RegistrantView> {
    caller.require(Permission::RegistrantWrite)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let (_, row) = address_of(&txn, caller, id, address_id).await?;
    if row.valid_to.is_some() {
        return Err(ServiceError::Conflict { code: "already_ended", detail: "the address has already ended: correct it instead".into() });
    }
    if row.valid_from.is_some_and(|from| body.valid_to < from) {
        return Err(ServiceError::Invalid(FieldErrors::single("valid_to", "before_start", "must not be before the address's valid_from")));
    }
    registrant_address::Entity::update_many()
        .col_expr(registrant_address::Column::ValidTo, Expr::value(body.valid_to))
        .filter(registrant_address::Column::Id.eq(address_id))
        .exec(&txn)
        .await?;
    if row.kind == AddressKind::Home
        && let Some(next) = body.valid_to.checked_add_days(Days::new(1))
        && !has_home_on(&txn, id, next).await?
    {
        obligations::duties::on_registrant_change(&txn, id, ChangeEvent::NoHomeAddress, next, now).await?;
    }
    finish(&txn, ctx, caller, id, "registrant.address.end", address_id, now).await?;
    let view = read::view(&txn, &ctx.crypto, read::find(&txn, id).await?).await?;
    txn.commit().await?;
    Ok(view)
}

/// Corrects an address recorded wrongly. A corrected start moves the change duty it started.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn correct(
    ctx: &Ctx,
    caller: &Caller,
    id: RegistrantId,
    address_id: Uuid,
    body: AddressCorrectionInput,
    now: DateTime<Utc>,
) -> ServiceResult<RegistrantView> {
    caller.require(Permission::RegistrantWrite)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let (_, row) = address_of(&txn, caller, id, address_id).await?;
    let mut errors = FieldErrors::default();
    let reason = errors.take(text::required("reason", &body.reason, 2000));
    let shape = input::AddressInput {
        kind: row.kind,
        lines: body.lines.clone(),
        town: body.town.clone(),
        postcode: body.postcode.clone(),
        valid_from: body.valid_from,
        valid_to: row.valid_to,
    };
    let valid = input::address(&mut errors, "", &shape);
    for e in &mut errors.0 {
        e.field = e.field.trim_start_matches('.').to_owned();
        if e.field == "valid_to" {
            e.field = "valid_from".into();
        }
    }
    errors.finish()?;
    let (Some(valid), Some(reason)) = (valid, reason) else {
        return Err(ServiceError::Invalid(FieldErrors::single("body", "invalid", "could not be read")));
    };
    registrant_address::Entity::update_many()
        .col_expr(
            registrant_address::Column::AddressSealed,
            Expr::value(ctx.crypto.seal_json(columns::ADDRESS, address_id, &valid.address)?),
        )
        .col_expr(registrant_address::Column::ValidFrom, Expr::value(valid.valid_from))
        .col_expr(registrant_address::Column::CorrectedBy, Expr::value(caller.subject.clone()))
        .col_expr(registrant_address::Column::CorrectedAt, Expr::value(now))
        .col_expr(
            registrant_address::Column::CorrectionReasonSealed,
            Expr::value(ctx.crypto.seal_str(columns::ADDRESS_CORRECTION_REASON, address_id, &reason)?),
        )
        .filter(registrant_address::Column::Id.eq(address_id))
        .exec(&txn)
        .await?;
    details::relink(&txn, &ctx.crypto, id).await?;
    if valid.valid_from != row.valid_from {
        move_duty(&txn, ctx, caller, &row, valid.valid_from, &reason, now).await?;
    }
    finish(&txn, ctx, caller, id, "registrant.address.correct", address_id, now).await?;
    let view = read::view(&txn, &ctx.crypto, read::find(&txn, id).await?).await?;
    txn.commit().await?;
    Ok(view)
}

/// The address, if it is the registrant's and the caller's organisation manages them.
async fn address_of(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: RegistrantId,
    address_id: Uuid,
) -> ServiceResult<(entities::registrant::Model, registrant_address::Model)> {
    let owner = read::writable(conn, caller, id).await?;
    let row = registrant_address::Entity::find_by_id(address_id)
        .filter(registrant_address::Column::RegistrantId.eq(id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound("address"))?;
    Ok((owner, row))
}

/// Whether some home address of the registrant is current on `day`.
async fn has_home_on(conn: &impl ConnectionTrait, id: RegistrantId, day: NaiveDate) -> ServiceResult<bool> {
    let homes = registrant_address::Entity::find()
        .filter(registrant_address::Column::RegistrantId.eq(id))
        .filter(registrant_address::Column::Kind.eq(AddressKind::Home))
        .all(conn)
        .await?;
    Ok(homes.iter().any(|a| a.valid_from.is_none_or(|f| f <= day) && a.valid_to.is_none_or(|t| t >= day)))
}

/// The change duty started by the address's old start no longer stands: it is excused with the
/// correction's reason, and the change is due from its corrected day instead.
async fn move_duty(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    caller: &Caller,
    row: &registrant_address::Model,
    corrected_from: Option<NaiveDate>,
    reason: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let event = ChangeEvent::for_address(row.kind);
    let old_day = row.valid_from.unwrap_or_else(|| domain::calendar::local_date(row.created_at));
    let stale = occurrence::Entity::find()
        .filter(occurrence::Column::RegistrantId.eq(row.registrant_id))
        .filter(occurrence::Column::BasisEvent.eq(DueEvent::from(event)))
        .filter(occurrence::Column::BasisOn.eq(old_day))
        .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
        .all(conn)
        .await?;
    let why = format!("The address was corrected: {reason}");
    jobs::occurrences::excuse(conn, &stale, &why, &caller.subject, now, &*ctx.crypto).await?;
    let new_day = corrected_from.unwrap_or_else(|| domain::calendar::local_date(now));
    obligations::duties::on_registrant_change(conn, row.registrant_id, event, new_day, now).await?;
    Ok(())
}

/// Bumps the registrant's version and audits the change.
async fn finish(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    caller: &Caller,
    id: RegistrantId,
    operation: &'static str,
    address_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    entities::registrant::Entity::update_many()
        .col_expr(entities::registrant::Column::Version, Expr::col(entities::registrant::Column::Version).add(1))
        .col_expr(entities::registrant::Column::UpdatedAt, Expr::value(now))
        .filter(entities::registrant::Column::Id.eq(id))
        .exec(conn)
        .await?;
    let ids = [id.uuid(), address_id];
    audit::record(conn, &ctx.crypto, caller, now, entry(Action::Alteration, operation, Permission::RegistrantWrite, &ids)).await?;
    Ok(())
}
