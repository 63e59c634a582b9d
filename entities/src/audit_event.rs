//! `audit_events`: see the migration that creates it for what each column holds.

use domain::vocab::{AuditAction, AuditOutcome};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub actor_issuer: String,
    pub actor_subject: String,
    pub actor_role: String,
    pub actor_org: String,
    pub action: AuditAction,
    pub operation: String,
    pub outcome: AuditOutcome,
    pub record_type: Option<String>,
    pub record_ids: String,
    pub reason_code: Option<String>,
    pub crime_reference: Option<String>,
    pub request_id: Option<String>,
    /// Ring key and HMAC the service wrote the entry with (NULL: not written by Vigil).
    pub mac_key: Option<i32>,
    pub mac: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
