//! Travel abroad (SOA 2003 s.86 and its regulations, for regimes with `travel_notice_days`): a
//! trip the police know of, from the registrant's notification or from elsewhere, with when it
//! departs, when it became known (which decides whether 7 days' or 12 hours' notice was owed)
//! and where to. The destination is free text, so it is sealed.

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
                    .table("registrant_trips")
                    .col(id())
                    .col(uuid("registrant_id"))
                    .col(timestamp_with_time_zone("departs_at"))
                    .col(date_null("returns_on"))
                    .col(date("known_on"))
                    .col(blob("destination_sealed"))
                    .col(string("recorded_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("registrant_trips", "registrant_id", "registrants"))
                    .to_owned(),
            )
            .await?;
        index(manager, "registrant_trips", &["registrant_id"]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["registrant_trips"]).await
    }
}
