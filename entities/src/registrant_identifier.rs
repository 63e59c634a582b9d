//! `registrant_identifiers`: see the migration that creates it for what each column holds.

use domain::ids::RegistrantId;
use domain::vocab::IdentifierKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrant_identifiers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registrant_id: RegistrantId,
    pub kind: IdentifierKind,
    #[sea_orm(column_type = "Blob")]
    pub platform_sealed: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob")]
    pub value_sealed: Vec<u8>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
