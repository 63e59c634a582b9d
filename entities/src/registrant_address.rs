//! `registrant_addresses`: see the migration that creates it for what each column holds.

use domain::ids::RegistrantId;
use domain::vocab::AddressKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrant_addresses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registrant_id: RegistrantId,
    pub kind: AddressKind,
    #[sea_orm(column_type = "Blob")]
    pub address_sealed: Vec<u8>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub created_at: DateTimeUtc,
    pub corrected_by: Option<String>,
    pub corrected_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Blob")]
    pub correction_reason_sealed: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
