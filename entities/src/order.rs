//! `orders`: see the migration that creates it for what each column holds.

use domain::ids::{OrderId, RegistrantId};
use domain::vocab::{OrderKind, OrderStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OrderId,
    pub registrant_id: RegistrantId,
    pub kind: OrderKind,
    pub regime_code: String,
    #[sea_orm(column_type = "Blob")]
    pub court_sealed: Option<Vec<u8>>,
    #[sea_orm(column_type = "Blob")]
    pub case_reference_sealed: Option<Vec<u8>>,
    pub made_on: Date,
    pub served_on: Option<Date>,
    pub effective_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub until_further_order: bool,
    pub status: OrderStatus,
    pub managing_org: String,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The order this one replaces (a full SPO replacing the interim one).
    pub replaces_order_id: Option<OrderId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
