//! Registrant references on PostgreSQL come from a sequence. The counter row that SQLite uses
//! would be locked by every creating transaction until it commits, queueing all creates behind
//! one row and one disk flush; a sequence hands out numbers without holding anything. Numbers
//! may then skip after a rollback, which a reference may do. SQLite keeps its counter row (it
//! has a single writer anyway).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            // Continue after anything already handed out by the counter rows.
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE SEQUENCE registrant_reference_seq; \
                     SELECT setval('registrant_reference_seq', GREATEST(1, (SELECT COALESCE(MAX(last), 0) FROM reference_counters)), \
                     (SELECT COUNT(*) > 0 FROM reference_counters))",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP SEQUENCE IF EXISTS registrant_reference_seq").await?;
        }
        Ok(())
    }
}
