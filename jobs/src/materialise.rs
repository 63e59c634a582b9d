//! Materialises upcoming occurrences of every open scheduled obligation (programme sessions,
//! appointments) up to a horizon, so that they can be recorded against and detected when
//! missed. Idempotent: occurrences are unique per (obligation, due instant) and inserted with
//! ON CONFLICT DO NOTHING. Sessions that fall while the registrant is suspended (custody,
//! hospital, abroad) are not created: the requirement cannot be met then.

use chrono::{DateTime, Days, Utc};
use domain::ids::{ObligationId, OccurrenceId, RegistrantId};
use entities::{obligation, occurrence, suspension};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::db::{begin_write, try_job_lock};
use crate::{JobError, RunReport};
use domain::calendar;
use domain::schedule::Schedule;
use domain::vocab::{ObligationStatus, OccurrenceStatus};

pub const NAME: &str = "materialise_occurrences";
const PAGE: u64 = 500;

/// Inserts the occurrences of one obligation's schedule between `from` and `to` (local dates),
/// skipping suspended periods. Returns how many were new.
pub async fn materialise_one(
    conn: &impl sea_orm::ConnectionTrait,
    obligation_id: ObligationId,
    registrant_id: RegistrantId,
    schedule: &Schedule,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
    let suspensions = suspension::Entity::find().filter(suspension::Column::RegistrantId.eq(registrant_id)).all(conn).await?;
    let rows: Vec<occurrence::ActiveModel> = schedule
        .due_between(from, to)
        .into_iter()
        .filter(|due| !suspensions.iter().any(|s| s.starts_at <= *due && s.ends_at.is_none_or(|end| end > *due)))
        .map(|due| occurrence::ActiveModel {
            id: Set(OccurrenceId::generate()),
            obligation_id: Set(obligation_id),
            registrant_id: Set(registrant_id),
            due_at: Set(due),
            window_opens_at: Set(None),
            status: Set(OccurrenceStatus::Pending),
            reason_sealed: Set(None),
            resolved_at: Set(None),
            resolved_by: Set(None),
            basis_event: Set(Some(domain::due::DueEvent::Session)),
            basis_on: Set(Some(domain::calendar::local_date(due))),
            subject: Set(domain::due::DueEvent::Session.as_str().to_owned()),
            version: Set(1),
            created_at: Set(now),
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    occurrence::Entity::insert_many(rows).on_conflict(crate::occurrences::on_conflict()).exec_without_returning(conn).await
}

pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>, horizon_days: u32) -> Result<RunReport, JobError> {
    let today = calendar::local_date(now);
    let until = today.checked_add_days(Days::new(u64::from(horizon_days))).unwrap_or(today);
    let txn = begin_write(db).await?;
    if !try_job_lock(&txn, NAME).await? {
        txn.rollback().await?;
        return Ok(RunReport { job: NAME, skipped: true, ..Default::default() });
    }
    let (mut examined, mut created) = (0u64, 0u64);
    let mut after: Option<ObligationId> = None;
    loop {
        let mut query = obligation::Entity::find()
            .filter(obligation::Column::Status.eq(ObligationStatus::Open))
            .filter(obligation::Column::Schedule.is_not_null())
            .order_by_asc(obligation::Column::Id)
            .limit(PAGE);
        if let Some(a) = after {
            query = query.filter(obligation::Column::Id.gt(a));
        }
        let page = query.all(&txn).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for ob in &page {
            examined += 1;
            let Some(text) = &ob.schedule else { continue };
            let schedule: Schedule =
                serde_json::from_str(text).map_err(|_| JobError::Data(format!("obligation {} has an unreadable schedule", ob.id)))?;
            created += materialise_one(&txn, ob.id, ob.registrant_id, &schedule, today, until, now).await?;
        }
    }
    crate::runner::set_watermark(&txn, NAME, calendar::start_of_day(until), now).await?;
    txn.commit().await?;
    Ok(RunReport { job: NAME, examined, created, skipped: false })
}
