//! `order_conditions`: see the migration that creates it for what each column holds.

use domain::ids::{ConditionId, OrderId};
use domain::vocab::{ConditionCategory, ConditionKind};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_conditions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ConditionId,
    pub order_id: OrderId,
    pub kind: ConditionKind,
    pub category: ConditionCategory,
    #[sea_orm(column_type = "Blob")]
    pub parameters_sealed: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob")]
    pub text_sealed: Vec<u8>,
    #[sea_orm(column_type = "Blob")]
    pub responsible_person_sealed: Option<Vec<u8>>,
    pub schedule: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
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
