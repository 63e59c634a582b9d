//! Registrants and everything that identifies them. Identifying values live only in `*_sealed`
//! columns (AES-256-GCM envelopes); searchable ones also get rows in `blind_indexes`.

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
                Table::create().table("reference_counters").col(integer("year").primary_key()).col(big_integer("last")).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("registrants")
                    .col(id())
                    .col(string_uniq("reference"))
                    .col(string("status"))
                    .col(string("managing_org"))
                    .col(string_null("managing_officer"))
                    .col(string_null("supervising_org"))
                    .col(string_null("risk_level"))
                    .col(string_null("risk_tool"))
                    .col(date_null("risk_next_review_on"))
                    .col(small_integer_null("mappa_category"))
                    .col(small_integer_null("mappa_level"))
                    .col(blob_null("notes_sealed"))
                    .col(integer("version"))
                    .col(string("created_by"))
                    .col(created_at())
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::cust("version >= 1"))
                    .to_owned(),
            )
            .await?;
        index(manager, "registrants", &["managing_org", "status"]).await?;
        index(manager, "registrants", &["status"]).await?;
        index(manager, "registrants", &["risk_level"]).await?;
        index(manager, "registrants", &["supervising_org"]).await?;

        // Child tables share one shape: a sealed value that belongs to one registrant, some with a
        // kind and a validity period so that history is kept rather than overwritten.
        for (table, sealed, has_kind, has_validity, has_platform) in [
            ("registrant_names", "name_sealed", true, true, false),
            ("registrant_birth_dates", "birth_date_sealed", false, false, false),
            ("registrant_descriptors", "value_sealed", true, false, false),
            ("registrant_addresses", "address_sealed", true, true, false),
            ("registrant_identifiers", "value_sealed", true, true, true),
        ] {
            let mut stmt = Table::create();
            stmt.table(table).col(id()).col(uuid("registrant_id"));
            if has_kind {
                stmt.col(string("kind"));
            }
            if has_platform {
                stmt.col(string_null("platform"));
            }
            stmt.col(blob(sealed));
            if has_validity {
                stmt.col(date_null("valid_from")).col(date_null("valid_to"));
            }
            stmt.col(created_at()).foreign_key(&mut fk(table, "registrant_id", "registrants"));
            manager.create_table(stmt.to_owned()).await?;
            index(manager, table, &["registrant_id"]).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("blind_indexes")
                    .col(big_pk_auto("id"))
                    .col(string("owner_kind"))
                    .col(uuid("owner_id"))
                    .col(string("source_table"))
                    .col(uuid("source_id"))
                    .col(string("field"))
                    .col(string("kind"))
                    .col(big_integer("digest"))
                    .col(integer("key_id"))
                    .to_owned(),
            )
            .await?;
        index(manager, "blind_indexes", &["field", "kind", "digest"]).await?;
        index(manager, "blind_indexes", &["owner_id"]).await?;
        unique(manager, "blind_indexes", &["source_id", "field", "kind", "key_id", "digest"]).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "blind_indexes",
                "registrant_identifiers",
                "registrant_addresses",
                "registrant_descriptors",
                "registrant_birth_dates",
                "registrant_names",
                "registrants",
                "reference_counters",
            ],
        )
        .await
    }
}
