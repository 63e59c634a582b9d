//! How many encryptions each key has performed, summed over every process that sealed with it
//! (`crypto::usage`): the basis of the per-key ceiling that keeps AES-GCM's random nonces safe.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::drop_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("key_usage")
                    .col(integer("key_id").primary_key())
                    .col(big_integer("encryptions"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["key_usage"]).await
    }
}
