//! What a breach is about, so that the officer deciding it need not piece it together: the
//! order, the exact condition, what was missed and when (with why it was due), or the crime
//! report that raised it. Read inside the breach's own read, under its audit entry.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{ConditionId, OccurrenceId, OrderId, ReportId};
use domain::vocab::{Classification, ConditionCategory, ConditionKind, ObligationKind, OccurrenceStatus, OrderKind, OrderStatus};
use entities::{breach, crime_report, order, order_condition};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::crypto::{Crypto, columns};
use crate::services::ServiceResult;
use crate::services::obligations::read as obligations;

#[derive(Serialize, ToSchema)]
pub struct BreachContext {
    pub order: Option<OrderContext>,
    pub condition: Option<ConditionContext>,
    /// The duty that was missed, for a breach detected from a missed occurrence or recorded
    /// against one.
    pub missed: Option<MissedContext>,
    /// The crime report that raised a `crime_report` breach (never its victim).
    pub report: Option<ReportContext>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderContext {
    pub id: OrderId,
    pub kind: OrderKind,
    pub status: OrderStatus,
    pub made_on: NaiveDate,
    pub served_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ConditionContext {
    pub id: ConditionId,
    pub kind: ConditionKind,
    pub category: ConditionCategory,
    /// The condition's words, as the court made it.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct MissedContext {
    pub occurrence_id: OccurrenceId,
    pub duty: ObligationKind,
    pub due_at: DateTime<Utc>,
    pub status: OccurrenceStatus,
    pub why: domain::due::WhyDue,
}

#[derive(Serialize, ToSchema)]
pub struct ReportContext {
    pub id: ReportId,
    pub crime_reference: String,
    pub force: String,
    pub principal_classification: Classification,
    pub occurred_from: Option<NaiveDate>,
    pub occurred_to: Option<NaiveDate>,
}

pub async fn of(conn: &impl ConnectionTrait, crypto: &Crypto, b: &breach::Model, now: DateTime<Utc>) -> ServiceResult<BreachContext> {
    let missed = match b.occurrence_id {
        Some(id) => {
            let occ = obligations::find_occurrence(conn, id).await?;
            let duty = obligations::find_obligation(conn, occ.obligation_id).await?;
            let view = obligations::occurrence_view(conn, crypto, occ, now).await?;
            Some((duty, view))
        }
        None => None,
    };
    // A detected breach names its occurrence; the order and condition come from its duty.
    let order_id = b.order_id.or_else(|| missed.as_ref().and_then(|(duty, _)| duty.order_id));
    let condition_id = b.condition_id.or_else(|| missed.as_ref().and_then(|(duty, _)| duty.condition_id));
    let order = match order_id {
        Some(id) => order::Entity::find_by_id(id).one(conn).await?.map(|o| OrderContext {
            id: o.id,
            kind: o.kind,
            status: o.status,
            made_on: o.made_on,
            served_on: o.served_on,
            expires_on: o.expires_on,
        }),
        None => None,
    };
    let condition = match condition_id {
        Some(id) => match order_condition::Entity::find_by_id(id).one(conn).await? {
            Some(c) => Some(ConditionContext {
                text: crypto.open_str(columns::CONDITION_TEXT, c.id, &c.text_sealed)?,
                id: c.id,
                kind: c.kind,
                category: c.category,
            }),
            None => None,
        },
        None => None,
    };
    let report = match b.report_id {
        Some(id) => crime_report::Entity::find_by_id(id).one(conn).await?.map(|r| ReportContext {
            id: r.id,
            crime_reference: r.crime_reference,
            force: r.force,
            principal_classification: r.principal_classification,
            occurred_from: r.occurred_from,
            occurred_to: r.occurred_to,
        }),
        None => None,
    };
    let missed = missed.map(|(duty, view)| MissedContext {
        occurrence_id: view.id,
        duty: duty.kind,
        due_at: view.due_at,
        status: view.status,
        why: view.why,
    });
    Ok(BreachContext { order, condition, missed, report })
}
