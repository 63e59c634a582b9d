//! The review queue: links proposed by register checks wait here until a public protection
//! officer or supervisor confirms or rejects each one, with a reason. Decisions are audited and
//! feed back into later checks: a rejected pair is not proposed again, and a confirmed link
//! counts towards serial patterns (see `checks::patterns`).

use chrono::{DateTime, Utc};
use domain::ids::{CandidateId, LinkId, RecordId, ReportId};
use std::collections::HashMap;

use entities::{crime_report, link, match_candidate};
use sea_orm::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use super::audit::{self, Action, Entry, Outcome};
use super::checks::views::{LinkDecision, LinkDecisionInput, LinkStatus, LinkView, TargetKind};
use super::checks::{patterns, target_references};
use super::{Ctx, ServiceError, ServiceResult, reports, tx};
use crate::auth::{Caller, Permission};
use crate::crypto::{Crypto, columns};
use crate::linkage::score::FieldScore;
use domain::errors::FieldErrors;
use domain::text;

async fn view(conn: &impl ConnectionTrait, l: link::Model) -> ServiceResult<LinkView> {
    Ok(views(conn, vec![l]).await?.remove(0))
}

/// Views of many links in four queries in all (reports, candidates, two kinds of target),
/// however many links: the queue shows up to 500.
async fn views(conn: &impl ConnectionTrait, links: Vec<link::Model>) -> ServiceResult<Vec<LinkView>> {
    let report_ids: Vec<Uuid> = links.iter().map(|l| l.report_id.uuid()).collect();
    let labels: HashMap<ReportId, String> = crime_report::Entity::find()
        .filter(crime_report::Column::Id.is_in(report_ids))
        .all(conn)
        .await?
        .iter()
        .map(|r| (r.id, reports::label(r)))
        .collect();
    let candidate_ids: Vec<Uuid> = links.iter().map(|l| l.candidate_id.uuid()).collect();
    let explanations: HashMap<CandidateId, String> = match_candidate::Entity::find()
        .filter(match_candidate::Column::Id.is_in(candidate_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.explanation))
        .collect();
    let mut targets = Vec::with_capacity(links.len());
    for l in &links {
        targets.push((l.target_kind, l.target_id));
    }
    let references = target_references(conn, &targets).await?;
    let mut out = Vec::with_capacity(links.len());
    for (l, (kind, _)) in links.into_iter().zip(targets) {
        let explanation = explanations.get(&l.candidate_id).map(|e| serde_json::from_str::<Vec<FieldScore>>(e).unwrap_or_default());
        out.push(LinkView {
            id: l.id,
            report_id: l.report_id,
            report_reference: labels.get(&l.report_id).cloned().ok_or(ServiceError::NotFound("crime report"))?,
            target_kind: kind,
            target_id: l.target_id,
            target_reference: references.get(&l.target_id).cloned().unwrap_or_default(),
            status: l.status,
            probability: l.probability,
            strong: l.strong,
            explanation: explanation.unwrap_or_default(),
            decided_at: l.decided_at,
            version: l.version,
            created_at: l.created_at,
        });
    }
    Ok(out)
}

/// Open links in one state (`pending` by default, or `needs_info`), most probable first.
/// Audited as a consultation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn queue(ctx: &Ctx, caller: &Caller, status: LinkStatus, limit: u64, now: DateTime<Utc>) -> ServiceResult<Vec<LinkView>> {
    caller.require(Permission::LinkDecide)?;
    if !matches!(status, LinkStatus::Pending | LinkStatus::NeedsInfo) {
        return Err(FieldErrors(vec![domain::errors::FieldError {
            field: "status".into(),
            code: "not_open",
            detail: "the queue holds pending and needs_info links".into(),
        }])
        .into());
    }
    let snapshot = tx::begin_read(&ctx.db).await?;
    let rows = link::Entity::find()
        .filter(link::Column::Status.eq(status))
        .order_by_desc(link::Column::Probability)
        .order_by_asc(link::Column::Id)
        .limit(limit)
        .all(&snapshot)
        .await?;
    let out = views(&snapshot, rows).await?;
    snapshot.commit().await?;
    let ids: Vec<Uuid> = out.iter().flat_map(|l| [l.id.uuid(), l.report_id.uuid(), l.target_id]).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "link.queue",
        permission: Permission::LinkDecide,
        record_type: "link",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry).await?;
    Ok(out)
}

