//! Raising alerts exactly once: each alert has a dedupe key naming the fact it reports (e.g.
//! "this order expires on that date"), unique in the table, and its outbox notification is
//! written in the same transaction, only when the alert is new.

use chrono::{DateTime, Utc};
use domain::ids::{AlertId, RecordId, RegistrantId};
use domain::vocab::{AlertKind, AlertStatus, AlertSubject};
use entities::alert;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, sea_query::OnConflict};
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
