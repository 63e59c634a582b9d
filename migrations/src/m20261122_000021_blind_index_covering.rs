//! The register check's blocking lookup reads owner kind and id for every row matching a
//! digest; common keys match thousands of rows. With only (field, kind, digest) indexed, each
//! matching row costs a visit to the table (on PostgreSQL a random heap read), which made a
//! check at a million registrants take hundreds of milliseconds. An index holding every column
//! the lookup filters on or returns lets both databases answer from the index alone. It starts
//! with the old index's columns, so the old index is dropped.

use sea_orm_migration::prelude::*;

use crate::support::index;

const TABLE: &str = "blind_indexes";
const OLD: &str = "ix_blind_indexes_field_kind_digest";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        index(manager, TABLE, &["field", "kind", "digest", "key_id", "owner_kind", "owner_id"]).await?;
        manager.drop_index(Index::drop().name(OLD).table(TABLE).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        index(manager, TABLE, &["field", "kind", "digest"]).await?;
        manager
            .drop_index(Index::drop().name("ix_blind_indexes_field_kind_digest_key_id_owner_kind_owner_id").table(TABLE).to_owned())
            .await
    }
}
