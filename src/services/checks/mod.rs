//! The register check (DESIGN §6): a crime report's suspect is linked against registrants and
//! against earlier reports. Candidates come only from blind-index lookups of blocking keys;
//! only those candidates are decrypted and scored (Fellegi–Sunter, `crate::linkage`). Every
//! run is stored with who, why, the algorithm version, each candidate's score and its
//! field-by-field explanation (field names and levels only). Candidates above the review
//! threshold become pending links for an officer; nothing is merged automatically.
//!
//! A check needs a justification (reason code and crime reference headers), is rate-limited
//! per user ([`limiter`]) and is audited as a consultation. What the caller sees depends on the
//! role: intake staff get a result, a check reference and a contact route, nothing else.

pub mod limiter;
pub mod patterns;
pub mod profiles;
pub mod views;

use chrono::{DateTime, Utc};
use entities::{crime_report, link, match_candidate, register_check, registrant};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use self::views::*;
use super::audit::{self, Action, Entry, Outcome};
use super::blind::{self, OWNER_REGISTRANT, OWNER_REPORT};
use super::{Ctx, ServiceError, ServiceResult, reports, tx};
use crate::auth::{Caller, Permission};
use crate::domain::errors::FieldErrors;
use crate::linkage::score::{self, FieldScore, REVIEW_THRESHOLD, STRONG_THRESHOLD};
use crate::linkage::{ALGORITHM_VERSION, keys};

/// Candidates scored per check, the ones sharing most blocking keys first.
const MAX_CANDIDATES: usize = 200;

struct Scored {
    kind: TargetKind,
    id: Uuid,
    reference: String,
    org: String,
    score: score::Score,
}

fn justification(caller: &Caller) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    if caller.justification.reason_code.is_none() {
        errors.push("Vigil-Reason-Code", "justification_required", "a register check needs a reason code header");
    }
    if caller.justification.crime_reference.is_none() {
        errors.push("Vigil-Crime-Reference", "justification_required", "a register check needs a crime reference header");
    }
    errors.finish()?;
    Ok((caller.justification.reason_code.clone().unwrap_or_default(), caller.justification.crime_reference.clone().unwrap_or_default()))
}

/// A human check reference: `CHK-` and 12 hex digits from the random part of the id.
fn check_reference(id: Uuid) -> String {
    format!("CHK-{}", hex::encode_upper(&id.as_bytes()[10..16]))
}

