//! Work queues for officers and operators: occurrences past due (before or after detection
//! turns them into breaches), open alerts raised by the jobs, and the record of job runs.

mod alerts;

pub use alerts::{AlertPage, AlertQuery, AlertSort, AlertView, MAX_ACKNOWLEDGE, acknowledge_alerts, alerts, kind_title};

use chrono::{DateTime, Utc};
use domain::ids::{ObligationId, OccurrenceId, RecordId, RegistrantId};
use entities::{alert, job_run, obligation, occurrence, registrant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::{Ctx, ServiceResult, tx};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use domain::vocab::{AlertStatus, JobOutcome, ObligationKind, OccurrenceStatus};
use std::collections::HashMap;

#[derive(Serialize, ToSchema)]
pub struct OverdueItem {
    pub occurrence_id: OccurrenceId,
    pub obligation_id: ObligationId,
    pub obligation_kind: ObligationKind,
    pub due_at: DateTime<Utc>,
    pub registrant_id: RegistrantId,
    pub registrant_reference: String,
    pub managing_org: String,
    pub managing_officer: Option<String>,
    pub version: i32,
}

pub struct OverdueFilter {
    pub managing_org: Option<String>,
    pub officer: Option<String>,
    /// Only duties of this kind (a filter of the overdue queue page).
    pub kind: Option<ObligationKind>,
    pub limit: u64,
    /// How many of the matching duties, oldest first, to pass over (the pages before this one).
    pub skip: u64,
}

/// Overdue duties read per statement while filtering by the (sealed) officer.
const OVERDUE_PAGE: u64 = 500;

/// Pending, past-due occurrences of registrants whose `scope_column` is `org`: the statement
/// with `select` as its column list. It starts from the occurrences (few are overdue) and looks
/// each registrant up by key, so its cost follows the overdue duties, not the size of the
/// organisation's caseload; `CROSS JOIN` keeps SQLite's planner to that order (PostgreSQL
/// treats it as an inner join).
fn overdue_sql(
    backend: sea_orm::DbBackend,
    select: &str,
    scope_column: &'static str,
    org: &str,
    kind: Option<ObligationKind>,
    now: DateTime<Utc>,
) -> (String, Vec<sea_orm::Value>) {
    let p = |n: usize| if backend == sea_orm::DbBackend::Postgres { format!("${n}") } else { "?".to_owned() };
    let mut values: Vec<sea_orm::Value> = vec![OccurrenceStatus::Pending.as_str().into(), now.into(), org.into()];
    let mut sql = format!(
        "SELECT {select} FROM occurrences o CROSS JOIN registrants r WHERE r.id = o.registrant_id \
         AND o.status = {} AND o.due_at < {} AND r.{scope_column} = {}",
        p(1),
        p(2),
        p(3)
    );
    if let Some(kind) = kind {
        values.push(kind.as_str().into());
        sql.push_str(&format!(" AND o.obligation_id IN (SELECT id FROM obligations WHERE kind = {})", p(values.len())));
    }
    (sql, values)
}

/// One page of [`overdue_sql`], oldest first.
async fn overdue_page(
    conn: &impl sea_orm::ConnectionTrait,
    scope_column: &'static str,
    org: &str,
    kind: Option<ObligationKind>,
    now: DateTime<Utc>,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<occurrence::Model>> {
    let backend = conn.get_database_backend();
    let (mut sql, values) = overdue_sql(backend, "o.*", scope_column, org, kind, now);
    sql.push_str(&format!(" ORDER BY o.due_at, o.id LIMIT {limit} OFFSET {offset}"));
    Ok(occurrence::Entity::find().from_raw_sql(sea_orm::Statement::from_sql_and_values(backend, sql, values)).all(conn).await?)
}

/// Pending occurrences already past due, oldest first. Public protection roles see their own
/// organisation's (or another's when they name it); probation sees what it supervises.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn overdue(ctx: &Ctx, caller: &Caller, filter: OverdueFilter, now: DateTime<Utc>) -> ServiceResult<Vec<OverdueItem>> {
    caller.require(Permission::ObligationRead)?;
    let (scope_column, org) = if caller.can(Permission::RegistrantReadNational) {
        ("managing_org", filter.managing_org.clone().unwrap_or_else(|| caller.org.clone()))
    } else {
        ("supervising_org", caller.org.clone())
    };
    let txn = tx::begin_write(&ctx.writer).await?;
    // The officer is sealed, so that filter is applied here, a page of overdue duties at a time;
    // each registrant's officer is opened once.
    let mut officers: HashMap<Uuid, Option<String>> = HashMap::new();
    let mut items = Vec::new();
    let mut offset = 0;
    loop {
        let page = overdue_page(&txn, scope_column, &org, filter.kind, now, OVERDUE_PAGE, offset).await?;
        offset += OVERDUE_PAGE;
        let registrant_ids: Vec<Uuid> = page.iter().map(|o| o.registrant_id.uuid()).filter(|id| !officers.contains_key(id)).collect();
        let mut registrants: HashMap<Uuid, registrant::Model> = HashMap::new();
        for r in registrant::Entity::find().filter(registrant::Column::Id.is_in(registrant_ids)).all(&txn).await? {
            let officer = ctx.crypto.open_opt(columns::REGISTRANT_OFFICER, r.id, r.managing_officer_sealed.as_deref())?;
            officers.insert(r.id.uuid(), officer);
            registrants.insert(r.id.uuid(), r);
        }
        let obligation_ids: Vec<Uuid> = page.iter().map(|o| o.obligation_id.uuid()).collect();
        let obligations = obligation::Entity::find().filter(obligation::Column::Id.is_in(obligation_ids)).all(&txn).await?;
        let full = page.len() as u64 == OVERDUE_PAGE;
        for o in page {
            let officer = officers.get(&o.registrant_id.uuid()).cloned().flatten();
            if filter.officer.as_ref().is_some_and(|wanted| officer.as_ref() != Some(wanted)) {
                continue;
            }
            // Foreign keys guarantee both rows; the lookups only match them up.
            let Some(obligation) = obligations.iter().find(|b| b.id == o.obligation_id) else { continue };
            let (reference, managing_org) = match registrants.get(&o.registrant_id.uuid()) {
                Some(r) => (r.reference.clone(), r.managing_org.clone()),
                None => match items.iter().find(|i: &&OverdueItem| i.registrant_id == o.registrant_id) {
                    Some(i) => (i.registrant_reference.clone(), i.managing_org.clone()),
                    None => continue,
                },
            };
            items.push(OverdueItem {
                occurrence_id: o.id,
                obligation_id: o.obligation_id,
                obligation_kind: obligation.kind,
                due_at: o.due_at,
                registrant_id: o.registrant_id,
                registrant_reference: reference,
                managing_org,
                managing_officer: officer,
                version: o.version,
            });
        }
        if !full || items.len() as u64 >= filter.skip.saturating_add(filter.limit) {
            break;
        }
    }
    items.sort_by_key(|i| (i.due_at, i.occurrence_id));
    items.drain(..(filter.skip as usize).min(items.len()));
    items.truncate(filter.limit as usize);
    let ids: Vec<Uuid> = items.iter().map(|i| i.registrant_id.uuid()).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "occurrence.overdue",
        permission: Permission::ObligationRead,
        record_type: "registrant",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(items)
}

/// How much is waiting in each of the caller's queues ("My work"): `None` for a queue the
/// caller's role does not have. COUNT queries on plain columns only, nothing opened; the
/// counts name no record, so reading them is not a consultation of the register.
#[derive(Serialize, ToSchema, Default)]
pub struct WorkCounts {
    /// Open alerts for the caller's organisation.
    pub open_alerts: Option<u64>,
    /// Duties past due and still pending on registrants the organisation manages.
    pub overdue: Option<u64>,
    /// Links waiting for review (pending), across the register.
    pub links_to_review: Option<u64>,
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn counts(ctx: &Ctx, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<WorkCounts> {
    caller.require(Permission::SelfRead)?;
    let mut out = WorkCounts::default();
    let snapshot = tx::begin_read(&ctx.db).await?;
    if caller.can(Permission::BreachRead) {
        let n = alert::Entity::find()
            .filter(alert::Column::ManagingOrg.eq(caller.org.as_str()))
            .filter(alert::Column::Status.eq(AlertStatus::Open))
            .count(&snapshot)
            .await?;
        out.open_alerts = Some(n);
    }
    if caller.can(Permission::ObligationRead) {
        let scope = if caller.can(Permission::RegistrantReadNational) { "managing_org" } else { "supervising_org" };
        let backend = snapshot.get_database_backend();
        let (sql, values) = overdue_sql(backend, "COUNT(*)", scope, &caller.org, None, now);
        let row = snapshot.query_one_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
        let n: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
        out.overdue = Some(u64::try_from(n).unwrap_or(0));
    }
    if caller.can(Permission::LinkDecide) {
        let n = entities::link::Entity::find()
            .filter(entities::link::Column::Status.eq(domain::vocab::LinkStatus::Pending))
            .count(&snapshot)
            .await?;
        out.links_to_review = Some(n);
    }
    snapshot.commit().await?;
    Ok(out)
}

#[derive(Serialize, ToSchema)]
pub struct JobRunView {
    pub id: Uuid,
    pub job: String,
    pub holder: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: JobOutcome,
    pub examined: i64,
    pub created: i64,
    pub detail: Option<String>,
}

/// Recent job runs for operators. Contains no registrant content, so it is not a consultation
/// of the register; it is still audited as an administrative read.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn job_runs(ctx: &Ctx, caller: &Caller, job: Option<String>, limit: u64, now: DateTime<Utc>) -> ServiceResult<Vec<JobRunView>> {
    caller.require(Permission::JobsRead)?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let mut query = job_run::Entity::find().order_by_desc(job_run::Column::StartedAt).limit(limit);
    if let Some(job) = job {
        query = query.filter(job_run::Column::Job.eq(job));
    }
    let rows = query.all(&txn).await?;
    let entry = Entry {
        action: Action::Consultation,
        operation: "job_runs.list",
        permission: Permission::JobsRead,
        record_type: "job_run",
        record_ids: &[],
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| JobRunView {
            id: r.id,
            job: r.job,
            holder: r.holder,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome,
            examined: r.examined,
            created: r.created,
            detail: r.detail,
        })
        .collect())
}
