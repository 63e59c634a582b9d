//! Merging two records of one person (a four-eyes action on a confirmed duplicate). The record
//! merged away keeps its row, its reference and its audit trail, and points at the record that
//! now holds everything it held (`merged_into`); the pair records exactly which rows moved
//! (`merge_moves`, ids only), so that an unmerge moves back those rows and no others.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column at a time.
        manager.alter_table(Table::alter().table("registrants").add_column(uuid_null("merged_into")).to_owned()).await?;
        let duplicates = [
            ColumnDef::new("merge_moves").text().null().to_owned(),
            ColumnDef::new("merged_at").timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new("unmerged_at").timestamp_with_time_zone().null().to_owned(),
        ];
        for column in duplicates {
            manager.alter_table(Table::alter().table("registrant_duplicates").add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["merge_moves", "merged_at", "unmerged_at"] {
            manager.alter_table(Table::alter().table("registrant_duplicates").drop_column(column).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table("registrants").drop_column("merged_into").to_owned()).await
    }
}
