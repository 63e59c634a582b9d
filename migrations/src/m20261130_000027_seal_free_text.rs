//! The last free-text columns are sealed (issue 13, item 6): the managing officer and risk tool
//! of a registrant, an identifier's platform, an order's court, a condition's responsible
//! person and the station where a notification was made. Each gets a `_sealed` column (AES-GCM,
//! like every other sealed column; see `src/crypto/columns.rs`).
//!
//! A migration cannot seal (the key ring is not the database's), so the plaintext columns stay
//! for now: the service no longer reads or writes them, and at start-up it seals any value
//! still in them and empties them (`services::legacy`). A later migration drops them.
//!
//! `outbox.recipient_officer` held a copy of the managing officer's name; the delivery job now
//! reads the officer from the registrant's sealed column when it sends, so the copy is emptied
//! at start-up the same way and no longer written.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const SEALED: &[(&str, &str)] = &[
    ("registrants", "managing_officer_sealed"),
    ("registrants", "risk_tool_sealed"),
    ("registrant_identifiers", "platform_sealed"),
    ("orders", "court_sealed"),
    ("order_conditions", "responsible_person_sealed"),
    ("notification_events", "station_sealed"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (table, column) in SEALED {
            manager.alter_table(Table::alter().table(*table).add_column(blob_null(*column)).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in SEALED.iter().rev() {
            manager.alter_table(Table::alter().table(*table).drop_column(*column).to_owned()).await?;
        }
        Ok(())
    }
}
