//! `enforcement_decisions`: see the migration that creates it for what each column holds.

use domain::ids::BreachId;
use domain::vocab::{EnforcementAction, Role};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enforcement_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub breach_id: BreachId,
    pub action: EnforcementAction,
    #[sea_orm(column_type = "Blob")]
    pub reason_sealed: Vec<u8>,
    pub decided_by: String,
    pub decided_role: Role,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
