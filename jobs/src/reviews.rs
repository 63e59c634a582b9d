//! Reviews due: risk assessments and MAPPA reviews past their next-review date, for
//! registrants whose management has not ended. One alert per registrant and review date.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::RegistrantId;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;
use uuid::Uuid;

use crate::alerts::{self, NewAlert};
use crate::db::{begin_write, statement, try_job_lock};
use crate::{JobError, RunReport};
use domain::calendar;
use domain::vocab::{AlertKind, AlertSubject, RegistrantStatus};

pub const NAME: &str = "reviews_due";

pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<RunReport, JobError> {
    let today = calendar::local_date(now);
    let txn = begin_write(db).await?;
    if !try_job_lock(&txn, NAME).await? {
        txn.rollback().await?;
        return Ok(RunReport { job: NAME, skipped: true, ..Default::default() });
    }
    let backend = txn.get_database_backend();
    let (mut examined, mut created) = (0, 0);
    for (kind, column) in [(AlertKind::RiskReviewDue, "risk_next_review_on"), (AlertKind::MappaReviewDue, "mappa_next_review_on")] {
        let sql = format!(
            "SELECT id, managing_org, {column} AS due FROM registrants \
             WHERE {column} IS NOT NULL AND {column} < ? AND status NOT IN (?, ?, ?)"
        );
        for row in txn
            .query_all_raw(statement(
                backend,
                &sql,
                vec![
                    today.into(),
                    RegistrantStatus::Ended.as_str().into(),
                    RegistrantStatus::Deceased.as_str().into(),
                    RegistrantStatus::Merged.as_str().into(),
                ],
            ))
            .await?
        {
            let id: Uuid = row.try_get("", "id")?;
            let due: NaiveDate = row.try_get("", "due")?;
            examined += 1;
            let alert = NewAlert {
                kind,
                dedupe_key: format!("{}:{id}:{due}", kind.as_str()),
                subject_type: AlertSubject::Registrant,
                subject_id: id,
                registrant_id: Some(RegistrantId::from(id)),
                managing_org: row.try_get("", "managing_org")?,
                detail: json!({ "registrant_id": id, "review_due_on": due }),
            };
            created += u64::from(alerts::raise(&txn, alert, now).await?);
        }
    }
    txn.commit().await?;
    Ok(RunReport { job: NAME, examined, created, skipped: false })
}
