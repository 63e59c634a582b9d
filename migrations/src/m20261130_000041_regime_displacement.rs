//! Overlapping regimes, as data. A regime's notification requirements do not apply while the
//! person is subject to another regime's (`regimes.displaced_by`, a comma-separated list of regime
//! codes), and apply from the day that one ends: SPA 2019 s.9 while subject to the notification
//! requirements of SOA 2003 Part 2; DAA 2021 s.41 while subject to those of another DAPO, SOA 2003
//! Part 2 or SPA 2019 s.9.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("regimes").add_column(string("displaced_by").default("")).to_owned()).await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE regimes SET displaced_by = 'soa2003_part2' WHERE code = 'spa2019_s9'").await?;
        db.execute_unprepared("UPDATE regimes SET displaced_by = 'daa2021_s41,soa2003_part2,spa2019_s9' WHERE code = 'daa2021_s41'")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("regimes").drop_column("displaced_by").to_owned()).await
    }
}
