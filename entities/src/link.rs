//! `links`: see the migration that creates it for what each column holds.

use domain::ids::{CandidateId, LinkId, ReportId};
use domain::vocab::{LinkStatus, Role, TargetKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LinkId,
    pub report_id: ReportId,
    pub target_kind: TargetKind,
    pub target_id: Uuid,
    pub status: LinkStatus,
    pub probability: f64,
    pub strong: bool,
    pub candidate_id: CandidateId,
    pub decided_by: Option<String>,
    pub decided_role: Option<Role>,
    #[sea_orm(column_type = "Blob")]
    pub reason_sealed: Option<Vec<u8>>,
    pub decided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
