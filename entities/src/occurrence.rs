//! `occurrences`: see the migration that creates it for what each column holds.

use domain::due::DueEvent;
use domain::ids::{ObligationId, OccurrenceId, RegistrantId};
use domain::vocab::OccurrenceStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "occurrences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OccurrenceId,
    pub obligation_id: ObligationId,
    pub registrant_id: RegistrantId,
    pub due_at: DateTimeUtc,
    pub window_opens_at: Option<DateTimeUtc>,
    pub status: OccurrenceStatus,
    #[sea_orm(column_type = "Blob")]
    pub reason_sealed: Option<Vec<u8>>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<String>,
    pub basis_event: Option<DueEvent>,
    pub basis_on: Option<Date>,
    /// The event this occurrence is about (`basis_event`, or empty): part of its unique key.
    pub subject: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
