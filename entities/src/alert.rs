//! `alerts`: see the migration that creates it for what each column holds.

use domain::ids::{AlertId, RegistrantId};
use domain::vocab::{AlertKind, AlertStatus, AlertSubject};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AlertId,
    pub kind: AlertKind,
    #[sea_orm(unique)]
    pub dedupe_key: String,
    pub subject_type: AlertSubject,
    pub subject_id: Uuid,
    pub registrant_id: Option<RegistrantId>,
    pub managing_org: String,
    pub status: AlertStatus,
    pub detail: String,
    pub raised_at: DateTimeUtc,
    /// Who acknowledged it (subject) and when; both absent while it is open.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
