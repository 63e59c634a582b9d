//! A breach can be withdrawn, never deleted: when probation corrects a session recorded after the
//! grace period (attended, but entered at the end of the day), the occurrence becomes met and the
//! breach it caused is withdrawn with the correction's reason, who withdrew it and when. The
//! reason is free text, so it is sealed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        let alter = |column: ColumnDef| Table::alter().table("breaches").add_column(column).to_owned();
        manager.alter_table(alter(blob_null("withdrawal_reason_sealed"))).await?;
        manager.alter_table(alter(string_null("withdrawn_by"))).await?;
        manager.alter_table(alter(timestamp_with_time_zone_null("withdrawn_at"))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["withdrawn_at", "withdrawn_by", "withdrawal_reason_sealed"] {
            manager.alter_table(Table::alter().table("breaches").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
