//! Crime reports: recorded by intake or public protection staff, with everything that
//! identifies the suspect or the victim sealed, and the suspect's particulars blind-indexed
//! (owner kind `report`) so that later register checks can link reports to each other.

pub mod input;
pub mod read;

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{RecordId, ReportId};
use entities::crime_report;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use self::input::NewReportInput;
use super::audit::{self, Action, Entry, Outcome};
use super::blind::{self, IndexTerm, OWNER_REPORT};
use super::{Ctx, ServiceError, ServiceResult, match_profiles, tx};
use crate::auth::{AccessError, Caller, Permission};
use crate::crypto::{Crypto, columns};
use crate::linkage::{Profile, keys};
use domain::calendar;
use domain::commands::reports::{SuspectDetails, VictimDetails};
use domain::errors::FieldErrors;
use domain::vocab::Classification;

/// What the recorder gets back: the report's id and its own references, nothing sealed.
#[derive(Serialize, ToSchema)]
pub struct ReportReceipt {
    pub id: ReportId,
    pub force: String,
    pub crime_reference: String,
    pub principal_classification: Classification,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn create(ctx: &Ctx, caller: &Caller, body: NewReportInput, now: DateTime<Utc>) -> ServiceResult<ReportReceipt> {
    caller.require(Permission::ReportWrite)?;
    let today = calendar::local_date(now);
    let mut errors = FieldErrors::default();
    let valid = input::validate(&mut errors, body, &caller.org, today);
    errors.finish()?;
    let Some(valid) = valid else { return Err(ServiceError::Invalid(FieldErrors::single("body", "invalid", "could not be read"))) };
    // A report is recorded by the caller's own force. Letting a caller name another force would
    // let one force write into another's records, and a duplicate crime reference would then
    // reveal that the other force holds that crime.
    if valid.force != caller.org {
        return Err(AccessError::OtherOrganisation.into());
    }

    let id = ReportId::generate();
    let sealed_victim = valid.victim.as_ref().map(|v| ctx.crypto.seal_json(columns::REPORT_VICTIM, id, v)).transpose()?;
    let included = serde_json::to_string(&valid.included.iter().map(|c| c.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
    let channels = serde_json::to_string(&valid.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
    let model = crime_report::ActiveModel {
        id: Set(id),
        force: Set(valid.force.clone()),
        crime_reference: Set(valid.crime_reference.clone()),
        principal_classification: Set(valid.principal),
        included_classifications: Set(included),
        occurred_from: Set(valid.occurred_from),
        occurred_to: Set(valid.occurred_to),
        victim_reference: Set(valid.victim_reference.clone()),
        victim_sealed: Set(sealed_victim),
        suspect_sealed: Set(ctx.crypto.seal_json(columns::REPORT_SUSPECT, id, &valid.suspect)?),
        channels: Set(channels),
        summary_sealed: Set(valid.summary.as_ref().map(|s| ctx.crypto.seal_str(columns::REPORT_SUMMARY, id, s)).transpose()?),
        intake_org: Set(caller.org.clone()),
        created_by: Set(caller.subject.clone()),
        created_at: Set(now),
    };
    let txn = tx::begin_write(&ctx.writer).await?;
    crime_report::Entity::insert(model).exec_without_returning(&txn).await?;
    index(&txn, &ctx.crypto, id, &Profile::of_suspect(&valid.suspect, valid.occurred_from.unwrap_or(today))).await?;
    let entry = Entry {
        action: Action::Collection,
        operation: "crime_report.create",
        permission: Permission::ReportWrite,
        record_type: "crime_report",
        record_ids: &[id.uuid()],
        outcome: Outcome::Success,
    };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    txn.commit().await?;
    Ok(ReportReceipt {
        id,
        force: valid.force,
        crime_reference: valid.crime_reference,
        principal_classification: valid.principal,
        created_at: now,
    })
}

/// Rebuilds a report's blind indexes from its sealed suspect, under the active key (key
/// rotation).
pub async fn reindex(conn: &impl ConnectionTrait, crypto: &Crypto, id: ReportId) -> ServiceResult<()> {
    let report = find(conn, id).await?;
    blind::delete_owner(conn, OWNER_REPORT, id.uuid()).await?;
    let profile = Profile::of_suspect(&suspect(crypto, &report)?, reference_date(&report));
    index(conn, crypto, id, &profile).await
}

/// Writes every blocking key of a report's suspect.
async fn index(conn: &impl ConnectionTrait, crypto: &Crypto, id: ReportId, profile: &Profile) -> ServiceResult<()> {
    let keys: Vec<_> = keys::record_keys(profile).into_iter().filter(|k| !keys::EXTRA_FIELDS.contains(&k.field)).collect();
    let terms: Vec<IndexTerm> = keys
        .iter()
        .map(|k| IndexTerm { source_table: "crime_reports", source_id: id.uuid(), field: k.field, kind: k.kind, normalised: &k.value })
        .collect();
    blind::write(conn, crypto, OWNER_REPORT, id.uuid(), &terms).await?;
    match_profiles::rebuild(conn, crypto, OWNER_REPORT, "crime_reports", id.uuid(), profile).await
}

pub async fn find(conn: &impl ConnectionTrait, id: ReportId) -> ServiceResult<crime_report::Model> {
    crime_report::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("crime report"))
}

pub fn suspect(crypto: &Crypto, report: &crime_report::Model) -> ServiceResult<SuspectDetails> {
    Ok(crypto.open_json(columns::REPORT_SUSPECT, report.id, &report.suspect_sealed)?)
}

pub fn victim(crypto: &Crypto, report: &crime_report::Model) -> ServiceResult<Option<VictimDetails>> {
    match &report.victim_sealed {
        Some(sealed) => Ok(Some(crypto.open_json(columns::REPORT_VICTIM, report.id, sealed)?)),
        None => Ok(None),
    }
}

/// The day an estimated age refers to: when the conduct began, else when it was reported.
pub fn reference_date(report: &crime_report::Model) -> NaiveDate {
    report.occurred_from.unwrap_or_else(|| calendar::local_date(report.created_at))
}

/// `force/crime reference`, how officers name a report.
pub fn label(report: &crime_report::Model) -> String {
    format!("{}/{}", report.force, report.crime_reference)
}
