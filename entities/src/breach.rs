//! `breaches`: see the migration that creates it for what each column holds.

use domain::ids::{BreachId, ConditionId, OccurrenceId, OrderId, RegistrantId, ReportId};
use domain::vocab::{BreachSource, BreachStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "breaches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: BreachId,
    pub registrant_id: RegistrantId,
    pub occurrence_id: Option<OccurrenceId>,
    pub order_id: Option<OrderId>,
    pub condition_id: Option<ConditionId>,
    pub source: BreachSource,
    pub status: BreachStatus,
    #[sea_orm(column_type = "Blob")]
    pub summary_sealed: Option<Vec<u8>>,
    pub recorded_by: Option<String>,
    pub managing_org: String,
    pub detected_at: DateTimeUtc,
    pub version: i32,
    pub created_at: DateTimeUtc,
    /// The crime report a `crime_report` breach was raised from.
    pub report_id: Option<ReportId>,
    /// Why the breach was withdrawn (a corrected outcome), sealed; with who and when.
    #[sea_orm(column_type = "Blob")]
    pub withdrawal_reason_sealed: Option<Vec<u8>>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
