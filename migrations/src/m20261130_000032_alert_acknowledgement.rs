//! Alerts can be acknowledged: who did it and when, beside the status (`open`, then
//! `acknowledged`). Existing alerts stay open.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager.alter_table(Table::alter().table("alerts").add_column(string_null("acknowledged_by")).to_owned()).await?;
        manager.alter_table(Table::alter().table("alerts").add_column(timestamp_with_time_zone_null("acknowledged_at")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("alerts").drop_column("acknowledged_at").to_owned()).await?;
        manager.alter_table(Table::alter().table("alerts").drop_column("acknowledged_by").to_owned()).await
    }
}
