//! Recording a notification: the registrant reported in person. A notification made before a
//! duty's deadline meets it; one made after leaves the duty pending, for the detection job and
//! an officer to review (a late notification is still a missed deadline). Any notification
//! restarts the annual clock of regimes that have one, and the weekly clock of a registrant of
//! no fixed abode.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{NotificationId, ObligationId, RecordId, RegistrantId};
use entities::{notification_event, obligation, occurrence, registrant_address};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::duties::{self, Due};
use super::input::{self, NotificationInput};
use super::regimes;
use super::views::{NextDue, NotificationView, Warning};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::orders::read as orders;
use crate::services::registrants::read as registrants;
use crate::services::{Ctx, ServiceResult, tx};
use domain::calendar;
use domain::due::DueEvent;
use domain::regimes::discharges;
use domain::vocab::{AddressKind, ObligationKind, ObligationStatus, OccurrenceStatus};

const RECORD: &str = "notification_event";

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    registrant_id: RegistrantId,
    body: NotificationInput,
    now: DateTime<Utc>,
) -> ServiceResult<NotificationView> {
    caller.require(Permission::NotificationRecord)?;
    let command = input::notification(&body, now)?;

    let txn = tx::begin_write(&ctx.writer).await?;
    registrants::writable(&txn, caller, registrant_id).await?;
    let id = NotificationId::generate();
    let event = notification_event::ActiveModel {
        id: Set(id),
        registrant_id: Set(registrant_id),
        kind: Set(command.kind),
        method: Set(command.method),
        station_sealed: Set(ctx.crypto.seal_opt(columns::NOTIFICATION_STATION, id, command.station.as_deref())?),
        acknowledgement_given: Set(command.acknowledgement_given),
        notified_at: Set(command.notified_at),
        details_sealed: Set(command.details.as_ref().map(|d| ctx.crypto.seal_str(columns::NOTIFICATION_DETAILS, id, d)).transpose()?),
        recorded_by: Set(caller.subject.clone()),
        created_at: Set(now),
    };
    notification_event::Entity::insert(event).exec_without_returning(&txn).await?;

    let mut warnings = Vec::new();
    let mut met = Vec::new();
    let discharged = discharges(command.kind);
    if !discharged.is_empty() {
        let duties = open_obligations(&txn, registrant_id, discharged).await?;
        let covered = domain::regimes::covered_events(command.kind);
        met.extend(meet(&txn, &duties, command.notified_at, None, covered, &caller.subject, now).await?);
        let late = occurrence::Entity::find()
            .filter(occurrence::Column::ObligationId.is_in(duties))
            .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
            .filter(occurrence::Column::DueAt.lte(command.notified_at))
            .filter(covers(covered))
            .count(&txn)
            .await?;
        if late > 0 {
            warnings.push(Warning {
                code: "late",
                detail: format!("{late} notification deadline(s) had already passed; they are left for review as missed"),
            });
        }
    }

    let notified_on = calendar::local_date(command.notified_at);
    let in_force = orders::in_force(&txn, registrant_id, calendar::local_date(now)).await?;
    let regimes = regimes::load_many(&txn, in_force.iter().map(|o| o.regime_code.as_str())).await?;
    let no_fixed_abode = has_no_fixed_abode(&txn, registrant_id, notified_on).await?;
    let mut next_due = Vec::new();
    for o in &in_force {
        let Some(regime) = regimes.iter().find(|r| r.code == o.regime_code) else { continue };
        if let Some(due) = regime.annual_due(notified_on) {
            let ob = duties::ensure_obligation(&txn, o, ObligationKind::AnnualNotification, now).await?;
            met.extend(restart(&txn, ob, o.registrant_id, command.notified_at, due, &caller.subject, now).await?);
            next_due.push(NextDue { obligation_id: ob, kind: ObligationKind::AnnualNotification, due_at: due });
        }
        if let Some(due) = regime.weekly_due(notified_on) {
            if no_fixed_abode {
                let ob = duties::ensure_obligation(&txn, o, ObligationKind::WeeklyNotification, now).await?;
                met.extend(restart(&txn, ob, o.registrant_id, command.notified_at, due, &caller.subject, now).await?);
                next_due.push(NextDue { obligation_id: ob, kind: ObligationKind::WeeklyNotification, due_at: due });
            } else if let Some(ob) = duties::find_open(&txn, o.id, ObligationKind::WeeklyNotification).await? {
                met.extend(meet(&txn, &[ob], command.notified_at, None, None, &caller.subject, now).await?);
            }
        }
    }
    if !command.acknowledgement_given && regimes.iter().any(|r| r.acknowledgement_required) {
        warnings.push(Warning {
            code: "acknowledgement_missing",
            detail: "the regime requires a written acknowledgement of the notification (SPA 2019 s.10); none was given".into(),
        });
    }
    if !regimes.iter().any(|r| r.initial_days.is_some() || r.change_days.is_some() || r.annual) {
        warnings.push(Warning {
            code: "no_notification_duty",
            detail: "no order in force on this registrant carries a notification duty".into(),
        });
    }
    let ids = [registrant_id.uuid(), id.uuid()];
    let entry = Entry {
        action: Action::Collection,
        operation: "notification.record",
        permission: Permission::NotificationRecord,
        record_type: RECORD,
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(NotificationView {
        id,
        registrant_id,
        kind: command.kind,
        method: command.method,
        station: command.station,
        acknowledgement_given: command.acknowledgement_given,
        notified_at: command.notified_at,
        details: command.details,
        met_occurrences: met,
        next_due,
        warnings,
    })
}

async fn open_obligations(
    conn: &impl ConnectionTrait,
    registrant_id: RegistrantId,
    kinds: &[ObligationKind],
) -> ServiceResult<Vec<ObligationId>> {
    Ok(obligation::Entity::find()
        .filter(obligation::Column::RegistrantId.eq(registrant_id))
        .filter(obligation::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .filter(obligation::Column::Status.eq(ObligationStatus::Open))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect())
}

/// Occurrences started by one of `events`, or any when `None`. An occurrence recorded before
/// its event was kept (no `basis_event`) is met by any notification of its duty, as it was then.
fn covers(events: Option<&[DueEvent]>) -> Condition {
    match events {
        Some(events) => Condition::any()
            .add(occurrence::Column::BasisEvent.is_in(events.iter().map(|e| e.as_str())))
            .add(occurrence::Column::BasisEvent.is_null()),
        None => Condition::all(),
    }
}

/// Marks as met the pending occurrences of `obligations` whose period had begun and was still
/// running at `notified_at` (except one due at `keep`, which is the next period being started),
/// of the events the notification covers.
#[allow(clippy::too_many_arguments)]
async fn meet(
    conn: &impl ConnectionTrait,
    obligations: &[ObligationId],
    notified_at: DateTime<Utc>,
    keep: Option<DateTime<Utc>>,
    events: Option<&[DueEvent]>,
    by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    if obligations.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = occurrence::Entity::find()
        .filter(occurrence::Column::ObligationId.is_in(obligations.iter().copied()))
        .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
        .filter(occurrence::Column::DueAt.gt(notified_at))
        .filter(covers(events))
        // A notification made before a period began (before service, before the change) does
        // not discharge it; an officer reviews that case.
        .filter(Condition::any().add(occurrence::Column::WindowOpensAt.is_null()).add(occurrence::Column::WindowOpensAt.lte(notified_at)));
    if let Some(keep) = keep {
        query = query.filter(occurrence::Column::DueAt.ne(keep));
    }
    let ids: Vec<Uuid> = query.all(conn).await?.into_iter().map(|o| o.id.uuid()).collect();
    if !ids.is_empty() {
        occurrence::Entity::update_many()
            .col_expr(occurrence::Column::Status, Expr::value(OccurrenceStatus::Met.as_str()))
            .col_expr(occurrence::Column::ResolvedAt, Expr::value(now))
            .col_expr(occurrence::Column::ResolvedBy, Expr::value(by))
            .col_expr(occurrence::Column::Version, Expr::col(occurrence::Column::Version).add(1))
            .filter(occurrence::Column::Id.is_in(ids.clone()))
            .filter(occurrence::Column::Status.is_in(OccurrenceStatus::open_strs()))
            .exec(conn)
            .await?;
    }
    Ok(ids)
}

/// Meets the current period of a periodic duty and starts the next one.
async fn restart(
    conn: &impl ConnectionTrait,
    obligation_id: ObligationId,
    registrant_id: RegistrantId,
    notified_at: DateTime<Utc>,
    due: DateTime<Utc>,
    by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Uuid>> {
    let met = meet(conn, &[obligation_id], notified_at, Some(due), None, by, now).await?;
    let basis = Some(domain::due::Basis { event: domain::due::DueEvent::LastNotification, on: calendar::local_date(notified_at) });
    duties::add_occurrences(conn, obligation_id, registrant_id, &[Due { at: due, opens: None, basis }], now).await?;
    Ok(met)
}

/// Of no fixed abode on `day`: the most recent current home-or-regularly-found address is a
/// place where the registrant is regularly found rather than a home.
async fn has_no_fixed_abode(conn: &impl ConnectionTrait, registrant_id: RegistrantId, day: NaiveDate) -> ServiceResult<bool> {
    let rows = registrant_address::Entity::find()
        .filter(registrant_address::Column::RegistrantId.eq(registrant_id))
        .filter(registrant_address::Column::Kind.is_in([AddressKind::Home.as_str(), AddressKind::RegularlyFound.as_str()]))
        .all(conn)
        .await?;
    let current = rows
        .into_iter()
        .filter(|a| a.valid_to.is_none_or(|to| to >= day) && a.valid_from.is_none_or(|from| from <= day))
        .max_by_key(|a| (a.valid_from.unwrap_or(NaiveDate::MIN), a.id));
    Ok(current.is_some_and(|a| a.kind == AddressKind::RegularlyFound))
}
