//! An order that replaces another (a full SPO made when the main application is decided replaces
//! the interim SPO, SPA 2019 s.5(6)) names the order it replaces, and each status change records
//! when it took legal effect, which may be before it was recorded (a replacement dated from the
//! full order's effective day). An order is replaced at most once, so `replaces_order_id` is
//! unique. SQLite cannot add a foreign key to an existing table; the service checks that the
//! replaced order exists, belongs to the same registrant and is in force.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::unique;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        manager.alter_table(Table::alter().table("orders").add_column(uuid_null("replaces_order_id")).to_owned()).await?;
        unique(manager, "orders", &["replaces_order_id"]).await?;
        manager
            .alter_table(Table::alter().table("order_status_changes").add_column(timestamp_with_time_zone_null("effective_at")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("order_status_changes").drop_column("effective_at").to_owned()).await?;
        manager.drop_index(Index::drop().name("ux_orders_replaces_order_id").table("orders").to_owned()).await?;
        manager.alter_table(Table::alter().table("orders").drop_column("replaces_order_id").to_owned()).await
    }
}
