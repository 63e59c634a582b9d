//! A court varies or renews an order (SPA 2019 s.7, DAA 2021 s.44–45). Each hearing is recorded
//! as a new version of the order's terms: the hearing and the court's reason, what it removed
//! and added, and the order's end before and after. Duties follow the new terms from the day
//! they take effect: a removed requirement's sessions from then on are excused with the court's
//! reason, an added one's are created, and a new end moves every schedule's last session (a
//! renewal keeps the sessions coming; a shortened order excuses those after its new end).

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{ConditionId, OrderId, RecordId};
use domain::schedule::Schedule;
use domain::variations::{self as rules, Change, Current};
use domain::vocab::{ConditionKind, ObligationStatus, OccurrenceStatus, VariationKind};
use entities::{obligation, occurrence, order, order_condition, order_protected_person, order_variation};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::input::{VariationInput, validate_variation};
use super::views::OrderView;
use super::{Action, bump, entry, for_change, insert_condition, insert_protected_person, read};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::services::audit;
use crate::services::obligations::duties::{self, Ending};
use crate::services::{Ctx, ServiceError, ServiceResult, tx};
use domain::calendar;
use domain::errors::{FieldErrors, field_error};
use domain::orders::{effective_schedule, materialise_range, obligation_kind};

/// Records a variation or renewal of an order its caller's organisation manages, and moves the
/// order's duties to the new terms, all in one transaction: a refusal writes nothing.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn vary(ctx: &Ctx, caller: &Caller, id: OrderId, input: VariationInput, now: DateTime<Utc>) -> ServiceResult<OrderView> {
    caller.require(Permission::OrderWrite)?;
    let today = calendar::local_date(now);
    let txn = tx::begin_write(&ctx.writer).await?;
    let (found, owner) = for_change(&txn, caller, id, input.version).await?;
    if !found.status.is_in_force() || found.expires_on.is_some_and(|e| e <= today) {
        return Err(ServiceError::Conflict {
            code: "not_in_force",
            detail: "the order is no longer in force: a court makes a new order rather than varying this one".into(),
        });
    }
    let history = variations(&txn, id).await?;
    let effective_on = input.effective_on.unwrap_or(input.hearing.heard_on);
    let mut errors = FieldErrors::default();
    let valid = validate_variation(&mut errors, &input, found.kind, effective_on, today);
    let removed = current_rows(&txn, &mut errors, id, &input).await?;
    let current = Current {
        kind: found.kind,
        status: found.status,
        made_on: found.made_on,
        terms_from: history.last().map_or(found.effective_on.unwrap_or(found.made_on), |v| v.effective_on),
        expires_on: found.expires_on,
        until_further_order: found.until_further_order,
    };
    let terms_changed = !(input.remove_conditions.is_empty()
        && input.add_conditions.is_empty()
        && input.remove_protected_persons.is_empty()
        && input.add_protected_persons.is_empty());
    let change = Change {
        kind: input.kind,
        heard_on: input.hearing.heard_on,
        effective_on,
        expires_on: input.expires_on,
        until_further_order: input.until_further_order,
        terms_changed,
    };
    errors.0.extend(rules::check(&current, &change, today));
    errors.finish()?;
    let Some(valid) = valid else {
        return Err(ServiceError::Invalid(FieldErrors::single("body", "invalid", "could not be read")));
    };

    let (expires_on, until_further_order) =
        if change.changes_end() { (change.expires_on, change.until_further_order) } else { (found.expires_on, found.until_further_order) };
    let vid = Uuid::now_v7();
    let row = order_variation::ActiveModel {
        id: Set(vid),
        order_id: Set(id),
        terms_version: Set(history.last().map_or(2, |v| v.terms_version + 1)),
        kind: Set(input.kind),
        court_sealed: Set(ctx.crypto.seal_str(columns::VARIATION_COURT, vid, &valid.court)?),
        case_reference_sealed: Set(ctx.crypto.seal_str(columns::VARIATION_CASE_REFERENCE, vid, &valid.case_reference)?),
        reason_sealed: Set(ctx.crypto.seal_str(columns::VARIATION_REASON, vid, &valid.reason)?),
        heard_on: Set(change.heard_on),
        effective_on: Set(effective_on),
        previous_expires_on: Set(found.expires_on),
        previous_until_further_order: Set(found.until_further_order),
        expires_on: Set(expires_on),
        until_further_order: Set(until_further_order),
        recorded_by: Set(caller.subject.clone()),
        recorded_at: Set(now),
    };
    order_variation::Entity::insert(row).exec_without_returning(&txn).await?;
    let status = rules::status_after(found.status, input.kind);
    bump(&txn, id, input.version, now, |u| {
        u.col_expr(order::Column::Status, Expr::value(status.as_str()))
            .col_expr(order::Column::ExpiresOn, Expr::value(expires_on))
            .col_expr(order::Column::UntilFurtherOrder, Expr::value(until_further_order))
    })
    .await?;
    let varied = read::find(&txn, id).await?;

    let mut ids = vec![id.uuid(), owner.id.uuid(), vid];
    remove_rows(&txn, vid, effective_on, &input).await?;
    ids.extend(input.remove_conditions.iter().map(|c| c.uuid()));
    ids.extend(input.remove_protected_persons.iter().copied());
    let what = match input.kind {
        VariationKind::Variation => "varied",
        VariationKind::Renewal => "renewed",
    };
    let reason = format!("The court {what} the order on {} with effect from {effective_on}: {}", change.heard_on, valid.reason);
    let ending = Ending { at: calendar::start_of_day(effective_on), reason: &reason, successor: None };
    duties::end_obligations(&txn, &ctx.crypto, removed, &ending, &caller.subject, now).await?;
    if change.changes_end() {
        follow_end(&txn, ctx, &varied, &reason, &caller.subject, now).await?;
    }
    for person in &valid.add_protected_persons {
        ids.push(insert_protected_person(&txn, ctx, id, person, Some(vid), now).await?);
    }
    let in_force = expires_on.is_none_or(|e| e > today);
    for c in &valid.add_conditions {
        let cid = insert_condition(&txn, ctx, id, c, Some(vid), now).await?;
        ids.push(cid.uuid());
        if let (true, ConditionKind::Requirement, Some(schedule)) = (in_force, c.kind, &c.schedule) {
            let starts_on = Some(c.starts_on.map_or(effective_on, |s| s.max(effective_on)));
            duties::on_scheduled_requirement(&txn, &varied, cid, obligation_kind(c.category), schedule, (starts_on, c.ends_on), now)
                .await?;
        }
    }
    let operation = match input.kind {
        VariationKind::Variation => "order.vary",
        VariationKind::Renewal => "order.renew",
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry(Action::Alteration, operation, Permission::OrderWrite, &ids)).await?;
    let view = read::view(&txn, &ctx.crypto, varied, caller.can(Permission::ProtectedPersonRead)).await?;
    txn.commit().await?;
    Ok(view)
}

