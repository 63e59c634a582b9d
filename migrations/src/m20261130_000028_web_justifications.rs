//! What a person said when the web interface asked "Why are you accessing this?": the reason
//! code and reference given for one record in one browser session, remembered for a bounded
//! time so that each page of that record does not ask again. Every read it covers is still
//! audited with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("web_justifications")
                    .col(uuid("session_id"))
                    .col(uuid("record_id"))
                    .col(string("reason_code"))
                    .col(string_null("reference"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .primary_key(Index::create().col("session_id").col("record_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_web_justifications_session_id")
                            .from("web_justifications", "session_id")
                            .to("web_sessions", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "web_justifications", &["expires_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["web_justifications"]).await
    }
}
