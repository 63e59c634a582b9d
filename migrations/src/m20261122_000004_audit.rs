//! The audit trail (DPA 2018 s.62). `audit_events` is written in the same transaction as the
//! operation it records; `audit_chain` links events into a hash chain shortly afterwards, in
//! batches, so that requests never queue behind one chain lock (DESIGN §7). Both tables are
//! insert-only: nothing in the application updates or deletes them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_events")
                    .col(big_pk_auto("seq"))
                    .col(uuid_uniq("id"))
                    .col(timestamp_with_time_zone("occurred_at"))
                    .col(string("actor_issuer"))
                    .col(string("actor_subject"))
                    .col(string("actor_role"))
                    .col(string("actor_org"))
                    .col(string("action"))
                    .col(string("operation"))
                    .col(string("outcome"))
                    .col(string_null("record_type"))
                    .col(text("record_ids"))
                    .col(string_null("reason_code"))
                    .col(string_null("crime_reference"))
                    .col(string_null("request_id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "audit_events", &["occurred_at"]).await?;
        index(manager, "audit_events", &["actor_subject", "occurred_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_chain")
                    .col(big_integer("pos").primary_key())
                    .col(big_integer_uniq("event_seq"))
                    .col(string("prev_hash"))
                    .col(string("entry_hash"))
                    .col(timestamp_with_time_zone("sealed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_chain_event_seq")
                            .from("audit_chain", "event_seq")
                            .to("audit_events", "seq")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["audit_chain", "audit_events"]).await
    }
}