/// An order's variations, oldest first.
pub async fn variations(conn: &impl ConnectionTrait, id: OrderId) -> ServiceResult<Vec<order_variation::Model>> {
    Ok(order_variation::Entity::find()
        .filter(order_variation::Column::OrderId.eq(id))
        .order_by_asc(order_variation::Column::TermsVersion)
        .all(conn)
        .await?)
}

/// Checks that every condition and person to remove is part of the order's current terms
/// (naming each one that is not), and returns the open duties of the conditions removed.
async fn current_rows(
    conn: &impl ConnectionTrait,
    errors: &mut FieldErrors,
    id: OrderId,
    input: &VariationInput,
) -> ServiceResult<Vec<obligation::Model>> {
    let conditions = order_condition::Entity::find()
        .filter(order_condition::Column::OrderId.eq(id))
        .filter(order_condition::Column::RemovedByVariation.is_null())
        .all(conn)
        .await?;
    for (i, c) in input.remove_conditions.iter().enumerate() {
        if !conditions.iter().any(|k| k.id == *c) || input.remove_conditions[..i].contains(c) {
            errors.0.push(field_error(format!("remove_conditions[{i}]"), "not_current", "is not a condition of the order's current terms"));
        }
    }
    let persons = order_protected_person::Entity::find()
        .filter(order_protected_person::Column::OrderId.eq(id))
        .filter(order_protected_person::Column::RemovedByVariation.is_null())
        .all(conn)
        .await?;
    for (i, p) in input.remove_protected_persons.iter().enumerate() {
        if !persons.iter().any(|k| k.id == *p) || input.remove_protected_persons[..i].contains(p) {
            errors.0.push(field_error(
                format!("remove_protected_persons[{i}]"),
                "not_current",
                "is not a person the order's current terms protect",
            ));
        }
    }
    if input.remove_conditions.is_empty() {
        return Ok(Vec::new());
    }
    Ok(obligation::Entity::find()
        .filter(obligation::Column::ConditionId.is_in(input.remove_conditions.clone()))
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .all(conn)
        .await?)
}

