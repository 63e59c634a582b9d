//! Live sessions follow the identity provider (ASVS 7.4.2, 8.3.2). A session now keeps:
//! - `sid`, the provider's session id from the ID token, so a back-channel logout for that
//!   provider session ends exactly the sessions it started;
//! - `refresh_sealed`, the provider's refresh token, sealed, used to revalidate the session:
//!   a disabled account or a removed role is seen within the revalidation interval;
//! - `revalidated_at` (last success) and `revalidate_after` (when the next one is due; it is
//!   also the claim that lets one request, on one replica, do it);
//! - `ended_reason`: logout, idle, absolute, provider_logout, revalidation_refused, revoked.
//!
//! `backchannel_logouts` remembers the `jti` of each logout token until it expires, so a
//! replayed token is refused.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::support::{drop_tables, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn added(column: ColumnDef) -> TableAlterStatement {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    Table::alter().table("web_sessions").add_column(column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(added(string_null("sid"))).await?;
        manager.alter_table(added(blob_null("refresh_sealed"))).await?;
        manager.alter_table(added(timestamp_with_time_zone_null("revalidated_at"))).await?;
        manager.alter_table(added(timestamp_with_time_zone_null("revalidate_after"))).await?;
        manager.alter_table(added(string_null("ended_reason"))).await?;
        index(manager, "web_sessions", &["issuer", "sid"]).await?;
        manager
            .create_table(
                Table::create()
                    .table("backchannel_logouts")
                    .col(string("jti_hash").primary_key())
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        index(manager, "backchannel_logouts", &["expires_at"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["backchannel_logouts"]).await?;
        manager.drop_index(Index::drop().name("ix_web_sessions_issuer_sid").table("web_sessions").to_owned()).await?;
        for column in ["ended_reason", "revalidate_after", "revalidated_at", "refresh_sealed", "sid"] {
            manager.alter_table(Table::alter().table("web_sessions").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
