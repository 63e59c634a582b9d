//! `registrant_descriptors`: see the migration that creates it for what each column holds.

use domain::ids::RegistrantId;
use domain::vocab::DescriptorKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrant_descriptors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registrant_id: RegistrantId,
    pub kind: DescriptorKind,
    #[sea_orm(column_type = "Blob")]
    pub value_sealed: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
