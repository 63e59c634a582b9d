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

pub(crate) mod assess;
mod legacy;
pub mod limiter;
pub mod pattern_view;
pub mod patterns;
pub mod profiles;
pub mod register_model;
mod stored;
pub mod views;

pub use stored::{get, target_reference, target_references};

use chrono::{DateTime, Utc};
use domain::ids::{CandidateId, CheckId, LinkId, RecordId, ReportId};
use entities::{link, match_candidate, register_check};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use self::views::*;
use super::audit::{self, Action, Entry, Outcome};
use super::{Ctx, ServiceError, ServiceResult, reports, tx};
use crate::auth::{Caller, Permission};
use crate::linkage::ALGORITHM_VERSION;
use crate::linkage::decide::{self, ContactRoute, LinkAction, PriorLink};
use domain::errors::FieldErrors;

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

use crate::telemetry::metrics::CHECKS as CHECKS_METRIC;

/// A human check reference: `CHK-` and 12 hex digits from the random part of the id.
fn check_reference(id: CheckId) -> String {
    format!("CHK-{}", hex::encode_upper(&id.uuid().as_bytes()[10..16]))
}

pub async fn run(ctx: &Ctx, caller: &Caller, report_id: ReportId, now: DateTime<Utc>) -> ServiceResult<CheckResponse> {
    Ok(run_with_id(ctx, caller, report_id, now).await?.1)
}

