//! Each change is its own duty. A new name and a new address on the same day are two things to
//! notify, due at the same instant under the same change duty; `(obligation_id, due_at)` used to
//! be unique and kept only one of them. An occurrence now also has a `subject`, the event that
//! started its clock (`basis_event`, or empty), and `(obligation_id, due_at, subject)` is unique:
//! writers still insert with ON CONFLICT DO NOTHING and stay idempotent, and the column is never
//! NULL so that PostgreSQL's distinct NULLs cannot let a duplicate in.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::unique;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("occurrences").add_column(string("subject").default("")).to_owned()).await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE occurrences SET subject = basis_event WHERE basis_event IS NOT NULL").await?;
        manager.drop_index(Index::drop().name("ux_occurrences_obligation_id_due_at").table("occurrences").to_owned()).await?;
        unique(manager, "occurrences", &["obligation_id", "due_at", "subject"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ux_occurrences_obligation_id_due_at_subject").table("occurrences").to_owned()).await?;
        unique(manager, "occurrences", &["obligation_id", "due_at"]).await?;
        manager.alter_table(Table::alter().table("occurrences").drop_column("subject").to_owned()).await
    }
}
