//! The alerts queue: what the scheduled jobs and the register checks raised for an
//! organisation, paged and sorted by the database, and acknowledging alerts.

use chrono::{DateTime, Utc};
use domain::errors::FieldErrors;
use domain::ids::{AlertId, RecordId, RegistrantId};
use domain::vocab::{AlertKind, AlertStatus, AlertSubject};
use entities::{alert, registrant};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Caller, Permission};
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::{Ctx, ServiceError, ServiceResult, tx};

#[derive(Serialize, ToSchema)]
pub struct AlertView {
    pub id: AlertId,
    pub kind: AlertKind,
    pub subject_type: AlertSubject,
    pub subject_id: Uuid,
    pub registrant_id: Option<RegistrantId>,
    /// The registrant's reference (`VGL-…`), when the alert is about one.
    pub registrant_reference: Option<String>,
    pub managing_org: String,
    pub status: AlertStatus,
    /// Ids and dates describing what the alert is about.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub raised_at: DateTime<Utc>,
    /// When it was acknowledged; absent while open.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

async fn alert_views(conn: &impl sea_orm::ConnectionTrait, rows: Vec<alert::Model>) -> ServiceResult<Vec<AlertView>> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|a| a.registrant_id.map(|id| id.uuid())).collect();
    // References are plain columns: one query for the whole page, nothing opened.
    let references: HashMap<RegistrantId, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        registrant::Entity::find()
            .select_only()
            .column(registrant::Column::Id)
            .column(registrant::Column::Reference)
            .filter(registrant::Column::Id.is_in(ids))
            .into_tuple::<(RegistrantId, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|a| AlertView {
            id: a.id,
            kind: a.kind,
            subject_type: a.subject_type,
            subject_id: a.subject_id,
            registrant_reference: a.registrant_id.and_then(|id| references.get(&id).cloned()),
            registrant_id: a.registrant_id,
            managing_org: a.managing_org,
            status: a.status,
            detail: serde_json::from_str(&a.detail).unwrap_or(serde_json::Value::Null),
            raised_at: a.raised_at,
            acknowledged_at: a.acknowledged_at,
        })
        .collect())
}

/// How the alerts queue is ordered. The order is the database's, so a page is a slice of the
/// whole queue however long it grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AlertSort {
    /// When it was raised (the default: newest first).
    #[default]
    Raised,
    /// The kind of alert, by its name in the queue ([`AlertKind`] titles, alphabetically).
    Kind,
    /// The registrant's reference (alerts about no registrant last).
    Registrant,
}

pub struct AlertQuery {
    pub sort: AlertSort,
    pub descending: bool,
    pub limit: u64,
    /// How many alerts, in this order, to pass over (the pages before this one).
    pub offset: u64,
}

impl AlertQuery {
    /// Newest first, as the API lists them.
    pub fn newest(limit: u64, offset: u64) -> Self {
        Self { sort: AlertSort::Raised, descending: true, limit, offset }
    }
}

/// One page of the queue and how many alerts are open in all.
pub struct AlertPage {
    pub items: Vec<AlertView>,
    pub total: u64,
}

/// The kinds in the order of their names in the queue, so sorting by kind reads alphabetically.
const KIND_ORDER: [(AlertKind, &str); 9] = [
    (AlertKind::OrderEligibility, "Consider an order"),
    (AlertKind::InterimOrderEnding, "Interim order ending"),
    (AlertKind::MappaReviewDue, "MAPPA review due"),
    (AlertKind::MissingAcknowledgement, "Notification not acknowledged in writing"),
    (AlertKind::OrderExpiring, "Order expiring"),
    (AlertKind::RequirementWithoutResponsiblePerson, "Requirement without a responsible person"),
    (AlertKind::RiskReviewDue, "Risk review due"),
    (AlertKind::SerialPattern, "Serial pattern"),
    (AlertKind::ServedNotNotified, "Served but not notified"),
];

/// The queue's name for an alert kind: words an officer uses, never the code.
pub fn kind_title(kind: AlertKind) -> &'static str {
    KIND_ORDER.iter().find(|(k, _)| *k == kind).map(|(_, t)| *t).unwrap_or("Alert")
}

fn sort_key(sort: AlertSort) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Expr;
    match sort {
        AlertSort::Raised => Expr::col(alert::Column::RaisedAt),
        AlertSort::Kind => {
            let cases: String = KIND_ORDER.iter().enumerate().map(|(i, (k, _))| format!(" WHEN '{}' THEN {i}", k.as_str())).collect();
            Expr::cust(format!("CASE alerts.kind{cases} ELSE 99 END"))
        }
        // A reference is a plain column; a correlated look-up keeps alerts without a
        // registrant in the queue.
        AlertSort::Registrant => {
            Expr::cust("COALESCE((SELECT reference FROM registrants WHERE registrants.id = alerts.registrant_id), '~')")
        }
    }
}