/// Confirms or rejects an open link, or marks a pending one as needing information.
/// Confirming combines two records about one person (s.62 "combination") and re-evaluates
/// serial patterns and breach candidates.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn decide(ctx: &Ctx, caller: &Caller, id: LinkId, input: LinkDecisionInput, now: DateTime<Utc>) -> ServiceResult<LinkView> {
    caller.require(Permission::LinkDecide)?;
    let reason = text::required("reason", &input.reason, 1000).map_err(|e| FieldErrors(vec![e]))?;
    let txn = tx::begin_write(&ctx.writer).await?;
    let current = link::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("link"))?;
    let open = [LinkStatus::Pending.as_str(), LinkStatus::NeedsInfo.as_str()];
    if !open.contains(&current.status.as_str()) {
        return Err(ServiceError::Conflict { code: "already_decided", detail: "this link has already been decided".into() });
    }
    let status = match input.decision {
        LinkDecision::Confirm => LinkStatus::Confirmed,
        LinkDecision::Reject => LinkStatus::Rejected,
        LinkDecision::NeedsInfo if current.status == LinkStatus::Pending => LinkStatus::NeedsInfo,
        LinkDecision::NeedsInfo => {
            return Err(ServiceError::Conflict {
                code: "already_needs_info",
                detail: "this link is already waiting for information".into(),
            });
        }
    };
    let updated = link::Entity::update_many()
        .col_expr(link::Column::Status, Expr::value(status.as_str()))
        .col_expr(link::Column::DecidedBy, Expr::value(caller.subject.clone()))
        .col_expr(link::Column::DecidedRole, Expr::value(caller.role_for(Permission::LinkDecide).as_str()))
        .col_expr(link::Column::ReasonSealed, Expr::value(seal_reason(&ctx.crypto, id, &reason)?))
        .col_expr(link::Column::DecidedAt, Expr::value(now))
        .col_expr(link::Column::Version, Expr::col(link::Column::Version).add(1))
        .filter(link::Column::Id.eq(id))
        .filter(link::Column::Version.eq(input.version))
        .filter(link::Column::Status.is_in(open))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::stale());
    }
    let mut ids = vec![id.uuid(), current.report_id.uuid(), current.target_id.uuid()];
    if status == LinkStatus::Confirmed {
        let report = reports::find(&txn, current.report_id).await?;
        ids.extend(patterns::evaluate(&txn, &ctx.crypto, &report, now).await?);
    }
    let (action, operation) = match status {
        LinkStatus::Confirmed => (Action::Combination, "link.confirm"),
        LinkStatus::NeedsInfo => (Action::Alteration, "link.needs_info"),
        _ => (Action::Alteration, "link.reject"),
    };
    let entry =
        Entry { action, operation, permission: Permission::LinkDecide, record_type: "link", record_ids: &ids, outcome: Outcome::Success };
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let found = link::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("link"))?;
    let out = view(&txn, found).await?;
    txn.commit().await?;
    Ok(out)
}

fn seal_reason(crypto: &Crypto, id: LinkId, reason: &str) -> ServiceResult<Vec<u8>> {
    Ok(crypto.seal_str(columns::LINK_REASON, id, reason)?)
}

