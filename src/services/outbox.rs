//! Dead deliveries: outbox messages that failed every attempt (`jobs::outbox`), for an operator
//! to see and send again once the receiving system is fixed. A message holds ids and a topic,
//! never a person's particulars, so the list shows the topic, the receiving organisation, the
//! attempts and the last error.

use chrono::{DateTime, Utc};
use entities::outbox;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::{Ctx, ServiceError, ServiceResult, tx};
use crate::auth::{Caller, Permission};
use domain::vocab::OutboxStatus;

#[derive(Serialize, ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    pub topic: String,
    /// The record the message is about (an id, never its content).
    pub subject_id: Uuid,
    pub recipient_org: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<outbox::Model> for Delivery {
    fn from(m: outbox::Model) -> Self {
        Self {
            id: m.id,
            topic: m.topic,
            subject_id: m.subject_id,
            recipient_org: m.recipient_org,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
        }
    }
}

/// Dead deliveries, newest first. Audited as an administrative read.
pub async fn dead(ctx: &Ctx, caller: &Caller, limit: u64, now: DateTime<Utc>) -> ServiceResult<Vec<Delivery>> {
    caller.require(Permission::JobsRead)?;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(OutboxStatus::Dead))
        .order_by_desc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(&ctx.db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "outbox.dead",
        permission: Permission::JobsRead,
        record_type: "outbox",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, entry).await?;
    Ok(rows.into_iter().map(Delivery::from).collect())
}

/// Sends a dead delivery again: pending now, with a fresh set of attempts (the last error is
/// kept until the next attempt replaces it). Only a dead one; anything else is 409.
pub async fn retry(ctx: &Ctx, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> ServiceResult<Delivery> {
    caller.require(Permission::OutboxRetry)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let current = outbox::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("delivery"))?;
    if current.status != OutboxStatus::Dead {
        return Err(ServiceError::Conflict { code: "not_dead", detail: "only a dead delivery can be sent again".into() });
    }
    let mut row: outbox::ActiveModel = current.into();
    row.status = Set(OutboxStatus::Pending);
    row.attempts = Set(0);
    row.next_attempt_at = Set(now);
    let updated = row.update(&txn).await?;
    let entry = Entry {
        action: Action::Alteration,
        operation: "outbox.retry",
        permission: Permission::OutboxRetry,
        record_type: "outbox",
        record_ids: &[id],
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(updated.into())
}
