//! What a request for a four-eyes action shows: its reasons opened, and the registrant it is
//! about, so the second person can look at the record before deciding.

use chrono::{DateTime, NaiveDate, Utc};
use domain::ids::{ApprovalId, RecordId, RegistrantId};
use domain::vocab::{ApprovalAction, ApprovalStatus, Role};
use entities::approval;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crypto::columns;
use crate::services::{Ctx, ServiceError, ServiceResult, merges};

#[derive(Serialize, ToSchema)]
pub struct ApprovalView {
    pub id: ApprovalId,
    pub action: ApprovalAction,
    pub target_id: Uuid,
    pub target_version: i32,
    /// The registrant it is about (the order's registrant for a discharge), so the second person
    /// can look at the record before deciding.
    pub registrant_id: Option<RegistrantId>,
    pub status: ApprovalStatus,
    pub reason: String,
    pub requested_by: String,
    pub requested_role: Role,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_role: Option<Role>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    /// Discharge only: the day the discharge took effect, when it was before the approval.
    pub effective_on: Option<NaiveDate>,
    pub version: i32,
}

pub(super) async fn view(conn: &impl ConnectionTrait, ctx: &Ctx, r: approval::Model) -> ServiceResult<ApprovalView> {
    let mut all = views(conn, ctx, vec![r]).await?;
    all.pop().ok_or(ServiceError::NotFound("approval"))
}

/// The views, with each request's registrant (one query for the orders of the discharges).
pub(super) async fn views(conn: &impl ConnectionTrait, ctx: &Ctx, rows: Vec<approval::Model>) -> ServiceResult<Vec<ApprovalView>> {
    let order_ids: Vec<Uuid> = rows.iter().filter(|r| r.action == ApprovalAction::OrderDischarge).map(|r| r.target_id).collect();
    let owners: Vec<(Uuid, RegistrantId)> = if order_ids.is_empty() {
        Vec::new()
    } else {
        entities::order::Entity::find()
            .filter(entities::order::Column::Id.is_in(order_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|o| (o.id.uuid(), o.registrant_id))
            .collect()
    };
    // A merge is about the record that survives it.
    let pair_ids: Vec<Uuid> = rows.iter().filter(|r| merges::is_merge(r.action)).map(|r| r.target_id).collect();
    let survivors = merges::survivors(conn, &pair_ids).await?;
    rows.into_iter()
        .map(|r| {
            let registrant_id = match r.action {
                ApprovalAction::RegistrantErasure => Some(RegistrantId::from(r.target_id)),
                ApprovalAction::OrderDischarge => owners.iter().find(|(o, _)| *o == r.target_id).map(|(_, id)| *id),
                ApprovalAction::RegistrantMerge | ApprovalAction::RegistrantUnmerge => {
                    survivors.iter().find(|(p, _)| *p == r.target_id).map(|(_, id)| *id)
                }
            };
            view_of(ctx, r, registrant_id)
        })
        .collect()
}

fn view_of(ctx: &Ctx, r: approval::Model, registrant_id: Option<RegistrantId>) -> ServiceResult<ApprovalView> {
    let reason = ctx.crypto.open_str(columns::APPROVAL_REASON, r.id, &r.reason_sealed)?;
    let decision_reason =
        r.decision_reason_sealed.as_deref().map(|s| ctx.crypto.open_str(columns::APPROVAL_DECISION_REASON, r.id, s)).transpose()?;
    Ok(ApprovalView {
        id: r.id,
        action: r.action,
        target_id: r.target_id,
        target_version: r.target_version,
        registrant_id,
        status: r.status,
        reason,
        requested_by: r.requested_by_subject,
        requested_role: r.requested_role,
        requested_at: r.requested_at,
        expires_at: r.expires_at,
        decided_by: r.decided_by_subject,
        decided_role: r.decided_role,
        decided_at: r.decided_at,
        decision_reason,
        effective_on: r.effective_on,
        version: r.version,
    })
}
