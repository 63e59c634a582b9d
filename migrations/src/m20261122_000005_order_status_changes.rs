//! The history of an order's status: who moved it from which status to which, when, and why
//! (the reason is free text, so it is sealed). Discharging an order ends a victim's protection;
//! the register must be able to say who did it and on what grounds, not only that it happened.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, fk, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("order_status_changes")
                    .col(id())
                    .col(uuid("order_id"))
                    .col(string("from_status"))
                    .col(string("to_status"))
                    .col(blob_null("reason_sealed"))
                    .col(string("changed_by"))
                    .col(string("changed_role"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(&mut fk("order_status_changes", "order_id", "orders"))
                    .to_owned(),
            )
            .await?;
        index(manager, "order_status_changes", &["order_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["order_status_changes"]).await
    }
}
