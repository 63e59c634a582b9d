//! `audit_seal_marks`: see the migration that creates it for what each column holds.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_seal_marks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub pos: i64,
    pub entry_hash: String,
    pub low_water: i64,
    pub updated_at: DateTimeUtc,
    pub key_id: i32,
    pub mac: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
