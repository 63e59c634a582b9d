//! Loading obligations, occurrences and compliance records and opening them into views.

use chrono::{DateTime, Utc};
use domain::ids::{ObligationId, OccurrenceId, RecordId};
use entities::{compliance_record, obligation, occurrence};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::views::*;
use crate::crypto::{Crypto, columns};
use crate::services::registrants::read::stored;
use crate::services::{ServiceError, ServiceResult};
use domain::due::{Basis, WhyDue, explain};
use domain::vocab::{ObligationKind, OccurrenceStatus};

pub async fn find_occurrence(conn: &impl ConnectionTrait, id: OccurrenceId) -> ServiceResult<occurrence::Model> {
    occurrence::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("occurrence"))
}

pub async fn find_obligation(conn: &impl ConnectionTrait, id: ObligationId) -> ServiceResult<obligation::Model> {
    obligation::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound("obligation"))
}

/// Views of occurrences with their compliance records, in the order given.
pub async fn occurrence_views(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    rows: Vec<occurrence::Model>,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<OccurrenceView>> {
    let ids: Vec<Uuid> = rows.iter().map(|o| o.id.uuid()).collect();
    let records = if ids.is_empty() {
        Vec::new()
    } else {
        compliance_record::Entity::find()
            .filter(compliance_record::Column::OccurrenceId.is_in(ids))
            .order_by_asc(compliance_record::Column::Id)
            .all(conn)
            .await?
    };
    let explain = explainer(conn, &rows).await?;
    let mut views = Vec::with_capacity(rows.len());
    for o in rows {
        let mut compliance = Vec::new();
        for r in records.iter().filter(|r| r.occurrence_id == o.id) {
            compliance.push(ComplianceView {
                id: r.id,
                outcome: r.outcome,
                notes: r.notes_sealed.as_deref().map(|n| crypto.open_str(columns::COMPLIANCE_NOTES, r.id, n)).transpose()?,
                recorded_by: r.recorded_by.clone(),
                recorded_org: r.recorded_org.clone(),
                recorded_at: r.recorded_at,
            });
        }
        let status = o.status;
        let why = explain.why(&o);
        views.push(OccurrenceView {
            id: o.id,
            obligation_id: o.obligation_id,
            due_at: o.due_at,
            window_opens_at: o.window_opens_at,
            status,
            overdue: status == OccurrenceStatus::Pending && o.due_at <= now,
            reason: o.reason_sealed.as_deref().map(|r| crypto.open_str(columns::OCCURRENCE_REASON, o.id, r)).transpose()?,
            resolved_at: o.resolved_at,
            resolved_by: o.resolved_by,
            version: o.version,
            why,
            compliance,
        });
    }
    Ok(views)
}

/// Explains occurrences from their duties and those duties' regimes, read once (two reads,
/// whatever the number of occurrences).
struct Explainer {
    duties: Vec<obligation::Model>,
    regimes: Vec<(domain::regimes::Regime, String)>,
}

impl Explainer {
    fn why(&self, o: &occurrence::Model) -> WhyDue {
        let duty = self.duties.iter().find(|d| d.id == o.obligation_id);
        let regime = duty.and_then(|d| d.regime_code.as_deref()).and_then(|code| self.regimes.iter().find(|(r, _)| r.code == code));
        let basis = o.basis_event.zip(o.basis_on).map(|(event, on)| Basis { event, on });
        let kind = duty.map(|d| d.kind).unwrap_or(ObligationKind::OtherRequirement);
        explain(kind, regime.map(|(r, _)| r), regime.map(|(_, t)| t.as_str()), basis)
    }
}

async fn explainer(conn: &impl ConnectionTrait, rows: &[occurrence::Model]) -> ServiceResult<Explainer> {
    let mut ids: Vec<Uuid> = rows.iter().map(|o| o.obligation_id.uuid()).collect();
    ids.sort();
    ids.dedup();
    let duties =
        if ids.is_empty() { Vec::new() } else { obligation::Entity::find().filter(obligation::Column::Id.is_in(ids)).all(conn).await? };
    let regimes = super::regimes::load_titled(conn, duties.iter().filter_map(|d| d.regime_code.clone())).await?;
    Ok(Explainer { duties, regimes })
}

pub async fn occurrence_view(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    row: occurrence::Model,
    now: DateTime<Utc>,
) -> ServiceResult<OccurrenceView> {
    occurrence_views(conn, crypto, vec![row], now).await?.pop().ok_or(ServiceError::NotFound("occurrence"))
}

/// Every obligation of a registrant (open and closed), oldest first, each with its occurrences
/// in due order.
pub async fn obligations(
    conn: &impl ConnectionTrait,
    crypto: &Crypto,
    registrant_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<ObligationView>> {
    let obligations = obligation::Entity::find()
        .filter(obligation::Column::RegistrantId.eq(registrant_id))
        .order_by_asc(obligation::Column::Id)
        .all(conn)
        .await?;
    let occurrences = occurrence::Entity::find()
        .filter(occurrence::Column::RegistrantId.eq(registrant_id))
        .order_by_asc(occurrence::Column::DueAt)
        .order_by_asc(occurrence::Column::Id)
        .all(conn)
        .await?;
    let mut occurrences = occurrence_views(conn, crypto, occurrences, now).await?;
    let mut views = Vec::with_capacity(obligations.len());
    for ob in obligations {
        let (mine, rest): (Vec<_>, Vec<_>) = occurrences.into_iter().partition(|o| o.obligation_id == ob.id);
        occurrences = rest;
        views.push(ObligationView {
            kind: ob.kind,
            status: ob.status,
            schedule: ob.schedule.as_deref().map(|s| stored(serde_json::from_str(s).ok())).transpose()?,
            id: ob.id,
            order_id: ob.order_id,
            condition_id: ob.condition_id,
            regime: ob.regime_code,
            created_at: ob.created_at,
            closed_at: ob.closed_at,
            occurrences: mine,
        });
    }
    Ok(views)
}
