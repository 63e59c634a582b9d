//! `registrant_duplicates`: see the migration that creates it for what each column holds.

use domain::ids::RegistrantId;
use domain::vocab::{DuplicateStatus, Role};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrant_duplicates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registrant_id: RegistrantId,
    pub existing_id: RegistrantId,
    pub probability: f64,
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    pub algorithm_version: String,
    pub status: DuplicateStatus,
    pub decided_by: Option<String>,
    pub decided_role: Option<Role>,
    #[sea_orm(column_type = "Blob")]
    pub reason_sealed: Option<Vec<u8>>,
    pub decided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// While merged: the rows that moved, by table (JSON of ids).
    #[sea_orm(column_type = "Text")]
    pub merge_moves: Option<String>,
    pub merged_at: Option<DateTimeUtc>,
    pub unmerged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
