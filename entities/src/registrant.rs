//! `registrants`: see the migration that creates it for what each column holds.

use domain::ids::RegistrantId;
use domain::vocab::{RegistrantStatus, RiskLevel};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RegistrantId,
    #[sea_orm(unique)]
    pub reference: String,
    pub status: RegistrantStatus,
    pub managing_org: String,
    #[sea_orm(column_type = "Blob")]
    pub managing_officer_sealed: Option<Vec<u8>>,
    pub supervising_org: Option<String>,
    pub risk_level: Option<RiskLevel>,
    #[sea_orm(column_type = "Blob")]
    pub risk_tool_sealed: Option<Vec<u8>>,
    pub risk_next_review_on: Option<Date>,
    pub mappa_category: Option<i16>,
    pub mappa_level: Option<i16>,
    pub mappa_next_review_on: Option<Date>,
    #[sea_orm(column_type = "Blob")]
    pub notes_sealed: Option<Vec<u8>>,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The record this one was merged into; everything it held moved there.
    pub merged_into: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
