//! `register_checks`: see the migration that creates it for what each column holds.

use domain::ids::{CheckId, ReportId};
use domain::vocab::{CheckResult, Role};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "register_checks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CheckId,
    #[sea_orm(unique)]
    pub reference: String,
    pub report_id: ReportId,
    pub actor_issuer: String,
    pub actor_subject: String,
    pub actor_role: Role,
    pub actor_org: String,
    pub reason_code: String,
    pub crime_reference: String,
    pub algorithm_version: String,
    pub result: CheckResult,
    pub candidate_count: i32,
    pub contact_org: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
