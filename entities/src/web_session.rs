//! `web_sessions`: see the migration that creates it for what each column holds.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub issuer: String,
    pub subject: String,
    pub roles: String,
    pub org: String,
    pub auth_time: DateTimeUtc,
    pub id_token_sealed: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    pub sid: Option<String>,
    pub refresh_sealed: Option<Vec<u8>>,
    pub revalidated_at: Option<DateTimeUtc>,
    pub revalidate_after: Option<DateTimeUtc>,
    pub ended_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
