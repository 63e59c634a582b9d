//! `compliance_records`: see the migration that creates it for what each column holds.

use domain::ids::OccurrenceId;
use domain::vocab::ComplianceOutcome;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "compliance_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurrence_id: OccurrenceId,
    pub outcome: ComplianceOutcome,
    #[sea_orm(column_type = "Blob")]
    pub notes_sealed: Option<Vec<u8>>,
    pub recorded_by: String,
    pub recorded_org: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
