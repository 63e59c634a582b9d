//! Obligations and their occurrences, compliance records, notification events, breaches and
//! enforcement decisions. `occurrences (obligation_id, due_at)` and `breaches (occurrence_id)`
//! are unique so that every writer, whether a request or a job on any replica, can insert with
//! ON CONFLICT DO NOTHING and never create a duplicate.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{created_at, drop_tables, fk, id, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("obligations")
                    .col(id())
                    .col(uuid("registrant_id"))
                    .col(uuid_null("order_id"))
                    .col(uuid_null("condition_id"))
                    .col(string("kind"))
                    .col(string_null("regime_code"))
                    .col(text_null("schedule"))
                    .col(string("status"))
                    .col(created_at())
                    .col(timestamp_with_time_zone_null("closed_at"))
                    .foreign_key(&mut fk("obligations", "registrant_id", "registrants"))
                    .foreign_key(&mut fk("obligations", "order_id", "orders"))
                    .foreign_key(&mut fk("obligations", "condition_id", "order_conditions"))
                    .to_owned(),
            )
            .await?;
        index(manager, "obligations", &["registrant_id"]).await?;
        index(manager, "obligations", &["order_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("occurrences")
                    .col(id())
                    .col(uuid("obligation_id"))
                    .col(uuid("registrant_id"))
                    .col(timestamp_with_time_zone("due_at"))
                    .col(timestamp_with_time_zone_null("window_opens_at"))
                    .col(string("status"))
                    .col(blob_null("reason_sealed"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .col(string_null("resolved_by"))
                    .col(integer("version"))
                    .col(created_at())
                    .foreign_key(&mut fk("occurrences", "obligation_id", "obligations"))
                    .foreign_key(&mut fk("occurrences", "registrant_id", "registrants"))
                    .to_owned(),
            )
            .await?;
        unique(manager, "occurrences", &["obligation_id", "due_at"]).await?;
        index(manager, "occurrences", &["registrant_id", "due_at"]).await?;
        // The detection sweep reads pending occurrences by due instant; a partial index keeps it
        // small (the same statement is valid on SQLite and PostgreSQL).
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX ix_occurrences_pending_due ON occurrences (due_at, id) WHERE status = 'pending'")
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("compliance_records")
                    .col(id())
                    .col(uuid("occurrence_id"))
                    .col(string("outcome"))
                    .col(blob_null("notes_sealed"))
                    .col(string("recorded_by"))
                    .col(string("recorded_org"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("compliance_records", "occurrence_id", "occurrences"))
                    .to_owned(),
            )
            .await?;
        index(manager, "compliance_records", &["occurrence_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("notification_events")
                    .col(id())
                    .col(uuid("registrant_id"))
                    .col(string("kind"))
                    .col(string("method"))
                    .col(string_null("station"))
                    .col(boolean("acknowledgement_given"))
                    .col(timestamp_with_time_zone("notified_at"))
                    .col(blob_null("details_sealed"))
                    .col(string("recorded_by"))
                    .col(created_at())
                    .foreign_key(&mut fk("notification_events", "registrant_id", "registrants"))
                    .to_owned(),
            )
            .await?;
        index(manager, "notification_events", &["registrant_id", "notified_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("breaches")
                    .col(id())
                    .col(uuid("registrant_id"))
                    .col(uuid_null("occurrence_id"))
                    .col(uuid_null("order_id"))
                    .col(uuid_null("condition_id"))
                    .col(string("source"))
                    .col(string("status"))
                    .col(blob_null("summary_sealed"))
                    .col(string_null("recorded_by"))
                    .col(string("managing_org"))
                    .col(timestamp_with_time_zone("detected_at"))
                    .col(integer("version"))
                    .col(created_at())
                    .foreign_key(&mut fk("breaches", "registrant_id", "registrants"))
                    .foreign_key(&mut fk("breaches", "occurrence_id", "occurrences"))
                    .foreign_key(&mut fk("breaches", "order_id", "orders"))
                    .foreign_key(&mut fk("breaches", "condition_id", "order_conditions"))
                    .to_owned(),
            )
            .await?;
        unique(manager, "breaches", &["occurrence_id"]).await?;
        index(manager, "breaches", &["managing_org", "status"]).await?;
        index(manager, "breaches", &["registrant_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("enforcement_decisions")
                    .col(id())
                    .col(uuid("breach_id"))
                    .col(string("action"))
                    .col(blob("reason_sealed"))
                    .col(string("decided_by"))
                    .col(string("decided_role"))
                    .col(timestamp_with_time_zone("decided_at"))
                    .foreign_key(&mut fk("enforcement_decisions", "breach_id", "breaches"))
                    .to_owned(),
            )
            .await?;
        index(manager, "enforcement_decisions", &["breach_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &["enforcement_decisions", "breaches", "notification_events", "compliance_records", "occurrences", "obligations"],
        )
        .await
    }
}
