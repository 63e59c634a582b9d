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

impl Model {
    /// The regime in domain form, read by the service and the jobs alike; `None` when a stored
    /// number is out of range or `change_events` names an event the domain does not know.
    pub fn to_domain(&self) -> Option<domain::regimes::Regime> {
        let days = |value: Option<i32>| match value {
            None => Some(None),
            Some(d) => u32::try_from(d).ok().map(Some),
        };
        Some(domain::regimes::Regime {
            code: self.code.clone(),
            initial_trigger: self.initial_trigger,
            initial_days: days(self.initial_days)?,
            change_days: days(self.change_days)?,
            change_events: domain::regimes::Regime::parse_events(&self.change_events)?,
            annual: self.annual,
            nfa_weekly: self.nfa_weekly,
            in_person: self.in_person,
            acknowledgement_required: self.acknowledgement_required,
            qualifying_stay_days: days(self.qualifying_stay_days)?,
            travel_notice_days: days(self.travel_notice_days)?,
            displaced_by: self.displaced_by.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        })
    }
}
