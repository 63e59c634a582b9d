//! `registrant_trips`: see the migration that creates it for what each column holds.

use domain::ids::RegistrantId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrant_trips")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registrant_id: RegistrantId,
    pub departs_at: DateTimeUtc,
    pub returns_on: Option<Date>,
    pub known_on: Date,
    #[sea_orm(column_type = "Blob")]
    pub destination_sealed: Vec<u8>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
