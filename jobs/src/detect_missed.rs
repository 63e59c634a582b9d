//! Detects missed obligations: every pending occurrence whose due instant plus the grace period
//! has passed becomes `missed`, gets exactly one breach and exactly one outbox notification to
//! the managing officer, all in one transaction.
//!
//! Exactly once comes from the database, not the trigger: the flip is a conditional UPDATE
//! (`status` still pending), the breach reuses the occurrence's id and `breaches.occurrence_id` is
//! unique, and the outbox is unique per (topic, subject). Running twice, concurrently, or on two
//! replicas therefore adds nothing the second time; on PostgreSQL an advisory lock also stops
//! replicas doing the same work at the same moment. Occurrences due while the registrant was
//! suspended (custody, hospital, abroad) are left pending: their clock is paused. So are those of
//! an order whose expiry has come but that [`crate::expiry`] has not yet ended: that job decides
//! which of them were owed, so the order in which the two jobs run never matters.
//!
//! Catch-up is inherent: the sweep takes every pending occurrence due before the cutoff, so
//! after days of downtime the next run covers the whole gap. The watermark records how far the
//! sweep has been evaluated.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::breaches::{self, MissConsequence};
use domain::calendar;
use domain::vocab::{OccurrenceStatus, OutboxStatus};
use sea_orm::{ConnectionTrait, DatabaseConnection, Value};

use crate::db::{begin_write, statement, try_job_lock};
use crate::{JobError, RunReport};

pub const NAME: &str = "detect_missed";
pub const DETECTOR: &str = "vigil:detector";

// The breach and the notification a miss implies (`domain::breaches`), for the occurrences the
// caller's WHERE clause picks; the rule's values are bound, never spelled in the SQL.
const INSERT_BREACHES: &str = "INSERT INTO breaches (id, registrant_id, occurrence_id, order_id, condition_id, source, status, summary_sealed, recorded_by, managing_org, detected_at, version, created_at) \
     SELECT o.id, o.registrant_id, o.id, ob.order_id, ob.condition_id, ?, ?, NULL, NULL, r.managing_org, ?, 1, ? \
     FROM occurrences o JOIN obligations ob ON ob.id = o.obligation_id JOIN registrants r ON r.id = o.registrant_id \
     WHERE o.status = ? AND ";

const INSERT_OUTBOX: &str = "INSERT INTO outbox (id, topic, subject_id, recipient_org, payload, status, attempts, next_attempt_at, delivered_at, last_error, created_at) \
     SELECT b.id, ?, b.id, b.managing_org, '{}', ?, 0, ?, NULL, NULL, ? \
     FROM occurrences o JOIN breaches b ON b.occurrence_id = o.id \
     WHERE ";

fn breach_values(c: &MissConsequence, now: DateTime<Utc>) -> Vec<Value> {
    vec![c.breach_source.as_str().into(), c.breach_status.as_str().into(), now.into(), now.into(), OccurrenceStatus::Missed.as_str().into()]
}

fn outbox_values(c: &MissConsequence, now: DateTime<Utc>) -> Vec<Value> {
    vec![c.notification_topic.into(), OutboxStatus::Pending.as_str().into(), now.into(), now.into()]
}

/// The breach and notification for one occurrence already marked missed by a person (e.g. a
/// probation officer recording "failed to attend"), in the caller's transaction. Idempotent
/// for the same reasons as the sweep.
pub async fn record_breach(
    conn: &impl ConnectionTrait,
    occurrence_id: uuid::Uuid,
    consequence: &MissConsequence,
    now: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
    let backend = conn.get_database_backend();
    let mut values = breach_values(consequence, now);
    values.push(occurrence_id.into());
    let created = conn
        .execute_raw(statement(backend, &format!("{INSERT_BREACHES}o.id = ? ON CONFLICT (occurrence_id) DO NOTHING"), values))
        .await?
        .rows_affected();
    let mut values = outbox_values(consequence, now);
    values.push(occurrence_id.into());
    conn.execute_raw(statement(backend, &format!("{INSERT_OUTBOX}o.id = ? ON CONFLICT (topic, subject_id) DO NOTHING"), values)).await?;
    Ok(created)
}

pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>, grace: Duration) -> Result<RunReport, JobError> {
    let cutoff = now - chrono::Duration::from_std(grace).map_err(|_| JobError::Data("grace period out of range".into()))?;
    let txn = begin_write(db).await?;
    if !try_job_lock(&txn, NAME).await? {
        txn.rollback().await?;
        return Ok(RunReport { job: NAME, skipped: true, ..Default::default() });
    }
    let backend = txn.get_database_backend();
    let flipped = txn
        .execute_raw(statement(
            backend,
            &format!(
                "UPDATE occurrences SET status = ?, resolved_at = ?, resolved_by = ?, version = version + 1 \
             WHERE status = ? AND due_at < ? \
             AND NOT EXISTS (SELECT 1 FROM suspensions s WHERE s.registrant_id = occurrences.registrant_id \
                             AND s.starts_at <= occurrences.due_at AND (s.ends_at IS NULL OR s.ends_at > occurrences.due_at)) \
             AND NOT EXISTS (SELECT 1 FROM obligations ob JOIN orders od ON od.id = ob.order_id \
                             WHERE ob.id = occurrences.obligation_id AND od.status IN {} AND od.expires_on <= ?)",
                crate::hygiene::in_force()
            ),
            vec![
                OccurrenceStatus::Missed.as_str().into(),
                now.into(),
                DETECTOR.into(),
                OccurrenceStatus::Pending.as_str().into(),
                cutoff.into(),
                calendar::local_date(now).into(),
            ],
        ))
        .await?
        .rows_affected();
    let consequence = breaches::MISSED;
    let mut values = breach_values(&consequence, now);
    values.extend([now.into(), DETECTOR.into()]);
    let breaches = txn
        .execute_raw(statement(
            backend,
            &format!("{INSERT_BREACHES}o.resolved_at = ? AND o.resolved_by = ? ON CONFLICT (occurrence_id) DO NOTHING"),
            values,
        ))
        .await?
        .rows_affected();
    let mut values = outbox_values(&consequence, now);
    values.extend([now.into(), DETECTOR.into()]);
    txn.execute_raw(statement(
        backend,
        &format!("{INSERT_OUTBOX}o.resolved_at = ? AND o.resolved_by = ? ON CONFLICT (topic, subject_id) DO NOTHING"),
        values,
    ))
    .await?;
    crate::runner::set_watermark(&txn, NAME, cutoff, now).await?;
    txn.commit().await?;
    Ok(RunReport { job: NAME, examined: flipped, created: breaches, skipped: false })
}
