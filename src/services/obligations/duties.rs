//! Turning orders, regimes and changes into obligations and occurrences. These helpers run inside
//! the caller's transaction (an order's creation, its service, a registrant's change) and never
//! audit on their own: the operation that caused them does. Occurrences are inserted with ON
//! CONFLICT DO NOTHING on `(obligation_id, due_at, subject)`, so running any of them twice creates nothing
//! new, whether the second run is a retry, a job or another replica.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{ConditionId, ObligationId, OccurrenceId, OrderId, RecordId, RegistrantId};
use domain::schedule::Schedule;
use entities::{obligation, occurrence, order};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::regimes;
use crate::crypto::Crypto;
use crate::services::orders::read as orders;
use crate::services::{ServiceError, ServiceResult};
use domain::calendar;
use domain::due::{Basis, DueEvent};
use domain::orders::{effective_schedule, materialise_range};
use domain::regimes::{ChangeEvent, Regime, Subject, Trigger, displaces};
use domain::vocab::{ObligationKind, ObligationStatus, OccurrenceStatus};

/// One due instant, and when its window opens (for notification periods).
pub struct Due {
    pub at: DateTime<Utc>,
    pub opens: Option<DateTime<Utc>>,
    /// The event that started its clock ("Why is this due?").
    pub basis: Option<Basis>,
}

/// The open obligation of `kind` under `order` that is not tied to a condition, created if
/// missing: an order has one initial, one change, one annual and one weekly duty, each with as
/// many occurrences as events call for.
pub async fn ensure_obligation(
    conn: &impl ConnectionTrait,
    o: &order::Model,
    kind: ObligationKind,
    now: DateTime<Utc>,
) -> ServiceResult<ObligationId> {
    if let Some(found) = find_open(conn, o.id, kind).await? {
        return Ok(found);
    }
    insert_obligation(conn, o.registrant_id, Some(o.id), None, kind, Some(&o.regime_code), None, now).await
}

/// The open obligation of `kind` under an order that is not tied to a condition, if any.
pub async fn find_open(conn: &impl ConnectionTrait, order_id: OrderId, kind: ObligationKind) -> ServiceResult<Option<ObligationId>> {
    let found = obligation::Entity::find()
        .filter(obligation::Column::OrderId.eq(order_id))
        .filter(obligation::Column::Kind.eq(kind))
        .filter(obligation::Column::ConditionId.is_null())
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .one(conn)
        .await?;
    Ok(found.map(|o| o.id))
}

#[allow(clippy::too_many_arguments)]
async fn insert_obligation(
    conn: &impl ConnectionTrait,
    registrant_id: RegistrantId,
    order_id: Option<OrderId>,
    condition_id: Option<ConditionId>,
    kind: ObligationKind,
    regime_code: Option<&str>,
    schedule: Option<&Schedule>,
    now: DateTime<Utc>,
) -> ServiceResult<ObligationId> {
    let id = ObligationId::generate();
    let schedule =
        schedule.map(serde_json::to_string).transpose().map_err(|_| ServiceError::Crypto(crate::crypto::CryptoError::Encoding))?;
    let model = obligation::ActiveModel {
        id: Set(id),
        registrant_id: Set(registrant_id),
        order_id: Set(order_id),
        condition_id: Set(condition_id),
        kind: Set(kind),
        regime_code: Set(regime_code.map(str::to_owned)),
        schedule: Set(schedule),
        status: Set(ObligationStatus::Open),
        created_at: Set(now),
        closed_at: Set(None),
    };
    obligation::Entity::insert(model).exec_without_returning(conn).await?;
    Ok(id)
}

/// Inserts pending occurrences; those already present (same obligation, instant and event) are
/// kept. Two events due at the same instant under one duty (a new name and a new address on the
/// same day) are two occurrences.
pub async fn add_occurrences(
    conn: &impl ConnectionTrait,
    obligation_id: ObligationId,
    registrant_id: RegistrantId,
    dues: &[Due],
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    if dues.is_empty() {
        return Ok(());
    }
    let rows = dues.iter().map(|d| occurrence::ActiveModel {
        id: Set(OccurrenceId::generate()),
        obligation_id: Set(obligation_id),
        registrant_id: Set(registrant_id),
        due_at: Set(d.at),
        window_opens_at: Set(d.opens),
        status: Set(OccurrenceStatus::Pending),
        reason_sealed: Set(None),
        resolved_at: Set(None),
        resolved_by: Set(None),
        basis_event: Set(d.basis.map(|b| b.event)),
        basis_on: Set(d.basis.map(|b| b.on)),
        subject: Set(d.basis.map(|b| b.event.as_str().to_owned()).unwrap_or_default()),
        version: Set(1),
        created_at: Set(now),
    });
    occurrence::Entity::insert_many(rows).on_conflict(jobs::occurrences::on_conflict()).exec_without_returning(conn).await?;
    Ok(())
}

/// Whether `o`'s notification requirements do not apply because the registrant is subject to
/// another in-force order's (overlapping regimes, `domain::regimes::displaces`).
pub fn displaced(o: &order::Model, regime: &Regime, in_force: &[order::Model]) -> bool {
    in_force.iter().any(|p| displaces(regime, subject(o), subject(p)))
}

