//! `obligations`: see the migration that creates it for what each column holds.

use domain::ids::{ConditionId, ObligationId, OrderId, RegistrantId};
use domain::vocab::{ObligationKind, ObligationStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "obligations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ObligationId,
    pub registrant_id: RegistrantId,
    pub order_id: Option<OrderId>,
    pub condition_id: Option<ConditionId>,
    pub kind: ObligationKind,
    pub regime_code: Option<String>,
    pub schedule: Option<String>,
    pub status: ObligationStatus,
    pub created_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