/// Open alerts for the caller's organisation, a page at a time in the order asked.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn alerts(ctx: &Ctx, caller: &Caller, query: AlertQuery, now: DateTime<Utc>) -> ServiceResult<AlertPage> {
    caller.require(Permission::BreachRead)?;
    let order = if query.descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    let txn = tx::begin_write(&ctx.writer).await?;
    let open = alert::Entity::find()
        .filter(alert::Column::ManagingOrg.eq(caller.org.as_str()))
        .filter(alert::Column::Status.eq(AlertStatus::Open));
    let total = open.clone().count(&txn).await?;
    let mut find = open.order_by(sort_key(query.sort), order.clone());
    if query.sort != AlertSort::Raised {
        // Within a kind or a registrant, newest first.
        find = find.order_by_desc(alert::Column::RaisedAt);
    }
    let rows = find.order_by(alert::Column::Id, order).limit(query.limit).offset(query.offset).all(&txn).await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|a| a.registrant_id.map(|id| id.uuid())).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "alert.list",
        permission: Permission::BreachRead,
        record_type: "registrant",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let items = alert_views(&txn, rows).await?;
    txn.commit().await?;
    Ok(AlertPage { items, total })
}

/// At most this many alerts are acknowledged in one request (the web queue pages by 100).
pub const MAX_ACKNOWLEDGE: usize = 500;

/// Acknowledges alerts of the caller's organisation: seen, being dealt with. All or nothing:
/// an id that is not an alert of the caller's organisation (another force's included, which is
/// not told apart from a missing one) refuses the whole request and changes nothing.
/// Idempotent: an alert already acknowledged stays as it was. Returns the alerts as they now
/// are, in the order asked.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn acknowledge_alerts(ctx: &Ctx, caller: &Caller, ids: &[AlertId], now: DateTime<Utc>) -> ServiceResult<Vec<AlertView>> {
    caller.require(Permission::BreachWrite)?;
    let mut wanted: Vec<AlertId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !wanted.contains(id) {
            wanted.push(*id);
        }
    }
    if wanted.is_empty() {
        return Err(FieldErrors::single("ids", "required", "choose at least one alert").into());
    }
    if wanted.len() > MAX_ACKNOWLEDGE {
        return Err(FieldErrors::single("ids", "too_many", "acknowledge at most 500 alerts at a time").into());
    }
    let txn = tx::begin_write(&ctx.writer).await?;
    let rows = alert::Entity::find()
        .filter(alert::Column::Id.is_in(wanted.iter().map(|id| id.uuid())))
        .filter(alert::Column::ManagingOrg.eq(caller.org.as_str()))
        .all(&txn)
        .await?;
    if rows.len() != wanted.len() {
        txn.rollback().await?;
        let asked: Vec<Uuid> = wanted.iter().map(|id| id.uuid()).collect();
        audit::record_denied(ctx, caller, now, "alert.acknowledge", Permission::BreachWrite, "alert", &asked).await?;
        return Err(ServiceError::NotFound("alert"));
    }
    let changed = jobs::alerts::acknowledge(&txn, &wanted, &caller.org, &caller.subject, now).await?;
    // What was acknowledged, by alert and by registrant; an all-repeat request changes nothing
    // and is not an alteration.
    if changed > 0 {
        let mut record_ids: Vec<Uuid> = rows.iter().filter(|a| a.status == AlertStatus::Open).map(|a| a.id.uuid()).collect();
        record_ids.extend(rows.iter().filter(|a| a.status == AlertStatus::Open).filter_map(|a| a.registrant_id.map(|r| r.uuid())));
        let entry = Entry {
            action: Action::Alteration,
            operation: "alert.acknowledge",
            permission: Permission::BreachWrite,
            record_type: "alert",
            record_ids: &record_ids,
            outcome: Outcome::Success,
        };
        audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    }
    let mut after = alert::Entity::find().filter(alert::Column::Id.is_in(wanted.iter().map(|id| id.uuid()))).all(&txn).await?;
    after.sort_by_key(|a| wanted.iter().position(|id| *id == a.id));
    let out = alert_views(&txn, after).await?;
    txn.commit().await?;
    Ok(out)
}
