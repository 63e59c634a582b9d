//! Loading orders and opening their sealed rows into views.

use chrono::NaiveDate;
use domain::ids::{OrderId, RegistrantId};
use entities::{order, order_condition, order_protected_person, order_status_change};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::views::*;
use crate::crypto::{Crypto, columns};
use crate::services::registrants::read::stored;
use crate::services::{ServiceError, ServiceResult};
use domain::commands::orders::ProtectedPersonDetails;
use domain::vocab::{ConditionKind, OrderStatus};

pub async fn find(conn: &impl ConnectionTrait, id: OrderId) -> ServiceResult<order::Model> {
    order::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("order"))
}

/// Orders of a registrant that are in force on `today`: an in-force status and not past their
/// expiry (the expiry job may not have run yet).
pub async fn in_force(conn: &impl ConnectionTrait, registrant_id: RegistrantId, today: NaiveDate) -> ServiceResult<Vec<order::Model>> {
    let statuses = OrderStatus::in_force().map(|s| s.as_str());
    Ok(order::Entity::find()
        .filter(order::Column::RegistrantId.eq(registrant_id))
        .filter(order::Column::Status.is_in(statuses))
        .filter(Condition::any().add(order::Column::ExpiresOn.is_null()).add(order::Column::ExpiresOn.gt(today)))
        .order_by_asc(order::Column::Id)
        .all(conn)
        .await?)
}

/// The ids of an order's protected persons (for the audit entry of a disclosure).
pub async fn protected_person_ids(conn: &impl ConnectionTrait, order_ids: &[Uuid]) -> ServiceResult<Vec<Uuid>> {
    let rows = order_protected_person::Entity::find()
        .filter(order_protected_person::Column::OrderId.is_in(order_ids.iter().copied()))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|p| p.id).collect())
}

pub async fn view(conn: &impl ConnectionTrait, crypto: &Crypto, o: order::Model, with_protected_persons: bool) -> ServiceResult<OrderView> {
    let protected_persons = if with_protected_persons {
        let rows = order_protected_person::Entity::find()
            .filter(order_protected_person::Column::OrderId.eq(o.id))
            .order_by_asc(order_protected_person::Column::Id)
            .all(conn)
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for p in rows {
            let d: ProtectedPersonDetails = crypto.open_json(columns::PROTECTED_PERSON, p.id, &p.details_sealed)?;
            views.push(ProtectedPersonView {
                id: p.id,
                given: d.given,
                family: d.family,
                date_of_birth: d.date_of_birth,
                relationship: d.relationship,
            });
        }
        Some(views)
    } else {
        None
    };
    let conditions = order_condition::Entity::find()
        .filter(order_condition::Column::OrderId.eq(o.id))
        .order_by_asc(order_condition::Column::Id)
        .all(conn)
        .await?;
    let mut condition_views = Vec::with_capacity(conditions.len());
    for c in conditions {
        let kind = c.kind;
        let shown = with_protected_persons || kind == ConditionKind::Requirement;
        let parameters = match &c.parameters_sealed {
            Some(sealed) if shown => Some(crypto.open_json(columns::CONDITION_PARAMETERS, c.id, sealed)?),
            _ => None,
        };
        let text = if shown { Some(crypto.open_str(columns::CONDITION_TEXT, c.id, &c.text_sealed)?) } else { None };
        condition_views.push(ConditionView {
            id: c.id,
            kind,
            category: c.category,
            text,
            parameters,
            responsible_person: crypto.open_opt(columns::CONDITION_RESPONSIBLE, c.id, c.responsible_person_sealed.as_deref())?,
            schedule: c.schedule.as_deref().map(|s| stored(serde_json::from_str(s).ok())).transpose()?,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
        });
    }
    let changes = order_status_change::Entity::find()
        .filter(order_status_change::Column::OrderId.eq(o.id))
        .order_by_asc(order_status_change::Column::Id)
        .all(conn)
        .await?;
    let mut history = Vec::with_capacity(changes.len());
    for ch in changes {
        history.push(StatusChangeView {
            id: ch.id,
            from: ch.from_status,
            to: ch.to_status,
            reason: ch.reason_sealed.as_deref().map(|r| crypto.open_str(columns::ORDER_STATUS_REASON, ch.id, r)).transpose()?,
            changed_by: ch.changed_by,
            changed_role: ch.changed_role,
            changed_at: ch.changed_at,
            effective_at: ch.effective_at,
        });
    }
    let case_reference = o.case_reference_sealed.as_deref().map(|s| crypto.open_str(columns::ORDER_CASE_REFERENCE, o.id, s)).transpose()?;
    Ok(OrderView {
        id: o.id,
        registrant_id: o.registrant_id,
        kind: o.kind,
        regime: o.regime_code,
        court: crypto.open_opt(columns::ORDER_COURT, o.id, o.court_sealed.as_deref())?,
        case_reference,
        made_on: o.made_on,
        served_on: o.served_on,
        effective_on: o.effective_on,
        expires_on: o.expires_on,
        until_further_order: o.until_further_order,
        status: o.status,
        replaces_order_id: o.replaces_order_id,
        managing_org: o.managing_org,
        protected_persons,
        conditions: condition_views,
        status_history: history,
        version: o.version,
        created_at: o.created_at,
        updated_at: o.updated_at,
    })
}