/// Marks the removed conditions and persons as removed by variation `vid` from `effective_on`.
async fn remove_rows(conn: &impl ConnectionTrait, vid: Uuid, effective_on: NaiveDate, input: &VariationInput) -> ServiceResult<()> {
    if !input.remove_conditions.is_empty() {
        order_condition::Entity::update_many()
            .col_expr(order_condition::Column::RemovedByVariation, Expr::value(vid))
            .col_expr(order_condition::Column::RemovedOn, Expr::value(effective_on))
            .filter(order_condition::Column::Id.is_in(input.remove_conditions.clone()))
            .exec(conn)
            .await?;
    }
    if !input.remove_protected_persons.is_empty() {
        order_protected_person::Entity::update_many()
            .col_expr(order_protected_person::Column::RemovedByVariation, Expr::value(vid))
            .col_expr(order_protected_person::Column::RemovedOn, Expr::value(effective_on))
            .filter(order_protected_person::Column::Id.is_in(input.remove_protected_persons.clone()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The order's end changed: each remaining scheduled requirement keeps the court's schedule
/// narrowed to the new end. Sessions after a shortened end are excused; a later end (a renewal)
/// materialises the sessions the old end had cut off.
async fn follow_end(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    o: &order::Model,
    reason: &str,
    resolved_by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let open = obligation::Entity::find()
        .filter(obligation::Column::OrderId.eq(o.id))
        .filter(obligation::Column::ConditionId.is_not_null())
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .all(conn)
        .await?;
    let conditions = order_condition::Entity::find().filter(order_condition::Column::OrderId.eq(o.id)).all(conn).await?;
    for ob in open {
        let Some(c) = conditions.iter().find(|c| Some(c.id) == ob.condition_id) else { continue };
        let (Some(court), Some(kept)) = (parse(c.schedule.as_deref()), parse(ob.schedule.as_deref())) else { continue };
        // The obligation's own start stays: a requirement added by a variation starts then.
        let schedule = Schedule { starts_on: kept.starts_on, ..effective_schedule(&court, c.starts_on, c.ends_on, o.expires_on) };
        let text = serde_json::to_string(&schedule).map_err(|_| ServiceError::Crypto(crate::crypto::CryptoError::Encoding))?;
        obligation::Entity::update_many()
            .col_expr(obligation::Column::Schedule, Expr::value(text))
            .filter(obligation::Column::Id.eq(ob.id))
            .exec(conn)
            .await?;
        if let Some(last) = schedule.ends_on {
            let after = occurrence::Entity::find()
                .filter(occurrence::Column::ObligationId.eq(ob.id))
                .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
                .filter(occurrence::Column::DueAt.gte(calendar::start_of_day(last.succ_opt().unwrap_or(last))))
                .all(conn)
                .await?;
            jobs::occurrences::excuse(conn, &after, reason, resolved_by, now, &*ctx.crypto).await?;
        }
        let (from, to) = materialise_range(&schedule, calendar::local_date(now));
        jobs::materialise::materialise_one(conn, ob.id, ob.registrant_id, &schedule, from, to, now).await?;
    }
    Ok(())
}

fn parse(text: Option<&str>) -> Option<Schedule> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

/// The condition ids of a variation's removals and additions, for its history.
pub fn changed_by(conditions: &[order_condition::Model], vid: Uuid) -> (Vec<ConditionId>, Vec<ConditionId>) {
    let removed = conditions.iter().filter(|c| c.removed_by_variation == Some(vid)).map(|c| c.id).collect();
    let added = conditions.iter().filter(|c| c.added_by_variation == Some(vid)).map(|c| c.id).collect();
    (removed, added)
}