#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn run(ctx: &Ctx, caller: &Caller, report_id: Uuid, now: DateTime<Utc>) -> ServiceResult<CheckResponse> {
    caller.require(Permission::RegisterCheck)?;
    let (reason_code, crime_reference) = justification(caller)?;
    let txn = tx::begin_write(&ctx.db).await?;
    if let Err(retry_after_seconds) = ctx.checks.admit(&txn, &caller.issuer, &caller.subject, now).await? {
        txn.rollback().await?;
        let entry = Entry {
            action: Action::Consultation,
            operation: "register_check.run",
            permission: Permission::RegisterCheck,
            record_type: "crime_report",
            record_ids: &[report_id],
            outcome: Outcome::Denied,
        };
        audit::record(&ctx.db, caller, now, entry).await?;
        return Err(ServiceError::RateLimited { retry_after_seconds });
    }
    let report = reports::find(&txn, report_id).await?;
    // Intake may check the reports its own organisation recorded.
    if !caller.can(Permission::MatchRead) && report.intake_org != caller.org {
        return Err(ServiceError::NotFound("crime report"));
    }
    let query = reports::suspect(&ctx.crypto, &report)?.profile(reports::reference_date(&report));
    let block = keys::query_keys(&query);
    let lookups: Vec<_> = block.iter().map(|k| (k.field, k.kind, k.value.as_str())).collect();
    let mut hits = blind::candidates_any(&txn, &ctx.crypto, &[OWNER_REGISTRANT, OWNER_REPORT], &lookups).await?;
    hits.retain(|(kind, id, _)| !(kind == OWNER_REPORT && *id == report.id));
    hits.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
    hits.truncate(MAX_CANDIDATES);
    let registrant_ids: Vec<Uuid> = hits.iter().filter(|h| h.0 == OWNER_REGISTRANT).map(|h| h.1).collect();
    let report_ids: Vec<Uuid> = hits.iter().filter(|h| h.0 == OWNER_REPORT).map(|h| h.1).collect();

    let mut scored = Vec::with_capacity(hits.len());
    for (r, profile) in profiles::registrants(&txn, &ctx.crypto, &registrant_ids).await? {
        let score = score::score(&query, &profile);
        scored.push(Scored { kind: TargetKind::Registrant, id: r.id, reference: r.reference, org: r.managing_org, score });
    }
    for (r, profile) in profiles::reports(&txn, &ctx.crypto, &report_ids).await? {
        let score = score::score(&query, &profile);
        scored.push(Scored { kind: TargetKind::Report, id: r.id, reference: reports::label(&r), org: r.intake_org.clone(), score });
    }
    score::compete(scored.iter_mut().filter(|s| s.kind == TargetKind::Registrant).map(|s| &mut s.score));
    scored.sort_by(|a, b| b.score.probability.total_cmp(&a.score.probability).then(a.id.cmp(&b.id)));

    let check_id = Uuid::now_v7();
    let reference = check_reference(check_id);
    let mut candidates = Vec::with_capacity(scored.len());
    let mut contact: Option<(TargetKind, String)> = None;
    let mut rows = Vec::with_capacity(scored.len());
    for s in &scored {
        let candidate_id = Uuid::now_v7();
        let existing = existing_link(&txn, report.id, s.kind, s.id).await?;
        let strong = s.score.strong_identifier || s.score.probability >= STRONG_THRESHOLD;
        let (outcome, link_id) = match &existing {
            Some(l) if l.status == LinkStatus::Rejected.as_str() => (CandidateOutcome::PreviouslyRejected, Some(l.id)),
            Some(l) if l.status == LinkStatus::Confirmed.as_str() => (CandidateOutcome::AlreadyConfirmed, Some(l.id)),
            _ if s.score.probability < REVIEW_THRESHOLD => (CandidateOutcome::BelowThreshold, existing.as_ref().map(|l| l.id)),
            Some(l) => {
                link::Entity::update_many()
                    .col_expr(link::Column::Probability, Expr::value(s.score.probability))
                    .col_expr(link::Column::Strong, Expr::value(strong || l.strong))
                    .col_expr(link::Column::CandidateId, Expr::value(candidate_id))
                    .filter(link::Column::Id.eq(l.id))
                    .exec(&txn)
                    .await?;
                (CandidateOutcome::Review, Some(l.id))
            }
            None => {
                let id = Uuid::now_v7();
                link::Entity::insert(link::ActiveModel {
                    id: Set(id),
                    report_id: Set(report.id),
                    target_kind: Set(s.kind.as_str().to_owned()),
                    target_id: Set(s.id),
                    status: Set(LinkStatus::Pending.as_str().to_owned()),
                    probability: Set(s.score.probability),
                    strong: Set(strong),
                    candidate_id: Set(candidate_id),
                    decided_by: Set(None),
                    decided_role: Set(None),
                    reason_sealed: Set(None),
                    decided_at: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
                (CandidateOutcome::Review, Some(id))
            }
        };
        if matches!(outcome, CandidateOutcome::Review | CandidateOutcome::AlreadyConfirmed) {
            // The managing unit of a registrant beats the recording force of an earlier report.
            let better = match &contact {
                None => true,
                Some((kind, _)) => *kind == TargetKind::Report && s.kind == TargetKind::Registrant,
            };
            if better {
                contact = Some((s.kind, s.org.clone()));
            }
        }
        rows.push(match_candidate::ActiveModel {
            id: Set(candidate_id),
            check_id: Set(check_id),
            target_kind: Set(s.kind.as_str().to_owned()),
            target_id: Set(s.id),
            weight: Set(s.score.weight),
            probability: Set(s.score.probability),
            explanation: Set(serde_json::to_string(&s.score.fields).unwrap_or_else(|_| "[]".into())),
            outcome: Set(outcome.as_str().to_owned()),
            created_at: Set(now),
        });
        candidates.push(CandidateView {
            id: candidate_id,
            target_kind: s.kind,
            target_id: s.id,
            target_reference: s.reference.clone(),
            probability: s.score.probability,
            weight: s.score.weight,
            outcome,
            link_id,
            explanation: s.score.fields.clone(),
        });
    }
    let result = if contact.is_some() { CheckResult::PossibleMatch } else { CheckResult::NoMatch };
    let contact_route = contact.map(|(_, org)| org);
    register_check::Entity::insert(register_check::ActiveModel {
        id: Set(check_id),
        reference: Set(reference.clone()),
        report_id: Set(report.id),
        actor_issuer: Set(caller.issuer.clone()),
        actor_subject: Set(caller.subject.clone()),
        actor_role: Set(caller.role_for(Permission::RegisterCheck).as_str().to_owned()),
        actor_org: Set(caller.org.clone()),
        reason_code: Set(reason_code),
        crime_reference: Set(crime_reference),
        algorithm_version: Set(ALGORITHM_VERSION.to_owned()),
        result: Set(result.as_str().to_owned()),
        candidate_count: Set(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
        contact_org: Set(contact_route.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    for chunk in rows.chunks(200) {
        match_candidate::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let raised = patterns::evaluate(&txn, &ctx.crypto, &report, now).await?;

    let mut ids = vec![check_id, report.id];
    ids.extend(candidates.iter().filter(|c| c.outcome == CandidateOutcome::Review).map(|c| c.target_id));
    ids.extend(raised);
    let entry = Entry {
        action: Action::Consultation,
        operation: "register_check.run",
        permission: Permission::RegisterCheck,
        record_type: "register_check",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;

    if caller.can(Permission::MatchRead) {
        Ok(CheckResponse::Full(CheckView {
            id: check_id,
            check_reference: reference,
            report_id: report.id,
            result,
            contact_route,
            algorithm_version: ALGORITHM_VERSION.to_owned(),
            created_at: now,
            candidates,
        }))
    } else {
        Ok(CheckResponse::Intake(IntakeCheckView { result, check_reference: reference, contact_route }))
    }
}

/// The link between a report and a target, in either direction for report pairs.
pub async fn existing_link(
    conn: &impl ConnectionTrait,
    report_id: Uuid,
    kind: TargetKind,
    target_id: Uuid,
) -> ServiceResult<Option<link::Model>> {
    let forward = Condition::all()
        .add(link::Column::ReportId.eq(report_id))
        .add(link::Column::TargetKind.eq(kind.as_str()))
        .add(link::Column::TargetId.eq(target_id));
    let mut any = Condition::any().add(forward);
    if kind == TargetKind::Report {
        any = any.add(
            Condition::all()
                .add(link::Column::ReportId.eq(target_id))
                .add(link::Column::TargetKind.eq(TargetKind::Report.as_str()))
                .add(link::Column::TargetId.eq(report_id)),
        );
    }
    Ok(link::Entity::find().filter(any).order_by_asc(link::Column::CreatedAt).one(conn).await?)
}

/// One stored check with its candidates, for public protection officers. Audited as a
/// consultation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: Uuid, now: DateTime<Utc>) -> ServiceResult<CheckView> {
    caller.require(Permission::MatchRead)?;
    let txn = tx::begin_write(&ctx.db).await?;
    let check = register_check::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound("register check"))?;
    let rows = match_candidate::Entity::find()
        .filter(match_candidate::Column::CheckId.eq(id))
        .order_by_desc(match_candidate::Column::Probability)
        .all(&txn)
        .await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for c in rows {
        let kind = registrants_read_stored(TargetKind::parse(&c.target_kind))?;
        let link = existing_link(&txn, check.report_id, kind, c.target_id).await?;
        candidates.push(CandidateView {
            id: c.id,
            target_kind: kind,
            target_id: c.target_id,
            target_reference: target_reference(&txn, kind, c.target_id).await?,
            probability: c.probability,
            weight: c.weight,
            outcome: registrants_read_stored(CandidateOutcome::parse(&c.outcome))?,
            link_id: link.map(|l| l.id),
            explanation: serde_json::from_str::<Vec<FieldScore>>(&c.explanation).unwrap_or_default(),
        });
    }
    let ids: Vec<Uuid> = [check.id, check.report_id].into_iter().chain(candidates.iter().map(|c| c.target_id)).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "register_check.read",
        permission: Permission::MatchRead,
        record_type: "register_check",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(CheckView {
        id: check.id,
        check_reference: check.reference,
        report_id: check.report_id,
        result: registrants_read_stored(CheckResult::parse(&check.result))?,
        contact_route: check.contact_org,
        algorithm_version: check.algorithm_version,
        created_at: check.created_at,
        candidates,
    })
}

fn registrants_read_stored<T>(value: Option<T>) -> ServiceResult<T> {
    super::registrants::read::stored(value)
}

/// How officers name a link target: a registrant's reference or a report's force reference.
pub async fn target_reference(conn: &impl ConnectionTrait, kind: TargetKind, id: Uuid) -> ServiceResult<String> {
    Ok(match kind {
        TargetKind::Registrant => registrant::Entity::find_by_id(id).one(conn).await?.map(|r| r.reference).unwrap_or_default(),
        TargetKind::Report => crime_report::Entity::find_by_id(id).one(conn).await?.map(|r| reports::label(&r)).unwrap_or_default(),
    })
}
