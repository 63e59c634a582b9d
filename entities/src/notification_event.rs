//! `notification_events`: see the migration that creates it for what each column holds.

use domain::ids::{NotificationId, RegistrantId};
use domain::vocab::{NotificationKind, NotificationMethod};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: NotificationId,
    pub registrant_id: RegistrantId,
    pub kind: NotificationKind,
    pub method: NotificationMethod,
    #[sea_orm(column_type = "Blob")]
    pub station_sealed: Option<Vec<u8>>,
    pub acknowledgement_given: bool,
    pub notified_at: DateTimeUtc,
    #[sea_orm(column_type = "Blob")]
    pub details_sealed: Option<Vec<u8>>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