/// [`run`], also giving the stored check's id (which intake's answer leaves out), so that the
/// web interface can show the result on a page of its own.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn run_with_id(ctx: &Ctx, caller: &Caller, report_id: ReportId, now: DateTime<Utc>) -> ServiceResult<(CheckId, CheckResponse)> {
    caller.require(Permission::RegisterCheck)?;
    let (reason_code, crime_reference) = justification(caller)?;

    // Matching reads a snapshot, so checks run side by side (on SQLite too); only storing the
    // run takes the write transaction, briefly.
    let started = std::time::Instant::now();
    let snapshot = tx::begin_read(&ctx.db).await?;
    let report = reports::find(&snapshot, report_id).await?;
    // Intake may check the reports its own organisation recorded.
    if !caller.can(Permission::MatchRead) && report.intake_org != caller.org {
        return Err(ServiceError::NotFound("crime report"));
    }
    let mut stats = assess::Stats::default();
    let model = ctx.register_model.get(&snapshot, &ctx.crypto).await?;
    let scored = assess::candidates(&snapshot, &ctx.crypto, &report, &model, &mut stats).await?;
    snapshot.commit().await?;
    let read = started.elapsed();

    let txn = tx::begin_write(&ctx.writer).await?;
    let write_lock = started.elapsed() - read;
    if let Err(retry_after_seconds) = ctx.checks.admit(&txn, &caller.issuer, &caller.subject, now).await? {
        txn.rollback().await?;
        let entry = Entry {
            action: Action::Consultation,
            operation: "register_check.run",
            permission: Permission::RegisterCheck,
            record_type: "crime_report",
            record_ids: &[report_id.uuid()],
            outcome: Outcome::Denied,
        };
        audit::commit(ctx, caller, now, entry).await?;
        metrics::counter!(CHECKS_METRIC, "result" => "rate_limited").increment(1);
        return Err(ServiceError::RateLimited { retry_after_seconds });
    }
    stored::lock_report(&txn, report.id).await?;
    let existing = stored::links_of(&txn, report.id).await?;

    let check_id = CheckId::generate();
    let reference = check_reference(check_id);
    let mut candidates = Vec::with_capacity(scored.len());
    let mut contact = ContactRoute::default();
    let mut rows = Vec::with_capacity(scored.len());
    let mut new_links = Vec::new();
    for s in &scored {
        let candidate_id = CandidateId::generate();
        let existing = stored::find_link(&existing, report.id, s.kind, s.id);
        let prior = existing.map(|l| PriorLink { status: l.status, strong: l.strong });
        let decision = decide::decide(prior, &s.score);
        let link_id = match (decision.action, existing) {
            (LinkAction::Keep, _) => existing.map(|l| l.id),
            (LinkAction::Refresh { strong }, Some(l)) => {
                link::Entity::update_many()
                    .col_expr(link::Column::Probability, Expr::value(s.score.probability))
                    .col_expr(link::Column::Strong, Expr::value(strong))
                    .col_expr(link::Column::CandidateId, Expr::value(candidate_id))
                    .filter(link::Column::Id.eq(l.id))
                    .exec(&txn)
                    .await?;
                Some(l.id)
            }
            (LinkAction::Refresh { strong } | LinkAction::Create { strong }, _) => {
                let id = LinkId::generate();
                new_links.push(link::ActiveModel {
                    id: Set(id),
                    report_id: Set(report.id),
                    target_kind: Set(s.kind),
                    target_id: Set(s.id),
                    status: Set(LinkStatus::Pending),
                    probability: Set(s.score.probability),
                    strong: Set(strong),
                    candidate_id: Set(candidate_id),
                    decided_by: Set(None),
                    decided_role: Set(None),
                    reason_sealed: Set(None),
                    decided_at: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                });
                Some(id)
            }
        };
        let outcome = decision.outcome;
        if decide::is_match(outcome) {
            contact.offer(s.kind, &s.org);
        }
        rows.push(match_candidate::ActiveModel {
            id: Set(candidate_id),
            check_id: Set(check_id),
            target_kind: Set(s.kind),
            target_id: Set(s.id),
            weight: Set(s.score.weight),
            probability: Set(s.score.probability),
            explanation: Set(serde_json::to_string(&s.score.fields).unwrap_or_else(|_| "[]".into())),
            outcome: Set(outcome),
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
    let contact_route = contact.into_org();
    let result = if contact_route.is_some() { CheckResult::PossibleMatch } else { CheckResult::NoMatch };
    register_check::Entity::insert(register_check::ActiveModel {
        id: Set(check_id),
        reference: Set(reference.clone()),
        report_id: Set(report.id),
        actor_issuer: Set(caller.issuer.clone()),
        actor_subject: Set(caller.subject.clone()),
        actor_role: Set(caller.role_for(Permission::RegisterCheck)),
        actor_org: Set(caller.org.clone()),
        reason_code: Set(reason_code),
        crime_reference: Set(crime_reference),
        algorithm_version: Set(ALGORITHM_VERSION.to_owned()),
        result: Set(result),
        candidate_count: Set(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
        contact_org: Set(contact_route.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    if !new_links.is_empty() {
        link::Entity::insert_many(new_links).exec_without_returning(&txn).await?;
    }
    for chunk in rows.chunks(200) {
        match_candidate::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let before_patterns = started.elapsed();
    let raised = patterns::evaluate(&txn, &ctx.crypto, &report, now).await?;
    let patterns_time = started.elapsed() - before_patterns;

    let mut ids = vec![check_id.uuid(), report.id.uuid()];
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
    audit::record(&txn, &ctx.crypto, caller, now, entry).await?;
    let before_commit = started.elapsed();
    txn.commit().await?;
    // Where a check's time goes, for tuning (`RUST_LOG=vigil::checks::timing=debug`): counts
    // and durations only.
    tracing::debug!(
        target: "vigil::checks::timing",
        keys = stats.keys,
        hits = stats.hits,
        opened = stats.opened,
        agreeing = stats.agreeing,
        scored = stats.scored,
        lookup_us = stats.lookup.as_micros() as u64,
        open_us = stats.open.as_micros() as u64,
        load_us = stats.load.as_micros() as u64,
        sift_us = stats.sift.as_micros() as u64,
        score_us = stats.score.as_micros() as u64,
        read_us = read.as_micros() as u64,
        lock_us = write_lock.as_micros() as u64,
        store_us = (before_patterns - read - write_lock).as_micros() as u64,
        patterns_us = patterns_time.as_micros() as u64,
        commit_us = (started.elapsed() - before_commit).as_micros() as u64,
        total_us = started.elapsed().as_micros() as u64,
        "register check timing"
    );
    metrics::histogram!(crate::telemetry::metrics::CHECK_DURATION).record(started.elapsed().as_secs_f64());
    metrics::histogram!(crate::telemetry::metrics::CHECK_CANDIDATES).record(candidates.len() as f64);
    metrics::counter!(CHECKS_METRIC, "result" => result.as_str()).increment(1);

    let answer = if caller.can(Permission::MatchRead) {
        CheckResponse::Full(CheckView {
            id: check_id,
            check_reference: reference,
            report_id: report.id,
            result,
            contact_route,
            algorithm_version: ALGORITHM_VERSION.to_owned(),
            created_at: now,
            candidates,
        })
    } else {
        CheckResponse::Intake(IntakeCheckView { result, check_reference: reference, contact_route })
    };
    Ok((check_id, answer))
}
