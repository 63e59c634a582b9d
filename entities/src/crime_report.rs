//! `crime_reports`: see the migration that creates it for what each column holds.

use domain::ids::ReportId;
use domain::vocab::Classification;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "crime_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ReportId,
    pub force: String,
    pub crime_reference: String,
    pub principal_classification: Classification,
    /// JSON array of classification codes.
    pub included_classifications: String,
    pub occurred_from: Option<Date>,
    pub occurred_to: Option<Date>,
    pub victim_reference: String,
    #[sea_orm(column_type = "Blob")]
    pub victim_sealed: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob")]
    pub suspect_sealed: Vec<u8>,
    /// JSON array of contact channel codes.
    pub channels: String,
    #[sea_orm(column_type = "Blob")]
    pub summary_sealed: Option<Vec<u8>>,
    pub intake_org: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
