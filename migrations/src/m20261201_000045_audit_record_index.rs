//! Finding an audit entry by the record it names. Entries keep their ids as a JSON array in
//! `record_ids` (part of the MAC'd entry, so it stays as it is); searching it with `LIKE` read
//! every entry ever written, and the trail grows without bound (bench/pages.sh: 160 ms for one
//! record's history at 137,000 entries). `audit_event_records` holds one row per (record, entry).
//!
//! A trigger fills it inside the entry's own INSERT, on both engines: the service still writes an
//! entry in one statement (no extra round trip per audited read), and an entry can never be
//! written without its index rows, whoever writes it. The index is a search aid, not evidence:
//! the entries and their chain are what `vigil audit verify` checks, and on PostgreSQL the
//! service's role may only insert and read it (deploy/postgres/app-role.sql).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_TRIGGER: &str = "CREATE TRIGGER audit_events_index_records AFTER INSERT ON audit_events \
     BEGIN INSERT INTO audit_event_records (record_id, event_seq) \
     SELECT DISTINCT value, NEW.seq FROM json_each(NEW.record_ids); END";

const POSTGRES_FUNCTION: &str = "CREATE FUNCTION audit_events_index_records() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN INSERT INTO audit_event_records (record_id, event_seq) \
     SELECT DISTINCT value, NEW.seq FROM jsonb_array_elements_text(NEW.record_ids::jsonb); RETURN NULL; END $$";

const POSTGRES_TRIGGER: &str = "CREATE TRIGGER audit_events_index_records AFTER INSERT ON audit_events \
     FOR EACH ROW EXECUTE FUNCTION audit_events_index_records()";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_event_records")
                    .col(string("record_id"))
                    .col(big_integer("event_seq"))
                    .primary_key(Index::create().col("record_id").col("event_seq"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_FUNCTION).await?;
                db.execute_unprepared(POSTGRES_TRIGGER).await?;
                db.execute_unprepared(
                    "INSERT INTO audit_event_records (record_id, event_seq) SELECT DISTINCT r.value, e.seq \
                     FROM audit_events e CROSS JOIN LATERAL jsonb_array_elements_text(e.record_ids::jsonb) r",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(SQLITE_TRIGGER).await?;
                db.execute_unprepared(
                    "INSERT INTO audit_event_records (record_id, event_seq) SELECT DISTINCT r.value, e.seq \
                     FROM audit_events e, json_each(e.record_ids) r",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_events_index_records ON audit_events").await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS audit_events_index_records()").await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_events_index_records").await?;
            }
        }
        manager.drop_table(Table::drop().table("audit_event_records").if_exists().to_owned()).await
    }
}
