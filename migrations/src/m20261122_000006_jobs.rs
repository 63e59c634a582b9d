//! What the scheduled jobs need to be correct on any number of replicas: a record of every run,
//! a per-job watermark and lease, an outbox written in the same transaction as what it
//! announces, alerts raised at most once each (unique dedupe keys), and suspensions that pause
//! a registrant's clocks (custody, hospital, abroad).

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
                    .table("job_runs")
                    .col(id())
                    .col(string("job"))
                    .col(string("holder"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(string("outcome"))
                    .col(big_integer("examined"))
                    .col(big_integer("created"))
                    .col(text_null("detail"))
                    .to_owned(),
            )
            .await?;
        index(manager, "job_runs", &["job", "started_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("job_state")
                    .col(string("job").primary_key())
                    .col(timestamp_with_time_zone_null("watermark"))
                    .col(string_null("lease_holder"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(id())
                    .col(string("topic"))
                    .col(uuid("subject_id"))
                    .col(string("recipient_org"))
                    .col(string_null("recipient_officer"))
                    .col(text("payload"))
                    .col(string("status"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .col(string_null("last_error"))
                    .col(created_at())
                    .to_owned(),
            )
            .await?;
        unique(manager, "outbox", &["topic", "subject_id"]).await?;
        index(manager, "outbox", &["status", "next_attempt_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("alerts")
                    .col(id())
                    .col(string("kind"))
                    .col(string("dedupe_key"))
                    .col(string("subject_type"))
                    .col(uuid("subject_id"))
                    .col(uuid_null("registrant_id"))
                    .col(string("managing_org"))
                    .col(string("status"))
                    .col(text("detail"))
                    .col(timestamp_with_time_zone("raised_at"))
                    .to_owned(),
            )
            .await?;
        unique(manager, "alerts", &["dedupe_key"]).await?;
        index(manager, "alerts", &["managing_org", "status"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("suspensions")
                    .col(id())
                    .col(uuid("registrant_id"))
                    .col(string("kind"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone_null("ends_at"))
                    .col(string("recorded_by"))
                    .col(created_at())
                    .foreign_key(&mut fk("suspensions", "registrant_id", "registrants"))
                    .to_owned(),
            )
            .await?;
        index(manager, "suspensions", &["registrant_id", "starts_at"]).await?;
        // Detection finds what it flipped in this run by resolution instant.
        index(manager, "occurrences", &["resolved_at"]).await?;
        manager.alter_table(Table::alter().table("registrants").add_column(date_null("mappa_next_review_on")).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("registrants").drop_column("mappa_next_review_on").to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_occurrences_resolved_at").table("occurrences").to_owned()).await?;
        drop_tables(manager, &["suspensions", "alerts", "outbox", "job_state", "job_runs"]).await
    }
}
