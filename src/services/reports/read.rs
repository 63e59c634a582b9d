//! Reading crime reports back. Public protection officers and supervisors (who review links)
//! may read any report; intake staff only the reports their own organisation recorded. The
//! list carries no sealed content; one report in full is decrypted and audited as a
//! consultation, and says which register checks have been run on it.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{AlertId, CheckId, RecordId, ReportId};
use entities::{alert, crime_report, register_check};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{find, suspect, victim};
use crate::auth::{Caller, Permission};
use crate::crypto::columns;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::registrants::read::stored;
use crate::services::{Ctx, ServiceError, ServiceResult, tx};
use domain::commands::reports::{SuspectDetails, VictimDetails};
use domain::vocab::{AlertKind, CheckResult, Classification, ContactChannel};

#[derive(Serialize, ToSchema)]
pub struct ReportSummary {
    pub id: ReportId,
    pub force: String,
    pub crime_reference: String,
    pub principal_classification: Classification,
    pub occurred_from: Option<NaiveDate>,
    pub intake_org: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    pub items: Vec<ReportSummary>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckSummary {
    pub id: CheckId,
    pub check_reference: String,
    pub result: CheckResult,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub id: ReportId,
    pub force: String,
    pub crime_reference: String,
    pub principal_classification: Classification,
    pub included_classifications: Vec<Classification>,
    pub occurred_from: Option<NaiveDate>,
    pub occurred_to: Option<NaiveDate>,
    pub victim_reference: String,
    pub victim: Option<VictimDetails>,
    pub suspect: SuspectDetails,
    pub channels: Vec<ContactChannel>,
    pub summary: Option<String>,
    pub intake_org: String,
    pub created_at: DateTime<Utc>,
    /// Register checks run on this report, newest first.
    pub checks: Vec<CheckSummary>,
    /// Serial-pattern alerts raised to your organisation that include this report, newest
    /// first (read one with `GET /api/v1/patterns/{id}`); always empty for intake staff.
    pub serial_patterns: Vec<AlertId>,
}

/// Intake staff see their own organisation's reports; reviewers see all.
fn may_read(caller: &Caller, report: &crime_report::Model) -> bool {
    caller.can(Permission::MatchRead) || (caller.can(Permission::ReportWrite) && report.intake_org == caller.org)
}

fn list_of<T>(json: &str, parse: impl Fn(&str) -> Option<T>) -> ServiceResult<Vec<T>> {
    let raw: Vec<String> = stored(serde_json::from_str(json).ok())?;
    raw.iter().map(|v| stored(parse(v))).collect()
}

/// One report in full, audited as a consultation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: ReportId, now: DateTime<Utc>) -> ServiceResult<ReportView> {
    if !caller.can(Permission::MatchRead) {
        caller.require(Permission::ReportWrite)?;
    }
    let snapshot = tx::begin_read(&ctx.db).await?;
    let report = find(&snapshot, id).await?;
    if !may_read(caller, &report) {
        snapshot.rollback().await?;
        audit::record_denied(ctx, caller, now, "crime_report.read", Permission::ReportWrite, "crime_report", &[id.uuid()]).await?;
        return Err(ServiceError::NotFound("crime report"));
    }
    let checks = register_check::Entity::find()
        .filter(register_check::Column::ReportId.eq(id))
        .order_by_desc(register_check::Column::CreatedAt)
        .all(&snapshot)
        .await?;
    let serial_patterns = if caller.can(Permission::MatchRead) && caller.can(Permission::BreachRead) {
        patterns_with(&snapshot, &caller.org, id).await?
    } else {
        Vec::new()
    };
    snapshot.commit().await?;
    let view = ReportView {
        id: report.id,
        force: report.force.clone(),
        crime_reference: report.crime_reference.clone(),
        principal_classification: report.principal_classification,
        included_classifications: list_of(&report.included_classifications, Classification::parse)?,
        occurred_from: report.occurred_from,
        occurred_to: report.occurred_to,
        victim_reference: report.victim_reference.clone(),
        victim: victim(&ctx.crypto, &report)?,
        suspect: suspect(&ctx.crypto, &report)?,
        channels: list_of(&report.channels, ContactChannel::parse)?,
        summary: report.summary_sealed.as_ref().map(|s| ctx.crypto.open_str(columns::REPORT_SUMMARY, report.id, s)).transpose()?,
        intake_org: report.intake_org.clone(),
        created_at: report.created_at,
        checks: checks
            .into_iter()
            .map(|c| CheckSummary { id: c.id, check_reference: c.reference, result: c.result, created_at: c.created_at })
            .collect(),
        serial_patterns,
    };
    let entry = Entry {
        action: Action::Consultation,
        operation: "crime_report.read",
        permission: Permission::ReportWrite,
        record_type: "crime_report",
        record_ids: &[id.uuid()],
        outcome: Outcome::Success,
    };
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry).await?;
    Ok(view)
}

/// The serial-pattern alerts raised to `org` whose reports include `id`, newest first. The
/// alert's detail holds the report ids as JSON: the text search narrows, the parse decides.
async fn patterns_with(conn: &impl sea_orm::ConnectionTrait, org: &str, id: ReportId) -> ServiceResult<Vec<AlertId>> {
    let wanted = id.to_string();
    let rows = alert::Entity::find()
        .filter(alert::Column::Kind.eq(AlertKind::SerialPattern))
        .filter(alert::Column::ManagingOrg.eq(org))
        .filter(alert::Column::Detail.contains(wanted.as_str()))
        .order_by_desc(alert::Column::RaisedAt)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|a| {
            let detail: serde_json::Value = serde_json::from_str(&a.detail).unwrap_or_default();
            detail["reports"].as_array().is_some_and(|ids| ids.iter().any(|v| v.as_str() == Some(wanted.as_str())))
        })
        .map(|a| a.id)
        .collect())
}

pub struct ReportFilter {
    pub force: Option<String>,
    pub after: Option<Uuid>,
    pub limit: u64,
}

/// Reports in recording order (UUIDv7 ids), keyset-paged; nothing sealed is read.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn list(ctx: &Ctx, caller: &Caller, filter: ReportFilter, now: DateTime<Utc>) -> ServiceResult<ReportPage> {
    if !caller.can(Permission::MatchRead) {
        caller.require(Permission::ReportWrite)?;
    }
    let mut query = crime_report::Entity::find().order_by_asc(crime_report::Column::Id).limit(filter.limit + 1);
    if !caller.can(Permission::MatchRead) {
        query = query.filter(crime_report::Column::IntakeOrg.eq(caller.org.clone()));
    }
    if let Some(force) = filter.force {
        query = query.filter(crime_report::Column::Force.eq(force));
    }
    if let Some(after) = filter.after {
        query = query.filter(crime_report::Column::Id.gt(after));
    }
    let snapshot = tx::begin_read(&ctx.db).await?;
    let mut rows = query.all(&snapshot).await?;
    snapshot.commit().await?;
    let next_after = (rows.len() as u64 > filter.limit).then(|| {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id)
    });
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(ReportSummary {
            id: r.id,
            force: r.force,
            crime_reference: r.crime_reference,
            principal_classification: r.principal_classification,
            occurred_from: r.occurred_from,
            intake_org: r.intake_org,
            created_at: r.created_at,
        });
    }
    let ids: Vec<Uuid> = items.iter().map(|i| i.id.uuid()).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "crime_report.list",
        permission: Permission::ReportWrite,
        record_type: "crime_report",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::commit(ctx, caller, now, entry).await?;
    Ok(ReportPage { items, next_after: next_after.flatten().map(|id| id.uuid()) })
}
