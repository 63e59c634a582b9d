//! `match_candidates`: see the migration that creates it for what each column holds.

use domain::ids::{CandidateId, CheckId};
use domain::vocab::{CandidateOutcome, TargetKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "match_candidates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CandidateId,
    pub check_id: CheckId,
    pub target_kind: TargetKind,
    pub target_id: Uuid,
    pub weight: f64,
    pub probability: f64,
    /// JSON array of `{field, level, weight}`: field names and agreement levels, never values.
    pub explanation: String,
    pub outcome: CandidateOutcome,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
