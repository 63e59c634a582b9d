//! `approvals`: see the migration that creates it for what each column holds.

use domain::ids::ApprovalId;
use domain::vocab::{ApprovalAction, ApprovalStatus, Role};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApprovalId,
    pub action: ApprovalAction,
    pub target_id: Uuid,
    pub target_version: i32,
    pub org: String,
    pub status: ApprovalStatus,
    #[sea_orm(unique)]
    pub pending_key: Option<String>,
    pub reason_sealed: Vec<u8>,
    pub requested_by_issuer: String,
    pub requested_by_subject: String,
    pub requested_role: Role,
    pub requested_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub decided_by_issuer: Option<String>,
    pub decided_by_subject: Option<String>,
    pub decided_role: Option<Role>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason_sealed: Option<Vec<u8>>,
    pub effective_on: Option<Date>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
