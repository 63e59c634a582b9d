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
    let (protected_persons, former_protected_persons) = if with_protected_persons {
        let rows = order_protected_person::Entity::find()
            .filter(order_protected_person::Column::OrderId.eq(o.id))
            .order_by_asc(order_protected_person::Column::Id)
            .all(conn)
            .await?;
        let (mut current, mut former) = (Vec::new(), Vec::new());
        for p in rows {
            let d: ProtectedPersonDetails = crypto.open_json(columns::PROTECTED_PERSON, p.id, &p.details_sealed)?;
            let view = ProtectedPersonView {
                id: p.id,
                given: d.given,
                family: d.family,
                date_of_birth: d.date_of_birth,
                relationship: d.relationship,
                added_by_variation: p.added_by_variation,
                removed_by_variation: p.removed_by_variation,
                removed_on: p.removed_on,
            };
            if p.removed_by_variation.is_some() { former.push(view) } else { current.push(view) }
        }
        (Some(current), Some(former))
    } else {
        (None, None)
    };
    let conditions = order_condition::Entity::find()
        .filter(order_condition::Column::OrderId.eq(o.id))
        .order_by_asc(order_condition::Column::Id)
        .all(conn)
        .await?;
    let (mut current, mut former) = (Vec::new(), Vec::new());
    for c in &conditions {
        let view = condition_view(crypto, c, with_protected_persons)?;
        if c.removed_by_variation.is_some() { former.push(view) } else { current.push(view) }
    }
    let mut variations = Vec::new();
    for v in super::variations::variations(conn, o.id).await? {
        let (removed_conditions, added_conditions) = super::variations::changed_by(&conditions, v.id);
        let reason = if with_protected_persons { Some(crypto.open_str(columns::VARIATION_REASON, v.id, &v.reason_sealed)?) } else { None };
        variations.push(VariationView {
            id: v.id,
            terms_version: v.terms_version,
            kind: v.kind,
            court: crypto.open_str(columns::VARIATION_COURT, v.id, &v.court_sealed)?,
            case_reference: crypto.open_str(columns::VARIATION_CASE_REFERENCE, v.id, &v.case_reference_sealed)?,
            heard_on: v.heard_on,
            effective_on: v.effective_on,
            reason,
            previous_expires_on: v.previous_expires_on,
            previous_until_further_order: v.previous_until_further_order,
            expires_on: v.expires_on,
            until_further_order: v.until_further_order,
            removed_conditions,
            added_conditions,
            recorded_by: v.recorded_by,
            recorded_at: v.recorded_at,
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
        former_protected_persons,
        conditions: current,
        former_conditions: former,
        terms_version: variations.last().map_or(1, |v| v.terms_version),
        variations,
        status_history: history,
        version: o.version,
        created_at: o.created_at,
        updated_at: o.updated_at,
    })
}

/// A condition opened for the caller: a prohibition's wording and parameters describe the
/// person it protects, so only roles that may see protected persons get them.
fn condition_view(crypto: &Crypto, c: &order_condition::Model, with_protected_persons: bool) -> ServiceResult<ConditionView> {
    let shown = with_protected_persons || c.kind == ConditionKind::Requirement;
    let parameters = match &c.parameters_sealed {
        Some(sealed) if shown => Some(crypto.open_json(columns::CONDITION_PARAMETERS, c.id, sealed)?),
        _ => None,
    };
    let text = if shown { Some(crypto.open_str(columns::CONDITION_TEXT, c.id, &c.text_sealed)?) } else { None };
    Ok(ConditionView {
        id: c.id,
        kind: c.kind,
        category: c.category,
        text,
        parameters,
        responsible_person: crypto.open_opt(columns::CONDITION_RESPONSIBLE, c.id, c.responsible_person_sealed.as_deref())?,
        schedule: c.schedule.as_deref().map(|s| stored(serde_json::from_str(s).ok())).transpose()?,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        added_by_variation: c.added_by_variation,
        removed_by_variation: c.removed_by_variation,
        removed_on: c.removed_on,
    })
}
