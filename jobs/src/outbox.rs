//! Outbox delivery. Rows are written in the same transaction as what they announce, so nothing
//! is announced that did not happen and nothing that happened goes unannounced. Delivery is at
//! least once with an idempotency key (the outbox id), which makes it exactly once from the
//! receiver's point of view; a receiver that is down only delays delivery (exponential backoff,
//! then `dead` after `MAX_ATTEMPTS` for an operator to look at). Messages carry ids and the
//! registrant's reference, never personal data.

use chrono::{DateTime, Utc};
use domain::vocab::OutboxStatus;
use entities::{outbox, registrant};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::OnConflict,
};
use serde::Serialize;
use sha2::Sha256;
use uuid::Uuid;

use crate::{JobError, Keys, RunReport};

pub const NAME: &str = "deliver_outbox";
pub const MAX_ATTEMPTS: i32 = 20;
const BATCH: u64 = 100;

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// Idempotency key: the same message always carries the same id.
    pub id: Uuid,
    pub topic: String,
    pub subject_id: Uuid,
    pub recipient_org: String,
    pub recipient_officer: Option<String>,
    pub registrant_reference: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Where messages go.
pub enum Sink {
    /// Logs each message (the demo's channel).
    Log,
    /// POSTs JSON with `Idempotency-Key` and an HMAC-SHA256 signature over `timestamp.body`.
    Webhook { url: String, secret: Vec<u8>, client: reqwest::Client },
}

impl Sink {
    pub fn webhook(url: String, secret: Vec<u8>) -> Result<Self, JobError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| JobError::Delivery(e.to_string()))?;
        Ok(Self::Webhook { url, secret, client })
    }

    async fn deliver(&self, message: &Message, now: DateTime<Utc>) -> Result<(), String> {
        match self {
            Self::Log => {
                tracing::info!(topic = %message.topic, id = %message.id, subject = %message.subject_id, org = %message.recipient_org, "notification");
                Ok(())
            }
            Self::Webhook { url, secret, client } => {
                let body = serde_json::to_vec(message).map_err(|e| e.to_string())?;
                let timestamp = now.timestamp().to_string();
                let signature = sign(secret, &timestamp, &body);
                let response = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("idempotency-key", message.id.to_string())
                    .header("vigil-signature", format!("t={timestamp},v1={signature}"))
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.without_url().to_string())?;
                if response.status().is_success() { Ok(()) } else { Err(format!("receiver answered {}", response.status())) }
            }
        }
    }
}

/// Queues one announcement of `subject_id` under `topic`, in the caller's transaction. A second
/// announcement of the same subject and topic is ignored (unique per topic and subject), so a
/// rerun never notifies twice.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    topic: String,
    subject_id: Uuid,
    recipient_org: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        topic: Set(topic),
        subject_id: Set(subject_id),
        recipient_org: Set(recipient_org),
        payload: Set("{}".into()),
        status: Set(OutboxStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        delivered_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::columns([outbox::Column::Topic, outbox::Column::SubjectId]).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Backoff after `attempts` failures: 30 s doubling, capped at one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let seconds = 30i64.saturating_mul(1i64 << attempts.clamp(0, 7));
    chrono::Duration::seconds(seconds.min(3600))
}

pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>, sink: &Sink, keys: &dyn Keys) -> Result<RunReport, JobError> {
    let due = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut delivered = 0;
    for row in &due {
        // Claim the row by bumping its next attempt, conditionally on nobody else having done
        // so: a replica that loses this race skips the row instead of sending it twice at once.
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, sea_orm::sea_query::Expr::value(now + backoff(row.attempts)))
            .filter(outbox::Column::Id.eq(row.id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending))
            .filter(outbox::Column::NextAttemptAt.eq(row.next_attempt_at))
            .exec(db)
            .await?
            .rows_affected;
        if claimed == 0 {
            continue;
        }
        let registrant = registrant_of(db, row).await?;
        let message = Message {
            id: row.id,
            topic: row.topic.clone(),
            subject_id: row.subject_id,
            recipient_org: row.recipient_org.clone(),
            recipient_officer: registrant
                .as_ref()
                .and_then(|r| r.managing_officer_sealed.as_deref().and_then(|sealed| keys.officer(r.id, sealed))),
            registrant_reference: registrant.map(|r| r.reference),
            created_at: row.created_at,
        };
        let mut update = outbox::ActiveModel { id: Set(row.id), attempts: Set(row.attempts + 1), ..Default::default() };
        match sink.deliver(&message, now).await {
            Ok(()) => {
                update.status = Set(OutboxStatus::Delivered);
                update.delivered_at = Set(Some(now));
                update.last_error = Set(None);
                delivered += 1;
            }
            Err(error) => {
                tracing::warn!(id = %row.id, attempts = row.attempts + 1, %error, "outbox delivery failed; will retry");
                update.last_error = Set(Some(error.chars().take(200).collect()));
                if row.attempts + 1 >= MAX_ATTEMPTS {
                    update.status = Set(OutboxStatus::Dead);
                }
            }
        }
        outbox::Entity::update(update).exec(db).await?;
    }
    Ok(RunReport { job: NAME, examined: due.len() as u64, created: delivered, skipped: false })
}

/// The registrant a message is about: breaches name one, alerts may.
async fn registrant_of(db: &DatabaseConnection, row: &outbox::Model) -> Result<Option<registrant::Model>, JobError> {
    let registrant_id = if row.topic.starts_with("breach.") {
        entities::breach::Entity::find_by_id(row.subject_id).one(db).await?.map(|b| b.registrant_id)
    } else {
        entities::alert::Entity::find_by_id(row.subject_id).one(db).await?.and_then(|a| a.registrant_id)
    };
    let Some(id) = registrant_id else { return Ok(None) };
    Ok(registrant::Entity::find_by_id(id).one(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(1).num_seconds(), 60);
        assert_eq!(backoff(10).num_seconds(), 3600);
    }

    #[test]
    fn signatures_cover_timestamp_and_body() {
        let a = sign(b"k", "1", b"{}");
        assert_ne!(a, sign(b"k", "2", b"{}"));
        assert_ne!(a, sign(b"k", "1", b"{ }"));
        assert_eq!(a.len(), 64);
    }
}
