//! Why each occurrence is due: the event that started its clock (an order made or served, a
//! change of name or address, the last notification, a session of a requirement) and the day
//! of that event, so that "Why is this due?" can name the regime, the rule and the event.
//! Occurrences from before this migration have neither and are explained from their duty.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        manager.alter_table(Table::alter().table("occurrences").add_column(string_null("basis_event")).to_owned()).await?;
        manager.alter_table(Table::alter().table("occurrences").add_column(date_null("basis_on")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("occurrences").drop_column("basis_on").to_owned()).await?;
        manager.alter_table(Table::alter().table("occurrences").drop_column("basis_event").to_owned()).await
    }
}
