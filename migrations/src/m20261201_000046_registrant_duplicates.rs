//! Possible duplicates on the register itself: when a registrant is created or imported, the
//! register check's machinery compares them with every registrant their blocking keys find, and
//! each pair at or above the review threshold is proposed here, with the explanation (field
//! names, agreement levels and weights, never values) and the algorithm that scored it. Nothing
//! is merged on its own: an officer confirms that the two records are one person, or rejects
//! the proposal, with a reason (sealed: it may describe the person).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, fk, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("registrant_duplicates")
                    .col(id())
                    // The record being created or imported, and the one already on the register.
                    .col(uuid("registrant_id"))
                    .col(uuid("existing_id"))
                    .col(double("probability"))
                    .col(text("explanation"))
                    .col(string("algorithm_version"))
                    .col(string("status"))
                    .col(string_null("decided_by"))
                    .col(string_null("decided_role"))
                    .col(blob_null("reason_sealed"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("registrant_duplicates", "registrant_id", "registrants"))
                    .foreign_key(&mut fk("registrant_duplicates", "existing_id", "registrants"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("registrant_duplicates_pair")
                    .table("registrant_duplicates")
                    .col("registrant_id")
                    .col("existing_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        index(manager, "registrant_duplicates", &["existing_id"]).await?;
        index(manager, "registrant_duplicates", &["status", "created_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["registrant_duplicates"]).await
    }
}
