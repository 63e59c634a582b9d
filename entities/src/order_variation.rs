//! `order_variations`: see the migration that creates it for what each column holds.

use domain::ids::OrderId;
use domain::vocab::VariationKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_variations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: OrderId,
    pub terms_version: i32,
    pub kind: VariationKind,
    #[sea_orm(column_type = "Blob")]
    pub court_sealed: Vec<u8>,
    #[sea_orm(column_type = "Blob")]
    pub case_reference_sealed: Vec<u8>,
    #[sea_orm(column_type = "Blob")]
    pub reason_sealed: Vec<u8>,
    pub heard_on: Date,
    pub effective_on: Date,
    pub previous_expires_on: Option<Date>,
    pub previous_until_further_order: bool,
    pub expires_on: Option<Date>,
    pub until_further_order: bool,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
