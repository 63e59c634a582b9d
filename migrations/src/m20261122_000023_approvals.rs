//! Four-eyes approvals (DESIGN §5): discharging an order and erasing a registrant each need a
//! second person. The first person's request is kept here with the version of the record they
//! saw; a different person of the managing organisation approves (and the change is applied in
//! the same transaction) or rejects it. `pending_key` is `action:target` while the request is
//! pending and NULL afterwards, so a unique index allows one pending request per record on both
//! databases (NULLs never collide). Reasons are sealed: they can describe people.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, id, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("approvals")
                    .col(id())
                    .col(string("action"))
                    .col(uuid("target_id"))
                    .col(integer("target_version"))
                    .col(string("org"))
                    .col(string("status"))
                    .col(string_null("pending_key").unique_key())
                    .col(blob("reason_sealed"))
                    .col(string("requested_by_issuer"))
                    .col(string("requested_by_subject"))
                    .col(string("requested_role"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(string_null("decided_by_issuer"))
                    .col(string_null("decided_by_subject"))
                    .col(string_null("decided_role"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(blob_null("decision_reason_sealed"))
                    .col(integer("version"))
                    .to_owned(),
            )
            .await?;
        index(manager, "approvals", &["org", "status"]).await?;
        index(manager, "approvals", &["target_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["approvals"]).await
    }
}
