//! `order_status_changes`: see the migration that creates it for what each column holds.

use domain::ids::OrderId;
use domain::vocab::{OrderStatus, Role};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_status_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: OrderId,
    pub from_status: OrderStatus,
    pub to_status: OrderStatus,
    #[sea_orm(column_type = "Blob")]
    pub reason_sealed: Option<Vec<u8>>,
    pub changed_by: String,
    pub changed_role: Option<Role>,
    pub changed_at: DateTimeUtc,
    /// When the change took legal effect, if not when it was recorded.
    pub effective_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
