//! Indexes for the web interface's queues at a national register's size (bench/pages.sh):
//! overdue duties are found from the pending, past-due occurrences (few) rather than from every
//! registrant of a force (many), and a force's caseload pages in id order without sorting the
//! whole force.

use sea_orm_migration::prelude::*;

use crate::support::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &[&str]); 3] =
    [("occurrences", &["status", "due_at"]), ("registrants", &["managing_org", "id"]), ("registrants", &["supervising_org", "id"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            index(manager, table, columns).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            manager.drop_index(Index::drop().name(format!("ix_{table}_{}", columns.join("_"))).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