fn subject(o: &order::Model) -> Subject<'_> {
    Subject { regime: &o.regime_code, made_on: o.made_on, recorded: o.id.uuid() }
}

/// The registrant's orders in force on `today` whose notification requirements apply (not
/// displaced by another order's), each with its regime: where a change or a trip is owed.
pub async fn notifying_orders(
    conn: &impl ConnectionTrait,
    registrant_id: RegistrantId,
    today: NaiveDate,
) -> ServiceResult<Vec<(order::Model, Regime)>> {
    let in_force = orders::in_force(conn, registrant_id, today).await?;
    let regimes = regimes::load_many(conn, in_force.iter().map(|o| o.regime_code.as_str())).await?;
    let applying = in_force
        .iter()
        .filter_map(|o| regimes.iter().find(|r| r.code == o.regime_code).map(|r| (o, r)))
        .filter(|(o, r)| !displaced(o, r, &in_force))
        .map(|(o, r)| (o.clone(), r.clone()))
        .collect();
    Ok(applying)
}

/// The initial notification duty that `trigger` (the making or the service of the order) starts,
/// if the order's regime counts from that event.
pub async fn on_order_trigger(
    conn: &impl ConnectionTrait,
    o: &order::Model,
    regime: &Regime,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> ServiceResult<Option<ObligationId>> {
    let Some(first_day) = regime.initial_period_start(trigger, o.made_on, o.served_on) else { return Ok(None) };
    let Some(due) = regime.initial_due(first_day) else { return Ok(None) };
    let id = ensure_obligation(conn, o, ObligationKind::InitialNotification, now).await?;
    let basis = Option::<DueEvent>::from(trigger).map(|event| Basis { event, on: first_day });
    add_occurrences(conn, id, o.registrant_id, &[Due { at: due, opens: Some(calendar::start_of_day(first_day)), basis }], now).await?;
    Ok(Some(id))
}

/// A scheduled requirement becomes an obligation with its sessions materialised ahead.
pub async fn on_scheduled_requirement(
    conn: &impl ConnectionTrait,
    o: &order::Model,
    condition_id: ConditionId,
    kind: ObligationKind,
    schedule: &Schedule,
    (starts_on, ends_on): (Option<NaiveDate>, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> ServiceResult<ObligationId> {
    let schedule = effective_schedule(schedule, starts_on, ends_on, o.expires_on);
    let id = insert_obligation(conn, o.registrant_id, Some(o.id), Some(condition_id), kind, None, Some(&schedule), now).await?;
    materialise(conn, id, o.registrant_id, &schedule, now).await?;
    Ok(id)
}

async fn materialise(
    conn: &impl ConnectionTrait,
    obligation_id: ObligationId,
    registrant_id: RegistrantId,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    // The same function the materialising job uses, so both agree on what exists.
    let (from, to) = materialise_range(schedule, calendar::local_date(now));
    Ok(jobs::materialise::materialise_one(conn, obligation_id, registrant_id, schedule, from, to, now).await?)
}

/// A registrant's change (of name, home address, ...) that the regime of an in-force order
/// requires to be notified: one occurrence under that order's change duty, due `change_days`
/// beginning with the day of the change. A change from before the order was served (or took
/// effect) is history, not a duty; one in the future is due only from the day it happens
/// (its window opens then, so it is neither overdue nor met by an earlier notification).
/// Returns the obligations that gained an occurrence.
pub async fn on_registrant_change(
    conn: &impl ConnectionTrait,
    registrant_id: RegistrantId,
    event: ChangeEvent,
    changed_on: NaiveDate,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<ObligationId>> {
    let mut touched = Vec::new();
    for (o, regime) in &notifying_orders(conn, registrant_id, calendar::local_date(now)).await? {
        // History from before the order had effect is what the initial notification covers
        // (name and home address at the time), not a change the order asks to be notified.
        if changed_on < o.served_on.unwrap_or(o.made_on).max(o.effective_on.unwrap_or(o.made_on)) {
            continue;
        }
        let Some(due) = regime.change_due(event, changed_on) else { continue };
        let id = ensure_obligation(conn, o, ObligationKind::ChangeNotification, now).await?;
        let basis = Some(Basis { event: event.into(), on: changed_on });
        add_occurrences(conn, id, registrant_id, &[Due { at: due, opens: Some(calendar::start_of_day(changed_on)), basis }], now).await?;
        touched.push(id);
    }
    Ok(touched)
}

/// An order recorded after the fact (a register back-loaded from another system, service
/// entered long after it happened): its duties whose deadline had already passed when it was
/// recorded become `historical` instead of breaches an hour later. Vigil never watched them;
/// the officer records the notifications that were made. Only notification deadlines: sessions
/// of requirements are materialised from the day the order is recorded, and one already past
/// that day is still the registrant's to attend. Only occurrences this operation created
/// (`created_at` is `now`): a duty Vigil was already watching, past due and waiting for the
/// detector's grace period, stays a breach to be. Returns how many.
pub async fn mark_historical(conn: &impl ConnectionTrait, order_id: OrderId, now: DateTime<Utc>) -> ServiceResult<u64> {
    let of_order: Vec<_> = obligation::Entity::find()
        .filter(obligation::Column::OrderId.eq(order_id))
        .all(conn)
        .await?
        .into_iter()
        .filter(|o| o.kind.is_notification())
        .collect();
    if of_order.is_empty() {
        return Ok(0);
    }
    let done = occurrence::Entity::update_many()
        .col_expr(occurrence::Column::Status, Expr::value(OccurrenceStatus::Historical.as_str()))
        .filter(occurrence::Column::ObligationId.is_in(of_order.into_iter().map(|o| o.id)))
        .filter(occurrence::Column::Status.eq(OccurrenceStatus::Pending))
        .filter(occurrence::Column::DueAt.lte(now))
        .filter(occurrence::Column::CreatedAt.eq(now))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// An order that stops being in force now closes its obligations. Occurrences not yet due are
/// excused with the reason recorded, so that no job later treats them as missed; those already
/// due stay as they are (a duty missed while the order was in force is still a breach).
pub async fn close_for_order(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    order_id: OrderId,
    resolved_by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<ObligationId>> {
    let ending = Ending { at: now, reason: "The order ceased to be in force before this was due.", successor: None };
    end_for_order(conn, crypto, order_id, &ending, resolved_by, now).await
}

/// How an order's duties end: from when, why, and which order takes them over.
pub struct Ending<'a> {
    /// The instant the order stopped having effect, which may be before it was recorded;
    /// occurrences due after it were never owed under this order.
    pub at: DateTime<Utc>,
    pub reason: &'a str,
    /// An order under the same regime that continues the notification duties: SPA 2019 s.9(1)
    /// runs from service of the interim order and a full order replacing it does not restart
    /// it, so a pending notification moves to the successor with its due instant and basis.
    pub successor: Option<&'a order::Model>,
}

/// Closes an order's open obligations as `ending` says: pending occurrences due after
/// `ending.at` are excused with its reason (and notifications handed to the successor); those
/// due before stay as they are.
pub async fn end_for_order(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    order_id: OrderId,
    ending: &Ending<'_>,
    resolved_by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<ObligationId>> {
    let open = obligation::Entity::find()
        .filter(obligation::Column::OrderId.eq(order_id))
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .all(conn)
        .await?;
    end_obligations(conn, crypto, open, ending, resolved_by, now).await
}

/// Closes `open` as `ending` says (see [`end_for_order`]); a variation uses it for the duties of
/// the conditions it removes.
pub async fn end_obligations(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    open: Vec<obligation::Model>,
    ending: &Ending<'_>,
    resolved_by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<ObligationId>> {
    let ids: Vec<ObligationId> = open.iter().map(|o| o.id).collect();
    if ids.is_empty() {
        return Ok(ids);
    }
    obligation::Entity::update_many()
        .col_expr(obligation::Column::Status, Expr::value(ObligationStatus::Closed.as_str()))
        .col_expr(obligation::Column::ClosedAt, Expr::value(now))
        .filter(obligation::Column::Id.is_in(ids.clone()))
        .exec(conn)
        .await?;
    let after = occurrence::Entity::find()
        .filter(occurrence::Column::ObligationId.is_in(ids.clone()))
        .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
        .filter(occurrence::Column::DueAt.gt(ending.at))
        .all(conn)
        .await?;
    for occ in &after {
        let handed = open.iter().find(|o| o.id == occ.obligation_id).filter(|o| o.kind.is_notification() && o.condition_id.is_none());
        if let (Some(successor), Some(from)) = (ending.successor, handed) {
            let id = ensure_obligation(conn, successor, from.kind, now).await?;
            let basis = occ.basis_event.zip(occ.basis_on).map(|(event, on)| Basis { event, on });
            add_occurrences(conn, id, occ.registrant_id, &[Due { at: occ.due_at, opens: occ.window_opens_at, basis }], now).await?;
        }
    }
    jobs::occurrences::excuse(conn, &after, ending.reason, resolved_by, now, crypto).await?;
    Ok(ids)
}

/// A registrant who has died or whose registration has ended owes nothing more: every open
/// obligation closes and every pending occurrence, due or not, is excused with `reason`.
pub async fn end_for_registrant(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: RegistrantId,
    reason: &str,
    resolved_by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    obligation::Entity::update_many()
        .col_expr(obligation::Column::Status, Expr::value(ObligationStatus::Closed.as_str()))
        .col_expr(obligation::Column::ClosedAt, Expr::value(now))
        .filter(obligation::Column::RegistrantId.eq(registrant_id))
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .exec(conn)
        .await?;
    let pending = occurrence::Entity::find()
        .filter(occurrence::Column::RegistrantId.eq(registrant_id))
        .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
        .all(conn)
        .await?;
    let excused = jobs::occurrences::excuse(conn, &pending, reason, resolved_by, now, crypto).await?;
    Ok(excused)
}
