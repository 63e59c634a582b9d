//! A job run that is still going says so: `job_runs.heartbeat_at` is refreshed while it runs. A
//! run whose process was killed stops refreshing it, and the next run of the same job records it
//! as failed (abandoned) instead of leaving it `running` for ever.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("job_runs").add_column(timestamp_with_time_zone_null("heartbeat_at")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("job_runs").drop_column("heartbeat_at").to_owned()).await
    }
}
