//! Crime reports, register checks and links (DESIGN §3, §6). Identifying report data lives only
//! in sealed columns and `blind_indexes` (owner_kind `report`); every check run is kept with its
//! candidates, scores and field-by-field explanations (field names and agreement levels only);
//! links between a report and a registrant or an earlier report are reviewed by officers, never
//! merged automatically. A breach raised from a crime report names the report, and a report
//! raises at most one breach per order condition.

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
                    .table("crime_reports")
                    .col(id())
                    .col(string("force"))
                    .col(string("crime_reference"))
                    .col(string("principal_classification"))
                    .col(text("included_classifications"))
                    .col(date_null("occurred_from"))
                    .col(date_null("occurred_to"))
                    .col(string("victim_reference"))
                    .col(blob_null("victim_sealed"))
                    .col(blob("suspect_sealed"))
                    .col(text("channels"))
                    .col(blob_null("summary_sealed"))
                    .col(string("intake_org"))
                    .col(string("created_by"))
                    .col(created_at())
                    .to_owned(),
            )
            .await?;
        unique(manager, "crime_reports", &["force", "crime_reference"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("register_checks")
                    .col(id())
                    .col(string_uniq("reference"))
                    .col(uuid("report_id"))
                    .col(string("actor_issuer"))
                    .col(string("actor_subject"))
                    .col(string("actor_role"))
                    .col(string("actor_org"))
                    .col(string("reason_code"))
                    .col(string("crime_reference"))
                    .col(string("algorithm_version"))
                    .col(string("result"))
                    .col(integer("candidate_count"))
                    .col(string_null("contact_org"))
                    .col(created_at())
                    .foreign_key(&mut fk("register_checks", "report_id", "crime_reports"))
                    .to_owned(),
            )
            .await?;
        index(manager, "register_checks", &["report_id"]).await?;
        index(manager, "register_checks", &["actor_issuer", "actor_subject", "created_at"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("match_candidates")
                    .col(id())
                    .col(uuid("check_id"))
                    .col(string("target_kind"))
                    .col(uuid("target_id"))
                    .col(double("weight"))
                    .col(double("probability"))
                    .col(text("explanation"))
                    .col(string("outcome"))
                    .col(created_at())
                    .foreign_key(&mut fk("match_candidates", "check_id", "register_checks"))
                    .to_owned(),
            )
            .await?;
        index(manager, "match_candidates", &["check_id"]).await?;

        manager
            .create_table(
                Table::create()
                    .table("links")
                    .col(id())
                    .col(uuid("report_id"))
                    .col(string("target_kind"))
                    .col(uuid("target_id"))
                    .col(string("status"))
                    .col(double("probability"))
                    .col(boolean("strong"))
                    .col(uuid("candidate_id"))
                    .col(string_null("decided_by"))
                    .col(string_null("decided_role"))
                    .col(blob_null("reason_sealed"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(integer("version"))
                    .col(created_at())
                    .foreign_key(&mut fk("links", "report_id", "crime_reports"))
                    .to_owned(),
            )
            .await?;
        unique(manager, "links", &["report_id", "target_kind", "target_id"]).await?;
        index(manager, "links", &["target_kind", "target_id"]).await?;
        index(manager, "links", &["status", "created_at"]).await?;

        manager.alter_table(Table::alter().table("breaches").add_column(uuid_null("report_id")).to_owned()).await?;
        index(manager, "breaches", &["report_id"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_breaches_report_id").table("breaches").to_owned()).await?;
        manager.alter_table(Table::alter().table("breaches").drop_column("report_id").to_owned()).await?;
        drop_tables(manager, &["links", "match_candidates", "register_checks", "crime_reports"]).await
    }
}