/// One side of a link under review: what the linker compared, as recorded. Never a victim.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Particulars {
    /// The registrant's reference, or `force/crime reference` of a report.
    pub reference: String,
    /// The managing organisation of a registrant, or the force that recorded a report.
    pub held_by: String,
    pub names: Vec<domain::person::PersonName>,
    pub dates_of_birth: Vec<chrono::NaiveDate>,
    /// A year of birth known without the full date (reports only).
    pub birth_year: Option<i32>,
    /// An estimated age, youngest and oldest (reports only).
    pub age_from: Option<u8>,
    pub age_to: Option<u8>,
    pub identifiers: Vec<domain::commands::reports::StoredIdentifier>,
    pub postcodes: Vec<String>,
}

impl std::fmt::Debug for Particulars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Particulars(<redacted>)")
    }
}

/// A link with both sides, for deciding it: the report's suspect against the candidate (a
/// registrant, or an earlier report's suspect), and the linker's field-by-field explanation.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LinkReview {
    pub link: LinkView,
    pub suspect: Particulars,
    pub candidate: Particulars,
}

fn of_suspect(reference: String, held_by: String, s: domain::commands::reports::SuspectDetails) -> Particulars {
    Particulars {
        reference,
        held_by,
        names: s.names,
        dates_of_birth: s.date_of_birth.into_iter().collect(),
        birth_year: s.birth_year,
        age_from: s.age_range.map(|(from, _)| from),
        age_to: s.age_range.map(|(_, to)| to),
        identifiers: s.identifiers,
        postcodes: s.addresses.into_iter().filter_map(|a| a.postcode).collect(),
    }
}

/// One link with both sides opened, for the reviewer. Reading it is a consultation of both
/// people's particulars, so it needs a justification (as the API's reads of a person do) and is
/// audited under it, fail-closed.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn review(ctx: &Ctx, caller: &Caller, id: LinkId, now: DateTime<Utc>) -> ServiceResult<LinkReview> {
    caller.require(Permission::LinkDecide)?;
    if let Err(errors) =
        domain::reasons::check(caller.justification.reason_code.as_deref(), caller.justification.crime_reference.as_deref(), true)
    {
        return Err(errors.into());
    }
    let snapshot = tx::begin_read(&ctx.db).await?;
    let row = link::Entity::find_by_id(id).one(&snapshot).await?.ok_or(ServiceError::NotFound("link"))?;
    let report = reports::find(&snapshot, row.report_id).await?;
    let suspect = of_suspect(reports::label(&report), report.force.clone(), reports::suspect(&ctx.crypto, &report)?);
    let candidate = match row.target_kind {
        TargetKind::Registrant => {
            let r = super::registrants::read::find(&snapshot, domain::ids::RegistrantId::from(row.target_id)).await?;
            let v = super::registrants::read::view(&snapshot, &ctx.crypto, r).await?;
            Particulars {
                reference: v.reference,
                held_by: v.managing_org,
                names: v.names.into_iter().map(|n| domain::person::PersonName { given: n.given, family: n.family }).collect(),
                dates_of_birth: v.birth_dates.into_iter().map(|b| b.date).collect(),
                birth_year: None,
                age_from: None,
                age_to: None,
                identifiers: v
                    .identifiers
                    .into_iter()
                    .map(|i| domain::commands::reports::StoredIdentifier {
                        kind: i.kind,
                        platform: i.platform,
                        country: i.country,
                        value: i.value,
                    })
                    .collect(),
                postcodes: v.addresses.into_iter().filter_map(|a| a.postcode).collect(),
            }
        }
        TargetKind::Report => {
            let other = reports::find(&snapshot, ReportId::from(row.target_id)).await?;
            of_suspect(reports::label(&other), other.force.clone(), reports::suspect(&ctx.crypto, &other)?)
        }
    };
    let view = view(&snapshot, row).await?;
    snapshot.commit().await?;
    let ids = [view.id.uuid(), view.report_id.uuid(), view.target_id];
    let entry = Entry {
        action: Action::Consultation,
        operation: "link.review",
        permission: Permission::LinkDecide,
        record_type: "link",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry).await?;
    Ok(LinkReview { link: view, suspect, candidate })
}
