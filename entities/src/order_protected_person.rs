//! `order_protected_persons`: see the migration that creates it for what each column holds.

use domain::ids::OrderId;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_protected_persons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: OrderId,
    pub data_subject_category: String,
    #[sea_orm(column_type = "Blob")]
    pub details_sealed: Vec<u8>,
    pub created_at: DateTimeUtc,
    /// The variation that added it; `None`: the order as made.
    pub added_by_variation: Option<Uuid>,
    /// The variation that removed it, from `removed_on`; `None`: still part of the terms.
    pub removed_by_variation: Option<Uuid>,
    pub removed_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
