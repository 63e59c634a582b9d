//! Stored runs and the links they propose: reading a run back, and the link lookups the
//! write half of a check needs.

use domain::ids::{CheckId, RecordId, ReportId};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{crime_report, link, match_candidate, register_check, registrant};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Statement};
use uuid::Uuid;

use super::views::*;
use crate::auth::{Caller, Permission};
use crate::linkage::score::FieldScore;
use crate::services::audit::{self, Action, Entry, Outcome};
use crate::services::{Ctx, ServiceError, ServiceResult, reports, tx};

/// Every link of `report`: those it proposes, and report links that point at it.
pub async fn links_of(conn: &impl ConnectionTrait, report_id: ReportId) -> ServiceResult<Vec<link::Model>> {
    let reverse = Condition::all().add(link::Column::TargetKind.eq(TargetKind::Report)).add(link::Column::TargetId.eq(report_id));
    Ok(link::Entity::find()
        .filter(Condition::any().add(link::Column::ReportId.eq(report_id)).add(reverse))
        .order_by_asc(link::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// The link between `report_id` and a target among `links` (from [`links_of`]), in either
/// direction for report pairs; the oldest if there are two.
pub fn find_link(links: &[link::Model], report_id: ReportId, kind: TargetKind, target_id: Uuid) -> Option<&link::Model> {
    links.iter().find(|l| {
        let forward = l.report_id == report_id && l.target_kind == kind && l.target_id == target_id;
        let reverse = kind == TargetKind::Report
            && l.report_id == ReportId::from(target_id)
            && l.target_kind == TargetKind::Report
            && l.target_id == report_id.uuid();
        forward || reverse
    })
}

/// Serialises the write halves of concurrent checks of one report on PostgreSQL, so two of them
/// cannot both propose the same new link (SQLite's write transaction already does).
pub async fn lock_report(conn: &impl ConnectionTrait, report_id: ReportId) -> ServiceResult<()> {
    if conn.get_database_backend() == DbBackend::Postgres {
        let key = format!("vigil:report_links:{report_id}");
        conn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_advisory_xact_lock(hashtext($1))", [key.into()]))
            .await?;
    }
    Ok(())
}

/// One stored check with its candidates, for public protection officers. Audited as a
/// consultation.
#[tracing::instrument(skip_all, fields(request_id = %caller.request_id))]
pub async fn get(ctx: &Ctx, caller: &Caller, id: CheckId, now: DateTime<Utc>) -> ServiceResult<CheckView> {
    caller.require(Permission::MatchRead)?;
    let snapshot = tx::begin_read(&ctx.db).await?;
    let check = register_check::Entity::find_by_id(id).one(&snapshot).await?.ok_or(ServiceError::NotFound("register check"))?;
    let rows = match_candidate::Entity::find()
        .filter(match_candidate::Column::CheckId.eq(id))
        .order_by_desc(match_candidate::Column::Probability)
        .all(&snapshot)
        .await?;
    let links = links_of(&snapshot, check.report_id).await?;
    let targets: Vec<(TargetKind, Uuid)> = rows.iter().map(|c| Ok((c.target_kind, c.target_id))).collect::<ServiceResult<_>>()?;
    let names = target_references(&snapshot, &targets).await?;
    let mut candidates = Vec::with_capacity(rows.len());
    for (c, (kind, target_id)) in rows.into_iter().zip(targets) {
        candidates.push(CandidateView {
            id: c.id,
            target_kind: kind,
            target_id,
            target_reference: names.get(&target_id).cloned().unwrap_or_default(),
            probability: c.probability,
            weight: c.weight,
            outcome: c.outcome,
            link_id: find_link(&links, check.report_id, kind, target_id).map(|l| l.id),
            explanation: serde_json::from_str::<Vec<FieldScore>>(&c.explanation).unwrap_or_default(),
        });
    }
    snapshot.commit().await?;
    let ids: Vec<Uuid> = [check.id.uuid(), check.report_id.uuid()].into_iter().chain(candidates.iter().map(|c| c.target_id)).collect();
    let entry = Entry {
        action: Action::Consultation,
        operation: "register_check.read",
        permission: Permission::MatchRead,
        record_type: "register_check",
        record_ids: &ids,
        outcome: Outcome::Success,
    };
    // Fail-closed: nothing is returned unless the consultation is on the record.
    audit::commit(ctx, caller, now, entry).await?;
    Ok(CheckView {
        id: check.id,
        check_reference: check.reference,
        report_id: check.report_id,
        result: check.result,
        contact_route: check.contact_org,
        algorithm_version: check.algorithm_version,
        created_at: check.created_at,
        candidates,
    })
}

/// How officers name a link target: a registrant's reference or a report's force reference.
pub async fn target_reference(conn: &impl ConnectionTrait, kind: TargetKind, id: Uuid) -> ServiceResult<String> {
    Ok(target_references(conn, &[(kind, id)]).await?.remove(&id).unwrap_or_default())
}

/// [`target_reference`] for many targets, in two queries.
pub async fn target_references(conn: &impl ConnectionTrait, targets: &[(TargetKind, Uuid)]) -> ServiceResult<HashMap<Uuid, String>> {
    let of = |kind: TargetKind| targets.iter().filter(move |t| t.0 == kind).map(|t| t.1).collect::<Vec<_>>();
    let mut out = HashMap::with_capacity(targets.len());
    let registrants = of(TargetKind::Registrant);
    if !registrants.is_empty() {
        for r in registrant::Entity::find().filter(registrant::Column::Id.is_in(registrants)).all(conn).await? {
            out.insert(r.id.uuid(), r.reference);
        }
    }
    let reports = of(TargetKind::Report);
    if !reports.is_empty() {
        for r in crime_report::Entity::find().filter(crime_report::Column::Id.is_in(reports)).all(conn).await? {
            out.insert(r.id.uuid(), reports::label(&r));
        }
    }
    Ok(out)
}
