//! An address recorded wrongly is corrected in place (the same place, mistyped; or the right
//! place with the wrong date), never by adding a second address that would look like a move and
//! start a notification duty. Who corrected it, when and why are kept on the row; the reason is
//! free text, so it is sealed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        let alter = |column: ColumnDef| Table::alter().table("registrant_addresses").add_column(column).to_owned();
        manager.alter_table(alter(string_null("corrected_by"))).await?;
        manager.alter_table(alter(timestamp_with_time_zone_null("corrected_at"))).await?;
        manager.alter_table(alter(blob_null("correction_reason_sealed"))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["correction_reason_sealed", "corrected_at", "corrected_by"] {
            manager.alter_table(Table::alter().table("registrant_addresses").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
