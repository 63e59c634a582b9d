//! Raising alerts exactly once: each alert has a dedupe key naming the fact it reports (e.g.
//! "this order expires on that date"), unique in the table, and its outbox notification is
//! written in the same transaction, only when the alert is new. An officer of the managing unit
//! acknowledges it ([`acknowledge`]); its dedupe key stays, so the same fact is not raised again.

use chrono::{DateTime, Utc};
use domain::ids::{AlertId, RecordId, RegistrantId};
use domain::vocab::{AlertKind, AlertStatus, AlertSubject};
use entities::alert;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::Expr, sea_query::OnConflict};
use uuid::Uuid;

pub struct NewAlert {
    pub kind: AlertKind,
    pub dedupe_key: String,
    pub subject_type: AlertSubject,
    pub subject_id: Uuid,
    pub registrant_id: Option<RegistrantId>,
    pub managing_org: String,
    /// Ids and dates only; never personal data.
    pub detail: serde_json::Value,
}

/// Inserts the alert unless one with the same key exists; returns whether it was new.
pub async fn raise(conn: &impl ConnectionTrait, a: NewAlert, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let id = AlertId::generate();
    let inserted = alert::Entity::insert(alert::ActiveModel {
        id: Set(id),
        kind: Set(a.kind),
        dedupe_key: Set(a.dedupe_key),
        subject_type: Set(a.subject_type),
        subject_id: Set(a.subject_id),
        registrant_id: Set(a.registrant_id),
        managing_org: Set(a.managing_org.clone()),
        status: Set(AlertStatus::Open),
        detail: Set(a.detail.to_string()),
        raised_at: Set(now),
        acknowledged_by: Set(None),
        acknowledged_at: Set(None),
    })
    .on_conflict(OnConflict::column(alert::Column::DedupeKey).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    crate::outbox::enqueue(conn, format!("alert.{}", a.kind.as_str()), id.uuid(), a.managing_org, now).await?;
    Ok(true)
}

/// Marks the open alerts among `ids` that belong to `managing_org` as acknowledged by `by`.
/// Alerts already acknowledged keep who did it first and when; returns how many changed.
pub async fn acknowledge(
    conn: &impl ConnectionTrait,
    ids: &[AlertId],
    managing_org: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    let updated = alert::Entity::update_many()
        .col_expr(alert::Column::Status, Expr::value(AlertStatus::Acknowledged.as_str()))
        .col_expr(alert::Column::AcknowledgedBy, Expr::value(by.to_owned()))
        .col_expr(alert::Column::AcknowledgedAt, Expr::value(now))
        .filter(alert::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .filter(alert::Column::ManagingOrg.eq(managing_org))
        .filter(alert::Column::Status.eq(AlertStatus::Open))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected)
}
