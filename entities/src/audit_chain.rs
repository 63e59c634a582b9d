//! `audit_chain`: see the migration that creates it for what each column holds.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_chain")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pos: i64,
    #[sea_orm(unique)]
    pub event_seq: i64,
    pub prev_hash: String,
    pub entry_hash: String,
    pub sealed_at: DateTimeUtc,
    /// Ring key of the link's HMAC (NULL: an unkeyed link from before keyed chaining).
    pub key_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
