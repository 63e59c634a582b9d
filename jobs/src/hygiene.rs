//! Order hygiene: the things about orders that need an officer's decision before they become a
//! failure. Interim orders reaching their end; orders expiring within the renewal window; an
//! order whose initial notification was missed; a positive requirement with no person
//! responsible for supervising it (DAA 2021 s.41 requires one); a notification without the
//! written acknowledgement its regime requires (SPA 2019 s.10).

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::ids::RegistrantId;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, QueryResult, Value};
use serde_json::json;
use uuid::Uuid;

use crate::alerts::{self, NewAlert};
use crate::db::{begin_write, statement, try_job_lock};
use crate::{JobError, RunReport};
use domain::calendar;
use domain::vocab::{AlertKind, AlertSubject, ConditionKind, ObligationKind, OccurrenceStatus, OrderStatus};

pub const NAME: &str = "order_hygiene";

/// `('interim', 'active', …)`: the statuses in which an order is in force, from the domain rule.
/// Only vocabulary text is interpolated, never input.
pub(crate) fn in_force() -> String {
    let statuses: Vec<String> = OrderStatus::in_force().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", statuses.join(", "))
}

async fn rows(txn: &DatabaseTransaction, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>, DbErr> {
    txn.query_all_raw(statement(txn.get_database_backend(), sql, values)).await
}

pub async fn run(db: &DatabaseConnection, now: DateTime<Utc>, renewal_window_days: u32) -> Result<RunReport, JobError> {
    let today = calendar::local_date(now);
    let horizon = today.checked_add_days(Days::new(u64::from(renewal_window_days))).unwrap_or(today);
    let txn = begin_write(db).await?;
    if !try_job_lock(&txn, NAME).await? {
        txn.rollback().await?;
        return Ok(RunReport { job: NAME, skipped: true, ..Default::default() });
    }
    let mut found: Vec<NewAlert> = Vec::new();

    let sql = format!(
        "SELECT o.id, o.registrant_id, o.managing_org, o.status, o.expires_on FROM orders o JOIN registrants r ON r.id = o.registrant_id \
         WHERE o.status IN {} AND o.until_further_order = ? AND o.expires_on >= ? AND o.expires_on <= ?",
        in_force()
    );
    for row in rows(&txn, &sql, vec![false.into(), today.into(), horizon.into()]).await? {
        let (id, registrant, org, status): (Uuid, RegistrantId, String, String) =
            (row.try_get("", "id")?, row.try_get("", "registrant_id")?, row.try_get("", "managing_org")?, row.try_get("", "status")?);
        let expires: NaiveDate = row.try_get("", "expires_on")?;
        let kind = if status == OrderStatus::Interim.as_str() { AlertKind::InterimOrderEnding } else { AlertKind::OrderExpiring };
        found.push(NewAlert {
            kind,
            dedupe_key: format!("{}:{id}:{expires}", kind.as_str()),
            subject_type: AlertSubject::Order,
            subject_id: id,
            registrant_id: Some(registrant),
            managing_org: org,
            detail: json!({ "order_id": id, "expires_on": expires, "status": status }),
        });
    }

    let sql = format!(
        "SELECT o.id, o.registrant_id, o.managing_org, oc.id AS occurrence_id FROM occurrences oc \
         JOIN obligations ob ON ob.id = oc.obligation_id JOIN orders o ON o.id = ob.order_id JOIN registrants r ON r.id = o.registrant_id \
         WHERE ob.kind = '{}' AND oc.status = '{}' AND o.status IN {}",
        ObligationKind::InitialNotification.as_str(),
        OccurrenceStatus::Missed.as_str(),
        in_force()
    );
    for row in rows(&txn, &sql, vec![]).await? {
        let id: Uuid = row.try_get("", "id")?;
        let occurrence: Uuid = row.try_get("", "occurrence_id")?;
        found.push(NewAlert {
            kind: AlertKind::ServedNotNotified,
            dedupe_key: format!("served_not_notified:{id}"),
            subject_type: AlertSubject::Order,
            subject_id: id,
            registrant_id: Some(row.try_get("", "registrant_id")?),
            managing_org: row.try_get("", "managing_org")?,
            detail: json!({ "order_id": id, "occurrence_id": occurrence }),
        });
    }

    let sql = format!(
        "SELECT c.id, c.category, o.id AS order_id, o.registrant_id, o.managing_org FROM order_conditions c \
         JOIN orders o ON o.id = c.order_id JOIN registrants r ON r.id = o.registrant_id \
         WHERE c.kind = '{}' AND c.responsible_person_sealed IS NULL AND o.status IN {}",
        ConditionKind::Requirement.as_str(),
        in_force()
    );
    for row in rows(&txn, &sql, vec![]).await? {
        let id: Uuid = row.try_get("", "id")?;
        let order_id: Uuid = row.try_get("", "order_id")?;
        let category: String = row.try_get("", "category")?;
        found.push(NewAlert {
            kind: AlertKind::RequirementWithoutResponsiblePerson,
            dedupe_key: format!("requirement_without_responsible_person:{id}"),
            subject_type: AlertSubject::OrderCondition,
            subject_id: id,
            registrant_id: Some(row.try_get("", "registrant_id")?),
            managing_org: row.try_get("", "managing_org")?,
            detail: json!({ "order_id": order_id, "condition_id": id, "category": category }),
        });
    }

    let sql = format!(
        "SELECT DISTINCT n.id, n.registrant_id, r.managing_org FROM notification_events n \
         JOIN registrants r ON r.id = n.registrant_id JOIN orders o ON o.registrant_id = n.registrant_id \
         JOIN regimes g ON g.code = o.regime_code \
         WHERE n.acknowledgement_given = ? AND g.acknowledgement_required = ? AND o.status IN {}",
        in_force()
    );
    for row in rows(&txn, &sql, vec![false.into(), true.into()]).await? {
        let id: Uuid = row.try_get("", "id")?;
        found.push(NewAlert {
            kind: AlertKind::MissingAcknowledgement,
            dedupe_key: format!("missing_acknowledgement:{id}"),
            subject_type: AlertSubject::NotificationEvent,
            subject_id: id,
            registrant_id: Some(row.try_get("", "registrant_id")?),
            managing_org: row.try_get("", "managing_org")?,
            detail: json!({ "notification_event_id": id }),
        });
    }

    let examined = found.len() as u64;
    let mut created = 0;
    for alert in found {
        created += u64::from(alerts::raise(&txn, alert, now).await?);
    }
    txn.commit().await?;
    Ok(RunReport { job: NAME, examined, created, skipped: false })
}
