//! The audit trail becomes keyed (issue 13, item 1). Until now the chain was an unkeyed
//! SHA-256, so anyone who could write the database could rebuild a consistent chain after
//! trimming it, and a row inserted straight into `audit_events` was chained as genuine.
//!
//! - `audit_events.mac_key`, `mac`: an HMAC of the entry, made by the service as it writes it,
//!   with a key from the key ring. An entry without a valid one was not written by Vigil.
//! - `audit_chain.key_id`: which ring key made the link's HMAC. NULL marks a link from before
//!   this change (unkeyed); verification reports such links.
//! - `audit_seal_marks`: the sealer's own high-water mark (the chain position and hash it last
//!   sealed, MAC'd) and its low-water mark (every entry numbered at or below it is chained, or
//!   was never committed). A chain cut back below the high-water mark is refused by the sealer
//!   and reported by verification; the low-water mark is where each look-back starts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::drop_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        manager.alter_table(Table::alter().table("audit_events").add_column(integer_null("mac_key")).to_owned()).await?;
        manager.alter_table(Table::alter().table("audit_events").add_column(string_null("mac")).to_owned()).await?;
        manager.alter_table(Table::alter().table("audit_chain").add_column(integer_null("key_id")).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table("audit_seal_marks")
                    .col(integer("id").primary_key())
                    .col(big_integer("pos"))
                    .col(string("entry_hash"))
                    .col(big_integer("low_water"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(integer("key_id"))
                    .col(string("mac"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["audit_seal_marks"]).await?;
        manager.alter_table(Table::alter().table("audit_chain").drop_column("key_id").to_owned()).await?;
        manager.alter_table(Table::alter().table("audit_events").drop_column("mac").to_owned()).await?;
        manager.alter_table(Table::alter().table("audit_events").drop_column("mac_key").to_owned()).await
    }
}
