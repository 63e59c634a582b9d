//! Overlapping regimes (SPA 2019 s.9(5)-(7), DAA 2021 s.41(8)-(9)): while a person is subject to
//! another regime's notification requirements (`regimes.displaced_by`), an order's own initial
//! notification is not created; when the displacing order ends, it starts from that day. Called
//! by every path that ends an order: a status change or a replacement (the service) and expiry
//! (the job), in their transactions, so it lives here, below both.

use chrono::{DateTime, NaiveDate, Utc};
use domain::calendar;
use domain::due::DueEvent;
use domain::ids::{ObligationId, OccurrenceId, RecordId};
use domain::regimes::{Subject, displaces};
use domain::vocab::{ObligationKind, ObligationStatus, OccurrenceStatus, OrderStatus};
use entities::{obligation, occurrence, order, regime};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

fn subject(o: &order::Model) -> Subject<'_> {
    Subject { regime: &o.regime_code, made_on: o.made_on, recorded: o.id.uuid() }
}

/// `ended` stopped having effect on `from_day`: each other in-force order of the registrant that
/// it displaced, and that nothing else still displaces, gets its initial notification due within
/// its regime's days beginning with `from_day`. Returns how many duties started.
pub async fn resume_after(
    conn: &impl ConnectionTrait,
    ended: &order::Model,
    from_day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let remaining: Vec<order::Model> = order::Entity::find()
        .filter(order::Column::RegistrantId.eq(ended.registrant_id))
        .filter(order::Column::Id.ne(ended.id))
        .filter(order::Column::Status.is_in(OrderStatus::in_force().map(|s| s.as_str())))
        .filter(Condition::any().add(order::Column::ExpiresOn.is_null()).add(order::Column::ExpiresOn.gt(from_day)))
        .all(conn)
        .await?;
    let codes: Vec<&str> = remaining.iter().map(|o| o.regime_code.as_str()).collect();
    let regimes = regime::Entity::find().filter(regime::Column::Code.is_in(codes)).all(conn).await?;
    let mut started = 0;
    for o in &remaining {
        let Some(rules) = regimes.iter().find(|r| r.code == o.regime_code).and_then(regime::Model::to_domain) else { continue };
        let Some(days) = rules.initial_days else { continue };
        if !displaces(&rules, subject(o), subject(ended)) || remaining.iter().any(|p| displaces(&rules, subject(o), subject(p))) {
            continue;
        }
        let existing = obligation::Entity::find()
            .filter(obligation::Column::OrderId.eq(o.id))
            .filter(obligation::Column::Kind.eq(ObligationKind::InitialNotification))
            .count(conn)
            .await?;
        if existing > 0 {
            continue;
        }
        let id = ObligationId::generate();
        obligation::Entity::insert(obligation::ActiveModel {
            id: Set(id),
            registrant_id: Set(o.registrant_id),
            order_id: Set(Some(o.id)),
            condition_id: Set(None),
            kind: Set(ObligationKind::InitialNotification),
            regime_code: Set(Some(o.regime_code.clone())),
            schedule: Set(None),
            status: Set(ObligationStatus::Open),
            created_at: Set(now),
            closed_at: Set(None),
        })
        .exec_without_returning(conn)
        .await?;
        let event = DueEvent::DisplacingOrderEnded;
        occurrence::Entity::insert(occurrence::ActiveModel {
            id: Set(OccurrenceId::generate()),
            obligation_id: Set(id),
            registrant_id: Set(o.registrant_id),
            due_at: Set(calendar::end_of_days_beginning_with(from_day, days)),
            window_opens_at: Set(Some(calendar::start_of_day(from_day))),
            status: Set(OccurrenceStatus::Pending),
            reason_sealed: Set(None),
            resolved_at: Set(None),
            resolved_by: Set(None),
            basis_event: Set(Some(event)),
            basis_on: Set(Some(from_day)),
            subject: Set(event.as_str().to_owned()),
            version: Set(1),
            created_at: Set(now),
        })
        .on_conflict(crate::occurrences::on_conflict())
        .exec_without_returning(conn)
        .await?;
        started += 1;
    }
    Ok(started)
}
