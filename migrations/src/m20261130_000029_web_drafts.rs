//! Drafts of the web interface's multi-page forms (adding a registrant): what has been entered
//! so far, sealed (it is personal data), bound to one browser session (gone with it) and kept
//! only for a bounded time after its last change. The type of draft lives inside the sealed
//! value, so nothing about it is stored in clear.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, fk, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("web_drafts")
                    .col(id())
                    .col(uuid("session_id"))
                    .col(blob("draft_sealed"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(&mut fk("web_drafts", "session_id", "web_sessions"))
                    .to_owned(),
            )
            .await?;
        index(manager, "web_drafts", &["session_id"]).await?;
        index(manager, "web_drafts", &["expires_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["web_drafts"]).await
    }
}
