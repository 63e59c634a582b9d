//! An order's terms change as courts change them (SPA 2019 s.7, DAA 2021 s.44–45): each
//! variation or renewal is a row with the hearing (court, date, case reference, all sealed: they
//! identify proceedings), the court's reason (free text, sealed), the day it took effect and the
//! order's end before and after. Conditions and protected persons say which variation added them
//! (none: the order as made) and which removed them, from which day, so that the terms of any
//! version can be read back and nothing the court once ordered is lost.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, fk, id, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("order_variations")
                    .col(id())
                    .col(uuid("order_id"))
                    // The version of the order's terms this variation made: the order as made is 1.
                    .col(integer("terms_version"))
                    .col(string("kind"))
                    .col(blob("court_sealed"))
                    .col(blob("case_reference_sealed"))
                    .col(blob("reason_sealed"))
                    .col(date("heard_on"))
                    .col(date("effective_on"))
                    .col(date_null("previous_expires_on"))
                    .col(boolean("previous_until_further_order"))
                    .col(date_null("expires_on"))
                    .col(boolean("until_further_order"))
                    .col(string("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("order_variations", "order_id", "orders"))
                    .to_owned(),
            )
            .await?;
        unique(manager, "order_variations", &["order_id", "terms_version"]).await?;
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for table in ["order_conditions", "order_protected_persons"] {
            for column in [uuid_null("added_by_variation"), uuid_null("removed_by_variation"), date_null("removed_on")] {
                manager.alter_table(Table::alter().table(table).add_column(column).to_owned()).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["order_conditions", "order_protected_persons"] {
            for column in ["removed_on", "removed_by_variation", "added_by_variation"] {
                manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
            }
        }
        drop_tables(manager, &["order_variations"]).await
    }
}
