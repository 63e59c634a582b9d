//! `regimes`: see the migration that creates it for what each column holds.

use domain::regimes::Trigger;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regimes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub title: String,
    pub initial_trigger: Trigger,
    pub initial_days: Option<i32>,
    pub change_days: Option<i32>,
    pub change_events: String,
    pub annual: bool,
    pub nfa_weekly: bool,
    pub in_person: bool,
    pub acknowledgement_required: bool,
    pub travel_notice_days: Option<i32>,
    pub qualifying_stay_days: Option<i32>,
    /// Regime codes whose requirements, while they apply, displace this one's.
    pub displaced_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
